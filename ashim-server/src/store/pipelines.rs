//! Saved pipelines.

use super::{Store, dispatch};
use crate::error::ApiResult;
use serde_json::Value;

/// A saved pipeline.
#[derive(Debug, Clone)]
pub struct SavedPipeline {
    /// Id.
    pub id: String,
    /// Owner (`None`: shared, e.g. saved with auth disabled).
    pub user_id: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Normalised step list.
    pub steps: Value,
    /// Epoch seconds.
    pub created_at: i64,
}

/// The pipelines repository.
pub struct Pipelines<'a>(pub(super) &'a Store);

impl Pipelines<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Save.
    pub async fn create(&self, p: SavedPipeline) -> ApiResult<()> {
        dispatch!(self, pipelines::create(p))
    }

    /// Those visible to `user_id` (own and shared, or all), newest first.
    pub async fn list(&self, user_id: &str, all: bool) -> ApiResult<Vec<SavedPipeline>> {
        let user_id = user_id.to_string();
        dispatch!(self, pipelines::list(user_id, all))
    }

    /// The owner of a pipeline: `None` when it does not exist, `Some(None)` when shared.
    pub async fn owner(&self, id: &str) -> ApiResult<Option<Option<String>>> {
        let id = id.to_string();
        dispatch!(self, pipelines::owner(id))
    }

    /// Delete.
    pub async fn delete(&self, id: &str) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, pipelines::delete(id))
    }
}
