//! Teams (api.md §2.5). Users store their team's name; APIs accept a team name or id.

use crate::auth::{Caller, json_body};
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use crate::util::{iso8601, now_secs, uuid_v4};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

const DEFAULT_ID: &str = "default-team-00000000";

/// The team name for a name (case-insensitive) or id; 400 when there is none.
pub fn resolve(conn: &rusqlite::Connection, name_or_id: &str) -> ApiResult<String> {
    conn.query_row(
        "SELECT name FROM teams WHERE id = ?1 OR name = ?1 COLLATE NOCASE",
        [name_or_id],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .ok_or_else(|| ApiError::bad_request("Team not found"))
}

fn team_name(body: &Value) -> ApiResult<String> {
    match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if (1..=50).contains(&n.chars().count()) => Ok(n.to_string()),
        _ => Err(ApiError::bad_request("Team name must be 1-50 characters")),
    }
}

/// `GET /api/v1/teams`.
pub async fn list(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("teams:manage")?;
    state
        .db
        .call(|c| {
            let mut stmt = c.prepare(
                "SELECT t.id, t.name, t.created_at,
                        (SELECT COUNT(*) FROM users u WHERE u.team = t.name COLLATE NOCASE)
                 FROM teams t ORDER BY t.created_at, t.name",
            )?;
            let teams: Vec<Value> = stmt
                .query_map([], |r| {
                    Ok(json!({
                        "id": r.get::<_, String>(0)?,
                        "name": r.get::<_, String>(1)?,
                        "createdAt": iso8601(r.get(2)?),
                        "memberCount": r.get::<_, i64>(3)?,
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Json(json!({"teams": teams})))
        })
        .await
}

/// `POST /api/v1/teams`.
pub async fn create(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.user()?.require("teams:manage")?;
    let name = team_name(&json_body(req).await?)?;
    state
        .db
        .call(move |c| {
            if resolve(c, &name).is_ok() {
                return Err(ApiError::new(409, "conflict", "Team name already exists"));
            }
            let id = uuid_v4();
            c.execute(
                "INSERT INTO teams (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![id, name, now_secs()],
            )?;
            Ok((StatusCode::CREATED, Json(json!({"id": id, "name": name}))))
        })
        .await
}

/// `PUT /api/v1/teams/{id}` — rename; members follow.
pub async fn update(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("teams:manage")?;
    let name = team_name(&json_body(req).await?)?;
    state
        .db
        .call(move |c| {
            let old: Option<String> = c
                .query_row("SELECT name FROM teams WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            let Some(old) = old else {
                return Err(ApiError::not_found("Team not found"));
            };
            let clash: i64 = c.query_row(
                "SELECT COUNT(*) FROM teams WHERE name = ?1 COLLATE NOCASE AND id != ?2",
                params![name, id],
                |r| r.get(0),
            )?;
            if clash > 0 {
                return Err(ApiError::new(409, "conflict", "Team name already exists"));
            }
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE teams SET name = ?1 WHERE id = ?2",
                params![name, id],
            )?;
            tx.execute(
                "UPDATE users SET team = ?1 WHERE team = ?2 COLLATE NOCASE",
                params![name, old],
            )?;
            tx.commit()?;
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `DELETE /api/v1/teams/{id}` — only empty teams, never the Default team.
pub async fn delete(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("teams:manage")?;
    if id == DEFAULT_ID {
        return Err(ApiError::bad_request("Cannot delete the Default team"));
    }
    state
        .db
        .call(move |c| {
            let name: Option<String> = c
                .query_row("SELECT name FROM teams WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            let Some(name) = name else {
                return Err(ApiError::not_found("Team not found"));
            };
            let members: i64 = c.query_row(
                "SELECT COUNT(*) FROM users WHERE team = ?1 COLLATE NOCASE",
                [&name],
                |r| r.get(0),
            )?;
            if members > 0 {
                return Err(ApiError::bad_request(
                    "Cannot delete a team that has members",
                ));
            }
            c.execute("DELETE FROM teams WHERE id = ?1", [&id])?;
            Ok(Json(json!({"ok": true})))
        })
        .await
}
