//! `ashim-server`: the ashim REST server. Configuration comes from environment variables
//! (see `config.rs`); state lives in one embedded SQLite file and a workspace folder.

mod audit;
mod auth;
mod branding;
mod config;
mod db;
mod docs;
mod error;
mod files;
mod jobs;
mod multipart;
mod pipelines;
mod state;
mod teams;
mod tools;
mod util;
mod web;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Shared};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json, Router};
use rusqlite::OptionalExtension;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

const VERSION: &str = env!("CARGO_PKG_VERSION");

async fn health(State(state): State<Shared>) -> Response {
    let ok = state
        .db
        .call(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await
        .is_ok();
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

async fn admin_health(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("system:health")?;
    let db_ok = state
        .db
        .call(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await
        .is_ok();
    let active = state.cfg.concurrent_jobs - state.jobs.available_permits();
    Ok(Json(json!({
        "status": if db_ok { "healthy" } else { "degraded" },
        "version": VERSION,
        "uptime": format!("{}s", state.started.elapsed().as_secs()),
        "storage": {"mode": "local", "available": "N/A"},
        "database": if db_ok { "ok" } else { "error" },
        "queue": {"active": active, "pending": 0},
        "ai": {"gpu": false},
    })))
}

async fn analytics_config() -> Json<Value> {
    Json(
        json!({"enabled": false, "posthogApiKey": "", "posthogHost": "", "sentryDsn": "", "sampleRate": 0, "instanceId": ""}),
    )
}

async fn analytics_consent(Extension(caller): Extension<Caller>) -> ApiResult<Json<Value>> {
    caller.user()?;
    Ok(Json(json!({"ok": true, "analyticsEnabled": false})))
}

async fn catalogue(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?;
    let tools: Vec<_> = ashim_core::schema::catalogue()
        .into_iter()
        .filter(|t| state.tool_enabled(t.meta.id))
        .collect();
    Ok(Json(json!({"tools": tools})))
}

async fn settings_all(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?;
    state
        .db
        .call(|c| {
            let mut stmt = c.prepare("SELECT key, value FROM settings ORDER BY key")?;
            let mut map = serde_json::Map::new();
            for row in
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            {
                let (k, v) = row?;
                map.insert(k, json!(v));
            }
            Ok(Json(json!({"settings": map})))
        })
        .await
}

async fn setting_one(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    caller.user()?;
    state
        .db
        .call(move |c| {
            let row: Option<(String, i64)> = c
                .query_row(
                    "SELECT value, updated_at FROM settings WHERE key = ?1",
                    [&key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match row {
                Some((value, at)) => Ok(Json(
                    json!({"key": key, "value": value, "updatedAt": util::iso8601(at)}),
                )),
                None => Err(ApiError::not_found(format!("Setting \"{key}\" not found"))),
            }
        })
        .await
}

fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).enumerate().any(|(i, w)| {
        w[0] == b'<'
            && (w[1].is_ascii_alphabetic() || b"/!?".contains(&w[1]))
            && s[i..].contains('>')
    })
}

async fn settings_put(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("settings:write")?;
    let body = auth::json_body(req).await?;
    let Some(obj) = body.as_object().cloned() else {
        return Err(ApiError::bad_request(
            "Request body must be a JSON object with key-value pairs",
        ));
    };
    let pairs: Vec<(String, String)> = obj
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect();
    if pairs
        .iter()
        .any(|(k, v)| looks_like_html(k) || looks_like_html(v))
    {
        return Err(ApiError::bad_request("Settings must not contain HTML"));
    }
    state
        .db
        .call(move |c| {
            let now = util::now_secs();
            let tx = c.transaction()?;
            for (k, v) in &pairs {
                tx.execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    rusqlite::params![k, v, now],
                )?;
            }
            tx.commit()?;
            Ok(Json(json!({"ok": true, "updatedCount": pairs.len()})))
        })
        .await
}

/// `POST /api/v1/upload`: validate and store files in a new workspace job.
async fn upload(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Json<Value>> {
    caller.user()?;
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No valid files uploaded"));
    }
    let mut listed = Vec::new();
    for f in &form.files {
        let header = ashim_core::io::probe(&f.data, Some(&f.name)).map_err(|e| {
            let mut err = ApiError::from(e.clone());
            err.message = format!("Invalid file \"{}\": {}", f.name, e.message());
            err
        })?;
        listed.push(json!({"name": f.name, "size": f.data.len(), "format": header.format.name()}));
    }
    let job_id = util::uuid_v4();
    let dir = jobs::job_dir(&state, &job_id);
    let files = form.files;
    tokio::task::spawn_blocking(move || {
        for f in &files {
            jobs::write_file(&dir, "input", &f.name, &f.data)?;
        }
        Ok::<_, ApiError>(())
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(json!({"jobId": job_id, "files": listed})))
}

/// `POST /api/v1/preview`: a WebP (quality 80) rendering that fits 1200×1200, never enlarged.
async fn preview(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Response> {
    caller.user()?;
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
    let Some(file) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No image file provided"));
    };
    let st = state.clone();
    let webp = jobs::run_blocking(&state, move || {
        let ctx = jobs::context(&st, None);
        let img = ctx.decode(&file.data, Some(&file.name), Some((1200, 1200)))?;
        Ok(ashim_core::io::preview(
            img.first(),
            1200,
            1200,
            ashim_core::ImageFormat::Webp,
            Some(80),
        )?)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "image/webp")], webp).into_response())
}

async fn openapi_json(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.docs.openapi_json.clone(),
    )
        .into_response()
}

