//! `/api/auth/*` session routes and `GET /api/v1/config/auth`.

use crate::auth::{self, Principal, Via, bearer, passwords};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::{Authorized, JsonBody, MaybeCaller};
use crate::state::{Shared, client_ip};
use crate::store::audit::Event;
use crate::util::{iso8601, now_secs, sha256_hex};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

fn str_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// The `user` object of session replies.
pub fn user_json(p: &Principal, skip_must_change: bool) -> Value {
    json!({
        "id": p.id,
        "username": p.username,
        "role": p.role,
        "teamName": p.team,
        "mustChangePassword": p.must_change && !skip_must_change,
        "permissions": p.perms,
        "analyticsEnabled": p.analytics,
    })
}

fn login_event(action: &'static str, id: Option<&str>, name: &str, reason: Option<&str>) -> Event {
    let mut details = json!({"username": name});
    if let Some(id) = id {
        details["userId"] = json!(id);
    }
    if let Some(r) = reason {
        details["reason"] = json!(r);
    }
    Event {
        action,
        actor_id: id.map(str::to_string),
        actor: name.to_string(),
        target_type: "user",
        target_id: id.map(str::to_string),
        details,
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)
}

/// `POST /api/auth/login`: a session token. A reference (scrypt) hash that verifies is
/// replaced by an argon2id one.
pub async fn login(State(state): State<Shared>, req: Request) -> ApiResult<Json<Value>> {
    if !state.cfg.auth_enabled {
        return Err(ApiError::of(
            Code::AuthDisabled,
            "Authentication is disabled",
        ));
    }
    let ip = client_ip(&req, state.cfg.trust_proxy);
    let setting: Option<u64> = state
        .store
        .settings()
        .get("loginAttemptLimit")
        .await?
        .and_then(|(v, _)| v.trim().parse().ok())
        .filter(|n| *n > 0);
    let limit = if state.cfg.rate_limit_per_min > 1000 {
        state.cfg.rate_limit_per_min
    } else {
        setting.unwrap_or(state.cfg.login_attempt_limit)
    };
    if limit > 0 && state.rate.take("login", &ip, limit).is_none() {
        return Err(ApiError::of(
            Code::RateLimited,
            "Too many login attempts, retry in 1 minute",
        ));
    }
    let body = auth::json_body(req).await?;
    let (Some(username), Some(password)) =
        (str_field(&body, "username"), str_field(&body, "password"))
    else {
        return Err(ApiError::bad_request("Username and password are required"));
    };
    if username.is_empty() || password.is_empty() {
        return Err(ApiError::bad_request("Username and password are required"));
    }
    let (username, password) = (username.to_string(), password.to_string());
    let invalid = || ApiError::of(Code::InvalidCredentials, "Invalid credentials");
    let Some(user) = state.store.users().by_username(&username).await? else {
        let pw = password.clone();
        blocking(move || passwords::verify(&pw, passwords::dummy_hash())).await?;
        let ev = login_event("LOGIN_FAILED", None, &username, Some("unknown_user"));
        state.store.audit().record(ev).await?;
        return Err(invalid());
    };
    let stored = user.password_hash.clone();
    let pw = password.clone();
    let (ok, upgraded) = blocking(move || {
        let ok = passwords::verify(&pw, &stored);
        let upgraded = (ok && passwords::needs_upgrade(&stored)).then(|| passwords::hash(&pw));
        (ok, upgraded)
    })
    .await?;
    if !ok {
        let ev = login_event(
            "LOGIN_FAILED",
            Some(&user.id),
            &user.username,
            Some("bad_password"),
        );
        state.store.audit().record(ev).await?;
        return Err(invalid());
    }
    if let Some(hash) = upgraded {
        state.store.users().upgrade_hash(&user.id, hash?).await?;
    }
    let token = auth::random_token(32)?;
    let now = now_secs();
    let hours = state.cfg.session_hours.min(24 * 365 * 100) as i64;
    let expires = now + hours * 3600;
    let ev = login_event("LOGIN_SUCCESS", Some(&user.id), &user.username, None);
    state
        .store
        .sessions()
        .create(sha256_hex(&token), &user.id, expires, ev)
        .await?;
    let p = auth::principal_of(&state, user, Via::Anonymous).await?;
    Ok(Json(json!({
        "token": token,
        "user": user_json(&p, state.cfg.skip_must_change_password),
        "expiresAt": iso8601(expires),
    })))
}

/// `POST /api/auth/logout`.
pub async fn logout(State(state): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    if let Some(token) = bearer(&headers) {
        state
            .store
            .sessions()
            .delete(&sha256_hex(&token), |id, name| {
                login_event("LOGOUT", Some(id), name, None)
            })
            .await?;
    }
    Ok(Json(json!({"ok": true})))
}

/// `GET /api/auth/session`.
pub async fn session(
    State(state): State<Shared>,
    MaybeCaller(caller): MaybeCaller,
) -> ApiResult<Json<Value>> {
    let Some(p) = caller else {
        return Err(ApiError::unauthorized("No session token provided"));
    };
    match &p.via {
        Via::Anonymous => Ok(Json(
            json!({"user": user_json(&p, true), "expiresAt": null}),
        )),
        Via::ApiKey { .. } => Err(ApiError::unauthorized("Session expired or invalid")),
        Via::Session { token_hash } => {
            let exp = state
                .store
                .sessions()
                .user_of(token_hash, now_secs())
                .await?
                .map(|(_, exp)| exp)
                .ok_or_else(|| ApiError::unauthorized("Session expired or invalid"))?;
            Ok(Json(json!({
                "user": user_json(&p, state.cfg.skip_must_change_password),
                "expiresAt": iso8601(exp),
            })))
        }
    }
}

/// `POST /api/auth/change-password`: other sessions and every API key end.
pub async fn change_password(
    State(state): State<Shared>,
    Authorized(p): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    if matches!(p.via, Via::Anonymous) {
        return Err(ApiError::forbidden());
    }
    let (Some(cur), Some(new)) = (
        str_field(&body, "currentPassword"),
        str_field(&body, "newPassword"),
    ) else {
        return Err(ApiError::bad_request(
            "currentPassword and newPassword are required",
        ));
    };
    if cur.is_empty() || new.is_empty() {
        return Err(ApiError::bad_request(
            "currentPassword and newPassword are required",
        ));
    }
    if !passwords::acceptable(new) {
        return Err(ApiError::bad_request(passwords::RULE));
    }
    let user = state
        .store
        .users()
        .get(&p.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("User not found"))?;
    let (cur, new) = (cur.to_string(), new.to_string());
    let stored = user.password_hash;
    let new_hash = blocking(move || {
        if passwords::verify(&cur, &stored) {
            Some(passwords::hash(&new))
        } else {
            None
        }
    })
    .await?
    .ok_or_else(|| ApiError::of(Code::InvalidPassword, "Current password is incorrect"))??;
    let keep = match &p.via {
        Via::Session { token_hash } => Some(token_hash.clone()),
        _ => None,
    };
    let ev = auth::event(
        &p,
        "PASSWORD_CHANGED",
        "user",
        &p.id,
        json!({"userId": p.id, "username": p.username}),
    );
    state
        .store
        .users()
        .set_password(&p.id, new_hash, false, keep, ev)
        .await?;
    Ok(Json(json!({"ok": true})))
}

/// `GET /api/v1/config/auth`.
pub async fn config_auth(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"authEnabled": state.cfg.auth_enabled}))
}
