//! The persistent, versioned file library (api.md §2.9), stored under `FILES_STORAGE_PATH`.

use crate::auth::{Caller, Principal, json_body};
use crate::error::{ApiError, ApiResult};
use crate::jobs::{attachment, run_blocking};
use crate::multipart;
use crate::state::Shared;
use crate::util::{iso8601, now_secs, uuid_v4};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;

const COLUMNS: &str = "id, owner_id, stored_name, original_name, mime_type, size, width, height, \
                       version, parent_id, tool_chain, created_at";

/// One library row.
#[derive(Debug, Clone)]
pub struct FileRow {
    id: String,
    owner_id: Option<String>,
    stored_name: String,
    original_name: String,
    mime_type: String,
    size: i64,
    width: Option<i64>,
    height: Option<i64>,
    version: i64,
    parent_id: Option<String>,
    tool_chain: Vec<String>,
    created_at: i64,
}

impl FileRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        let chain: String = r.get(10)?;
        Ok(Self {
            id: r.get(0)?,
            owner_id: r.get(1)?,
            stored_name: r.get(2)?,
            original_name: r.get(3)?,
            mime_type: r.get(4)?,
            size: r.get(5)?,
            width: r.get(6)?,
            height: r.get(7)?,
            version: r.get(8)?,
            parent_id: r.get(9)?,
            tool_chain: serde_json::from_str(&chain).unwrap_or_default(),
            created_at: r.get(11)?,
        })
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "originalName": self.original_name,
            "mimeType": self.mime_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
            "version": self.version,
            "parentId": self.parent_id,
            "toolChain": self.tool_chain,
            "createdAt": iso8601(self.created_at),
        })
    }

    fn visible_to(&self, me: &Principal) -> bool {
        me.has("files:all") || self.owner_id.as_deref().is_none_or(|o| o == me.id)
    }
}

fn storage(state: &Shared) -> PathBuf {
    state.cfg.files_storage_path.clone()
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
    const KNOWN: [&str; 12] = [
        "jpg", "jpeg", "png", "webp", "gif", "bmp", "tiff", "tif", "avif", "svg", "pdf", "heic",
    ];
    match ashim_core::naming::extension(name) {
        Some(e) if KNOWN.contains(&e[1..].to_ascii_lowercase().as_str()) => e.to_ascii_lowercase(),
        _ => ".bin".to_string(),
    }
}

/// Store bytes as a new library row (blocking). `parent` makes it the next version.
pub fn store(
    conn: &Connection,
    dir: &std::path::Path,
    owner: Option<&str>,
    name: &str,
    data: &[u8],
    parent: Option<&FileRow>,
    tool_id: Option<&str>,
) -> ApiResult<FileRow> {
    let header = ashim_core::io::probe(data, Some(name)).ok();
    let id = uuid_v4();
    let stored_name = format!("{id}{}", stored_ext(name));
    std::fs::create_dir_all(dir).map_err(ApiError::internal)?;
    std::fs::write(dir.join(&stored_name), data).map_err(ApiError::internal)?;
    let mut chain = parent.map(|p| p.tool_chain.clone()).unwrap_or_default();
    if let Some(t) = tool_id {
        chain.push(t.to_string());
    }
    let row = FileRow {
        id,
        owner_id: owner.map(str::to_string),
        stored_name,
        original_name: name.to_string(),
        mime_type: library_mime(data, name).to_string(),
        size: data.len() as i64,
        width: header.as_ref().map(|h| i64::from(h.width)),
        height: header.as_ref().map(|h| i64::from(h.height)),
        version: parent.map(|p| p.version + 1).unwrap_or(1),
        parent_id: parent.map(|p| p.id.clone()),
        tool_chain: chain,
        created_at: now_secs(),
    };
    conn.execute(
        &format!("INSERT INTO files ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
        params![
            row.id,
            row.owner_id,
            row.stored_name,
            row.original_name,
            row.mime_type,
            row.size,
            row.width,
            row.height,
            row.version,
            row.parent_id,
            json!(row.tool_chain).to_string(),
            row.created_at
        ],
    )?;
    Ok(row)
}

/// A row by id, if it exists.
pub fn get_row(conn: &Connection, id: &str) -> rusqlite::Result<Option<FileRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM files WHERE id = ?1"),
        [id],
        FileRow::from_row,
    )
    .optional()
}

