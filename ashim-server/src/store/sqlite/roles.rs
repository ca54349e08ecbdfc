//! Custom role rows.

use super::audit::insert;
use super::count;
use crate::auth::principal::ROLES;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::Event;
use crate::store::roles::{Role, RoleChange};
use crate::util::now_secs;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Whether `role` is built in or a stored custom role.
pub fn exists_in(c: &Connection, role: &str) -> ApiResult<bool> {
    Ok(
        ROLES.contains(&role)
            || count(c, "SELECT COUNT(*) FROM roles WHERE name = ?1", [role])? > 0,
    )
}

fn name_taken(c: &Connection, name: &str, except: &str) -> ApiResult<bool> {
    Ok(ROLES.contains(&name)
        || count(
            c,
            "SELECT COUNT(*) FROM roles WHERE name = ?1 AND id != ?2",
            [name, except],
        )? > 0)
}

/// Every custom role.
pub fn list(c: &mut Connection) -> ApiResult<Vec<Role>> {
    let mut stmt = c.prepare(
        "SELECT id, name, description, permissions, created_at, updated_at FROM roles ORDER BY name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let perms: String = r.get(3)?;
            Ok(Role {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                permissions: serde_json::from_str(&perms).unwrap_or_default(),
                created_at: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Members per role.
pub fn user_counts(c: &mut Connection) -> ApiResult<HashMap<String, i64>> {
    let mut stmt = c.prepare("SELECT role, COUNT(*) FROM users GROUP BY role")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A custom role's permissions.
pub fn permissions(c: &mut Connection, name: String) -> ApiResult<Option<Vec<String>>> {
    let p: Option<String> = c
        .query_row(
            "SELECT permissions FROM roles WHERE name = ?1",
            [&name],
            |r| r.get(0),
        )
        .optional()?;
    Ok(p.map(|p| serde_json::from_str(&p).unwrap_or_default()))
}

/// Insert a role row, ignoring an existing id (the importer's path); returns rows written.
pub fn insert_role(c: &Connection, r: &Role) -> ApiResult<usize> {
    Ok(c.execute(
        "INSERT OR IGNORE INTO roles (id, name, description, permissions, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            r.id,
            r.name,
            r.description,
            serde_json::json!(r.permissions).to_string(),
            r.created_at,
            r.updated_at
        ],
    )?)
}

/// Create.
pub fn create(c: &mut Connection, r: Role, ev: Event) -> ApiResult<()> {
    let tx = c.transaction()?;
    if name_taken(&tx, &r.name, "")? {
        return Err(ApiError::conflict(format!(
            "Role \"{}\" already exists",
            r.name
        )));
    }
    insert_role(&tx, &r)?;
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// Change.
pub fn update(c: &mut Connection, id: String, ch: RoleChange, ev: Event) -> ApiResult<()> {
    let tx = c.transaction()?;
    let old: String = tx
        .query_row("SELECT name FROM roles WHERE id = ?1", [&id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("Role not found"))?;
    let now = now_secs();
    if let Some(name) = &ch.name {
        if name_taken(&tx, name, &id)? {
            return Err(ApiError::conflict(format!(
                "Role \"{name}\" already exists"
            )));
        }
        tx.execute(
            "UPDATE roles SET name = ?1, updated_at = ?2 WHERE id = ?3",
            params![name, now, id],
        )?;
        tx.execute(
            "UPDATE users SET role = ?1 WHERE role = ?2",
            params![name, old],
        )?;
    }
    if let Some(d) = &ch.description {
        tx.execute(
            "UPDATE roles SET description = ?1, updated_at = ?2 WHERE id = ?3",
            params![d, now, id],
        )?;
    }
    if let Some(p) = &ch.permissions {
        tx.execute(
            "UPDATE roles SET permissions = ?1, updated_at = ?2 WHERE id = ?3",
            params![serde_json::json!(p).to_string(), now, id],
        )?;
    }
    insert(&tx, &ev);
    tx.commit()?;
    Ok(())
}

/// Delete; members become `user`.
pub fn delete(c: &mut Connection, id: String, ev: impl FnOnce(&str) -> Event) -> ApiResult<String> {
    let tx = c.transaction()?;
    let name: String = tx
        .query_row("SELECT name FROM roles WHERE id = ?1", [&id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("Role not found"))?;
    tx.execute("UPDATE users SET role = 'user' WHERE role = ?1", [&name])?;
    tx.execute("DELETE FROM roles WHERE id = ?1", [&id])?;
    insert(&tx, &ev(&name));
    tx.commit()?;
    Ok(name)
}
