//! Tool routes generated from the core registry: `POST /api/v1/tools/{toolId}` and
//! `POST /api/v1/tools/{toolId}/batch`.

use crate::auth::{Caller, json_body};
use crate::error::{ApiError, ApiResult};
use crate::jobs::{
    self, attachment, download_url, run_blocking, write_file, write_preview, zip_entries,
};
use crate::multipart::{self, Form, Upload};
use crate::state::Shared;
use crate::util::{uuid_v4, valid_client_job_id, with_suffix};
use ashim_core::naming::{extension, stem};
use ashim_core::tool::{
    CancelToken, DynTool, Input, Inputs, PreparedSettings, SlotInputs, ToolMeta,
};
use ashim_core::{ImageFormat, InputFile, Outcome, registry};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Parse the `settings` field: absent or empty → `{}`.
pub fn parse_settings(raw: Option<&String>) -> ApiResult<Value> {
    match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(Value::Object(Map::new())),
        Some(s) => serde_json::from_str(s).map_err(|e| {
            ApiError::new(
                400,
                "invalid_settings",
                format!("Settings must be valid JSON: {e}"),
            )
        }),
    }
}

/// The validated `clientJobId`, if given.
pub fn client_job_id(fields: &HashMap<String, String>) -> ApiResult<Option<String>> {
    match fields
        .get("clientJobId")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(id) if valid_client_job_id(id) => Ok(Some(id.to_string())),
        Some(_) => Err(ApiError::bad_request(
            "clientJobId must match [A-Za-z0-9_-]{1,64}",
        )),
    }
}

fn wants_async(fields: &HashMap<String, String>, headers: &HeaderMap) -> bool {
    fields.get("async").is_some_and(|v| v.trim() == "true")
        || headers
            .get("prefer")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("respond-async"))
}

fn lookup(state: &Shared, tool_id: &str) -> ApiResult<&'static dyn DynTool> {
    registry::get(tool_id)
        .filter(|t| {
            let meta = t.meta();
            state.tool_enabled(meta.route.map_or(meta.id, |r| r.parent))
        })
        .ok_or_else(|| ApiError::new(404, "unknown_tool", format!("Tool \"{tool_id}\" not found")))
}

/// Whether an upload fills the tool's positional slot (its part names no named slot).
fn is_positional(meta: &ToolMeta, u: &Upload) -> bool {
    !meta.named_slots().any(|s| s.name == u.part)
}

/// The uploads sorted into the tool's slots.
fn slot_inputs(meta: &'static ToolMeta, uploads: &[Upload]) -> SlotInputs {
    SlotInputs::assign(
        meta,
        uploads.iter().map(|u| {
            (
                u.part.clone(),
                Input::File(InputFile::new(u.data.clone(), Some(u.name.clone()))),
            )
        }),
    )
}

/// Check the uploads against the slots before any work starts, with the contract's wording
/// for the common cases.
fn check_uploads(meta: &'static ToolMeta, tool_id: &str, uploads: &[Upload]) -> ApiResult<()> {
    let n = uploads.iter().filter(|u| is_positional(meta, u)).count();
    if let Some(slot) = meta.positional() {
        if n == 0 && slot.min > 0 {
            return Err(ApiError::bad_request("No image file provided"));
        }
        if slot.max == Some(1) && n > 1 && meta.caps.batch {
            return Err(ApiError::bad_request(format!(
                "This endpoint processes one image at a time. Use /api/v1/tools/{tool_id}/batch for multiple files."
            )));
        }
        if n < slot.min as usize {
            return Err(ApiError::bad_request(format!(
                "At least {} images are required",
                slot.min
            )));
        }
    }
    slot_inputs(meta, uploads)
        .check(meta)
        .map_err(|e| ApiError::from(ashim_core::Error::from(e)))
}

/// Copy the settings a tool reads from form fields of their own into the settings object.
fn merge_form_fields(meta: &ToolMeta, settings: &mut Value, fields: &HashMap<String, String>) {
    let Some(obj) = settings.as_object_mut() else {
        return;
    };
    for key in meta.form_fields {
        if let Some(raw) = fields.get(*key).filter(|_| !obj.contains_key(*key)) {
            let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone()));
            obj.insert((*key).to_string(), value);
        }
    }
}

