//! Pipeline routes (api.md §2.12) on the core's [`Pipeline`].

use crate::auth::{Caller, json_body};
use crate::error::{ApiError, ApiResult};
use crate::jobs::{self, download_url, run_blocking, write_file};
use crate::multipart;
use crate::state::Shared;
use crate::tools::{client_job_id, fix_extension, run_batch};
use crate::util::{iso8601, now_secs, uuid_v4};
use ashim_core::naming::stem;
use ashim_core::{InputFile, Outcome, Pipeline, registry};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};
use std::sync::Arc;

/// Validate a pipeline JSON value, with the step limit as a 400.
fn build(state: &Shared, def: &Value) -> ApiResult<Pipeline> {
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

fn parse_pipeline_field(raw: Option<&String>) -> ApiResult<Value> {
    let raw = raw
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("No pipeline definition provided"))?;
    serde_json::from_str(raw)
        .map_err(|e| ApiError::bad_request(format!("Pipeline must be valid JSON: {e}")))
}

fn final_name(input: &str, outcome: &Outcome, last_tool: &str) -> String {
    match outcome {
        Outcome::Image { encoded, name, .. } => {
            if stem(name) == stem(input) {
                fix_extension(input, encoded.format)
            } else {
                name.clone()
            }
        }
        Outcome::Files(_) | Outcome::FileSet(_) => format!("{}_{last_tool}.zip", stem(input)),
        Outcome::Json(_) => format!("{}_{last_tool}.json", stem(input)),
        Outcome::Bytes(f) => f.name.clone(),
    }
}

