//! Authentication and authorisation: password hashing, sessions, API keys, roles and
//! permissions, the request middleware and the `/api/auth/*` and `/api/v1/api-keys` routes.

use crate::audit;
use crate::error::{ApiError, ApiResult};
use crate::state::{Shared, client_ip};
use crate::util::{
    ct_eq, hex, iso8601, now_secs, parse_iso8601, random_bytes, sha256_hex, uuid_v4,
};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

/// The fifteen permission names (api.md §1.4).
pub const PERMISSIONS: [&str; 15] = [
    "tools:use",
    "files:own",
    "files:all",
    "apikeys:own",
    "apikeys:all",
    "pipelines:own",
    "pipelines:all",
    "settings:read",
    "settings:write",
    "users:manage",
    "teams:manage",
    "branding:manage",
    "features:manage",
    "system:health",
    "audit:read",
];

const USER_PERMS: [&str; 5] = [
    "tools:use",
    "files:own",
    "apikeys:own",
    "pipelines:own",
    "settings:read",
];
const EDITOR_PERMS: [&str; 7] = [
    "tools:use",
    "files:own",
    "apikeys:own",
    "pipelines:own",
    "settings:read",
    "files:all",
    "pipelines:all",
];

/// The built-in roles.
pub const ROLES: [&str; 3] = ["admin", "editor", "user"];

/// Permissions of a built-in role (unknown roles have none).
pub fn role_permissions(role: &str) -> &'static [&'static str] {
    match role {
        "admin" => &PERMISSIONS,
        "editor" => &EDITOR_PERMS,
        "user" => &USER_PERMS,
        _ => &[],
    }
}

fn role_level(role: &str) -> u8 {
    match role {
        "admin" => 3,
        "editor" => 2,
        "user" => 1,
        _ => 0,
    }
}

/// Hash a password as an argon2id PHC string.
pub fn hash_password(password: &str) -> ApiResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Verify a password against a stored hash. This is the single verification entry point, so
/// an importer can add other stored formats (e.g. the reference's scrypt `salt:hash`) here.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A fixed hash used to spend the same time on unknown users as on wrong passwords.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password-0").unwrap_or_default())
}

fn password_ok(p: &str) -> bool {
    p.chars().count() >= 8
        && p.chars().any(|c| c.is_ascii_uppercase())
        && p.chars().any(|c| c.is_ascii_lowercase())
        && p.chars().any(|c| c.is_ascii_digit())
}

const PASSWORD_RULE: &str =
    "Password must be at least 8 characters with uppercase, lowercase, and a number";

fn username_ok(u: &str) -> bool {
    (3..=50).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// How a request authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// Auth is disabled: the synthetic anonymous user.
    Anonymous,
    /// A session token (stored hashed).
    Session {
        /// SHA-256 of the token.
        token_hash: String,
    },
    /// An API key, possibly scoped.
    ApiKey {
        /// Scope; `None` = the role's permissions.
        scope: Option<Vec<String>>,
    },
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// User id (`anonymous` when auth is disabled).
    pub id: String,
    /// Username.
    pub username: String,
    /// Role name.
    pub role: String,
    /// Whether the password must be changed before anything else.
    pub must_change: bool,
    /// The role's permissions (built-in list, or a custom role's list).
    pub perms: Vec<String>,
    /// Credential used.
    pub via: Via,
}

impl Principal {
    /// Whether the caller effectively holds `perm` (role AND key scope).
    pub fn has(&self, perm: &str) -> bool {
        self.perms.iter().any(|p| p == perm)
            && match &self.via {
                Via::ApiKey { scope: Some(s), .. } => s.iter().any(|p| p == perm),
                _ => true,
            }
    }

    /// 403 unless the caller holds `perm`.
    pub fn require(&self, perm: &str) -> ApiResult<()> {
        if self.has(perm) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    fn anonymous() -> Self {
        Self {
            id: "anonymous".into(),
            username: "anonymous".into(),
            role: "user".into(),
            must_change: false,
            perms: perms_of(None, "user"),
            via: Via::Anonymous,
        }
    }
}

/// The request's caller, if any (inserted by [`middleware`]).
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Principal>);

impl Caller {
    /// The principal or 401.
    pub fn user(&self) -> ApiResult<&Principal> {
        self.0
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("Authentication required"))
    }
}

