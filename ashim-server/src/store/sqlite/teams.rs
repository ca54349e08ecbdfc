//! Team rows.

use super::count;
use crate::error::{ApiError, ApiResult};
use crate::store::teams::{DEFAULT_TEAM_ID, Team};
use crate::util::{now_secs, uuid_v4};
use rusqlite::{Connection, OptionalExtension, params};

/// The team name for a name (case-insensitive) or id; 400 when there is none.
pub fn resolve_in(c: &Connection, name_or_id: &str) -> ApiResult<String> {
    c.query_row(
        "SELECT name FROM teams WHERE id = ?1 OR name = ?1 COLLATE NOCASE",
        [name_or_id],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .ok_or_else(|| ApiError::bad_request("Team not found"))
}

/// Every team.
pub fn list(c: &mut Connection) -> ApiResult<Vec<Team>> {
    let mut stmt = c.prepare(
        "SELECT t.id, t.name, t.created_at,
                (SELECT COUNT(*) FROM users u WHERE u.team = t.name COLLATE NOCASE)
         FROM teams t ORDER BY t.created_at, t.name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Team {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
                members: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Insert a team row unless its id or name exists (the importer's path).
pub fn insert_team(c: &Connection, id: &str, name: &str, created_at: i64) -> ApiResult<usize> {
    if resolve_in(c, name).is_ok() {
        return Ok(0);
    }
    Ok(c.execute(
        "INSERT OR IGNORE INTO teams (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![id, name, created_at],
    )?)
}

/// Create.
pub fn create(c: &mut Connection, name: String) -> ApiResult<String> {
    let tx = c.transaction()?;
    if resolve_in(&tx, &name).is_ok() {
        return Err(ApiError::conflict("Team name already exists"));
    }
    let id = uuid_v4();
    tx.execute(
        "INSERT INTO teams (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![id, name, now_secs()],
    )?;
    tx.commit()?;
    Ok(id)
}

/// Rename; members follow.
pub fn rename(c: &mut Connection, id: String, name: String) -> ApiResult<()> {
    let tx = c.transaction()?;
    let old: String = tx
        .query_row("SELECT name FROM teams WHERE id = ?1", [&id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("Team not found"))?;
    if count(
        &tx,
        "SELECT COUNT(*) FROM teams WHERE name = ?1 COLLATE NOCASE AND id != ?2",
        params![name, id],
    )? > 0
    {
        return Err(ApiError::conflict("Team name already exists"));
    }
    tx.execute(
        "UPDATE teams SET name = ?1 WHERE id = ?2",
        params![name, id],
    )?;
    tx.execute(
        "UPDATE users SET team = ?1 WHERE team = ?2 COLLATE NOCASE",
        params![name, old],
    )?;
    tx.commit()?;
    Ok(())
}

/// Delete an empty, non-default team.
pub fn delete(c: &mut Connection, id: String) -> ApiResult<()> {
    if id == DEFAULT_TEAM_ID {
        return Err(ApiError::bad_request("Cannot delete the Default team"));
    }
    let tx = c.transaction()?;
    let name: String = tx
        .query_row("SELECT name FROM teams WHERE id = ?1", [&id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("Team not found"))?;
    if count(
        &tx,
        "SELECT COUNT(*) FROM users WHERE team = ?1 COLLATE NOCASE",
        [&name],
    )? > 0
    {
        return Err(ApiError::bad_request(
            "Cannot delete a team that has members",
        ));
    }
    tx.execute("DELETE FROM teams WHERE id = ?1", [&id])?;
    tx.commit()?;
    Ok(())
}