/// Replace a name's extension when it does not match the output format (`a.jpeg` → `a.jpg`);
/// names without an extension keep none.
pub fn fix_extension(name: &str, format: ImageFormat) -> String {
    match extension(name) {
        Some(ext) if ext[1..].eq_ignore_ascii_case(format.extension()) => name.to_string(),
        Some(_) => format!("{}.{}", stem(name), format.extension()),
        None => name.to_string(),
    }
}

/// Output file name for a one-image tool (tools-essentials 0.7): a tool that kept the
/// name gets `_<toolId>`; one that changed the format on purpose (convert) is renamed; the
/// extension always matches the real format.
pub fn output_name(
    input: &str,
    input_format: Option<ImageFormat>,
    produced: &str,
    out: ImageFormat,
    tool_id: &str,
) -> String {
    let base = if stem(produced) == stem(input) {
        if input_format.is_some_and(|f| f != out) && extension(input).is_some() {
            format!("{}.{}", stem(input), out.extension())
        } else {
            with_suffix(input, tool_id)
        }
    } else {
        produced.to_string()
    };
    fix_extension(&base, out)
}

/// What a finished single run produced.
pub enum Produced {
    /// The envelope, and the output image's name and bytes (written to the workspace).
    Envelope(Value, (String, Vec<u8>)),
    /// A ZIP to send as the body.
    Zip {
        /// Attachment name.
        name: String,
        /// Bytes.
        data: Vec<u8>,
    },
    /// A JSON report.
    Json(Value),
    /// Raw bytes sent as the body.
    Bytes(ashim_core::OutputFile),
}