/// The whole version chain of `id`: root ancestor and every descendant, by version.
fn chain(conn: &Connection, id: &str) -> rusqlite::Result<Vec<FileRow>> {
    let root: String = conn.query_row(
        "WITH RECURSIVE up(id, parent_id) AS (
             SELECT id, parent_id FROM files WHERE id = ?1
             UNION ALL SELECT f.id, f.parent_id FROM files f JOIN up ON f.id = up.parent_id)
         SELECT id FROM up WHERE parent_id IS NULL",
        [id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "WITH RECURSIVE down(id) AS (
             SELECT ?1 UNION ALL SELECT f.id FROM files f JOIN down ON f.parent_id = down.id)
         SELECT {COLUMNS} FROM files WHERE id IN (SELECT id FROM down) ORDER BY version, created_at"
    ))?;
    stmt.query_map([root], FileRow::from_row)?.collect()
}

fn visible(conn: &Connection, me: &Principal, id: &str) -> ApiResult<FileRow> {
    match get_row(conn, id)? {
        Some(row) if row.visible_to(me) => Ok(row),
        _ => Err(ApiError::not_found("File not found")),
    }
}

/// `GET /api/v1/files?search&limit&offset` — latest versions, newest first.
pub async fn list(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    let all = me.has("files:all");
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
    let search = format!("%{}%", q.get("search").map(String::as_str).unwrap_or(""));
    state
        .db
        .call(move |c| {
            let filter = "NOT EXISTS (SELECT 1 FROM files k WHERE k.parent_id = files.id)
                          AND (?1 OR owner_id IS NULL OR owner_id = ?2) AND original_name LIKE ?3";
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM files WHERE {filter}"),
                params![all, me.id, search],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM files WHERE {filter} ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5"
            ))?;
            let files: Vec<Value> = stmt
                .query_map(params![all, me.id, search, limit, offset], FileRow::from_row)?
                .map(|r| r.map(|f| f.json()))
                .collect::<rusqlite::Result<_>>()?;
            Ok(Json(json!({"files": files, "total": total, "limit": limit, "offset": offset})))
        })
        .await
}

/// `POST /api/v1/files/upload`.
pub async fn upload(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let me = caller.user()?.clone();
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No valid files uploaded"));
    }
    for f in &form.files {
        if let Err(e) = ashim_core::io::probe(&f.data, Some(&f.name)) {
            let mut err = ApiError::from(e.clone());
            err.message = format!("Invalid file \"{}\": {}", f.name, e.message());
            return Err(err);
        }
    }
    let dir = storage(&state);
    let owner = (me.id != "anonymous").then(|| me.id.clone());
    state
        .db
        .call(move |c| {
            let mut out = Vec::new();
            for f in &form.files {
                out.push(store(c, &dir, owner.as_deref(), &f.name, &f.data, None, None)?.json());
            }
            Ok((StatusCode::CREATED, Json(json!({"files": out}))))
        })
        .await
}

/// `GET /api/v1/files/{id}` — the file and its whole version chain.
pub async fn get(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    state
        .db
        .call(move |c| {
            let row = visible(c, &me, &id)?;
            let versions: Vec<Value> = chain(c, &id)?.iter().map(FileRow::json).collect();
            Ok(Json(json!({"file": row.json(), "versions": versions})))
        })
        .await
}

/// `GET /api/v1/files/{id}/download`.
pub async fn download(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let me = caller.user()?.clone();
    let row = state.db.call(move |c| visible(c, &me, &id)).await?;
    let data = tokio::fs::read(storage(&state).join(&row.stored_name))
        .await
        .map_err(|_| ApiError::not_found("File not found"))?;
    Ok(attachment(&row.original_name, &row.mime_type, data))
}

