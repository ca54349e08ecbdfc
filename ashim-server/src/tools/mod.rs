//! Tool routes generated from the core registry: `POST /api/v1/tools/{toolId}` (and its
//! sub-routes `parent/path`) here, `/batch` in [`batch`]; what a run produced becomes the
//! answer in [`output`].

pub mod batch;
pub mod output;

use crate::auth::{Caller, json_body};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::form::{Form, Parts, is_multipart};
use crate::jobs::{self, attachment, download_url, write_file};
use crate::state::Shared;
use crate::util::uuid_v4;
use ashim_core::tool::{CancelToken, DynTool, Inputs, PreparedSettings, SlotInputs, ToolMeta};
use ashim_core::{Outcome, registry};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use output::{Produced, finish_single};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The served registry entry `tool_id` (404 when unknown or switched off).
pub(crate) async fn lookup(state: &Shared, tool_id: &str) -> ApiResult<&'static dyn DynTool> {
    let tool = registry::get(tool_id)
        .filter(|t| {
            let meta = t.meta();
            state.tool_enabled(meta.route.map_or(meta.id, |r| r.parent))
        })
        .ok_or_else(|| ApiError::of(Code::UnknownTool, format!("Tool \"{tool_id}\" not found")))?;
    // A model-backed tool without its models answers 501 before its body is read.
    crate::routes::features::gate(state, tool).await?;
    Ok(tool)
}

/// Check the uploads against the slots before any work starts, with the contract's wording
/// for the common cases.
fn check_uploads(meta: &'static ToolMeta, tool_id: &str, form: &Form) -> ApiResult<()> {
    let n = form.positional(meta).count();
    if let Some(slot) = meta.positional() {
        if n == 0 && slot.min > 0 {
            return Err(ApiError::of(Code::InvalidInput, "No image file provided"));
        }
        if slot.max == Some(1) && n > 1 && meta.caps.batch {
            return Err(ApiError::of(
                Code::InvalidInput,
                format!(
                    "This endpoint processes one image at a time. Use /api/v1/tools/{tool_id}/batch for multiple files."
                ),
            ));
        }
        if n < slot.min as usize {
            return Err(ApiError::of(
                Code::InvalidInput,
                format!("At least {} images are required", slot.min),
            ));
        }
    }
    form.slots(meta)
        .check(meta)
        .map_err(|e| ApiError::from(ashim_core::Error::from(e)))
}

/// The text fields and named file parts a tool's form may hold (its `/batch` form when
/// `batch`): the OpenAPI document lists the same.
pub(crate) fn tool_parts(meta: &ToolMeta, batch: bool) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut text = vec!["settings", "clientJobId"];
    if !batch {
        text.extend(["async", "fileId"]);
        text.extend(meta.form_fields.iter().copied());
        if meta.caps.from_job {
            text.extend(["jobId", "filename"]);
        }
    }
    (text, meta.named_slots().map(|s| s.name).collect())
}

/// Copy the settings a tool reads from form fields of their own into the settings object.
fn merge_form_fields(meta: &ToolMeta, settings: &mut Value, fields: &HashMap<String, String>) {
    let Some(obj) = settings.as_object_mut() else {
        return;
    };
    for key in meta.form_fields {
        // A bare form field replaces the same key in `settings` (the contract's "the later of
        // the two wins": fields are read after the settings part here).
        if let Some(raw) = fields.get(*key) {
            let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone()));
            obj.insert((*key).to_string(), value);
        }
    }
}

