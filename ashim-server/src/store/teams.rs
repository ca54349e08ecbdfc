//! Teams (api.md §2.5). Users store their team's name; the API accepts a name or an id.

use super::{Store, dispatch};
use crate::error::ApiResult;

/// The id of the team every installation has.
pub const DEFAULT_TEAM_ID: &str = "default-team-00000000";

/// A team and its member count.
#[derive(Debug, Clone)]
pub struct Team {
    /// Id.
    pub id: String,
    /// Unique (case-insensitive) name.
    pub name: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// Users in it.
    pub members: i64,
}

/// The teams repository.
pub struct Teams<'a>(pub(super) &'a Store);

impl Teams<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Every team with its member count.
    pub async fn list(&self) -> ApiResult<Vec<Team>> {
        dispatch!(self, teams::list())
    }

    /// Create (409 on a taken name); returns the id.
    pub async fn create(&self, name: String) -> ApiResult<String> {
        dispatch!(self, teams::create(name))
    }

    /// Rename (404, 409); members follow in the same transaction.
    pub async fn rename(&self, id: &str, name: String) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, teams::rename(id, name))
    }

    /// Delete an empty team (404; 400 with members or for the Default team).
    pub async fn delete(&self, id: &str) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, teams::delete(id))
    }
}