const PUBLIC_PREFIXES: [&str; 9] = [
    "/api/v1/health",
    "/api/v1/config/",
    "/api/auth/",
    "/api/v1/download/",
    "/api/v1/jobs/",
    "/api/docs",
    "/api/v1/openapi.yaml",
    "/api/v1/openapi.json",
    "/api/v1/settings/logo",
];

const PASSWORD_CHANGE_EXEMPT: [&str; 4] = [
    "/api/auth/change-password",
    "/api/auth/logout",
    "/api/auth/session",
    "/api/v1/config/",
];

fn is_public(path: &str) -> bool {
    !path.starts_with("/api/") || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

enum Resolved {
    Found(Principal),
    Invalid(&'static str),
}

/// Permissions of a role: built-in lists, else the custom role's stored list (unknown: none).
pub fn perms_of(conn: Option<&rusqlite::Connection>, role: &str) -> Vec<String> {
    if ROLES.contains(&role) {
        return role_permissions(role)
            .iter()
            .map(|p| p.to_string())
            .collect();
    }
    conn.and_then(|c| {
        c.query_row(
            "SELECT permissions FROM roles WHERE name = ?1",
            [role],
            |r| r.get::<_, String>(0),
        )
        .ok()
    })
    .and_then(|p| serde_json::from_str(&p).ok())
    .unwrap_or_default()
}

/// Whether `role` names a built-in or an existing custom role.
fn role_exists(conn: &rusqlite::Connection, role: &str) -> rusqlite::Result<bool> {
    if ROLES.contains(&role) {
        return Ok(true);
    }
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM roles WHERE name = ?1", [role], |r| {
        r.get(0)
    })?;
    Ok(n > 0)
}

type UserRow = (String, String, bool);

fn load_user(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.query_row(
        "SELECT username, role, must_change_password FROM users WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)),
    )
    .optional()
}

async fn resolve(state: &Shared, token: String) -> ApiResult<Resolved> {
    state
        .db
        .call(move |conn| {
            let now = now_secs();
            let th = sha256_hex(&token);
            let session: Option<(String, i64)> = conn
                .query_row("SELECT user_id, expires_at FROM sessions WHERE token_hash = ?1", [&th], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((uid, exp)) = session {
                if exp <= now {
                    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&th])?;
                } else {
                    return Ok(match load_user(conn, &uid)? {
                        Some((username, role, must)) => Resolved::Found(Principal {
                            id: uid,
                            username,
                            perms: perms_of(Some(conn), &role),
                            role,
                            must_change: must,
                            via: Via::Session { token_hash: th },
                        }),
                        None => Resolved::Invalid("User not found"),
                    });
                }
            }
            if token.starts_with("si_") {
                let prefix = &th[..16];
                let mut stmt = conn.prepare(
                    "SELECT id, user_id, key_hash, permissions, expires_at FROM api_keys WHERE key_prefix = ?1",
                )?;
                type KeyRow = (String, String, String, Option<String>, Option<i64>);
                let rows: Vec<KeyRow> = stmt
                    .query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                for (kid, uid, hash, perms, exp) in rows {
                    if !ct_eq(hash.as_bytes(), th.as_bytes()) || exp.is_some_and(|e| e <= now) {
                        continue;
                    }
                    conn.execute("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2", params![now, kid])?;
                    let scope = perms.and_then(|p| serde_json::from_str::<Vec<String>>(&p).ok());
                    return Ok(match load_user(conn, &uid)? {
                        Some((username, role, must)) => Resolved::Found(Principal {
                            id: uid,
                            username,
                            perms: perms_of(Some(conn), &role),
                            role,
                            must_change: must,
                            via: Via::ApiKey { scope },
                        }),
                        None => Resolved::Invalid("User not found"),
                    });
                }
            }
            Ok(Resolved::Invalid("Session expired or invalid"))
        })
        .await
}

