//! `GET /api/v1/audit-log` (`audit:read`).

use crate::error::ApiResult;
use crate::http::Authorized;
use crate::state::Shared;
use crate::store::audit::Query as AuditQuery;
use crate::util::{iso8601, parse_iso8601};
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use std::collections::HashMap;

/// `GET /api/v1/audit-log?page&limit&action&from&to` — newest first.
pub async fn list(
    State(state): State<Shared>,
    _: Authorized,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
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
    let from = q
        .get("from")
        .and_then(|f| parse_iso8601(f))
        .unwrap_or(i64::MIN);
    let to = q
        .get("to")
        .and_then(|t| parse_iso8601(t).map(|s| if t.trim().len() == 10 { s + 86_399 } else { s }))
        .unwrap_or(i64::MAX);
    let query = AuditQuery {
        page,
        limit,
        action: q.get("action").cloned(),
        from,
        to,
    };
    let (rows, total) = state.store.audit().list(query).await?;
    let entries: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id,
                "actorId": e.actor_id,
                "actorUsername": e.actor,
                "action": e.action,
                "targetType": e.target_type,
                "targetId": e.target_id,
                "details": e.details,
                "ipAddress": null,
                "createdAt": iso8601(e.created_at),
            })
        })
        .collect();
    Ok(Json(
        json!({"entries": entries, "total": total, "page": page, "limit": limit}),
    ))
}
