//! API keys: stored hashed, found by a 16-hex-digit prefix of the key's SHA-256.

use super::audit::Event;
use super::{Store, dispatch};
use crate::error::ApiResult;

/// A stored key.
#[derive(Debug, Clone)]
pub struct Key {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// SHA-256 hex of the key, or an imported scrypt `salt:hash`.
    pub key_hash: String,
    /// Scope (`None` = the owner's permissions).
    pub permissions: Option<Vec<String>>,
    /// Epoch seconds.
    pub created_at: i64,
    /// Epoch seconds.
    pub last_used_at: Option<i64>,
    /// Epoch seconds.
    pub expires_at: Option<i64>,
}

/// The keys repository.
pub struct Keys<'a>(pub(super) &'a Store);

impl Keys<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Keys whose lookup prefix is `prefix`.
    pub async fn by_prefix(&self, prefix: &str) -> ApiResult<Vec<Key>> {
        let prefix = prefix.to_string();
        dispatch!(self, keys::by_prefix(prefix))
    }

    /// Mark a key used now; `new_hash` replaces an imported hash after it verified.
    pub async fn touch(&self, id: &str, now: i64, new_hash: Option<String>) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, keys::touch(id, now, new_hash))
    }

    /// Store a new key (`prefix` = lookup prefix) with its event.
    pub async fn create(&self, key: Key, prefix: String, ev: Event) -> ApiResult<()> {
        dispatch!(self, keys::create(key, prefix, ev))
    }

    /// Keys of `user_id`, or every key when `all`.
    pub async fn list(&self, user_id: &str, all: bool) -> ApiResult<Vec<Key>> {
        let user_id = user_id.to_string();
        dispatch!(self, keys::list(user_id, all))
    }

    /// Delete a key of `user_id` with its event; false when there is none.
    pub async fn delete(&self, id: &str, user_id: &str, ev: Event) -> ApiResult<bool> {
        let (id, user_id) = (id.to_string(), user_id.to_string());
        dispatch!(self, keys::delete(id, user_id, ev))
    }
}