/// Run a prepared tool on its slot inputs inside a context with the server's limits.
pub(crate) fn run_tool(
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

/// Read a tool request's body: the multipart form, or for a tool that takes a JSON body,
/// the settings object. Returns the settings (with the tool's own form fields merged in)
/// and the form.
async fn read_request(
    state: &Shared,
    meta: &'static ToolMeta,
    req: Request,
) -> ApiResult<(Value, Form)> {
    if meta.caps.json_body && !is_multipart(req.headers()) {
        let body = json_body(req).await?;
        if !body.is_object() {
            return Err(ApiError::of(
                Code::InvalidSettings,
                "Settings must be a JSON object",
            ));
        }
        return Ok(Form::from_json(body));
    }
    let (text, files) = tool_parts(meta, false);
    let parts = Parts {
        text: &text,
        files: &files,
    };
    let mut form: Form = Form::read(req, state, parts).await?;
    let mut settings = form.settings()?;
    merge_form_fields(meta, &mut settings, &form.fields);
    if meta.caps.from_job && form.positional(meta).next().is_none() {
        // An earlier job's result may be named in the settings too (`/effects`, `/generate`).
        let mut job_fields = form.fields.clone();
        for key in ["jobId", "filename"] {
            if let Some(Value::String(v)) = settings.get(key) {
                job_fields
                    .entry(key.to_string())
                    .or_insert_with(|| v.clone());
            }
        }
        if let Some(u) = jobs::earlier_result(state, &job_fields).await? {
            form.files.push(u);
        }
    }
    if meta.takes_no_files() {
        form.files.clear();
    }
    Ok((settings, form))
}

/// The `result` an async job reports on its progress stream; a ZIP is stored in a job
/// folder of its own first.
async fn async_result(state: &Shared, produced: Produced) -> ApiResult<Value> {
    Ok(match produced {
        Produced::Envelope(env, _) | Produced::Json(env) => env,
        Produced::Zip { name, data } => {
            let job = uuid_v4();
            let dir = jobs::job_dir(state, &job);
            let size = data.len();
            let name = jobs::run_blocking(state, move || {
                write_file(&dir, "output", &name, &data).map(|_| name)
            })
            .await?;
            json!({"jobId": job, "downloadUrl": download_url(&job, &name),
                   "originalSize": 0, "processedSize": size})
        }
        Produced::Bytes(f) => {
            json!({"name": f.name, "mimeType": f.mime_type, "size": f.data.len()})
        }
    })
}

/// Run one tool request: parse the form or JSON body, sort files into slots, run
/// synchronously (cancelled when the client goes away) or as an async job.
pub(crate) async fn run_request(
    state: Shared,
    caller: Caller,
    tool_id: String,
    req: Request,
) -> ApiResult<Response> {
    let me = caller.user()?.clone();
    me.require("tools:use")?;
    let tool = lookup(&state, &tool_id).await?;
    let meta = tool.meta();
    let headers = req.headers().clone();
    let (settings, form) = read_request(&state, meta, req).await?;
    let client_id = form.client_job_id()?;
    let is_async = form.wants_async(&headers)?;
    let form_file_id = form.text("fileId").map(str::to_string);
    check_uploads(meta, &tool_id, &form)?;
    let prepared = tool.prepare(&settings)?;
    let job_id = uuid_v4();
    let progress_id = client_id.clone().unwrap_or_else(|| job_id.clone());
    let publish = client_id.is_some() || is_async;
    if publish {
        let queued = json!({"stage": "queued"});
        state.progress.single(&progress_id, "processing", 0, queued);
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
                form.slots(meta),
                publish.then(|| progress_id.clone()),
                cancel,
            );
            if publish
                && let Err(e) = &outcome
                && e.code == Code::Cancelled
            {
                // The handler may be gone (client disconnected): say so on the stream here.
                state.progress.finished(&progress_id, &outcome);
            }
            finish_single(&state, meta, outcome?, &form.files, &job_id)
        }
    };
    if is_async {
        let st = state.clone();
        let pid = progress_id.clone();
        tokio::spawn(async move {
            // Async jobs keep running when their client goes away; a timeout still cancels.
            let result = match jobs::run_cancellable(&st, cancel, false, work).await {
                Ok(p) => async_result(&st, p).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(r) => st
                    .progress
                    .single(&pid, "complete", 100, json!({"result": r})),
                Err(e) => st.progress.finished::<()>(&pid, &Err(e)),
            }
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
        state.progress.finished(&progress_id, &result);
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
