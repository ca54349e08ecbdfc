//! Custom roles (the built-in ones live in `auth::principal`).

use super::audit::Event;
use super::{Store, dispatch};
use crate::error::ApiResult;
use std::collections::HashMap;

/// A stored custom role.
#[derive(Debug, Clone)]
pub struct Role {
    /// Id.
    pub id: String,
    /// Unique name (lower case).
    pub name: String,
    /// Description.
    pub description: String,
    /// Permission names.
    pub permissions: Vec<String>,
    /// Epoch seconds.
    pub created_at: i64,
    /// Epoch seconds.
    pub updated_at: i64,
}

/// A partial change of a role.
#[derive(Debug, Clone, Default)]
pub struct RoleChange {
    /// New name (members follow).
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New permissions.
    pub permissions: Option<Vec<String>>,
}

/// The roles repository.
pub struct Roles<'a>(pub(super) &'a Store);

impl Roles<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Every custom role, by name.
    pub async fn list(&self) -> ApiResult<Vec<Role>> {
        dispatch!(self, roles::list())
    }

    /// Members per role name.
    pub async fn user_counts(&self) -> ApiResult<HashMap<String, i64>> {
        dispatch!(self, roles::user_counts())
    }

    /// A custom role's permissions (`None`: no such custom role).
    pub async fn permissions(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        let name = name.to_string();
        dispatch!(self, roles::permissions(name))
    }

    /// Create (409 when the name is taken, built-in names included).
    pub async fn create(&self, role: Role, ev: Event) -> ApiResult<()> {
        dispatch!(self, roles::create(role, ev))
    }

    /// Change (404, 409); renaming moves the members; one transaction.
    pub async fn update(&self, id: &str, change: RoleChange, ev: Event) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, roles::update(id, change, ev))
    }

    /// Delete (404); members become `user`; `ev(name)` is recorded with it; returns the name.
    pub async fn delete(
        &self,
        id: &str,
        ev: impl FnOnce(&str) -> Event + Send + 'static,
    ) -> ApiResult<String> {
        let id = id.to_string();
        dispatch!(self, roles::delete(id, ev))
    }
}