/// The global pre-handler: rate limit, credential resolution, public routes, forced
/// password change.
pub async fn middleware(State(state): State<Shared>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") && state.cfg.rate_limit_per_min > 0 {
        let ip = client_ip(&req, state.cfg.trust_proxy);
        if !state.rate.allow("api", &ip, state.cfg.rate_limit_per_min) {
            let mut resp = ApiError::new(
                429,
                "rate_limited",
                "Rate limit exceeded, retry in 1 minute",
            )
            .into_response();
            resp.headers_mut().insert(
                "x-ratelimit-limit",
                axum::http::HeaderValue::from(state.cfg.rate_limit_per_min),
            );
            return resp;
        }
    }
    if !state.cfg.auth_enabled {
        req.extensions_mut()
            .insert(Caller(Some(Principal::anonymous())));
        return next.run(req).await;
    }
    let public = is_public(&path);
    let principal = match bearer(req.headers()) {
        None => None,
        Some(token) => match resolve(&state, token).await {
            Err(e) => return e.into_response(),
            Ok(Resolved::Found(p)) => Some(p),
            Ok(Resolved::Invalid(msg)) => {
                if !public {
                    return ApiError::unauthorized(msg).into_response();
                }
                None
            }
        },
    };
    match &principal {
        None if !public => {
            return ApiError::unauthorized("Authentication required").into_response();
        }
        Some(p)
            if p.must_change
                && matches!(p.via, Via::Session { .. })
                && !state.cfg.skip_must_change_password
                && path.starts_with("/api/")
                && !PASSWORD_CHANGE_EXEMPT.iter().any(|x| path.starts_with(x)) =>
        {
            return ApiError::new(403, "must_change_password", "Password change required")
                .into_response();
        }
        _ => {}
    }
    req.extensions_mut().insert(Caller(principal));
    next.run(req).await
}

/// Create the first admin when the users table is empty.
pub fn seed_admin(conn: &rusqlite::Connection, cfg: &crate::config::Config) -> Result<(), String> {
    let count: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if count > 0 || !cfg.auth_enabled {
        return Ok(());
    }
    let hash = hash_password(&cfg.default_password).map_err(|e| e.message)?;
    let now = now_secs();
    conn.execute(
        "INSERT INTO users (id, username, password_hash, role, must_change_password, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'admin', ?4, ?5, ?5)",
        params![uuid_v4(), cfg.default_username, hash, !cfg.skip_must_change_password, now],
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

fn user_json(p: &Principal, skip_must_change: bool) -> Value {
    json!({
        "id": p.id,
        "username": p.username,
        "role": p.role,
        "mustChangePassword": p.must_change && !skip_must_change,
        "permissions": p.perms,
        "analyticsEnabled": false,
    })
}

/// Parse a JSON body (empty → `{}`), limited to 1 MiB.
pub async fn json_body(req: Request) -> ApiResult<Value> {
    let bytes = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .map_err(|_| ApiError::too_large("Request body exceeds the 1 MiB limit for JSON"))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))
}

