//! Pipeline routes (api.md §2.12) on the core's [`Pipeline`].

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http::form::{FormOf, PipelineRun};
use crate::jobs::{self, download_url, run_blocking, write_file};
use crate::state::Shared;
use crate::tools::batch::{batch_files, run_batch};
use crate::tools::output::{entry_name, outcome_bytes};
use crate::util::uuid_v4;
use ashim_core::{Outcome, Pipeline};
use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::{Value, json};
use std::sync::Arc;

/// Validate a pipeline JSON value, with the step limit as a 400.
pub fn build(state: &Shared, def: &Value) -> ApiResult<Pipeline> {
    let max = state.cfg.max_pipeline_steps;
    if let Some(steps) = def.get("steps").and_then(Value::as_array)
        && max > 0
        && steps.len() > max
    {
        return Err(ApiError::new(
            400,
            "too_many_steps",
            format!(
                "Pipeline has {} steps; the limit is {max} (MAX_PIPELINE_STEPS)",
                steps.len()
            ),
        ));
    }
    if let Some(steps) = def.get("steps").and_then(Value::as_array) {
        for (i, step) in steps.iter().enumerate() {
            if let Some(id) = step.get("toolId").and_then(Value::as_str)
                && !state.tool_enabled(id)
            {
                return Err(ApiError::bad_request(format!(
                    "Step {} ({id}): Tool not found or not available",
                    i + 1
                )));
            }
        }
    }
    Ok(Pipeline::from_json(def, max)?)
}

/// The `pipeline` field as a JSON value (400 when absent or not JSON).
fn pipeline_field(form: &crate::http::form::Form) -> ApiResult<Value> {
    let raw = form
        .text("pipeline")
        .ok_or_else(|| ApiError::bad_request("No pipeline definition provided"))?;
    let mut v: Value = serde_json::from_str(raw)
        .map_err(|e| ApiError::bad_request(format!("Pipeline must be valid JSON: {e}")))?;
    crate::util::integral_numbers(&mut v);
    Ok(v)
}

/// `POST /api/v1/pipeline/execute`.
pub async fn execute(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    FormOf(form, _): FormOf<PipelineRun>,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("tools:use")?;
    let client_id = form.client_job_id()?;
    let def = pipeline_field(&form);
    let Some(upload) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No image file provided"));
    };
    let def = def?;
    let pipeline = build(&state, &def)?;
    let steps = pipeline.normalized_steps();
    let step_ids: Vec<String> = steps.iter().map(|s| s.tool_id.clone()).collect();
    let job_id = uuid_v4();
    let st = state.clone();
    let progress = client_id.clone();
    let jid = job_id.clone();
    let result = run_blocking(&state, move || {
        let ctx = jobs::context(&st, progress.map(|p| (st.clone(), p)));
        let original = upload.data.len();
        let outcome = pipeline.run(upload.file(), &ctx)?;
        let last = steps
            .last()
            .map(|s| s.tool_id.as_str())
            .unwrap_or("pipeline");
        let name = entry_name(&upload, &outcome, None, last);
        let json_result = match &outcome {
            Outcome::Json(v) => Some(v.clone()),
            _ => None,
        };
        let data = outcome_bytes(outcome)?;
        let dir = jobs::job_dir(&st, &jid);
        write_file(&dir, "output", &name, &data)?;
        let _ = write_file(&dir, "input", &upload.name, &upload.data);
        let n = steps.len();
        let step_list: Vec<Value> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut v = json!({"step": i + 1, "toolId": s.tool_id});
                if i + 1 == n {
                    v["size"] = json!(data.len());
                }
                v
            })
            .collect();
        let mut env = json!({
            "jobId": jid,
            "downloadUrl": download_url(&jid, &name),
            "originalSize": original,
            "processedSize": data.len(),
            "stepsCompleted": n,
            "steps": step_list,
        });
        if let Some(v) = json_result {
            env["result"] = v;
        }
        Ok(env)
    })
    .await;
    if let Some(id) = &client_id {
        state.progress.finished(id, &result);
    }
    Ok(Json(
        result.map_err(|e| with_completed_steps(e, &step_ids))?,
    ))
}

/// A failing step's error (`Step <n> (<toolId>): ...`) with `completedSteps`: the steps
/// before it (api.md §2.12). Sizes are absent: steps hand images over in memory, unencoded.
fn with_completed_steps(e: ApiError, step_ids: &[String]) -> ApiError {
    let failed: Option<usize> = e
        .message
        .strip_prefix("Step ")
        .and_then(|rest| rest.split_once(' '))
        .and_then(|(n, _)| n.parse().ok());
    match failed {
        Some(n) if n >= 1 && n <= step_ids.len() => {
            let done: Vec<Value> = step_ids[..n - 1]
                .iter()
                .enumerate()
                .map(|(i, id)| json!({"step": i + 1, "toolId": id}))
                .collect();
            e.with_extra("completedSteps", Value::Array(done))
        }
        _ => e,
    }
}

/// `POST /api/v1/pipeline/batch`.
pub async fn batch(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    FormOf(form, _): FormOf<PipelineRun>,
) -> ApiResult<Response> {
    caller.user()?.require("tools:use")?;
    let job_id = form.client_job_id()?.unwrap_or_else(uuid_v4);
    let def = pipeline_field(&form);
    let files = batch_files(form.files)?;
    let def = def?;
    let pipeline = Arc::new(build(&state, &def)?);
    let last = pipeline
        .normalized_steps()
        .last()
        .map(|s| s.tool_id.clone())
        .unwrap_or_default();
    let zip_name = format!("pipeline-batch-{}.zip", &job_id[..8.min(job_id.len())]);
    let st = state.clone();
    run_batch(&state, files, job_id, zip_name, move |up| {
        let ctx = jobs::context(&st, None);
        let outcome = pipeline.run(up.file(), &ctx)?;
        let name = entry_name(up, &outcome, None, &last);
        Ok((name, outcome_bytes(outcome)?))
    })
    .await
}
