//! The custom logo (api.md §2.7), stored as `<FILES_STORAGE_PATH>/branding/logo.png`.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::jobs::run_blocking;
use crate::multipart;
use crate::state::Shared;
use crate::util::now_secs;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};
use std::path::PathBuf;

const MAX_LOGO_BYTES: u64 = 500 * 1024;

fn logo_path(state: &Shared) -> PathBuf {
    state
        .cfg
        .files_storage_path
        .join("branding")
        .join("logo.png")
}

async fn set_flag(state: &Shared, on: bool) -> ApiResult<()> {
    let v = if on { "true" } else { "false" };
    state
        .db
        .call(move |c| {
            c.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('customLogo', ?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                rusqlite::params![v, now_secs()],
            )?;
            Ok(())
        })
        .await
}

/// `GET /api/v1/settings/logo` — public.
pub async fn get(State(state): State<Shared>) -> ApiResult<Response> {
    match tokio::fs::read(logo_path(&state)).await {
        Ok(data) => Ok(([(header::CONTENT_TYPE, "image/png")], data).into_response()),
        Err(_) => Err(ApiError::not_found("No custom logo set")),
    }
}

/// `POST /api/v1/settings/logo` — shrink to fit 128×128 (never enlarge), store as PNG.
pub async fn upload(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("branding:manage")?;
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), 1).await?;
    let Some(file) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No file uploaded"));
    };
    if file.data.len() as u64 > MAX_LOGO_BYTES {
        return Err(ApiError::bad_request("Logo must be 500KB or smaller"));
    }
    let path = logo_path(&state);
    let st = state.clone();
    run_blocking(&state, move || {
        let ctx = crate::jobs::context(&st, None);
        let img = ctx.decode(&file.data, Some(&file.name), Some((128, 128)))?;
        let first = img.first();
        let png = ashim_core::io::preview(first, 128, 128, ashim_core::ImageFormat::Png, None)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(ApiError::internal)?;
        }
        std::fs::write(&path, png).map_err(ApiError::internal)
    })
    .await?;
    set_flag(&state, true).await?;
    Ok(Json(json!({"ok": true})))
}

/// `DELETE /api/v1/settings/logo`.
pub async fn delete(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("branding:manage")?;
    let _ = tokio::fs::remove_file(logo_path(&state)).await;
    set_flag(&state, false).await?;
    Ok(Json(json!({"ok": true})))
}
