//! Settings: a key/value store of strings (api.md §2.6).

use super::{Store, dispatch};
use crate::error::ApiResult;

/// The settings repository.
pub struct Settings<'a>(pub(super) &'a Store);

impl Settings<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Every (key, value), by key.
    pub async fn all(&self) -> ApiResult<Vec<(String, String)>> {
        dispatch!(self, settings::all())
    }

    /// One value and its update time (epoch seconds).
    pub async fn get(&self, key: &str) -> ApiResult<Option<(String, i64)>> {
        let key = key.to_string();
        dispatch!(self, settings::get(key))
    }

    /// Upsert every pair in one transaction; returns how many.
    pub async fn put_all(&self, pairs: Vec<(String, String)>) -> ApiResult<usize> {
        dispatch!(self, settings::put_all(pairs, false))
    }

    /// Insert the pairs whose key is absent (seeding); existing values are kept.
    pub async fn seed(&self, pairs: Vec<(String, String)>) -> ApiResult<usize> {
        dispatch!(self, settings::put_all(pairs, true))
    }
}
