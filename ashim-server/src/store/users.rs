//! Users.

use super::audit::Event;
use super::{Store, dispatch};
use crate::error::ApiResult;

/// A stored user.
#[derive(Debug, Clone)]
pub struct User {
    /// Id (UUID).
    pub id: String,
    /// Unique (case-insensitive) login name.
    pub username: String,
    /// PHC argon2id string, or an imported scrypt `salt:hash`.
    pub password_hash: String,
    /// Role name (built-in or custom).
    pub role: String,
    /// Team name.
    pub team: String,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// Analytics consent (`None` = not asked).
    pub analytics_enabled: Option<bool>,
    /// When the consent prompt was shown (epoch seconds).
    pub analytics_shown_at: Option<i64>,
    /// When to ask again (epoch seconds).
    pub analytics_remind_at: Option<i64>,
    /// Epoch seconds.
    pub created_at: i64,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Id (UUID).
    pub id: String,
    /// Login name.
    pub username: String,
    /// Password hash.
    pub password_hash: String,
    /// Role name (must exist: built-in or custom).
    pub role: String,
    /// Team name or id (must exist).
    pub team: String,
    /// Forced password change at first login.
    pub must_change_password: bool,
}

/// A change to a user; every check runs before anything is written.
#[derive(Debug, Clone)]
pub struct UserChange {
    /// New role (ignored when it names no role).
    pub role: Option<String>,
    /// New team (name or id; 400 when there is none).
    pub team: Option<String>,
    /// Who asks (for the self-demotion rule).
    pub acting_user: String,
}

/// The users repository.
pub struct Users<'a>(pub(super) &'a Store);

impl Users<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// How many users exist.
    pub async fn count(&self) -> ApiResult<i64> {
        dispatch!(self, users::total())
    }

    /// A user by id.
    pub async fn get(&self, id: &str) -> ApiResult<Option<User>> {
        let id = id.to_string();
        dispatch!(self, users::get(id))
    }

    /// A user by login name (case-insensitive).
    pub async fn by_username(&self, name: &str) -> ApiResult<Option<User>> {
        let name = name.to_string();
        dispatch!(self, users::by_username(name))
    }

    /// Every user, oldest first.
    pub async fn list(&self) -> ApiResult<Vec<User>> {
        dispatch!(self, users::list())
    }

    /// Create a user: 409 on a taken name, 403 past `max_users` (0 = no cap), the team
    /// resolved to its name; returns the stored user. The event is written with it.
    pub async fn create(&self, user: NewUser, max_users: u64, ev: Event) -> ApiResult<User> {
        dispatch!(self, users::create(user, max_users, ev))
    }

    /// Create the first admin when there is no user at all; true when it was created.
    pub async fn create_first(&self, user: NewUser) -> ApiResult<bool> {
        dispatch!(self, users::create_first(user))
    }

    /// Change role and/or team (404, 400 unknown team, 400 self-demotion, 400 last admin),
    /// checked in full before one transaction writes both and the event.
    pub async fn update(&self, id: &str, change: UserChange, ev: Event) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, users::update(id, change, ev))
    }

    /// Set a new password hash and the forced-change flag; drops the user's sessions (all
    /// but `keep_session`) and API keys; one transaction with the event. 404 when absent.
    pub async fn set_password(
        &self,
        id: &str,
        hash: String,
        must_change: bool,
        keep_session: Option<String>,
        ev: Event,
    ) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(
            self,
            users::set_password(id, hash, must_change, keep_session, ev)
        )
    }

    /// Replace the stored hash only (an imported hash upgraded at login).
    pub async fn upgrade_hash(&self, id: &str, hash: String) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, users::upgrade_hash(id, hash))
    }

    /// Delete a user (404; 400 for the last admin), with the event.
    pub async fn delete(&self, id: &str, ev: Event) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, users::delete(id, ev))
    }

    /// Store analytics consent fields.
    pub async fn set_analytics(
        &self,
        id: &str,
        enabled: Option<bool>,
        shown_at: Option<i64>,
        remind_at: Option<i64>,
    ) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, users::set_analytics(id, enabled, shown_at, remind_at))
    }
}