async fn openapi_yaml(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/yaml; charset=utf-8")],
        state.docs.openapi_yaml.clone(),
    )
        .into_response()
}

async fn llms(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.docs.llms.clone(),
    )
        .into_response()
}

async fn llms_full(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.docs.llms_full.clone(),
    )
        .into_response()
}

async fn docs_page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        docs::DOCS_HTML,
    )
        .into_response()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        405,
        "method_not_allowed",
        "Method not allowed on this route",
    )
}

/// Turn any error the framework produced itself (plain text, e.g. a path that is not
/// valid UTF-8) into the JSON error envelope.
async fn ensure_envelope(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return resp;
    }
    let text = axum::body::to_bytes(resp.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = match status.as_u16() {
        400 => "validation_error",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        s if s >= 500 => "internal",
        _ => "request_error",
    };
    let message = if text.is_empty() || status.as_u16() >= 500 {
        status.canonical_reason().unwrap_or("Error").to_string()
    } else {
        text
    };
    ApiError::new(status.as_u16(), code, message).into_response()
}

/// Security headers on every reply (api.md §1.8), always in production mode.
async fn security_headers(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| state.cfg.cors_origins.iter().any(|a| a == o || a == "*"))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let preflight = req.method() == axum::http::Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = if preflight && origin.is_some() {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, prefer"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        ensure_envelope(next.run(req).await).await
    };
    let h = resp.headers_mut();
    if let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-job-id, x-file-results, content-disposition"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-xss-protection", HeaderValue::from_static("0"));
    h.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    let csp = if docs {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; object-src 'none'; img-src 'self' blob: data:"
    } else {
        "default-src 'self'; object-src 'none'; frame-ancestors 'none'; img-src 'self' blob: data:"
    };
    h.insert("content-security-policy", HeaderValue::from_static(csp));
    resp
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/admin/health", get(admin_health))
        .route("/api/v1/config/auth", get(auth::config_auth))
        .route("/api/v1/config/analytics", get(analytics_config))
        .route("/api/v1/user/analytics", put(analytics_consent))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/auth/session", get(auth::session))
        .route("/api/auth/change-password", post(auth::change_password))
        .route("/api/auth/users", get(auth::list_users))
        .route("/api/auth/register", post(auth::register))
        .route(
            "/api/auth/users/{id}",
            put(auth::update_user).delete(auth::delete_user),
        )
        .route(
            "/api/auth/users/{id}/reset-password",
            post(auth::reset_password),
        )
        .route(
            "/api/v1/roles",
            get(auth::list_roles).post(auth::create_role),
        )
        .route(
            "/api/v1/roles/{id}",
            put(auth::update_role).delete(auth::delete_role),
        )
        .route(
            "/api/v1/api-keys",
            post(auth::create_key).get(auth::list_keys),
        )
        .route("/api/v1/api-keys/{id}", delete(auth::delete_key))
        .route("/api/v1/audit-log", get(audit::list))
        .route("/api/v1/teams", get(teams::list).post(teams::create))
        .route(
            "/api/v1/teams/{id}",
            put(teams::update).delete(teams::delete),
        )
        .route("/api/v1/settings", get(settings_all).put(settings_put))
        .route(
            "/api/v1/settings/logo",
            get(branding::get)
                .post(branding::upload)
                .delete(branding::delete),
        )
        .route("/api/v1/settings/{key}", get(setting_one))
        .route("/api/v1/files", get(files::list).delete(files::delete))
        .route("/api/v1/files/upload", post(files::upload))
        .route("/api/v1/files/save-result", post(files::save_result))
        .route("/api/v1/files/{id}", get(files::get))
        .route("/api/v1/files/{id}/download", get(files::download))
        .route("/api/v1/files/{id}/thumbnail", get(files::thumbnail))
        .route("/api/v1/upload", post(upload))
        .route("/api/v1/preview", post(preview))
        .route("/api/v1/download/{job}/{file}", get(jobs::download))
        .route("/api/v1/jobs/{job}/progress", get(jobs::progress))
        .route("/api/v1/tools", get(catalogue))
        .route("/api/v1/tools/{tool}", post(tools::run_single))
        .route("/api/v1/tools/{tool}/batch", post(tools::run_tool_batch))
        .route("/api/v1/tools/{tool}/{sub}", post(tools::run_sub_route))
        .route("/api/v1/pipeline/execute", post(pipelines::execute))
        .route("/api/v1/pipeline/batch", post(pipelines::batch))
        .route("/api/v1/pipeline/save", post(pipelines::save))
        .route("/api/v1/pipeline/list", get(pipelines::list))
        .route("/api/v1/pipeline/tools", get(pipelines::tools))
        .route("/api/v1/pipeline/{id}", delete(pipelines::delete))
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/openapi.yaml", get(openapi_yaml))
        .route("/api/docs", get(docs_page))
        .route("/api/docs/", get(docs_page))
        .route("/llms.txt", get(llms))
        .route("/llms-full.txt", get(llms_full))
        .fallback(web::serve)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::middleware,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

