//! The audit log (api.md §2.14).

use super::{Store, dispatch};
use crate::error::ApiResult;
use serde_json::Value;

/// One audit event, written in the same transaction as the change it records.
#[derive(Debug, Clone)]
pub struct Event {
    /// `LOGIN_SUCCESS`, `USER_CREATED`, ...
    pub action: &'static str,
    /// Who did it (user id), if known.
    pub actor_id: Option<String>,
    /// Who did it (name); `system` when unknown.
    pub actor: String,
    /// `user`, `api_key`, `role`, `file`.
    pub target_type: &'static str,
    /// The affected row.
    pub target_id: Option<String>,
    /// Event payload.
    pub details: Value,
}

/// A page query of the log.
#[derive(Debug, Clone)]
pub struct Query {
    /// 1-based page.
    pub page: i64,
    /// Rows per page.
    pub limit: i64,
    /// Exact action filter.
    pub action: Option<String>,
    /// Inclusive lower bound (epoch seconds).
    pub from: i64,
    /// Inclusive upper bound (epoch seconds).
    pub to: i64,
}

/// One stored row.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Row id.
    pub id: String,
    /// Actor id.
    pub actor_id: Option<String>,
    /// Actor name.
    pub actor: String,
    /// Action.
    pub action: String,
    /// Target type.
    pub target_type: Option<String>,
    /// Target id.
    pub target_id: Option<String>,
    /// Payload.
    pub details: Option<Value>,
    /// Epoch seconds.
    pub created_at: i64,
}

/// The audit repository.
pub struct Audit<'a>(pub(super) &'a Store);

impl Audit<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Record a standalone event (one not tied to another write).
    pub async fn record(&self, ev: Event) -> ApiResult<()> {
        dispatch!(self, audit::record(ev))
    }

    /// One page of entries, newest first, and the total count.
    pub async fn list(&self, q: Query) -> ApiResult<(Vec<Entry>, i64)> {
        dispatch!(self, audit::list(q))
    }
}
