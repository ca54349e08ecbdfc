//! System routes: health, the tool catalogue and the (always disabled) analytics.

use crate::VERSION;
use crate::error::ApiResult;
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

async fn db_ok(state: &Shared) -> bool {
    state.store.ping().await
}

/// `GET /api/v1/health`: 200 healthy, 503 when the database does not answer.
pub async fn health(State(state): State<Shared>) -> Response {
    let ok = db_ok(&state).await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"status": if ok { "healthy" } else { "unhealthy" }, "version": VERSION})),
    )
        .into_response()
}

/// `GET /api/v1/admin/health` (`system:health`).
pub async fn admin_health(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let ok = db_ok(&state).await;
    let active = state.cfg.concurrent_jobs - state.jobs.available_permits();
    let gpu = ashim_core::ai::runtime::gpu_status();
    Ok(Json(json!({
        "status": if ok { "healthy" } else { "degraded" },
        "version": VERSION,
        "uptime": format!("{}s", state.started.elapsed().as_secs()),
        "storage": {"mode": "local", "available": "N/A"},
        "database": if ok { "ok" } else { "error" },
        "queue": {"active": active, "pending": 0},
        "ai": {"gpu": gpu.active, "gpuStatus": gpu},
    })))
}

/// `GET /api/v1/config/analytics`: analytics are permanently off (DECISIONS 8).
pub async fn analytics_config() -> Json<Value> {
    Json(
        json!({"enabled": false, "posthogApiKey": "", "posthogHost": "", "sentryDsn": "", "sampleRate": 0, "instanceId": ""}),
    )
}

/// `PUT /api/v1/user/analytics` (api.md §2.15): the consent fields are stored so the UI's
/// prompt behaves; nothing is ever sent anywhere (DECISIONS 8).
pub async fn analytics_consent(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let flag = |k: &str| match body.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(crate::error::ApiError::bad_request(format!(
            "{k} must be a boolean"
        ))),
    };
    let (enabled, remind) = (flag("enabled")?, flag("remindLater")? == Some(true));
    let now = crate::util::now_secs();
    let enabled = (!remind).then_some(enabled == Some(true));
    if me.owner_id().is_some() {
        let remind_at = remind.then_some(now + 7 * 24 * 3600);
        state
            .store
            .users()
            .set_analytics(&me.id, enabled, Some(now), remind_at)
            .await?;
    }
    Ok(Json(json!({"ok": true, "analyticsEnabled": enabled})))
}

/// `GET /api/v1/tools`: the registry's catalogue less the disabled tools.
pub async fn catalogue(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let tools: Vec<_> = ashim_core::schema::catalogue()
        .into_iter()
        .filter(|t| state.tool_enabled(t.meta.id))
        .collect();
    Ok(Json(json!({"tools": tools})))
}
