//! The persistent, versioned file library (api.md §2.9). Rows in the store, bytes in the
//! library blobs; a blob is written before its row and removed after its row.

use crate::auth::{self, Principal};
use crate::error::{ApiError, ApiResult};
use crate::http::form::{Files, FormOf, SavedResult};
use crate::http::{Authorized, JsonBody};
use crate::jobs::{attachment, run_blocking};
use crate::state::Shared;
use crate::store::audit::Event;
use crate::store::files::{FileRecord, ListQuery, Viewer};
use crate::util::{now_secs, uuid_v4};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

fn viewer(me: &Principal) -> Viewer {
    Viewer {
        user_id: me.id.clone(),
        all: me.has("files:all"),
    }
}

/// MIME type of a detected format: common web formats as `image/*`, others generic.
fn library_mime(data: &[u8], name: &str) -> &'static str {
    match ashim_core::io::detect(data, Some(name)) {
        Ok(f)
            if matches!(
                f.name(),
                "jpeg" | "png" | "webp" | "gif" | "bmp" | "tiff" | "avif"
            ) =>
        {
            f.mime_type()
        }
        _ => "application/octet-stream",
    }
}

fn stored_ext(name: &str) -> String {
    match ashim_core::naming::extension(name) {
        Some(e) if crate::util::known_extension(&e[1..]) => e.to_ascii_lowercase(),
        _ => ".bin".to_string(),
    }
}

fn thumb_key(stored_name: &str) -> String {
    format!(".thumbs/{stored_name}.thumb.jpg")
}

/// A new row for `data` (not yet stored); `parent` makes it the next version.
pub fn new_record(
    owner: Option<String>,
    name: &str,
    data: &[u8],
    parent: Option<&FileRecord>,
    tool_id: Option<&str>,
) -> FileRecord {
    let header = ashim_core::io::probe(data, Some(name)).ok();
    let id = uuid_v4();
    let mut chain = parent.map(|p| p.tool_chain.clone()).unwrap_or_default();
    if let Some(t) = tool_id {
        chain.push(t.to_string());
    }
    FileRecord {
        stored_name: format!("{id}{}", stored_ext(name)),
        id,
        owner_id: owner,
        original_name: name.to_string(),
        mime_type: library_mime(data, name).to_string(),
        size: data.len() as i64,
        width: header.as_ref().map(|h| i64::from(h.width)),
        height: header.as_ref().map(|h| i64::from(h.height)),
        version: parent.map(|p| p.version + 1).unwrap_or(1),
        parent_id: parent.map(|p| p.id.clone()),
        tool_chain: chain,
        created_at: now_secs(),
    }
}

/// Store blobs, then their rows and the event in one transaction; the blobs are removed
/// again when the rows cannot be written.
async fn store_all(
    state: &Shared,
    items: Vec<(FileRecord, Vec<u8>)>,
    ev: Option<Event>,
) -> ApiResult<Vec<FileRecord>> {
    let mut written = Vec::new();
    for (row, data) in &items {
        if let Err(e) = state.library.put(&row.stored_name, data.clone()).await {
            let _ = state.library.delete(written).await;
            return Err(e);
        }
        written.push(row.stored_name.clone());
    }
    let rows: Vec<FileRecord> = items.into_iter().map(|(r, _)| r).collect();
    if let Err(e) = state.store.files().insert(rows.clone(), ev).await {
        let _ = state.library.delete(written).await;
        return Err(e);
    }
    Ok(rows)
}

fn uploaded_event(me: &Principal, rows: &[FileRecord]) -> Event {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    auth::event(
        me,
        "FILE_UPLOADED",
        "file",
        ids.first().copied().unwrap_or(""),
        json!({"userId": me.id, "count": ids.len(), "ids": ids}),
    )
}

async fn visible(state: &Shared, me: &Principal, id: &str) -> ApiResult<FileRecord> {
    state
        .store
        .files()
        .visible(&viewer(me), id)
        .await?
        .ok_or_else(|| ApiError::not_found("File not found"))
}

/// `GET /api/v1/files?search&limit&offset` — latest versions, newest first.
pub async fn list(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let limit: i64 = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(50);
    let offset: i64 = q
        .get("offset")
        .and_then(|o| o.parse().ok())
        .filter(|o| *o >= 0)
        .unwrap_or(0);
    let query = ListQuery {
        search: q.get("search").cloned().unwrap_or_default(),
        limit,
        offset,
    };
    let (rows, total) = state.store.files().list(&viewer(&me), query).await?;
    let files: Vec<Value> = rows.iter().map(FileRecord::json).collect();
    Ok(Json(
        json!({"files": files, "total": total, "limit": limit, "offset": offset}),
    ))
}

/// `POST /api/v1/files/upload`.
pub async fn upload(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    FormOf(form, _): FormOf<Files>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No valid files uploaded"));
    }
    for f in &form.files {
        f.probe(&state)?;
    }
    let items: Vec<(FileRecord, Vec<u8>)> = form
        .files
        .into_iter()
        .map(|f| {
            (
                new_record(me.owner_id(), &f.name, &f.data, None, None),
                f.data,
            )
        })
        .collect();
    let ev = uploaded_event(
        &me,
        &items.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
    );
    let rows = store_all(&state, items, Some(ev)).await?;
    let out: Vec<Value> = rows.iter().map(FileRecord::json).collect();
    Ok((StatusCode::CREATED, Json(json!({"files": out}))))
}

