//! API keys (`/api/v1/api-keys`): `si_` + 96 hex digits, shown once, stored as SHA-256.

use crate::auth::{self, Via};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use crate::store::keys::Key;
use crate::util::{iso8601, now_secs, parse_iso8601, sha256_hex, uuid_v4};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// `POST /api/v1/api-keys`: a scope may only narrow the owner's permissions.
pub async fn create(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if matches!(me.via, Via::Anonymous) {
        return Err(ApiError::of(
            Code::AuthDisabled,
            "API keys need authentication to be enabled",
        ));
    }
    let name = match body.get("name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.chars().count() <= 100 => s.trim().to_string(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "name must be a string of at most 100 characters",
            ));
        }
    };
    let name = if name.is_empty() {
        "Default API Key".to_string()
    } else {
        name
    };
    let permissions: Option<Vec<String>> = match body.get("permissions") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => {
            let list: Option<Vec<String>> =
                a.iter().map(|v| v.as_str().map(str::to_string)).collect();
            let list = list
                .ok_or_else(|| ApiError::bad_request("permissions must be an array of strings"))?;
            let missing: Vec<&str> = list
                .iter()
                .filter(|p| !me.perms.contains(p))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "Cannot scope key with permissions you don't have: {}",
                    missing.join(", ")
                )));
            }
            (!list.is_empty()).then_some(list)
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "permissions must be an array of strings",
            ));
        }
    };
    let expires_at = match body.get("expiresAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => {
            let t =
                parse_iso8601(s).ok_or_else(|| ApiError::bad_request("Invalid expiresAt date"))?;
            if t <= now_secs() {
                return Err(ApiError::bad_request("expiresAt must be in the future"));
            }
            Some(t)
        }
        Some(_) => return Err(ApiError::bad_request("Invalid expiresAt date")),
    };
    let secret = auth::new_api_key()?;
    let key = Key {
        id: uuid_v4(),
        user_id: me.id.clone(),
        name,
        key_hash: sha256_hex(&secret),
        permissions,
        created_at: now_secs(),
        last_used_at: None,
        expires_at,
    };
    let reply = json!({
        "id": key.id,
        "key": secret,
        "name": key.name,
        "permissions": key.permissions,
        "expiresAt": key.expires_at.map(iso8601),
        "createdAt": iso8601(key.created_at),
    });
    let ev = auth::event(
        &me,
        "API_KEY_CREATED",
        "api_key",
        &key.id,
        json!({"userId": me.id, "keyId": key.id, "keyName": key.name}),
    );
    state
        .store
        .keys()
        .create(key, auth::key_prefix(&secret), ev)
        .await?;
    Ok((StatusCode::CREATED, Json(reply)))
}

/// `GET /api/v1/api-keys`: the caller's keys (every key with `apikeys:all`).
pub async fn list(
    State(state): State<Shared>,
    Authorized(me): Authorized,
) -> ApiResult<Json<Value>> {
    let keys: Vec<Value> = state
        .store
        .keys()
        .list(&me.id, me.has("apikeys:all"))
        .await?
        .into_iter()
        .map(|k| {
            json!({
                "id": k.id,
                "name": k.name,
                "permissions": k.permissions,
                "createdAt": iso8601(k.created_at),
                "lastUsedAt": k.last_used_at.map(iso8601),
                "expiresAt": k.expires_at.map(iso8601),
            })
        })
        .collect();
    Ok(Json(json!({"apiKeys": keys})))
}

/// `DELETE /api/v1/api-keys/{id}`: only the caller's own keys.
pub async fn delete(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let ev = auth::event(
        &me,
        "API_KEY_DELETED",
        "api_key",
        &id,
        json!({"userId": me.id, "keyId": id}),
    );
    if !state.store.keys().delete(&id, &me.id, ev).await? {
        return Err(ApiError::not_found("API key not found"));
    }
    Ok(Json(json!({"ok": true})))
}