fn finish_single(
    state: &Shared,
    tool: &'static dyn DynTool,
    outcome: Outcome,
    uploads: &[Upload],
    job_id: &str,
) -> ApiResult<Produced> {
    let meta = tool.meta();
    let original: usize = uploads.iter().map(|u| u.data.len()).sum();
    let dir = jobs::job_dir(state, job_id);
    let main = uploads
        .iter()
        .find(|u| is_positional(meta, u))
        .filter(|_| meta.one_file());
    match outcome {
        Outcome::Image {
            encoded,
            name,
            extra,
        } => {
            let out_name = match main {
                Some(u) => {
                    let fmt = ashim_core::io::detect(&u.data, Some(&u.name)).ok();
                    output_name(&u.name, fmt, &name, encoded.format, meta.id)
                }
                None => name,
            };
            write_file(&dir, "output", &out_name, &encoded.data)?;
            if let Some(u) = main {
                let _ = write_file(&dir, "input", &u.name, &u.data);
            }
            let mut env = json!({
                "jobId": job_id,
                "downloadUrl": download_url(job_id, &out_name),
                "originalSize": original,
                "processedSize": encoded.data.len(),
            });
            if let Some(o) = env.as_object_mut() {
                o.extend(extra);
            }
            if let Some(p) = write_preview(&dir, job_id, &encoded.data, encoded.format) {
                env["previewUrl"] = json!(p);
            }
            Ok(Produced::Envelope(env, (out_name, encoded.data)))
        }
        Outcome::Files(files) => {
            let data = zip_entries(files.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?;
            let name = format!("{}-{}.zip", meta.id, &job_id[..8.min(job_id.len())]);
            Ok(Produced::Zip { name, data })
        }
        Outcome::Json(v) => Ok(Produced::Json(v)),
        Outcome::Bytes(f) => Ok(Produced::Bytes(f)),
        Outcome::FileSet(files) => {
            let mut listed = Vec::with_capacity(files.len());
            for f in &files {
                write_file(&dir, "output", &f.name, &f.data)?;
                listed.push(
                    json!({"name": f.name, "downloadUrl": download_url(job_id, &f.name),
                                   "size": f.data.len(), "mimeType": f.mime_type}),
                );
            }
            let zip = zip_entries(files.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?;
            let zip_name = format!(
                "{}-{}.zip",
                meta.id.replace('/', "-"),
                &job_id[..8.min(job_id.len())]
            );
            write_file(&dir, "output", &zip_name, &zip)?;
            Ok(Produced::Json(json!({
                "jobId": job_id,
                "files": listed,
                "zipUrl": download_url(job_id, &zip_name),
                "originalSize": original,
                "processedSize": zip.len(),
            })))
        }
    }
}

fn run_tool(
    state: &Shared,
    tool: &'static dyn DynTool,
    prepared: &PreparedSettings,
    slots: SlotInputs,
    progress: Option<String>,
    cancel: CancelToken,
) -> ApiResult<Outcome> {
    let ctx = jobs::context(state, progress.map(|id| (state.clone(), id))).with_cancel(cancel);
    let mut inputs = Inputs::from_slots(&ctx, slots);
    let output = tool.run_prepared(prepared, &mut inputs)?;
    Ok(Outcome::from_output(output, &ctx)?)
}

fn single_event(id: &str, phase: &str, extra: Value) -> Value {
    let mut ev = json!({"jobId": id, "type": "single", "phase": phase,
                        "percent": if phase == "complete" { 100 } else { 0 }});
    if let (Some(o), Value::Object(x)) = (ev.as_object_mut(), extra) {
        o.extend(x);
    }
    ev
}

/// `POST /api/v1/tools/{toolId}`.
pub async fn run_single(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(tool_id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    run_request(state, caller, tool_id, req).await
}

/// `POST /api/v1/tools/{toolId}/{sub}`: a sub-route, itself a registry entry.
pub async fn run_sub_route(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((tool_id, sub)): Path<(String, String)>,
    req: Request,
) -> ApiResult<Response> {
    run_request(state, caller, format!("{tool_id}/{sub}"), req).await
}

/// Run one tool request: parse the form or JSON body, sort files into slots, run
/// synchronously (cancelled when the client goes away) or as an async job.
async fn run_request(
    state: Shared,
    caller: Caller,
    tool_id: String,
    req: Request,
) -> ApiResult<Response> {
    let me = caller.user()?.clone();
    me.require("tools:use")?;
    let tool = lookup(&state, &tool_id)?;
    crate::routes::features::gate(&state, tool).await?;
    let meta = tool.meta();
    let headers = req.headers().clone();
    let (settings, form) = if meta.caps.json_body && !multipart::is_multipart(&req) {
        let mut body = json_body(req).await?;
        let mut fields = HashMap::new();
        if let Some(o) = body.as_object_mut() {
            for key in ["clientJobId", "async"] {
                if let Some(v) = o.remove(key) {
                    fields.insert(
                        key.to_string(),
                        v.as_str().map(str::to_string).unwrap_or(v.to_string()),
                    );
                }
            }
        }
        (
            body,
            Form {
                files: Vec::new(),
                fields,
            },
        )
    } else {
        if !multipart::is_multipart(&req) {
            return Err(ApiError::bad_request("Expected a multipart/form-data body"));
        }
        let form =
            multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
        (parse_settings(form.fields.get("settings"))?, form)
    };
    let client_id = client_job_id(&form.fields)?;
    let is_async = wants_async(&form.fields, &headers);
    let form_file_id = form
        .fields
        .get("fileId")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let mut settings = settings;
    merge_form_fields(meta, &mut settings, &form.fields);
    let mut uploads = form.files;
    // An earlier job's result may be named in the settings too (`/effects`, `/generate`).
    let mut job_fields = form.fields.clone();
    for key in ["jobId", "filename"] {
        if let Some(Value::String(v)) = settings.get(key) {
            job_fields
                .entry(key.to_string())
                .or_insert_with(|| v.clone());
        }
    }
    if meta.caps.from_job
        && !uploads.iter().any(|u| is_positional(meta, u))
        && let Some(u) = jobs::earlier_result(&state, &job_fields).await?
    {
        uploads.push(u);
    }
    if meta.takes_no_files() {
        uploads.clear();
    }
    check_uploads(meta, &tool_id, &uploads)?;
    let prepared = tool.prepare(&settings)?;
    let job_id = uuid_v4();
    let progress_id = client_id.clone().unwrap_or_else(|| job_id.clone());
    let publish = client_id.is_some() || is_async;
    if publish {
        state.progress.publish(
            &progress_id,
            single_event(&progress_id, "processing", json!({"stage": "queued"})),
        );
    }
    let cancel = CancelToken::new();
    let work = {
        let state = state.clone();
        let progress_id = progress_id.clone();
        let cancel = cancel.clone();
        move || {
            let outcome = run_tool(
                &state,
                tool,
                &prepared,
                slot_inputs(meta, &uploads),
                publish.then(|| progress_id.clone()),
                cancel,
            );
            if publish
                && let Err(e) = &outcome
                && e.code == crate::error::Code::Cancelled
            {
                // The handler may be gone (client disconnected): say so on the stream here.
                state.progress.publish(
                    &progress_id,
                    single_event(&progress_id, "failed", json!({"error": e.message})),
                );
            }
            finish_single(&state, tool, outcome?, &uploads, &job_id)
        }
    };
    if is_async {
        let st = state.clone();
        let pid = progress_id.clone();
        tokio::spawn(async move {
            // Async jobs keep running when their client goes away; a timeout still cancels.
            let ev = match jobs::run_cancellable(&st, cancel, false, work).await {
                Ok(Produced::Envelope(env, _)) | Ok(Produced::Json(env)) => {
                    single_event(&pid, "complete", json!({"result": env}))
                }
                Ok(Produced::Zip { name, data }) => {
                    let job = uuid_v4();
                    let dir = jobs::job_dir(&st, &job);
                    let size = data.len();
                    match tokio::task::spawn_blocking(move || {
                        write_file(&dir, "output", &name, &data).map(|_| name)
                    })
                    .await
                    {
                        Ok(Ok(name)) => single_event(
                            &pid,
                            "complete",
                            json!({"result": {
                            "jobId": job, "downloadUrl": download_url(&job, &name),
                            "originalSize": 0, "processedSize": size}}),
                        ),
                        _ => single_event(
                            &pid,
                            "failed",
                            json!({"error": "Could not store the result"}),
                        ),
                    }
                }
                Ok(Produced::Bytes(f)) => single_event(
                    &pid,
                    "complete",
                    json!({"result": {"name": f.name, "mimeType": f.mime_type, "size": f.data.len()}}),
                ),
                Err(e) => single_event(&pid, "failed", json!({"error": e.message})),
            };
            st.progress.publish(&pid, ev);
        });
        return Ok((
            StatusCode::ACCEPTED,
            Json(json!({"jobId": progress_id, "async": true})),
        )
            .into_response());
    }
    // A synchronous request: dropping this future (the client went away) cancels the work.
    let result = jobs::run_cancellable(&state, cancel, true, work).await;
    if publish {
        let ev = match &result {
            Ok(_) => single_event(&progress_id, "complete", json!({})),
            Err(e) => single_event(&progress_id, "failed", json!({"error": e.message})),
        };
        state.progress.publish(&progress_id, ev);
    }
    Ok(match result? {
        Produced::Envelope(mut v, (name, data)) => {
            if let Some(file_id) = form_file_id
                && let Some(saved) =
                    crate::files::save_version(&state, &me, file_id, name, data, meta.id).await
            {
                v["savedFileId"] = json!(saved);
            }
            Json(v).into_response()
        }
        Produced::Json(v) => Json(v).into_response(),
        Produced::Zip { name, data } => attachment(&name, "application/zip", data),
        Produced::Bytes(f) => {
            let mut resp = f.data.into_response();
            resp.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(f.mime_type),
            );
            resp
        }
    })
}

/// Name of one batch result inside the ZIP.
fn batch_entry_name(tool_id: &str, upload: &Upload, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Image { encoded, name, .. } => {
            let fmt = ashim_core::io::detect(&upload.data, Some(&upload.name)).ok();
            output_name(&upload.name, fmt, name, encoded.format, tool_id)
        }
        Outcome::Files(_) | Outcome::FileSet(_) => format!("{}_{tool_id}.zip", stem(&upload.name)),
        Outcome::Json(_) => format!("{}_{tool_id}.json", stem(&upload.name)),
        Outcome::Bytes(f) => f.name.clone(),
    }
}

fn outcome_bytes(outcome: Outcome) -> ApiResult<Vec<u8>> {
    Ok(match outcome {
        Outcome::Image { encoded, .. } => encoded.data,
        Outcome::Files(files) | Outcome::FileSet(files) => {
            zip_entries(files.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?
        }
        Outcome::Json(v) => serde_json::to_vec_pretty(&v).map_err(ApiError::internal)?,
        Outcome::Bytes(f) => f.data,
    })
}

/// Make names unique in upload order: `a.png`, `a_1.png`, `a_2.png`.
pub fn dedupe(names: &mut [Option<String>]) {
    let mut seen = std::collections::HashSet::new();
    for n in names.iter_mut().flatten() {
        if seen.insert(n.clone()) {
            continue;
        }
        let mut i = 1;
        loop {
            let cand = with_suffix(n, &i.to_string());
            if seen.insert(cand.clone()) {
                *n = cand;
                break;
            }
            i += 1;
        }
    }
}

/// Run `per_file` over every upload with `CONCURRENT_JOBS` parallelism, publishing batch
/// progress, and answer with the ZIP (api.md §2.11).
pub async fn run_batch<F>(
    state: &Shared,
    uploads: Vec<Upload>,
    job_id: String,
    zip_name: String,
    per_file: F,
) -> ApiResult<Response>
where
    F: Fn(&Upload) -> ApiResult<(String, Vec<u8>)> + Send + Sync + 'static,
{
    let total = uploads.len();
    let status = std::sync::Arc::new(std::sync::Mutex::new((0usize, 0usize, Vec::<Value>::new())));
    let batch_event =
        |st: &str, done: usize, failed: usize, errors: &[Value], current: Option<&str>| {
            let mut ev = json!({"jobId": job_id, "type": "batch", "status": st, "totalFiles": total,
                            "completedFiles": done, "failedFiles": failed, "errors": errors});
            if let Some(c) = current {
                ev["currentFile"] = json!(c);
            }
            ev
        };
    state
        .progress
        .publish(&job_id, batch_event("processing", 0, 0, &[], None));
    let per_file = std::sync::Arc::new(per_file);
    let mut handles = Vec::with_capacity(total);
    for (i, up) in uploads.into_iter().enumerate() {
        let st = state.clone();
        let f = per_file.clone();
        let status = status.clone();
        let job = job_id.clone();
        handles.push(tokio::spawn(async move {
            let name = up.name.clone();
            let res = {
                let up = up.clone();
                run_blocking(&st, move || f(&up)).await
            };
            let mut s = status.lock().unwrap_or_else(|p| p.into_inner());
            s.0 += 1;
            if let Err(e) = &res {
                s.1 += 1;
                s.2.push(json!({"filename": name, "error": e.message}));
            }
            let ev = json!({"jobId": job, "type": "batch", "status": "processing", "totalFiles": total,
                            "completedFiles": s.0, "failedFiles": s.1, "errors": s.2, "currentFile": name});
            drop(s);
            st.progress.publish(&job, ev);
            (i, name, res)
        }));
    }
    type FileResult = (usize, String, ApiResult<(String, Vec<u8>)>);
    let mut results: Vec<FileResult> = Vec::with_capacity(total);
    for h in handles {
        results.push(h.await.map_err(ApiError::internal)?);
    }
    results.sort_by_key(|r| r.0);
    let (done, failed, errors) = status.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let all_failed = failed == total;
    state.progress.publish(
        &job_id,
        batch_event(
            if all_failed { "failed" } else { "completed" },
            done,
            failed,
            &errors,
            None,
        ),
    );
    if all_failed {
        let details: Vec<Value> = results
            .iter()
            .filter_map(|(_, n, r)| {
                r.as_ref()
                    .err()
                    .map(|e| json!({"path": n, "message": e.message}))
            })
            .collect();
        return Err(
            ApiError::new(422, "all_files_failed", "All files failed processing")
                .with_details(json!(details))
                .with_extra("errors", json!(errors)),
        );
    }
    let mut names: Vec<Option<String>> = results
        .iter()
        .map(|(_, _, r)| r.as_ref().ok().map(|(n, _)| n.clone()))
        .collect();
    dedupe(&mut names);
    let mut file_results = Map::new();
    let mut entries = Vec::new();
    for ((i, _, r), n) in results.iter().zip(&names) {
        if let (Ok((_, data)), Some(n)) = (r, n) {
            file_results.insert(i.to_string(), json!(n));
            entries.push((n.as_str(), data.as_slice()));
        }
    }
    let zip = zip_entries(entries)?;
    let mut resp = attachment(&zip_name, "application/zip", zip);
    let h = resp.headers_mut();
    h.insert(
        "x-job-id",
        HeaderValue::from_str(&job_id).map_err(ApiError::internal)?,
    );
    h.insert(
        "x-file-results",
        HeaderValue::from_str(&crate::util::ascii_json(&Value::Object(file_results)))
            .map_err(ApiError::internal)?,
    );
    Ok(resp)
}

/// `POST /api/v1/tools/{toolId}/batch`.
pub async fn run_tool_batch(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(tool_id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    // A tool with a batch route of its own serves it as its `batch` sub-route.
    if registry::get(&format!("{tool_id}/batch")).is_some() {
        return run_request(state, caller, format!("{tool_id}/batch"), req).await;
    }
    caller.user()?.require("tools:use")?;
    let tool = lookup(&state, &tool_id)?;
    crate::routes::features::gate(&state, tool).await?;
    if !tool.meta().caps.batch {
        return Err(ApiError::bad_request(format!(
            "Tool \"{tool_id}\" cannot run as a batch"
        )));
    }
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No image files provided"));
    }
    let job_id = client_job_id(&form.fields)?.unwrap_or_else(uuid_v4);
    let settings = parse_settings(form.fields.get("settings"))?;
    let prepared = std::sync::Arc::new(tool.prepare(&settings)?);
    let zip_name = format!("batch-{tool_id}-{}.zip", &job_id[..8.min(job_id.len())]);
    let st = state.clone();
    run_batch(&state, form.files, job_id, zip_name, move |up| {
        let input = Input::File(InputFile::new(up.data.clone(), Some(up.name.clone())));
        let outcome = run_tool(
            &st,
            tool,
            &prepared,
            SlotInputs::positional([input]),
            None,
            CancelToken::new(),
        )?;
        let name = batch_entry_name(tool.meta().id, up, &outcome);
        Ok((name, outcome_bytes(outcome)?))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_rules() {
        let png = ImageFormat::Png;
        let jpg = ImageFormat::Jpeg;
        assert_eq!(
            output_name("photo.png", Some(png), "photo.png", png, "resize"),
            "photo_resize.png"
        );
        assert_eq!(
            output_name("photo.jpeg", Some(jpg), "photo.jpg", jpg, "resize"),
            "photo_resize.jpg"
        );
        assert_eq!(
            output_name("IMG.JPG", Some(jpg), "IMG.jpg", jpg, "rotate"),
            "IMG_rotate.JPG"
        );
        assert_eq!(
            output_name(
                "photo.png",
                Some(png),
                "photo.webp",
                ImageFormat::Webp,
                "convert"
            ),
            "photo.webp"
        );
        assert_eq!(
            output_name("photo.png", Some(png), "photo.png", png, "convert"),
            "photo_convert.png"
        );
        assert_eq!(
            output_name("x.webp", Some(jpg), "x.jpg", jpg, "resize"),
            "x_resize.jpg"
        );
        assert_eq!(
            output_name("name", Some(png), "name.png", png, "resize"),
            "name_resize"
        );
        assert_eq!(
            output_name(
                "scan.tif",
                Some(ImageFormat::Tiff),
                "scan.tiff",
                ImageFormat::Tiff,
                "rotate"
            ),
            "scan_rotate.tiff"
        );
    }

    #[test]
    fn dedupes_in_order() {
        let mut n = vec![
            Some("a.png".to_string()),
            None,
            Some("a.png".to_string()),
            Some("a.png".to_string()),
        ];
        dedupe(&mut n);
        assert_eq!(
            n,
            vec![
                Some("a.png".into()),
                None,
                Some("a_1.png".into()),
                Some("a_2.png".into())
            ]
        );
    }

    #[test]
    fn settings_field() {
        assert_eq!(parse_settings(None).unwrap(), json!({}));
        assert_eq!(parse_settings(Some(&" ".to_string())).unwrap(), json!({}));
        assert_eq!(
            parse_settings(Some(&"{\"width\":5}".to_string())).unwrap()["width"],
            5
        );
        let e = parse_settings(Some(&"{bad".to_string())).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert!(e.message.contains("JSON"));
    }
}
