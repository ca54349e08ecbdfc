//! Authentication: who is calling (`principal`, a leaf), password hashing (`passwords`),
//! tokens, and the request middleware that resolves credentials and applies the route
//! table's access policy. Permission checks themselves happen in the [`crate::http::Authorized`]
//! extractor.

pub mod passwords;
pub mod principal;

pub use principal::{Caller, PERMISSIONS, Principal, ROLES, Via, role_level, role_permissions};

use crate::error::{ApiError, ApiResult, Code};
use crate::routes::{Access, policy};
use crate::state::{Shared, client_ip};
use crate::store::audit::Event;
use crate::util::{ct_eq, now_secs, sha256_hex};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `len` random bytes as lower-case hex, failing closed: no token is issued when the OS
/// random number generator fails.
pub fn random_token(len: usize) -> ApiResult<String> {
    let mut buf = vec![0u8; len];
    getrandom::fill(&mut buf)
        .map_err(|e| ApiError::internal(format!("OS random number generator failed: {e}")))?;
    Ok(crate::util::hex(&buf))
}

/// A new API key (`si_` + 96 hex digits).
pub fn new_api_key() -> ApiResult<String> {
    Ok(format!("si_{}", random_token(48)?))
}

/// The lookup prefix of an API key: 16 hex digits of its SHA-256 (as the reference).
pub fn key_prefix(key: &str) -> String {
    sha256_hex(key)[..16].to_string()
}

/// An audit event done by `actor`.
pub fn event(
    actor: &Principal,
    action: &'static str,
    target_type: &'static str,
    target_id: &str,
    details: Value,
) -> Event {
    Event {
        action,
        actor_id: Some(actor.id.clone()),
        actor: actor.username.clone(),
        target_type,
        target_id: Some(target_id.to_string()),
        details,
    }
}

/// The bearer token of a request.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Permissions of a role: the built-in lists, else the custom role's stored list.
pub async fn perms_of(state: &Shared, role: &str) -> ApiResult<Vec<String>> {
    if ROLES.contains(&role) {
        return Ok(role_permissions(role)
            .iter()
            .map(|p| p.to_string())
            .collect());
    }
    Ok(state
        .store
        .roles()
        .permissions(role)
        .await?
        .unwrap_or_default())
}

/// The principal for a stored user.
pub async fn principal_of(
    state: &Shared,
    u: crate::store::users::User,
    via: Via,
) -> ApiResult<Principal> {
    Ok(Principal {
        perms: perms_of(state, &u.role).await?,
        id: u.id,
        username: u.username,
        role: u.role,
        team: u.team,
        must_change: u.must_change_password,
        analytics: u.analytics_enabled,
        via,
    })
}

