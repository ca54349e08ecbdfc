//! The custom logo (api.md §2.7): the library blob `branding/logo.png` and the
//! `customLogo` setting.

use crate::error::{ApiError, ApiResult};
use crate::http::Authorized;
use crate::http::form::{FormOf, OneFile};
use crate::jobs::run_blocking;
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const LOGO: &str = "branding/logo.png";

async fn set_flag(state: &Shared, on: bool) -> ApiResult<()> {
    let v = if on { "true" } else { "false" };
    state
        .store
        .settings()
        .put_all(vec![("customLogo".into(), v.into())])
        .await?;
    Ok(())
}

/// `GET /api/v1/settings/logo` — public.
pub async fn get(State(state): State<Shared>) -> ApiResult<Response> {
    match state.library.get(LOGO).await? {
        Some(data) => Ok(([(header::CONTENT_TYPE, "image/png")], data).into_response()),
        None => Err(ApiError::not_found("No custom logo set")),
    }
}

/// `POST /api/v1/settings/logo` — at most `MAX_LOGO_SIZE_KB`; shrunk to fit 128×128
/// (never enlarged) and stored as PNG.
pub async fn upload(
    State(state): State<Shared>,
    _: Authorized,
    FormOf(form, _): FormOf<OneFile>,
) -> ApiResult<Json<Value>> {
    let Some(file) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No file uploaded"));
    };
    let max_kb = state.cfg.max_logo_size_kb;
    if max_kb > 0 && file.data.len() as u64 > max_kb * 1024 {
        return Err(ApiError::bad_request(format!(
            "Logo must be {max_kb}KB or smaller"
        )));
    }
    let st = state.clone();
    let png = run_blocking(&state, move || {
        let ctx = crate::jobs::context(&st, None);
        let img = ctx.decode(&file.data, Some(&file.name), Some((128, 128)))?;
        Ok(ashim_core::io::preview(
            img.first(),
            128,
            128,
            ashim_core::ImageFormat::Png,
            None,
        )?)
    })
    .await?;
    state.library.put(LOGO, png).await?;
    set_flag(&state, true).await?;
    Ok(Json(json!({"ok": true})))
}

/// `DELETE /api/v1/settings/logo`.
pub async fn delete(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    state.library.delete(vec![LOGO.into()]).await?;
    set_flag(&state, false).await?;
    Ok(Json(json!({"ok": true})))
}
