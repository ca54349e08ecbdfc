//! The audit log (api.md §2.14): security events recorded in SQLite and printed to stderr.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::Shared;
use crate::util::{iso8601, now_secs, parse_iso8601, uuid_v4};
use axum::extract::{Query, State};
use axum::{Extension, Json};
use rusqlite::params;
use serde_json::{Value, json};
use std::collections::HashMap;

/// One audit event.
pub struct Event<'a> {
    /// `LOGIN_SUCCESS`, `USER_CREATED`, ...
    pub action: &'static str,
    /// Who did it (user id), if known.
    pub actor_id: Option<&'a str>,
    /// Who did it (name); `system` when unknown.
    pub actor: &'a str,
    /// `user`, `api_key`, `role`.
    pub target_type: &'static str,
    /// The affected row.
    pub target_id: Option<&'a str>,
    /// Event payload.
    pub details: Value,
}

/// Record an event. Failures are printed, never returned: auditing must not break requests.
pub fn record(conn: &rusqlite::Connection, ev: Event<'_>) {
    eprintln!(
        "ashim-server: audit {} actor={} target={}:{} {}",
        ev.action,
        ev.actor,
        ev.target_type,
        ev.target_id.unwrap_or("-"),
        ev.details
    );
    let res = conn.execute(
        "INSERT INTO audit_log (id, action, actor_id, actor_username, target_type, target_id, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            uuid_v4(),
            ev.action,
            ev.actor_id,
            ev.actor,
            ev.target_type,
            ev.target_id,
            ev.details.to_string(),
            now_secs()
        ],
    );
    if let Err(e) = res {
        eprintln!("ashim-server: audit write failed: {e}");
    }
}

/// Record `action` done by the signed-in `actor` on `target_type` row `target_id`.
pub fn by(
    conn: &rusqlite::Connection,
    actor: &crate::auth::Principal,
    action: &'static str,
    target_type: &'static str,
    target_id: &str,
    details: Value,
) {
    record(
        conn,
        Event {
            action,
            actor_id: Some(&actor.id),
            actor: &actor.username,
            target_type,
            target_id: Some(target_id),
            details,
        },
    );
}

/// `GET /api/v1/audit-log?page&limit&action&from&to` — newest first.
pub async fn list(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("audit:read")?;
    let page: i64 = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let limit: i64 = q
        .get("limit")
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(50)
        .clamp(1, 100);
    let action = q.get("action").cloned();
    let from = q
        .get("from")
        .and_then(|f| parse_iso8601(f))
        .unwrap_or(i64::MIN);
    let to = q
        .get("to")
        .and_then(|t| parse_iso8601(t).map(|s| if t.trim().len() == 10 { s + 86_399 } else { s }))
        .unwrap_or(i64::MAX);
    state
        .db
        .call(move |c| {
            let filter = "(?1 IS NULL OR action = ?1) AND created_at >= ?2 AND created_at <= ?3";
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM audit_log WHERE {filter}"),
                params![action, from, to],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT id, actor_id, actor_username, action, target_type, target_id, details, created_at
                 FROM audit_log WHERE {filter} ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5"
            ))?;
            let entries: Vec<Value> = stmt
                .query_map(params![action, from, to, limit, (page - 1) * limit], |r| {
                    let details: Option<String> = r.get(6)?;
                    Ok(json!({
                        "id": r.get::<_, String>(0)?,
                        "actorId": r.get::<_, Option<String>>(1)?,
                        "actorUsername": r.get::<_, String>(2)?,
                        "action": r.get::<_, String>(3)?,
                        "targetType": r.get::<_, Option<String>>(4)?,
                        "targetId": r.get::<_, Option<String>>(5)?,
                        "details": details.and_then(|d| serde_json::from_str::<Value>(&d).ok()),
                        "ipAddress": null,
                        "createdAt": iso8601(r.get(7)?),
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Json(json!({"entries": entries, "total": total, "page": page, "limit": limit})))
        })
        .await
}