async fn shutdown_signal(state: Shared) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("ashim-server: shutting down");
    let _ = state.shutdown.send(true);
}

fn init() -> Result<(Shared, SocketAddr), String> {
    let cfg = config::Config::from_env().map_err(|e| e.to_string())?;
    let db = db::Db::open(&cfg.db_path)?;
    let disabled_tools: std::collections::HashSet<String> = db.with_conn(|c| {
        c.query_row(
            "SELECT value FROM settings WHERE key = 'disabledTools'",
            [],
            |r| r.get::<_, String>(0),
        )
        .ok()
        .and_then(|v| serde_json::from_str::<Vec<String>>(&v).ok())
        .unwrap_or_default()
        .into_iter()
        .collect()
    });
    std::fs::create_dir_all(&cfg.files_storage_path)
        .map_err(|e| format!("cannot create {}: {e}", cfg.files_storage_path.display()))?;
    std::fs::create_dir_all(&cfg.workspace_path)
        .map_err(|e| format!("cannot create {}: {e}", cfg.workspace_path.display()))?;
    jobs::cleanup_workspace(&cfg.workspace_path, cfg.file_max_age_hours);
    let addr: SocketAddr = format!("{}:{}", cfg.host, cfg.port)
        .parse()
        .or_else(|_| format!("[{}]:{}", cfg.host, cfg.port).parse())
        .map_err(|_| {
            format!(
                "HOST/PORT do not form a socket address: {}:{}",
                cfg.host, cfg.port
            )
        })?;
    let state = Arc::new(AppState {
        jobs: Arc::new(tokio::sync::Semaphore::new(cfg.concurrent_jobs)),
        cfg,
        db,
        progress: Default::default(),
        rate: Default::default(),
        docs: docs::Docs::build(&disabled_tools),
        disabled_tools,
        started: Instant::now(),
        shutdown: tokio::sync::watch::channel(false).0,
    });
    Ok((state, addr))
}

#[tokio::main]
async fn main() {
    let (state, addr) = match init() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("ashim-server: {e}");
            std::process::exit(2);
        }
    };
    let cfg = state.cfg.clone();
    if let Err(e) = state
        .db
        .call(move |c| auth::seed_admin(c, &cfg).map_err(ApiError::internal))
        .await
    {
        eprintln!("ashim-server: cannot create the first admin: {}", e.message);
        std::process::exit(2);
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ashim-server: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    let local = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!("ashim-server {VERSION} listening on http://{local}");
    tokio::spawn(jobs::maintenance(state.clone()));
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal(state))
        .await
    {
        eprintln!("ashim-server: server error: {e}");
        std::process::exit(1);
    }
}
