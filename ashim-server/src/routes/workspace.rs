//! Workspace routes (api.md §2.8): upload into a job folder, preview.

use crate::error::{ApiError, ApiResult};
use crate::http::Authorized;
use crate::http::form::{Files, FormOf};
use crate::state::Shared;
use crate::{jobs, util};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `POST /api/v1/upload`: validate and store files in a new workspace job.
pub async fn upload(
    State(state): State<Shared>,
    _: Authorized,
    FormOf(form, _): FormOf<Files>,
) -> ApiResult<Json<Value>> {
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No valid files uploaded"));
    }
    let mut listed = Vec::new();
    for f in &form.files {
        let header = f.probe(&state)?;
        listed.push(json!({"name": f.name, "size": f.data.len(), "format": header.format.name()}));
    }
    let job_id = util::uuid_v4();
    for f in form.files {
        state
            .workspace
            .put(&format!("{job_id}/input/{}", f.name), f.data)
            .await?;
    }
    Ok(Json(json!({"jobId": job_id, "files": listed})))
}

/// `POST /api/v1/preview`: a WebP (quality 80) rendering that fits 1200×1200, never enlarged.
pub async fn preview(
    State(state): State<Shared>,
    _: Authorized,
    FormOf(form, _): FormOf<Files>,
) -> ApiResult<Response> {
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