/// `GET /api/v1/files/{id}` — the file and its whole version chain.
pub async fn get(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let row = visible(&state, &me, &id).await?;
    let versions: Vec<Value> = state
        .store
        .files()
        .chain(&id)
        .await?
        .iter()
        .map(FileRecord::json)
        .collect();
    Ok(Json(json!({"file": row.json(), "versions": versions})))
}

/// `GET /api/v1/files/{id}/download`.
pub async fn download(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let row = visible(&state, &me, &id).await?;
    let data = state
        .library
        .get(&row.stored_name)
        .await?
        .ok_or_else(|| ApiError::not_found("File not found"))?;
    Ok(attachment(&row.original_name, &row.mime_type, data))
}

/// `GET /api/v1/files/{id}/thumbnail` — JPEG 300 px wide (never enlarged), cached.
pub async fn thumbnail(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let row = visible(&state, &me, &id).await?;
    let st = state.clone();
    let jpeg = run_blocking(&state, move || {
        let blobs = &st.library;
        let cache = thumb_key(&row.stored_name);
        if let Some(data) = blobs.get_blocking(&cache)? {
            return Ok(data);
        }
        let fail = |_| ApiError::new(422, "unprocessable", "Could not generate thumbnail");
        let src = blobs
            .get_blocking(&row.stored_name)?
            .ok_or_else(|| ApiError::not_found("File not found"))?;
        let ctx = crate::jobs::context(&st, None);
        let img = ctx
            .decode(&src, Some(&row.original_name), Some((300, 1)))
            .map_err(fail)?;
        let jpeg = ashim_core::io::preview(
            img.first(),
            300,
            u32::MAX,
            ashim_core::ImageFormat::Jpeg,
            Some(80),
        )
        .map_err(fail)?;
        let _ = blobs.put_blocking(&cache, &jpeg);
        Ok(jpeg)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "public, max-age=86400, immutable"),
        ],
        jpeg,
    )
        .into_response())
}

/// `DELETE /api/v1/files` with `{ids}` — deletes each visible file's whole chain.
pub async fn delete(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let ids: Vec<String> = match body.get("ids").and_then(Value::as_array) {
        Some(a) if !a.is_empty() && a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => {
            return Err(ApiError::bad_request(
                "ids must be a non-empty array of file ids",
            ));
        }
    };
    let actor = me.clone();
    let deleted = state
        .store
        .files()
        .delete_chains(&viewer(&me), ids, move |ids| {
            auth::event(
                &actor,
                "FILE_DELETED",
                "file",
                ids.first().map(String::as_str).unwrap_or(""),
                json!({"userId": actor.id, "count": ids.len(), "ids": ids}),
            )
        })
        .await?;
    let blobs: Vec<String> = deleted
        .iter()
        .flat_map(|f| [f.stored_name.clone(), thumb_key(&f.stored_name)])
        .collect();
    if let Err(e) = state.library.delete(blobs).await {
        tracing::warn!("library blobs left behind: {}", e.message);
    }
    Ok(Json(json!({"deleted": deleted.len()})))
}

/// `POST /api/v1/files/save-result` — store a processed image as a new version.
pub async fn save_result(
    State(state): State<Shared>,
    Authorized(me): Authorized,
    FormOf(form, _): FormOf<SavedResult>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let parent_id = form.text("parentId").map(str::to_string);
    let tool_id = form.text("toolId").map(str::to_string);
    let Some(file) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No file provided"));
    };
    let Some(parent_id) = parent_id else {
        return Err(ApiError::bad_request("parentId is required"));
    };
    if let Err(e) = ashim_core::io::probe(&file.data, Some(&file.name)) {
        return Err(ApiError::bad_request(format!(
            "Invalid file: {}",
            e.message()
        )));
    }
    let parent = visible(&state, &me, &parent_id)
        .await
        .map_err(|_| ApiError::not_found("Parent file not found"))?;
    let ext = ashim_core::naming::extension(&file.name)
        .or_else(|| ashim_core::naming::extension(&parent.original_name))
        .unwrap_or("");
    let name = format!("{}{ext}", ashim_core::naming::stem(&parent.original_name));
    let row = new_record(
        me.owner_id(),
        &name,
        &file.data,
        Some(&parent),
        tool_id.as_deref(),
    );
    let rows = store_all(&state, vec![(row, file.data)], None).await?;
    Ok((StatusCode::CREATED, Json(json!({"file": rows[0].json()}))))
}

/// Save a tool output as a new version of library file `file_id` (for the `fileId` field).
/// Returns the new id, or `None` when the file is unknown or not visible (silent, as the
/// contract says).
pub async fn save_version(
    state: &Shared,
    me: &Principal,
    file_id: String,
    name: String,
    data: Vec<u8>,
    tool_id: &'static str,
) -> Option<String> {
    let parent = visible(state, me, &file_id).await.ok()?;
    let row = new_record(
        parent.owner_id.clone(),
        &name,
        &data,
        Some(&parent),
        Some(tool_id),
    );
    let rows = store_all(state, vec![(row, data)], None).await.ok()?;
    rows.into_iter().next().map(|r| r.id)
}
