//! Roles: the three built-ins and custom ones.

use crate::auth::{self, PERMISSIONS, ROLES, role_permissions};
use crate::error::{ApiError, ApiResult};
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use crate::store::roles::{Role, RoleChange};
use crate::util::{iso8601, now_secs, uuid_v4};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// `GET /api/v1/roles` — built-in and custom roles with member counts.
pub async fn list(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let counts = state.store.roles().user_counts().await?;
    let n = |r: &str| counts.get(r).copied().unwrap_or(0);
    let mut roles: Vec<Value> = ROLES
        .iter()
        .map(|r| {
            json!({
                "id": format!("builtin-{r}"),
                "name": r,
                "description": format!("Built-in {r} role"),
                "permissions": role_permissions(r),
                "isBuiltin": true,
                "userCount": n(r),
            })
        })
        .collect();
    for r in state.store.roles().list().await? {
        roles.push(json!({
            "id": r.id,
            "userCount": n(&r.name),
            "name": r.name,
            "description": r.description,
            "permissions": r.permissions,
            "isBuiltin": false,
            "createdAt": iso8601(r.created_at),
            "updatedAt": iso8601(r.updated_at),
        }));
    }
    Ok(Json(json!({"roles": roles})))
}

fn input(body: &Value, partial: bool) -> ApiResult<RoleChange> {
    let name = match body.get("name") {
        None if partial => None,
        Some(Value::String(n)) => {
            let n = n.trim().to_ascii_lowercase();
            let ok = (2..=30).contains(&n.len())
                && n.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                });
            if !ok {
                return Err(ApiError::bad_request(
                    "Role name must be 2-30 characters of a-z, 0-9, '_' or '-'",
                ));
            }
            Some(n)
        }
        _ => return Err(ApiError::bad_request("Role name is required")),
    };
    let description = match body.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if d.chars().count() <= 500 => Some(d.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "description must be a string of at most 500 characters",
            ));
        }
    };
    let permissions = match body.get("permissions") {
        None if partial => None,
        Some(Value::Array(a)) if !a.is_empty() => {
            let list: Vec<String> = a
                .iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect();
            let bad: Vec<&str> = list
                .iter()
                .filter(|p| !PERMISSIONS.contains(&p.as_str()))
                .map(String::as_str)
                .collect();
            if !bad.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "Invalid permissions: {}",
                    bad.join(", ")
                )));
            }
            let unique: std::collections::HashSet<&String> = list.iter().collect();
            if unique.len() != list.len() {
                return Err(ApiError::bad_request("permissions must not repeat"));
            }
            Some(list)
        }
        _ => {
            return Err(ApiError::bad_request(
                "permissions must be a non-empty array of permission names",
            ));
        }
    };
    Ok(RoleChange {
        name,
        description,
        permissions,
    })
}

fn builtin_id(id: &str) -> bool {
    ROLES.iter().any(|r| id == format!("builtin-{r}"))
}

/// `POST /api/v1/roles`.
pub async fn create(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = input(&body, false)?;
    let (Some(name), Some(permissions)) = (input.name, input.permissions) else {
        return Err(ApiError::bad_request("name and permissions are required"));
    };
    let now = now_secs();
    let role = Role {
        id: uuid_v4(),
        name,
        description: input.description.unwrap_or_default(),
        permissions,
        created_at: now,
        updated_at: now,
    };
    let ev = auth::event(
        &me,
        "ROLE_CREATED",
        "role",
        &role.id,
        json!({"userId": me.id, "roleId": role.id, "name": role.name}),
    );
    let reply = json!({"id": role.id, "name": role.name, "description": role.description,
                       "permissions": role.permissions, "isBuiltin": false});
    state.store.roles().create(role, ev).await?;
    Ok((StatusCode::CREATED, Json(reply)))
}

/// `PUT /api/v1/roles/{id}` — renaming moves the members.
pub async fn update(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    if builtin_id(&id) {
        return Err(ApiError::bad_request("Cannot modify built-in roles"));
    }
    let change = input(&body, true)?;
    let ev = auth::event(
        &me,
        "ROLE_UPDATED",
        "role",
        &id,
        json!({"userId": me.id, "roleId": id}),
    );
    state.store.roles().update(&id, change, ev).await?;
    Ok(Json(json!({"ok": true})))
}

/// `DELETE /api/v1/roles/{id}` — members become `user`.
pub async fn delete(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if builtin_id(&id) {
        return Err(ApiError::bad_request("Cannot delete built-in roles"));
    }
    let rid = id.clone();
    state
        .store
        .roles()
        .delete(&id, move |name| {
            auth::event(
                &me,
                "ROLE_DELETED",
                "role",
                &rid,
                json!({"userId": me.id, "roleId": rid, "name": name}),
            )
        })
        .await?;
    Ok(Json(json!({"ok": true})))
}