fn str_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// `POST /api/auth/login`.
pub async fn login(State(state): State<Shared>, req: Request) -> ApiResult<Json<Value>> {
    if !state.cfg.auth_enabled {
        return Err(ApiError::new(
            403,
            "auth_disabled",
            "Authentication is disabled",
        ));
    }
    let ip = client_ip(&req, state.cfg.trust_proxy);
    let setting: Option<u64> = state
        .db
        .call(|c| {
            Ok(c.query_row(
                "SELECT value FROM settings WHERE key = 'loginAttemptLimit'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?)
        })
        .await?
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0);
    let limit = if state.cfg.rate_limit_per_min > 1000 {
        state.cfg.rate_limit_per_min
    } else {
        setting.unwrap_or(state.cfg.login_attempt_limit)
    };
    if limit > 0 && !state.rate.allow("login", &ip, limit) {
        return Err(ApiError::new(
            429,
            "rate_limited",
            "Too many login attempts, retry in 1 minute",
        ));
    }
    let body = json_body(req).await?;
    let (Some(username), Some(password)) =
        (str_field(&body, "username"), str_field(&body, "password"))
    else {
        return Err(ApiError::bad_request("Username and password are required"));
    };
    if username.is_empty() || password.is_empty() {
        return Err(ApiError::bad_request("Username and password are required"));
    }
    let (username, password) = (username.to_string(), password.to_string());
    let hours = state.cfg.session_hours.min(24 * 365 * 100) as i64;
    let skip = state.cfg.skip_must_change_password;
    state
        .db
        .call(move |conn| {
            let row: Option<(String, String, String, String, bool, String)> = conn
                .query_row(
                    "SELECT id, username, password_hash, role, must_change_password, team FROM users WHERE username = ?1",
                    [&username],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)? != 0, r.get(5)?)),
                )
                .optional()?;
            let Some((id, uname, hash, role, must, team)) = row else {
                verify_password(&password, dummy_hash());
                audit::record(conn, audit::Event { action: "LOGIN_FAILED", actor_id: None, actor: &username,
                    target_type: "user", target_id: None, details: json!({"username": username, "reason": "unknown_user"}) });
                return Err(ApiError::new(401, "invalid_credentials", "Invalid credentials"));
            };
            if !verify_password(&password, &hash) {
                audit::record(conn, audit::Event { action: "LOGIN_FAILED", actor_id: Some(&id), actor: &uname,
                    target_type: "user", target_id: Some(&id), details: json!({"username": uname, "reason": "bad_password"}) });
                return Err(ApiError::new(401, "invalid_credentials", "Invalid credentials"));
            }
            audit::record(conn, audit::Event { action: "LOGIN_SUCCESS", actor_id: Some(&id), actor: &uname,
                target_type: "user", target_id: Some(&id), details: json!({"userId": id, "username": uname}) });
            let token = uuid_v4();
            let now = now_secs();
            let expires = now + hours * 3600;
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![sha256_hex(&token), id, expires, now],
            )?;
            let perms = perms_of(Some(conn), &role);
            let p = Principal { id, username: uname, role, must_change: must, perms, via: Via::Anonymous };
            let mut user = user_json(&p, skip);
            user["teamName"] = json!(team);
            Ok(Json(json!({"token": token, "user": user, "expiresAt": iso8601(expires)})))
        })
        .await
}

/// `POST /api/auth/logout`.
pub async fn logout(State(state): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    if let Some(token) = bearer(&headers) {
        let th = sha256_hex(&token);
        state
            .db
            .call(move |conn| {
                let user: Option<(String, String)> = conn
                    .query_row(
                        "SELECT u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
                        [&th],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&th])?;
                if let Some((id, name)) = user {
                    audit::record(conn, audit::Event { action: "LOGOUT", actor_id: Some(&id), actor: &name,
                        target_type: "user", target_id: Some(&id), details: json!({"userId": id, "username": name}) });
                }
                Ok(())
            })
            .await?;
    }
    Ok(Json(json!({"ok": true})))
}

/// `GET /api/auth/session`.
pub async fn session(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let skip = state.cfg.skip_must_change_password;
    let Some(p) = caller.0 else {
        return Err(ApiError::unauthorized("No session token provided"));
    };
    match &p.via {
        Via::Anonymous => Ok(Json(
            json!({"user": user_json(&p, true), "expiresAt": null}),
        )),
        Via::ApiKey { .. } => Err(ApiError::unauthorized("Session expired or invalid")),
        Via::Session { token_hash } => {
            let th = token_hash.clone();
            let exp: i64 = state
                .db
                .call(move |c| {
                    Ok(c.query_row(
                        "SELECT expires_at FROM sessions WHERE token_hash = ?1",
                        [th],
                        |r| r.get(0),
                    )?)
                })
                .await?;
            Ok(Json(
                json!({"user": user_json(&p, skip), "expiresAt": iso8601(exp)}),
            ))
        }
    }
}