/// `GET /api/v1/files/{id}/thumbnail` — JPEG 300 px wide (never enlarged), cached.
pub async fn thumbnail(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let me = caller.user()?.clone();
    let row = state.db.call(move |c| visible(c, &me, &id)).await?;
    let dir = storage(&state);
    let st = state.clone();
    let jpeg = run_blocking(&state, move || {
        let cache = dir
            .join(".thumbs")
            .join(format!("{}.thumb.jpg", row.stored_name));
        if let Ok(data) = std::fs::read(&cache) {
            return Ok(data);
        }
        let fail = |_| ApiError::new(422, "unprocessable", "Could not generate thumbnail");
        let src = std::fs::read(dir.join(&row.stored_name))
            .map_err(|_| ApiError::not_found("File not found"))?;
        let ctx = crate::jobs::context(&st, None);
        let img = ctx
            .decode(&src, Some(&row.original_name), Some((300, 1)))
            .map_err(fail)?;
        let first = img.first();
        let jpeg = ashim_core::io::preview(
            first,
            300,
            u32::MAX,
            ashim_core::ImageFormat::Jpeg,
            Some(80),
        )
        .map_err(fail)?;
        let _ = std::fs::create_dir_all(dir.join(".thumbs"));
        let _ = std::fs::write(&cache, &jpeg);
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
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    let body = json_body(req).await?;
    let ids: Vec<String> = match body.get("ids").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => {
            return Err(ApiError::bad_request(
                "ids must be a non-empty array of file ids",
            ));
        }
    };
    let dir = storage(&state);
    state
        .db
        .call(move |c| {
            let mut deleted = 0;
            for id in ids {
                let Ok(row) = visible(c, &me, &id) else {
                    continue;
                };
                for f in chain(c, &row.id)?.into_iter().rev() {
                    let _ = std::fs::remove_file(dir.join(&f.stored_name));
                    let _ = std::fs::remove_file(
                        dir.join(".thumbs")
                            .join(format!("{}.thumb.jpg", f.stored_name)),
                    );
                    deleted += c.execute("DELETE FROM files WHERE id = ?1", [&f.id])?;
                }
            }
            Ok(Json(json!({"deleted": deleted})))
        })
        .await
}

/// `POST /api/v1/files/save-result` — store a processed image as a new version.
pub async fn save_result(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let me = caller.user()?.clone();
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), 1).await?;
    let Some(file) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No file provided"));
    };
    let Some(parent_id) = form
        .fields
        .get("parentId")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    else {
        return Err(ApiError::bad_request("parentId is required"));
    };
    if let Err(e) = ashim_core::io::probe(&file.data, Some(&file.name)) {
        return Err(ApiError::bad_request(format!(
            "Invalid file: {}",
            e.message()
        )));
    }
    let tool_id = form.fields.get("toolId").cloned().filter(|t| !t.is_empty());
    let dir = storage(&state);
    let owner = (me.id != "anonymous").then(|| me.id.clone());
    state
        .db
        .call(move |c| {
            let parent = visible(c, &me, &parent_id)
                .map_err(|_| ApiError::not_found("Parent file not found"))?;
            let ext = ashim_core::naming::extension(&file.name)
                .or_else(|| ashim_core::naming::extension(&parent.original_name))
                .unwrap_or("");
            let name = format!("{}{ext}", ashim_core::naming::stem(&parent.original_name));
            let row = store(
                c,
                &dir,
                owner.as_deref(),
                &name,
                &file.data,
                Some(&parent),
                tool_id.as_deref(),
            )?;
            Ok((StatusCode::CREATED, Json(json!({"file": row.json()}))))
        })
        .await
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
    let dir = storage(state);
    let me = me.clone();
    state
        .db
        .call(move |c| {
            let parent = visible(c, &me, &file_id)?;
            let owner = parent.owner_id.clone();
            Ok(store(
                c,
                &dir,
                owner.as_deref(),
                &name,
                &data,
                Some(&parent),
                Some(tool_id),
            )?
            .id)
        })
        .await
        .ok()
}
