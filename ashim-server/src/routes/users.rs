//! User administration (`users:manage`).

use crate::auth::{self, passwords, role_level};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use crate::store::users::{NewUser, UserChange};
use crate::util::{iso8601, uuid_v4};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn str_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

fn team_field(body: &Value) -> Option<String> {
    str_field(body, "team")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn username_ok(u: &str) -> bool {
    (3..=50).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

async fn hash(pw: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || passwords::hash(&pw))
        .await
        .map_err(ApiError::internal)?
}

/// `GET /api/auth/users`.
pub async fn list(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let users: Vec<Value> = state
        .store
        .users()
        .list()
        .await?
        .into_iter()
        .map(|u| {
            json!({
                "id": u.id,
                "username": u.username,
                "role": u.role,
                "team": u.team,
                "createdAt": iso8601(u.created_at),
            })
        })
        .collect();
    Ok(Json(
        json!({"users": users, "maxUsers": state.cfg.max_users}),
    ))
}

/// `POST /api/auth/register`.
pub async fn register(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (Some(username), Some(password)) =
        (str_field(&body, "username"), str_field(&body, "password"))
    else {
        return Err(ApiError::bad_request("Username and password are required"));
    };
    if !username_ok(username) {
        return Err(ApiError::bad_request(
            "Username must be 3-50 characters of letters, digits, '_', '.' or '-'",
        ));
    }
    if !passwords::acceptable(password) {
        return Err(ApiError::bad_request(passwords::RULE));
    }
    let requested = str_field(&body, "role").unwrap_or("user").to_string();
    let role = if auth::ROLES.contains(&requested.as_str())
        || state.store.roles().permissions(&requested).await?.is_some()
    {
        requested
    } else {
        "user".to_string()
    };
    if role_level(&role) > role_level(&me.role) {
        return Err(ApiError::of(
            Code::EscalationDenied,
            "Cannot assign a role above your own",
        ));
    }
    let id = uuid_v4();
    let username = username.to_string();
    let ev = auth::event(
        &me,
        "USER_CREATED",
        "user",
        &id,
        json!({"adminId": me.id, "newUserId": id, "newUsername": username, "role": role}),
    );
    let user = NewUser {
        id: id.clone(),
        username,
        password_hash: hash(password.to_string()).await?,
        role,
        team: team_field(&body).unwrap_or_else(|| "Default".into()),
        must_change_password: true,
    };
    let u = state
        .store
        .users()
        .create(user, state.cfg.max_users, ev)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": u.id, "username": u.username, "role": u.role, "team": u.team})),
    ))
}

/// `PUT /api/auth/users/{id}`: role and/or team, all checks before any write.
pub async fn update(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let role = str_field(&body, "role").map(str::to_string);
    if let Some(r) = &role
        && role_level(r) > role_level(&me.role)
    {
        return Err(ApiError::of(
            Code::EscalationDenied,
            "Cannot assign a role above your own",
        ));
    }
    let change = UserChange {
        role,
        team: team_field(&body),
        acting_user: me.id.clone(),
    };
    let ev = auth::event(
        &me,
        "USER_UPDATED",
        "user",
        &id,
        json!({"adminId": me.id, "targetUserId": id}),
    );
    state.store.users().update(&id, change, ev).await?;
    Ok(Json(json!({"ok": true})))
}

/// `POST /api/auth/users/{id}/reset-password`: must be changed at the next login.
pub async fn reset_password(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let Some(new) = str_field(&body, "newPassword") else {
        return Err(ApiError::bad_request("newPassword is required"));
    };
    if !passwords::acceptable(new) {
        return Err(ApiError::bad_request(passwords::RULE));
    }
    let hash = hash(new.to_string()).await?;
    let ev = auth::event(
        &me,
        "PASSWORD_RESET",
        "user",
        &id,
        json!({"adminId": me.id, "targetUserId": id}),
    );
    state
        .store
        .users()
        .set_password(&id, hash, true, None, ev)
        .await?;
    Ok(Json(json!({"ok": true})))
}

/// `DELETE /api/auth/users/{id}`.
pub async fn delete(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if id == me.id {
        return Err(ApiError::of(
            Code::SelfDelete,
            "You cannot delete your own account",
        ));
    }
    let ev = auth::event(
        &me,
        "USER_DELETED",
        "user",
        &id,
        json!({"adminId": me.id, "targetUserId": id}),
    );
    state.store.users().delete(&id, ev).await?;
    Ok(Json(json!({"ok": true})))
}
