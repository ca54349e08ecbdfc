//! The file library's rows: every version is a row whose `parent_id` is the previous
//! version. The bytes are blobs named by `stored_name` (see `crate::blob`); this module
//! never touches them.

use super::audit::Event;
use super::{Store, dispatch};
use crate::error::ApiResult;
use serde_json::{Value, json};

/// One library file version.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// Id.
    pub id: String,
    /// Owner (`None`: shared).
    pub owner_id: Option<String>,
    /// Blob name.
    pub stored_name: String,
    /// Name shown to people.
    pub original_name: String,
    /// MIME type.
    pub mime_type: String,
    /// Bytes.
    pub size: i64,
    /// Pixels, when known.
    pub width: Option<i64>,
    /// Pixels, when known.
    pub height: Option<i64>,
    /// 1 for an original, +1 per derived version.
    pub version: i64,
    /// The previous version.
    pub parent_id: Option<String>,
    /// Tools applied since the original.
    pub tool_chain: Vec<String>,
    /// Epoch seconds.
    pub created_at: i64,
}

impl FileRecord {
    /// The wire shape (api.md §2.9).
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "originalName": self.original_name,
            "mimeType": self.mime_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
            "version": self.version,
            "parentId": self.parent_id,
            "toolChain": self.tool_chain,
            "createdAt": crate::util::iso8601(self.created_at),
        })
    }
}

/// Who is looking: files of others are invisible without `files:all`.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The caller's user id.
    pub user_id: String,
    /// Holds `files:all`.
    pub all: bool,
}

impl Viewer {
    /// Whether `f` is visible.
    pub fn sees(&self, f: &FileRecord) -> bool {
        self.all || f.owner_id.as_deref().is_none_or(|o| o == self.user_id)
    }
}

/// A page query of latest versions.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Substring of the name.
    pub search: String,
    /// Page size.
    pub limit: i64,
    /// Offset.
    pub offset: i64,
}

/// The files repository.
pub struct Files<'a>(pub(super) &'a Store);

impl Files<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// A row by id, if `viewer` may see it.
    pub async fn visible(&self, viewer: &Viewer, id: &str) -> ApiResult<Option<FileRecord>> {
        let (viewer, id) = (viewer.clone(), id.to_string());
        dispatch!(self, files::visible(viewer, id))
    }

    /// Latest versions visible to `viewer`, newest first, and their total.
    pub async fn list(&self, viewer: &Viewer, q: ListQuery) -> ApiResult<(Vec<FileRecord>, i64)> {
        let viewer = viewer.clone();
        dispatch!(self, files::list(viewer, q))
    }

    /// The whole version chain of `id` (root and descendants), by version.
    pub async fn chain(&self, id: &str) -> ApiResult<Vec<FileRecord>> {
        let id = id.to_string();
        dispatch!(self, files::chain(id))
    }

    /// Insert rows (their blobs are already stored) and the event, in one transaction.
    pub async fn insert(&self, rows: Vec<FileRecord>, ev: Option<Event>) -> ApiResult<()> {
        dispatch!(self, files::insert(rows, ev))
    }

    /// Delete the whole chain of every id `viewer` may see, with the event built from the
    /// deleted ids, in one transaction. Returns the deleted rows (whose blobs the caller
    /// removes afterwards, outside the transaction).
    pub async fn delete_chains(
        &self,
        viewer: &Viewer,
        ids: Vec<String>,
        ev: impl FnOnce(&[String]) -> Event + Send + 'static,
    ) -> ApiResult<Vec<FileRecord>> {
        let viewer = viewer.clone();
        dispatch!(self, files::delete_chains(viewer, ids, ev))
    }
}
