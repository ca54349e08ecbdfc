//! Login sessions, stored by the SHA-256 of their token.

use super::audit::Event;
use super::{Store, dispatch};
use crate::error::ApiResult;

/// The sessions repository.
pub struct Sessions<'a>(pub(super) &'a Store);

impl Sessions<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Create a session with the login event.
    pub async fn create(
        &self,
        token_hash: String,
        user_id: &str,
        expires_at: i64,
        ev: Event,
    ) -> ApiResult<()> {
        let user_id = user_id.to_string();
        dispatch!(self, sessions::create(token_hash, user_id, expires_at, ev))
    }

    /// The user id of a live session; an expired one is deleted and gives `None`.
    pub async fn user_of(&self, token_hash: &str, now: i64) -> ApiResult<Option<(String, i64)>> {
        let th = token_hash.to_string();
        dispatch!(self, sessions::user_of(th, now))
    }

    /// Delete a session; when it existed, `event(user id, username)` is recorded with it.
    pub async fn delete(&self, token_hash: &str, event: fn(&str, &str) -> Event) -> ApiResult<()> {
        let th = token_hash.to_string();
        dispatch!(self, sessions::delete(th, event))
    }

    /// Delete sessions that expired before `now`; returns how many.
    pub async fn purge_expired(&self, now: i64) -> ApiResult<usize> {
        dispatch!(self, sessions::purge_expired(now))
    }
}
