//! Saved pipelines and the list of pipeline-capable tools. (Running pipelines is
//! `crate::pipelines`.)

use crate::error::{ApiError, ApiResult};
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use crate::store::pipelines::SavedPipeline;
use crate::util::{iso8601, now_secs, uuid_v4};
use ashim_core::registry;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// `POST /api/v1/pipeline/save`.
pub async fn save(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let invalid = |path: &str, message: &str| {
        ApiError::bad_request("Invalid pipeline definition")
            .with_details(json!([{"path": path, "message": message}]))
    };
    let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if (1..=100).contains(&n.chars().count()) => n.to_string(),
        _ => return Err(invalid("name", "must be a string of 1-100 characters")),
    };
    let description = match body.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if d.chars().count() <= 500 => Some(d.clone()),
        Some(_) => {
            return Err(invalid(
                "description",
                "must be a string of at most 500 characters",
            ));
        }
    };
    let pipeline = crate::pipelines::build(
        &state,
        &json!({"steps": body.get("steps").cloned().unwrap_or(Value::Null)}),
    )?;
    let steps = serde_json::to_value(pipeline.normalized_steps()).map_err(ApiError::internal)?;
    let p = SavedPipeline {
        id: uuid_v4(),
        user_id: me.owner_id(),
        name,
        description,
        steps,
        created_at: now_secs(),
    };
    let reply = json!({"id": p.id, "name": p.name, "description": p.description,
                       "steps": p.steps, "createdAt": iso8601(p.created_at)});
    state.store.pipelines().create(p).await?;
    Ok((StatusCode::CREATED, Json(reply)))
}

/// `GET /api/v1/pipeline/list`: own and shared pipelines (all with `pipelines:all`).
pub async fn list(
    State(state): State<Shared>,
    Authorized(me): Authorized,
) -> ApiResult<Json<Value>> {
    let rows: Vec<Value> = state
        .store
        .pipelines()
        .list(&me.id, me.has("pipelines:all"))
        .await?
        .into_iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "description": p.description,
                "steps": p.steps,
                "createdAt": iso8601(p.created_at),
            })
        })
        .collect();
    Ok(Json(json!({"pipelines": rows})))
}

/// `DELETE /api/v1/pipeline/{id}`: own or shared ones (any with `pipelines:all`).
pub async fn delete(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    match state.store.pipelines().owner(&id).await? {
        None => Err(ApiError::not_found("Pipeline not found")),
        Some(Some(o)) if o != me.id && !me.has("pipelines:all") => Err(ApiError::new(
            403,
            "forbidden",
            "Not authorized to delete this pipeline",
        )),
        Some(_) => {
            state.store.pipelines().delete(&id).await?;
            Ok(Json(json!({"ok": true})))
        }
    }
}

/// `GET /api/v1/pipeline/tools` — registry tools that can be pipeline steps.
pub async fn tools(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let ids: Vec<&str> = registry::tools()
        .filter(|t| t.meta().pipeline_capable() && state.tool_enabled(t.meta().id))
        .map(|t| t.meta().id)
        .collect();
    Ok(Json(json!({"toolIds": ids})))
}
