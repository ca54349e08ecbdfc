//! Session rows.

use super::audit::insert;
use crate::error::ApiResult;
use crate::store::audit::Event;
use crate::util::now_secs;
use rusqlite::{Connection, OptionalExtension, params};

/// Insert a session and its event.
pub fn create(
    c: &mut Connection,
    token_hash: String,
    user_id: String,
    expires_at: i64,
    ev: Event,
) -> ApiResult<()> {
    let tx = c.transaction()?;
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user_id, expires_at, now_secs()],
    )?;
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// The user id and expiry of a live session; expired sessions are removed.
pub fn user_of(c: &mut Connection, th: String, now: i64) -> ApiResult<Option<(String, i64)>> {
    let row: Option<(String, i64)> = c
        .query_row(
            "SELECT user_id, expires_at FROM sessions WHERE token_hash = ?1",
            [&th],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        Some((_, exp)) if exp <= now => {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", [&th])?;
            Ok(None)
        }
        other => Ok(other),
    }
}

/// Delete a session and record `event(user)` when it existed.
pub fn delete(c: &mut Connection, th: String, event: fn(&str, &str) -> Event) -> ApiResult<()> {
    let tx = c.transaction()?;
    let user: Option<(String, String)> = tx
        .query_row(
            "SELECT u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
            [&th],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [&th])?;
    if let Some((id, name)) = user {
        insert(&tx, &event(&id, &name));
    }
    tx.commit()?;
    Ok(())
}

/// Delete expired sessions.
pub fn purge_expired(c: &mut Connection, now: i64) -> ApiResult<usize> {
    Ok(c.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?)
}