fn outcome_data(outcome: Outcome) -> ApiResult<Vec<u8>> {
    Ok(match outcome {
        Outcome::Image { encoded, .. } => encoded.data,
        Outcome::Files(f) | Outcome::FileSet(f) => {
            jobs::zip_entries(f.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?
        }
        Outcome::Json(v) => serde_json::to_vec_pretty(&v).map_err(ApiError::internal)?,
        Outcome::Bytes(f) => f.data,
    })
}

/// `POST /api/v1/pipeline/execute`.
pub async fn execute(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Json<Value>> {
    caller.user()?.require("tools:use")?;
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
    let client_id = client_job_id(&form.fields)?;
    let Some(upload) = form.files.into_iter().next() else {
        return Err(ApiError::bad_request("No image file provided"));
    };
    let def = parse_pipeline_field(form.fields.get("pipeline"))?;
    let pipeline = build(&state, &def)?;
    let steps = pipeline.normalized_steps();
    let job_id = uuid_v4();
    let st = state.clone();
    let progress = client_id.clone();
    let jid = job_id.clone();
    let result = run_blocking(&state, move || {
        let ctx = jobs::context(&st, progress.map(|p| (st.clone(), p)));
        let original = upload.data.len();
        let outcome = pipeline.run(
            InputFile::new(upload.data.clone(), Some(upload.name.clone())),
            &ctx,
        )?;
        let last = steps
            .last()
            .map(|s| s.tool_id.as_str())
            .unwrap_or("pipeline");
        let name = final_name(&upload.name, &outcome, last);
        let json_result = match &outcome {
            Outcome::Json(v) => Some(v.clone()),
            _ => None,
        };
        let data = outcome_data(outcome)?;
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
        let ev = match &result {
            Ok(_) => json!({"jobId": id, "type": "single", "phase": "complete", "percent": 100}),
            Err(e) => {
                json!({"jobId": id, "type": "single", "phase": "failed", "percent": 0, "error": e.message})
            }
        };
        state.progress.publish(id, ev);
    }
    Ok(Json(result?))
}

/// `POST /api/v1/pipeline/batch`.
pub async fn batch(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<Response> {
    caller.user()?.require("tools:use")?;
    if !multipart::is_multipart(&req) {
        return Err(ApiError::bad_request("Expected a multipart/form-data body"));
    }
    let form = multipart::parse(req, state.cfg.max_file_bytes(), state.cfg.max_batch_size).await?;
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No image files provided"));
    }
    let job_id = client_job_id(&form.fields)?.unwrap_or_else(uuid_v4);
    let def = parse_pipeline_field(form.fields.get("pipeline"))?;
    let pipeline = Arc::new(build(&state, &def)?);
    let last = pipeline
        .normalized_steps()
        .last()
        .map(|s| s.tool_id.clone())
        .unwrap_or_default();
    let zip_name = format!("pipeline-batch-{}.zip", &job_id[..8.min(job_id.len())]);
    let st = state.clone();
    run_batch(&state, form.files, job_id, zip_name, move |up| {
        let ctx = jobs::context(&st, None);
        let outcome = pipeline.run(InputFile::new(up.data.clone(), Some(up.name.clone())), &ctx)?;
        let name = final_name(&up.name, &outcome, &last);
        Ok((name, outcome_data(outcome)?))
    })
    .await
}

/// `POST /api/v1/pipeline/save`.
pub async fn save(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let me = caller.user()?.clone();
    let body = json_body(req).await?;
    let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if (1..=100).contains(&n.chars().count()) => n.to_string(),
        _ => {
            return Err(
                ApiError::bad_request("Invalid pipeline definition").with_details(
                    json!([{"path": "name", "message": "must be a string of 1-100 characters"}]),
                ),
            );
        }
    };
    let description = match body.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if d.chars().count() <= 500 => Some(d.clone()),
        Some(_) => {
            return Err(ApiError::bad_request("Invalid pipeline definition")
                .with_details(json!([{"path": "description", "message": "must be a string of at most 500 characters"}])));
        }
    };
    let pipeline = build(
        &state,
        &json!({"steps": body.get("steps").cloned().unwrap_or(Value::Null)}),
    )?;
    let steps = serde_json::to_value(pipeline.normalized_steps()).map_err(ApiError::internal)?;
    let id = uuid_v4();
    let now = now_secs();
    let owner = (me.id != "anonymous").then(|| me.id.clone());
    let resp = json!({"id": id, "name": name, "description": description, "steps": steps, "createdAt": iso8601(now)});
    state
        .db
        .call(move |c| {
            c.execute(
                "INSERT INTO pipelines (id, user_id, name, description, steps, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, owner, name, description, steps.to_string(), now],
            )?;
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(resp)))
}

/// `GET /api/v1/pipeline/list`.
pub async fn list(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    let all = me.has("pipelines:all");
    state
        .db
        .call(move |c| {
            let mut stmt = c.prepare(
                "SELECT id, name, description, steps, created_at FROM pipelines
                 WHERE ?1 OR user_id IS NULL OR user_id = ?2 ORDER BY created_at DESC, name",
            )?;
            let rows: Vec<Value> = stmt
                .query_map(params![all, me.id], |r| {
                    let steps: String = r.get(3)?;
                    Ok(json!({
                        "id": r.get::<_, String>(0)?,
                        "name": r.get::<_, String>(1)?,
                        "description": r.get::<_, Option<String>>(2)?,
                        "steps": serde_json::from_str::<Value>(&steps).unwrap_or(Value::Array(vec![])),
                        "createdAt": iso8601(r.get(4)?),
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Json(json!({"pipelines": rows})))
        })
        .await
}

/// `DELETE /api/v1/pipeline/{id}`.
pub async fn delete(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = caller.user()?.clone();
    let all = me.has("pipelines:all");
    state
        .db
        .call(move |c| {
            let owner: Option<Option<String>> = c
                .query_row("SELECT user_id FROM pipelines WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })
                .optional()?;
            match owner {
                None => Err(ApiError::not_found("Pipeline not found")),
                Some(Some(o)) if o != me.id && !all => Err(ApiError::new(
                    403,
                    "forbidden",
                    "Not authorized to delete this pipeline",
                )),
                Some(_) => {
                    c.execute("DELETE FROM pipelines WHERE id = ?1", [&id])?;
                    Ok(Json(json!({"ok": true})))
                }
            }
        })
        .await
}

/// `GET /api/v1/pipeline/tools` — registry tools that can be pipeline steps.
pub async fn tools(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    caller.user()?;
    let ids: Vec<&str> = registry::tools()
        .filter(|t| t.meta().pipeline_capable() && state.tool_enabled(t.meta().id))
        .map(|t| t.meta().id)
        .collect();
    Ok(Json(json!({"toolIds": ids})))
}