enum Resolved {
    Found(Principal),
    Invalid(&'static str),
}

async fn resolve(state: &Shared, token: String) -> ApiResult<Resolved> {
    let now = now_secs();
    let th = sha256_hex(&token);
    if let Some((uid, _)) = state.store.sessions().user_of(&th, now).await? {
        return Ok(match state.store.users().get(&uid).await? {
            Some(u) => {
                Resolved::Found(principal_of(state, u, Via::Session { token_hash: th }).await?)
            }
            None => Resolved::Invalid("User not found"),
        });
    }
    if token.starts_with("si_") {
        for key in state.store.keys().by_prefix(&key_prefix(&token)).await? {
            if key.expires_at.is_some_and(|e| e <= now) {
                continue;
            }
            let upgrade = if ct_eq(key.key_hash.as_bytes(), th.as_bytes()) {
                None
            } else {
                // An imported reference key (scrypt): verify off the async threads, then
                // store the plain SHA-256 lookup hash so later requests are cheap.
                let (secret, stored) = (token.clone(), key.key_hash.clone());
                let ok = tokio::task::spawn_blocking(move || {
                    passwords::verify_scrypt(secret.as_bytes(), &stored)
                })
                .await
                .map_err(ApiError::internal)?;
                if !ok {
                    continue;
                }
                Some(th.clone())
            };
            state.store.keys().touch(&key.id, now, upgrade).await?;
            return Ok(match state.store.users().get(&key.user_id).await? {
                Some(u) => {
                    let via = Via::ApiKey {
                        scope: key.permissions,
                    };
                    Resolved::Found(principal_of(state, u, via).await?)
                }
                None => Resolved::Invalid("User not found"),
            });
        }
    }
    Ok(Resolved::Invalid("Session expired or invalid"))
}

/// Headers describing the caller's rate-limit window.
fn rate_headers(resp: &mut Response, limit: u64, remaining: u64) {
    let reset = 60 - now_secs().rem_euclid(60);
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", limit.into());
    h.insert("x-ratelimit-remaining", remaining.into());
    h.insert("x-ratelimit-reset", reset.into());
}

/// The global pre-handler: rate limit, credential resolution, the route's access policy
/// (public or signed in) and the forced password change. Inserts [`Caller`] and the
/// matched route's [`Access`] for the extractors.
pub async fn middleware(State(state): State<Shared>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut window = None;
    if path.starts_with("/api/") && state.cfg.rate_limit_per_min > 0 {
        let ip = client_ip(&req, state.cfg.trust_proxy);
        let limit = state.cfg.rate_limit_per_min;
        match state.rate.take("api", &ip, limit) {
            None => {
                let mut resp = ApiError::new(
                    429,
                    Code::RateLimited,
                    "Rate limit exceeded, retry in 1 minute",
                )
                .into_response();
                rate_headers(&mut resp, limit, 0);
                return resp;
            }
            Some(remaining) => window = Some((limit, remaining)),
        }
    }
    let policy = policy(req.method().as_str(), &path);
    if policy.is_some_and(|p| p.param_too_long(&path)) {
        return ApiError::bad_request(format!(
            "A path parameter is longer than {} bytes",
            crate::routes::MAX_PARAM_LEN
        ))
        .into_response();
    }
    let access = policy
        .map(|p| p.access)
        .unwrap_or(if path.starts_with("/api/") {
            Access::SignedIn
        } else {
            Access::Public
        });
    req.extensions_mut().insert(access);
    let mut resp = if !state.cfg.auth_enabled {
        req.extensions_mut()
            .insert(Caller(Some(Principal::anonymous())));
        next.run(req).await
    } else {
        let token = bearer(req.headers());
        let exempt = policy.is_some_and(|p| p.exempt) || !path.starts_with("/api/");
        match authenticate(&state, token, access, exempt).await {
            Err(resp) => resp,
            Ok(caller) => {
                req.extensions_mut().insert(caller);
                next.run(req).await
            }
        }
    };
    if let Some((limit, remaining)) = window {
        rate_headers(&mut resp, limit, remaining);
    }
    resp
}

async fn authenticate(
    state: &Shared,
    token: Option<String>,
    access: Access,
    exempt: bool,
) -> Result<Caller, Response> {
    let public = access == Access::Public;
    let principal = match token {
        None => None,
        Some(token) => match resolve(state, token).await {
            Err(e) => return Err(e.into_response()),
            Ok(Resolved::Found(p)) => Some(p),
            Ok(Resolved::Invalid(msg)) if !public => {
                return Err(ApiError::unauthorized(msg).into_response());
            }
            Ok(Resolved::Invalid(_)) => None,
        },
    };
    match &principal {
        None if !public => {
            return Err(ApiError::unauthorized("Authentication required").into_response());
        }
        Some(p)
            if p.must_change
                && matches!(p.via, Via::Session { .. })
                && !state.cfg.skip_must_change_password
                && !exempt =>
        {
            return Err(
                ApiError::of(Code::MustChangePassword, "Password change required").into_response(),
            );
        }
        _ => {}
    }
    Ok(Caller(principal))
}

/// Parse a JSON body (empty → `{}`), limited to 1 MiB.
pub async fn json_body(req: Request) -> ApiResult<Value> {
    let bytes = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .map_err(|_| ApiError::too_large("Request body exceeds the 1 MiB limit for JSON"))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    let mut v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))?;
    crate::util::integral_numbers(&mut v);
    Ok(v)
}

/// Create the first admin when there is no user (and auth is on).
pub async fn seed_admin(state: &Shared) -> Result<(), String> {
    let cfg = &state.cfg;
    if !cfg.auth_enabled {
        return Ok(());
    }
    if state.store.users().count().await.map_err(|e| e.message)? > 0 {
        return Ok(());
    }
    let pw = cfg.default_password.clone();
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&pw))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.message)?;
    state
        .store
        .users()
        .create_first(crate::store::users::NewUser {
            id: crate::util::uuid_v4(),
            username: cfg.default_username.clone(),
            password_hash: hash,
            role: "admin".into(),
            team: "Default".into(),
            must_change_password: !cfg.skip_must_change_password,
        })
        .await
        .map_err(|e| e.message)?;
    Ok(())
}
