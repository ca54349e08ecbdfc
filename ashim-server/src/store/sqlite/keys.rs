//! API key rows.

use super::audit::insert;
use crate::error::ApiResult;
use crate::store::audit::Event;
use crate::store::keys::Key;
use rusqlite::{Connection, Row, params};

const COLUMNS: &str =
    "id, user_id, name, key_hash, permissions, created_at, last_used_at, expires_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Key> {
    let perms: Option<String> = r.get(4)?;
    Ok(Key {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        key_hash: r.get(3)?,
        permissions: perms.and_then(|p| serde_json::from_str(&p).ok()),
        created_at: r.get(5)?,
        last_used_at: r.get(6)?,
        expires_at: r.get(7)?,
    })
}

/// Keys with this lookup prefix.
pub fn by_prefix(c: &mut Connection, prefix: String) -> ApiResult<Vec<Key>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE key_prefix = ?1"
    ))?;
    let rows = stmt
        .query_map([prefix], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Last use (and an upgraded hash).
pub fn touch(c: &mut Connection, id: String, now: i64, new_hash: Option<String>) -> ApiResult<()> {
    c.execute(
        "UPDATE api_keys SET last_used_at = ?1, key_hash = COALESCE(?2, key_hash) WHERE id = ?3",
        params![now, new_hash, id],
    )?;
    Ok(())
}

/// Insert a key row (no event; the importer's path).
pub fn insert_key(c: &Connection, k: &Key, prefix: &str) -> ApiResult<usize> {
    Ok(c.execute(
        "INSERT OR IGNORE INTO api_keys (id, user_id, name, key_prefix, key_hash, permissions, created_at, last_used_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            k.id,
            k.user_id,
            k.name,
            prefix,
            k.key_hash,
            k.permissions.as_ref().map(|p| serde_json::json!(p).to_string()),
            k.created_at,
            k.last_used_at,
            k.expires_at
        ],
    )?)
}

/// Insert with the event.
pub fn create(c: &mut Connection, k: Key, prefix: String, ev: Event) -> ApiResult<()> {
    let tx = c.transaction()?;
    insert_key(&tx, &k, &prefix)?;
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// A user's keys, or all.
pub fn list(c: &mut Connection, user_id: String, all: bool) -> ApiResult<Vec<Key>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE ?1 OR user_id = ?2 ORDER BY created_at"
    ))?;
    let rows = stmt
        .query_map(params![all, user_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Delete a user's key with the event.
pub fn delete(c: &mut Connection, id: String, user_id: String, ev: Event) -> ApiResult<bool> {
    let tx = c.transaction()?;
    let n = tx.execute(
        "DELETE FROM api_keys WHERE id = ?1 AND user_id = ?2",
        params![id, user_id],
    )?;
    if n > 0 {
        insert(&tx, &ev);
    }
    tx.commit()?;
    Ok(n > 0)
}
