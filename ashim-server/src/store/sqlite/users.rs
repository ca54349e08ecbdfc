//! User rows.

use super::audit::insert;
use super::count;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::Event;
use crate::store::users::{NewUser, User, UserChange};
use crate::util::now_secs;
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, username, password_hash, role, team, must_change_password, \
                       analytics_enabled, analytics_consent_shown_at, analytics_consent_remind_at, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get(2)?,
        role: r.get(3)?,
        team: r.get(4)?,
        must_change_password: r.get::<_, i64>(5)? != 0,
        analytics_enabled: r.get::<_, Option<i64>>(6)?.map(|v| v != 0),
        analytics_shown_at: r.get(7)?,
        analytics_remind_at: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Number of users.
pub fn count_all(c: &Connection) -> ApiResult<i64> {
    count(c, "SELECT COUNT(*) FROM users", [])
}

/// Number of users.
pub fn total(c: &mut Connection) -> ApiResult<i64> {
    count_all(c)
}

/// By id.
pub fn get(c: &mut Connection, id: String) -> ApiResult<Option<User>> {
    get_in(c, &id)
}

/// By id, on a connection or transaction.
pub fn get_in(c: &Connection, id: &str) -> ApiResult<Option<User>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?)
}

/// By name (case-insensitive).
pub fn by_username(c: &mut Connection, name: String) -> ApiResult<Option<User>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM users WHERE username = ?1"),
        [&name],
        from_row,
    )
    .optional()?)
}

/// Every user.
pub fn list(c: &mut Connection) -> ApiResult<Vec<User>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM users ORDER BY created_at, username"
    ))?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn insert_user(c: &Connection, u: &NewUser, team: &str) -> ApiResult<()> {
    let now = now_secs();
    c.execute(
        "INSERT INTO users (id, username, password_hash, role, team, must_change_password, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![u.id, u.username, u.password_hash, u.role, team, u.must_change_password, now],
    )?;
    Ok(())
}

/// Create with checks and the event, in one transaction.
pub fn create(c: &mut Connection, u: NewUser, max_users: u64, ev: Event) -> ApiResult<User> {
    let tx = c.transaction()?;
    let team = super::teams::resolve_in(&tx, &u.team)?;
    if !super::roles::exists_in(&tx, &u.role)? {
        return Err(ApiError::bad_request(format!(
            "Role \"{}\" not found",
            u.role
        )));
    }
    if count(
        &tx,
        "SELECT COUNT(*) FROM users WHERE username = ?1",
        [&u.username],
    )? > 0
    {
        return Err(ApiError::conflict("Username already exists"));
    }
    if max_users > 0 && count_all(&tx)? as u64 >= max_users {
        return Err(ApiError::new(
            403,
            crate::error::Code::UserLimitReached,
            format!("User limit of {max_users} reached"),
        ));
    }
    insert_user(&tx, &u, &team)?;
    insert(&tx, &ev);
    let user = get_in(&tx, &u.id)?.ok_or_else(|| ApiError::internal("user vanished"))?;
    tx.commit()?;
    Ok(user)
}

/// Create the first admin when the table is empty.
pub fn create_first(c: &mut Connection, u: NewUser) -> ApiResult<bool> {
    let tx = c.transaction()?;
    if count_all(&tx)? > 0 {
        return Ok(false);
    }
    insert_user(&tx, &u, "Default")?;
    tx.commit()?;
    Ok(true)
}

fn admins(c: &Connection) -> ApiResult<i64> {
    count(c, "SELECT COUNT(*) FROM users WHERE role = 'admin'", [])
}

/// Role and/or team change: every check first, then one transaction.
pub fn update(c: &mut Connection, id: String, ch: UserChange, ev: Event) -> ApiResult<()> {
    let tx = c.transaction()?;
    let current: String = tx
        .query_row("SELECT role FROM users WHERE id = ?1", [&id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    let team = match &ch.team {
        Some(t) => Some(super::teams::resolve_in(&tx, t)?),
        None => None,
    };
    let role = match ch.role {
        Some(r) if super::roles::exists_in(&tx, &r)? => Some(r),
        _ => None,
    };
    if let Some(role) = &role
        && current == "admin"
        && role != "admin"
    {
        if id == ch.acting_user {
            return Err(ApiError::new(
                400,
                crate::error::Code::SelfDemote,
                "You cannot remove your own admin role",
            ));
        }
        if admins(&tx)? <= 1 {
            return Err(ApiError::new(
                400,
                crate::error::Code::LastAdmin,
                "Cannot demote the only admin",
            ));
        }
    }
    let now = now_secs();
    if let Some(t) = team {
        tx.execute(
            "UPDATE users SET team = ?1, updated_at = ?2 WHERE id = ?3",
            params![t, now, id],
        )?;
    }
    if let Some(r) = role {
        tx.execute(
            "UPDATE users SET role = ?1, updated_at = ?2 WHERE id = ?3",
            params![r, now, id],
        )?;
    }
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// New hash, forced-change flag; sessions (but `keep`) and keys dropped; one transaction.
pub fn set_password(
    c: &mut Connection,
    id: String,
    hash: String,
    must_change: bool,
    keep: Option<String>,
    ev: Event,
) -> ApiResult<()> {
    let tx = c.transaction()?;
    let n = tx.execute(
        "UPDATE users SET password_hash = ?1, must_change_password = ?2, updated_at = ?3 WHERE id = ?4",
        params![hash, must_change, now_secs(), id],
    )?;
    if n == 0 {
        return Err(ApiError::not_found("User not found"));
    }
    tx.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2",
        params![id, keep.unwrap_or_default()],
    )?;
    tx.execute("DELETE FROM api_keys WHERE user_id = ?1", [&id])?;
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// Replace the hash only.
pub fn upgrade_hash(c: &mut Connection, id: String, hash: String) -> ApiResult<()> {
    c.execute(
        "UPDATE users SET password_hash = ?1 WHERE id = ?2",
        params![hash, id],
    )?;
    Ok(())
}

/// Delete (not the last admin) with the event.
pub fn delete(c: &mut Connection, id: String, ev: Event) -> ApiResult<()> {
    let tx = c.transaction()?;
    let role: Option<String> = tx
        .query_row("SELECT role FROM users WHERE id = ?1", [&id], |r| r.get(0))
        .optional()?;
    match role.as_deref() {
        None => return Err(ApiError::not_found("User not found")),
        Some("admin") if admins(&tx)? <= 1 => {
            return Err(ApiError::new(
                400,
                crate::error::Code::LastAdmin,
                "Cannot delete the only admin",
            ));
        }
        Some(_) => {}
    }
    tx.execute("DELETE FROM users WHERE id = ?1", [&id])?;
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// Analytics consent fields.
pub fn set_analytics(
    c: &mut Connection,
    id: String,
    enabled: Option<bool>,
    shown: Option<i64>,
    remind: Option<i64>,
) -> ApiResult<()> {
    c.execute(
        "UPDATE users SET analytics_enabled = ?1, analytics_consent_shown_at = ?2,
                          analytics_consent_remind_at = ?3 WHERE id = ?4",
        params![enabled, shown, remind, id],
    )?;
    Ok(())
}
