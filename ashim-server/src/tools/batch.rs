//! Many files, one ZIP (api.md §2.11): the fan-out shared by `POST /api/v1/tools/{toolId}/batch`
//! and `POST /api/v1/pipeline/batch`, with its `type: batch` progress events.

use super::output::{dedupe, entry_name, outcome_bytes};
use super::{lookup, run_tool};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Code};
use crate::http::form::{Form, Upload};
use crate::jobs::{attachment, run_blocking, zip_entries};
use crate::state::Shared;
use crate::util::uuid_v4;
use ashim_core::registry;
use ashim_core::tool::CancelToken;
use axum::Extension;
use axum::extract::{Path, Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};

/// The running totals of a batch and the events that report them.
struct Tally {
    job_id: String,
    total: usize,
    done: usize,
    failed: usize,
    errors: Vec<Value>,
}

impl Tally {
    fn event(&self, status: &str, current: Option<&str>) -> Value {
        let mut ev = json!({"jobId": self.job_id, "type": "batch", "status": status,
                            "totalFiles": self.total, "completedFiles": self.done,
                            "failedFiles": self.failed, "errors": self.errors});
        if let Some(c) = current {
            ev["currentFile"] = json!(c);
        }
        ev
    }
}

fn lock(t: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
    t.lock().unwrap_or_else(|p| p.into_inner())
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
    let tally = Arc::new(Mutex::new(Tally {
        job_id: job_id.clone(),
        total,
        done: 0,
        failed: 0,
        errors: Vec::new(),
    }));
    state
        .progress
        .publish(&job_id, lock(&tally).event("processing", None));
    let per_file = Arc::new(per_file);
    let mut handles = Vec::with_capacity(total);
    for (i, up) in uploads.into_iter().enumerate() {
        let st = state.clone();
        let f = per_file.clone();
        let tally = tally.clone();
        let job = job_id.clone();
        handles.push(tokio::spawn(async move {
            let name = up.name.clone();
            let res = run_blocking(&st, move || f(&up)).await;
            let ev = {
                let mut t = lock(&tally);
                t.done += 1;
                if let Err(e) = &res {
                    t.failed += 1;
                    t.errors.push(json!({"filename": name, "error": e.message}));
                }
                t.event("processing", Some(&name))
            };
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
    let (all_failed, last, errors) = {
        let t = lock(&tally);
        let all_failed = t.failed == total;
        let status = if all_failed { "failed" } else { "completed" };
        (all_failed, t.event(status, None), t.errors.clone())
    };
    state.progress.publish(&job_id, last);
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
            ApiError::of(Code::AllFilesFailed, "All files failed processing")
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

/// The uploads a batch fans out over (400 when there are none).
pub fn batch_files(files: Vec<Upload>) -> ApiResult<Vec<Upload>> {
    if files.is_empty() {
        return Err(ApiError::of(Code::InvalidInput, "No image files provided"));
    }
    Ok(files)
}

/// `POST /api/v1/tools/{toolId}/batch`: one run per positional upload, each with the
/// form's named-slot uploads (a watermark, a logo) and the one settings object.
pub async fn run_tool_batch(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(tool_id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    // A tool with a batch route of its own serves it as its `batch` sub-route.
    if registry::get(&format!("{tool_id}/batch")).is_some() {
        return super::run_request(state, caller, format!("{tool_id}/batch"), req).await;
    }
    caller.user()?.require("tools:use")?;
    let tool = lookup(&state, &tool_id).await?;
    let meta = tool.meta();
    if !meta.caps.batch {
        return Err(ApiError::bad_request(format!(
            "Tool \"{tool_id}\" cannot run as a batch"
        )));
    }
    let (text, files) = super::tool_parts(meta, true);
    let parts = crate::http::form::Parts {
        text: &text,
        files: &files,
    };
    let form: Form = Form::read(req, &state, parts).await?;
    let job_id = form.client_job_id()?.unwrap_or_else(uuid_v4);
    let files = batch_files(form.positional(meta).cloned().collect())?;
    let prepared = Arc::new(tool.prepare(&form.settings()?)?);
    let zip_name = format!("batch-{tool_id}-{}.zip", &job_id[..8.min(job_id.len())]);
    let st = state.clone();
    let form = Arc::new(form);
    run_batch(&state, files, job_id, zip_name, move |up| {
        let slots = form.slots_with(meta, up);
        let outcome = run_tool(&st, tool, &prepared, slots, None, CancelToken::new())?;
        let name = entry_name(up, &outcome, Some(meta.id), meta.id);
        Ok((name, outcome_bytes(outcome)?))
    })
    .await
}
