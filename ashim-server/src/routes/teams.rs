//! Teams (`teams:manage`).

use crate::error::{ApiError, ApiResult};
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use crate::util::iso8601;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn team_name(body: &Value) -> ApiResult<String> {
    match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if (1..=50).contains(&n.chars().count()) => Ok(n.to_string()),
        _ => Err(ApiError::bad_request("Team name must be 1-50 characters")),
    }
}

/// `GET /api/v1/teams`.
pub async fn list(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let teams: Vec<Value> = state
        .store
        .teams()
        .list()
        .await?
        .into_iter()
        .map(|t| {
            json!({"id": t.id, "name": t.name, "createdAt": iso8601(t.created_at), "memberCount": t.members})
        })
        .collect();
    Ok(Json(json!({"teams": teams})))
}

/// `POST /api/v1/teams`.
pub async fn create(
    State(state): State<Shared>,
    _: Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = team_name(&body)?;
    let id = state.store.teams().create(name.clone()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "name": name}))))
}

/// `PUT /api/v1/teams/{id}` — rename; members follow.
pub async fn update(
    State(state): State<Shared>,
    _: Authorized,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let name = team_name(&body)?;
    state.store.teams().rename(&id, name).await?;
    Ok(Json(json!({"ok": true})))
}

/// `DELETE /api/v1/teams/{id}` — only empty teams, never the Default team.
pub async fn delete(
    State(state): State<Shared>,
    _: Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    state.store.teams().delete(&id).await?;
    Ok(Json(json!({"ok": true})))
}