/// `POST /api/auth/change-password`.
pub async fn change_password(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Json<Value>> {
    let p = caller.user()?.clone();
    if matches!(p.via, Via::Anonymous) {
        return Err(ApiError::forbidden());
    }
    let body = json_body(req).await?;
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
    if !password_ok(new) {
        return Err(ApiError::bad_request(PASSWORD_RULE));
    }
    let (cur, new) = (cur.to_string(), new.to_string());
    let keep = match &p.via {
        Via::Session { token_hash } => token_hash.clone(),
        _ => String::new(),
    };
    state
        .db
        .call(move |conn| {
            let hash: String =
                conn.query_row("SELECT password_hash FROM users WHERE id = ?1", [&p.id], |r| r.get(0))?;
            if !verify_password(&cur, &hash) {
                return Err(ApiError::new(401, "invalid_password", "Current password is incorrect"));
            }
            let new_hash = hash_password(&new)?;
            let tx = conn.transaction()?;
            tx.execute(
                "UPDATE users SET password_hash = ?1, must_change_password = 0, updated_at = ?2 WHERE id = ?3",
                params![new_hash, now_secs(), p.id],
            )?;
            tx.execute("DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2", params![p.id, keep])?;
            tx.execute("DELETE FROM api_keys WHERE user_id = ?1", [&p.id])?;
            tx.commit()?;
            audit::record(conn, audit::Event { action: "PASSWORD_CHANGED", actor_id: Some(&p.id), actor: &p.username, target_type: "user", target_id: Some(&p.id), details: json!({"userId": p.id, "username": p.username}) });
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `GET /api/v1/config/auth`.
pub async fn config_auth(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"authEnabled": state.cfg.auth_enabled}))
}

/// `GET /api/auth/users`.
pub async fn list_users(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("users:manage")?;
    let max = state.cfg.max_users;
    state
        .db
        .call(move |conn| {
            let mut stmt =
                conn.prepare("SELECT id, username, role, team, created_at FROM users ORDER BY created_at, username")?;
            let users: Vec<Value> = stmt
                .query_map([], |r| {
                    Ok(json!({
                        "id": r.get::<_, String>(0)?,
                        "username": r.get::<_, String>(1)?,
                        "role": r.get::<_, String>(2)?,
                        "team": r.get::<_, String>(3)?,
                        "createdAt": iso8601(r.get(4)?),
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Json(json!({"users": users, "maxUsers": max})))
        })
        .await
}

/// `POST /api/auth/register`.
pub async fn register(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    let body = json_body(req).await?;
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
    if !password_ok(password) {
        return Err(ApiError::bad_request(PASSWORD_RULE));
    }
    let requested = str_field(&body, "role").unwrap_or("user").to_string();
    let team = str_field(&body, "team")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Default")
        .to_string();
    let hash = hash_password(password)?;
    let username = username.to_string();
    let max = state.cfg.max_users;
    state
        .db
        .call(move |conn| {
            let role = if role_exists(conn, &requested)? { requested } else { "user".to_string() };
            let team = crate::teams::resolve(conn, &team)?;
            if role_level(&role) > role_level(&me.role) {
                return Err(ApiError::new(403, "escalation_denied", "Cannot assign a role above your own"));
            }
            let exists: i64 = conn.query_row("SELECT COUNT(*) FROM users WHERE username = ?1", [&username], |r| r.get(0))?;
            if exists > 0 {
                return Err(ApiError::new(409, "conflict", "Username already exists"));
            }
            let count: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
            if max > 0 && count as u64 >= max {
                return Err(ApiError::new(403, "user_limit_reached", format!("User limit of {max} reached")));
            }
            let id = uuid_v4();
            let now = now_secs();
            conn.execute(
                "INSERT INTO users (id, username, password_hash, role, team, must_change_password, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
                params![id, username, hash, role, team, now],
            )?;
            audit::by(conn, &me, "USER_CREATED", "user", &id, json!({"adminId": me.id, "newUserId": id, "newUsername": username, "role": role}));
            Ok((StatusCode::CREATED, Json(json!({"id": id, "username": username, "role": role, "team": team}))))
        })
        .await
}

/// `PUT /api/auth/users/{id}`.
pub async fn update_user(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    let body = json_body(req).await?;
    let role = str_field(&body, "role").map(str::to_string);
    let team = str_field(&body, "team")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    state
        .db
        .call(move |conn| {
            let current: Option<String> = conn
                .query_row("SELECT role FROM users WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            let Some(current) = current else {
                return Err(ApiError::not_found("User not found"));
            };
            if let Some(t) = team {
                let name = crate::teams::resolve(conn, &t)?;
                conn.execute(
                    "UPDATE users SET team = ?1, updated_at = ?2 WHERE id = ?3",
                    params![name, now_secs(), id],
                )?;
            }
            if let Some(role) = role.filter(|r| role_exists(conn, r).unwrap_or(false)) {
                if role_level(&role) > role_level(&me.role) {
                    return Err(ApiError::new(
                        403,
                        "escalation_denied",
                        "Cannot assign a role above your own",
                    ));
                }
                if id == me.id && current == "admin" && role != "admin" {
                    return Err(ApiError::new(
                        400,
                        "self_demote",
                        "You cannot remove your own admin role",
                    ));
                }
                if current == "admin" && role != "admin" {
                    let admins: i64 = conn.query_row(
                        "SELECT COUNT(*) FROM users WHERE role = 'admin'",
                        [],
                        |r| r.get(0),
                    )?;
                    if admins <= 1 {
                        return Err(ApiError::new(
                            400,
                            "last_admin",
                            "Cannot demote the only admin",
                        ));
                    }
                }
                conn.execute(
                    "UPDATE users SET role = ?1, updated_at = ?2 WHERE id = ?3",
                    params![role, now_secs(), id],
                )?;
            }
            audit::by(
                conn,
                &me,
                "USER_UPDATED",
                "user",
                &id,
                json!({"adminId": me.id, "targetUserId": id}),
            );
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `POST /api/auth/users/{id}/reset-password`.
pub async fn reset_password(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    let body = json_body(req).await?;
    let Some(new) = str_field(&body, "newPassword") else {
        return Err(ApiError::bad_request("newPassword is required"));
    };
    if !password_ok(new) {
        return Err(ApiError::bad_request(PASSWORD_RULE));
    }
    let hash = hash_password(new)?;
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let n = tx.execute(
                "UPDATE users SET password_hash = ?1, must_change_password = 1, updated_at = ?2 WHERE id = ?3",
                params![hash, now_secs(), id],
            )?;
            if n == 0 {
                return Err(ApiError::not_found("User not found"));
            }
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [&id])?;
            tx.execute("DELETE FROM api_keys WHERE user_id = ?1", [&id])?;
            tx.commit()?;
            audit::by(conn, &me, "PASSWORD_RESET", "user", &id, json!({"adminId": me.id, "targetUserId": id}));
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `DELETE /api/auth/users/{id}`.
pub async fn delete_user(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    if id == me.id {
        return Err(ApiError::new(
            400,
            "self_delete",
            "You cannot delete your own account",
        ));
    }
    state
        .db
        .call(move |conn| {
            let role: Option<String> = conn
                .query_row("SELECT role FROM users WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            match role.as_deref() {
                None => return Err(ApiError::not_found("User not found")),
                Some("admin") => {
                    let admins: i64 = conn.query_row(
                        "SELECT COUNT(*) FROM users WHERE role = 'admin'",
                        [],
                        |r| r.get(0),
                    )?;
                    if admins <= 1 {
                        return Err(ApiError::new(
                            400,
                            "last_admin",
                            "Cannot delete the only admin",
                        ));
                    }
                }
                Some(_) => {}
            }
            conn.execute("DELETE FROM users WHERE id = ?1", [&id])?;
            audit::by(
                conn,
                &me,
                "USER_DELETED",
                "user",
                &id,
                json!({"adminId": me.id, "targetUserId": id}),
            );
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `GET /api/v1/roles` — built-in and custom roles.
pub async fn list_roles(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("audit:read")?;
    state
        .db
        .call(|conn| {
            let count = |name: &str| -> rusqlite::Result<i64> {
                conn.query_row("SELECT COUNT(*) FROM users WHERE role = ?1", [name], |r| r.get(0))
            };
            let mut roles = Vec::new();
            for r in ROLES {
                roles.push(json!({
                    "id": format!("builtin-{r}"),
                    "name": r,
                    "description": format!("Built-in {r} role"),
                    "permissions": role_permissions(r),
                    "isBuiltin": true,
                    "userCount": count(r)?,
                }));
            }
            let mut stmt = conn.prepare(
                "SELECT id, name, description, permissions, created_at, updated_at FROM roles ORDER BY name",
            )?;
            type RoleRow = (String, String, String, String, i64, i64);
            let rows: Vec<RoleRow> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, name, description, perms, created, updated) in rows {
                roles.push(json!({
                    "id": id,
                    "userCount": count(&name)?,
                    "name": name,
                    "description": description,
                    "permissions": serde_json::from_str::<Value>(&perms).unwrap_or(json!([])),
                    "isBuiltin": false,
                    "createdAt": iso8601(created),
                    "updatedAt": iso8601(updated),
                }));
            }
            Ok(Json(json!({"roles": roles})))
        })
        .await
}

/// Validated fields of a role body; `None` when absent and `partial`.
struct RoleInput {
    name: Option<String>,
    description: Option<String>,
    permissions: Option<Vec<String>>,
}

fn role_input(body: &Value, partial: bool) -> ApiResult<RoleInput> {
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
            Some(list)
        }
        _ => {
            return Err(ApiError::bad_request(
                "permissions must be a non-empty array of permission names",
            ));
        }
    };
    Ok(RoleInput {
        name,
        description,
        permissions,
    })
}

fn name_taken(conn: &rusqlite::Connection, name: &str, except: &str) -> rusqlite::Result<bool> {
    if ROLES.contains(&name) {
        return Ok(true);
    }
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM roles WHERE name = ?1 AND id != ?2",
        [name, except],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// `POST /api/v1/roles` — create a custom role.
pub async fn create_role(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    let input = role_input(&json_body(req).await?, false)?;
    let (Some(name), Some(perms)) = (input.name, input.permissions) else {
        return Err(ApiError::bad_request("name and permissions are required"));
    };
    let description = input.description.unwrap_or_default();
    state
        .db
        .call(move |conn| {
            if name_taken(conn, &name, "")? {
                return Err(ApiError::new(409, "conflict", format!("Role \"{name}\" already exists")));
            }
            let id = uuid_v4();
            let now = now_secs();
            conn.execute(
                "INSERT INTO roles (id, name, description, permissions, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![id, name, description, json!(perms).to_string(), now],
            )?;
            audit::by(conn, &me, "ROLE_CREATED", "role", &id, json!({"userId": me.id, "roleId": id, "name": name}));
            Ok((
                StatusCode::CREATED,
                Json(json!({"id": id, "name": name, "description": description, "permissions": perms, "isBuiltin": false})),
            ))
        })
        .await
}

fn builtin_id(id: &str) -> bool {
    ROLES.iter().any(|r| id == format!("builtin-{r}"))
}

/// `PUT /api/v1/roles/{id}` — change a custom role; renaming moves its members.
pub async fn update_role(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    if builtin_id(&id) {
        return Err(ApiError::bad_request("Cannot modify built-in roles"));
    }
    let input = role_input(&json_body(req).await?, true)?;
    state
        .db
        .call(move |conn| {
            let old: Option<String> = conn
                .query_row("SELECT name FROM roles WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            let Some(old) = old else {
                return Err(ApiError::not_found("Role not found"));
            };
            let tx = conn.transaction()?;
            let now = now_secs();
            if let Some(name) = &input.name {
                if name_taken(&tx, name, &id)? {
                    return Err(ApiError::new(
                        409,
                        "conflict",
                        format!("Role \"{name}\" already exists"),
                    ));
                }
                tx.execute(
                    "UPDATE roles SET name = ?1, updated_at = ?2 WHERE id = ?3",
                    params![name, now, id],
                )?;
                tx.execute(
                    "UPDATE users SET role = ?1 WHERE role = ?2",
                    params![name, old],
                )?;
            }
            if let Some(d) = &input.description {
                tx.execute(
                    "UPDATE roles SET description = ?1, updated_at = ?2 WHERE id = ?3",
                    params![d, now, id],
                )?;
            }
            if let Some(p) = &input.permissions {
                tx.execute(
                    "UPDATE roles SET permissions = ?1, updated_at = ?2 WHERE id = ?3",
                    params![json!(p).to_string(), now, id],
                )?;
            }
            tx.commit()?;
            audit::by(
                conn,
                &me,
                "ROLE_UPDATED",
                "role",
                &id,
                json!({"userId": me.id, "roleId": id}),
            );
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `DELETE /api/v1/roles/{id}` — delete a custom role; its members become `user`.
pub async fn delete_role(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    me.require("users:manage")?;
    if builtin_id(&id) {
        return Err(ApiError::bad_request("Cannot delete built-in roles"));
    }
    state
        .db
        .call(move |conn| {
            let name: Option<String> = conn
                .query_row("SELECT name FROM roles WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            let Some(name) = name else {
                return Err(ApiError::not_found("Role not found"));
            };
            let tx = conn.transaction()?;
            tx.execute("UPDATE users SET role = 'user' WHERE role = ?1", [&name])?;
            tx.execute("DELETE FROM roles WHERE id = ?1", [&id])?;
            tx.commit()?;
            audit::by(
                conn,
                &me,
                "ROLE_DELETED",
                "role",
                &id,
                json!({"userId": me.id, "roleId": id, "name": name}),
            );
            Ok(Json(json!({"ok": true})))
        })
        .await
}

/// `POST /api/v1/api-keys`.
pub async fn create_key(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let me = caller.user()?.clone();
    if matches!(me.via, Via::Anonymous) {
        return Err(ApiError::new(
            403,
            "auth_disabled",
            "API keys need authentication to be enabled",
        ));
    }
    let body = json_body(req).await?;
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
    let key = format!("si_{}", hex(&random_bytes::<48>()));
    let digest = sha256_hex(&key);
    let id = uuid_v4();
    let now = now_secs();
    let perms_json = permissions.as_ref().map(|p| json!(p).to_string());
    let resp = json!({
        "id": id,
        "key": key,
        "name": name,
        "permissions": permissions,
        "expiresAt": expires_at.map(iso8601),
        "createdAt": iso8601(now),
    });
    state
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO api_keys (id, user_id, name, key_prefix, key_hash, permissions, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![id, me.id, name, &digest[..16], digest, perms_json, now, expires_at],
            )?;
            audit::by(conn, &me, "API_KEY_CREATED", "api_key", &id, json!({"userId": me.id, "keyId": id, "keyName": name}));
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(resp)))
}

/// `GET /api/v1/api-keys`.
pub async fn list_keys(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    let all = me.has("apikeys:all");
    state
        .db
        .call(move |conn| {
            let sql = "SELECT id, name, permissions, created_at, last_used_at, expires_at FROM api_keys \
                       WHERE ?1 OR user_id = ?2 ORDER BY created_at";
            let mut stmt = conn.prepare(sql)?;
            let keys: Vec<Value> = stmt
                .query_map(params![all, me.id], |r| {
                    let perms: Option<String> = r.get(2)?;
                    Ok(json!({
                        "id": r.get::<_, String>(0)?,
                        "name": r.get::<_, String>(1)?,
                        "permissions": perms.and_then(|p| serde_json::from_str::<Value>(&p).ok()),
                        "createdAt": iso8601(r.get(3)?),
                        "lastUsedAt": r.get::<_, Option<i64>>(4)?.map(iso8601),
                        "expiresAt": r.get::<_, Option<i64>>(5)?.map(iso8601),
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Json(json!({"apiKeys": keys})))
        })
        .await
}

/// `DELETE /api/v1/api-keys/{id}`.
pub async fn delete_key(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    state
        .db
        .call(move |conn| {
            let n = conn.execute(
                "DELETE FROM api_keys WHERE id = ?1 AND user_id = ?2",
                params![id, me.id],
            )?;
            if n == 0 {
                return Err(ApiError::not_found("API key not found"));
            }
            audit::by(
                conn,
                &me,
                "API_KEY_DELETED",
                "api_key",
                &id,
                json!({"userId": me.id, "keyId": id}),
            );
            Ok(Json(json!({"ok": true})))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hashing_round_trip() {
        let h = hash_password("Secret123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Secret123", &h));
        assert!(!verify_password("secret123", &h));
        assert!(!verify_password("Secret123", "deadbeef:cafe"));
    }

    #[test]
    fn rules() {
        assert!(password_ok("Abcdefg1"));
        assert!(!password_ok("abcdefg1"));
        assert!(!password_ok("Abc1"));
        assert!(username_ok("bob.smith-1"));
        assert!(!username_ok("ab"));
        assert!(!username_ok("bad name"));
    }

    #[test]
    fn scoped_keys_only_narrow() {
        let mut p = Principal {
            id: "u".into(),
            username: "u".into(),
            role: "user".into(),
            must_change: false,
            perms: perms_of(None, "user"),
            via: Via::ApiKey {
                scope: Some(vec!["users:manage".into()]),
            },
        };
        assert!(!p.has("users:manage"), "scope cannot widen a role");
        assert!(!p.has("tools:use"), "scope narrows");
        p.via = Via::ApiKey { scope: None };
        assert!(p.has("tools:use"));
        assert!(!p.has("users:manage"));
        assert!(role_permissions("admin").contains(&"audit:read"));
        assert!(role_permissions("custom").is_empty());
    }
}
