//! AI feature bundles (api.md §2.13, tools-creative-ai §0.2): `GET /api/v1/features`, the
//! admin install / uninstall / disk-usage routes, and the 501 gate of model-backed tools.
//!
//! The truth about files is the model store (`ASHIM_MODELS_DIR`, default
//! `$DATA_DIR/models`); the database keeps what was asked for and how it went (installing
//! with progress, installed with a version, the last error), so every instance sharing the
//! database reports the same state. An instance that shares the database but not the store
//! sees the bundle as installed elsewhere and fetches the files itself on first use. Every
//! install goes through the core installer (`ashim_core::ai::install`), one at a time.

use crate::error::{ApiError, ApiResult, Code};
use crate::http::Authorized;
use crate::state::Shared;
use crate::store::features::BundleRow;
use ashim_core::ai::{self, Bundle};
use ashim_core::tool::{Availability, DynTool};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set while an install (admin route or first-use fetch) runs in this process.
static INSTALLING: AtomicBool = AtomicBool::new(false);

/// A row left `installing` longer than this by a process that died is stale.
const STALE_INSTALL_SECS: i64 = 3600;

/// The model store this server uses: `ASHIM_MODELS_DIR`, else `<DATA_DIR>/models` (the
/// configured `DATA_DIR`, so its `ASHIM_DATA_DIR` alias counts too).
pub fn models_dir(state: &Shared) -> PathBuf {
    store_dir(&state.cfg)
}

/// [`models_dir`] from the configuration alone (the `models` subcommand has no app state).
fn store_dir(cfg: &crate::Config) -> PathBuf {
    std::env::var_os("ASHIM_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| cfg.data_dir.join("models"))
}

/// Point the core at this server's model store (once; later calls find it set).
fn use_store(state: &Shared) {
    let dir = models_dir(state);
    if ai::models_dir() != dir {
        ai::set_models_dir(Some(dir));
    }
}

/// What `installedVersion` says: the registry packages the bundle's models come from.
fn version_of(b: &Bundle) -> String {
    let m = ai::manifest();
    let mut pkgs: Vec<String> = m
        .required_models(b)
        .map(|s| {
            let p = &m.packages[&s.package];
            format!("{}=={}", p.name, p.version)
        })
        .collect();
    pkgs.dedup();
    if pkgs.is_empty() {
        "builtin".into()
    } else {
        pkgs.join(", ")
    }
}

fn unknown(id: &str) -> ApiError {
    ApiError::not_found(format!("Unknown bundle: {id}"))
}

/// The 501 of a tool whose bundle is not installed, with the §0.2 bundle fields.
pub fn not_installed(b: &Bundle, message: &str) -> ApiError {
    let size = ai::store::human_size(ai::manifest().bundle_size(b));
    ApiError::of(Code::FeatureNotInstalled, message)
        .with_extra("feature", json!(b.id))
        .with_extra("featureName", json!(b.name))
        .with_extra("estimatedSize", json!(size))
        .with_extra(
            "install",
            json!(format!(
                "ashim-server models install {} (or POST /api/v1/admin/features/{}/install)",
                b.id, b.id
            )),
        )
}

/// The bundle gate of a tool route, run before the body is read (tools-creative-ai §0.1:
/// "bundle check first"). A tool that reports itself unavailable answers 501 with its
/// bundle's fields; when another instance installed the bundle (the database says so) but
/// this store lacks the files, the install is started here in the background.
pub async fn gate(state: &Shared, tool: &dyn DynTool) -> ApiResult<()> {
    use_store(state);
    let Availability::ModelNotInstalled { hint } = tool.availability() else {
        return Ok(());
    };
    let meta = tool.meta();
    let parent = meta.route.map_or(meta.id, |r| r.parent);
    let Some(b) = ai::manifest().bundle_for_tool(parent) else {
        return Err(ApiError::of(Code::FeatureNotInstalled, hint));
    };
    if !ai::store::bundle_installed(b)
        && let Ok(Some(row)) = state.store.features().get(&b.id).await
        && row.status == "installed"
    {
        let _ = start_install(state, b, false).await;
    }
    Err(not_installed(b, &hint))
}

fn bundle_json(b: &Bundle, row: Option<&BundleRow>) -> Value {
    let st = ai::store::bundle_status(b);
    let now = crate::util::now_secs();
    let installing =
        row.is_some_and(|r| r.status == "installing" && now - r.updated_at < STALE_INSTALL_SECS);
    let (status, error) = if installing {
        ("installing", None)
    } else if st.installed {
        ("installed", None)
    } else {
        match row {
            Some(r) if r.status == "error" => ("error", r.error.clone()),
            _ => ("not_installed", None),
        }
    };
    let progress = installing.then(|| {
        let r = row.expect("installing implies a row");
        json!({"percent": r.percent.unwrap_or(0), "stage": r.stage.clone().unwrap_or_default()})
    });
    let version = (status == "installed").then(|| {
        row.and_then(|r| r.installed_version.clone())
            .unwrap_or_else(|| version_of(b))
    });
    json!({
        "id": b.id,
        "name": b.name,
        "description": b.description,
        "status": status,
        "installedVersion": version,
        "estimatedSize": st.estimated_size,
        "sizeBytes": st.size,
        "enablesTools": b.tools,
        "progress": progress,
        "error": error,
        "models": st.models,
    })
}

/// `GET /api/v1/features`: every bundle with its real installed state.
pub async fn list(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    use_store(&state);
    let rows = state.store.features().all().await?;
    let bundles: Vec<Value> = ai::manifest()
        .bundles
        .iter()
        .map(|b| bundle_json(b, rows.iter().find(|r| r.id == b.id)))
        .collect();
    Ok(Json(json!({"bundles": bundles})))
}

/// Clears [`INSTALLING`] when the install task ends, however it ends.
struct Running;
impl Drop for Running {
    fn drop(&mut self) {
        INSTALLING.store(false, Ordering::SeqCst);
    }
}

fn event(job: &str, phase: &str, percent: i64, extra: Value) -> Value {
    let mut ev = json!({"jobId": job, "type": "single", "phase": phase, "percent": percent});
    if let (Some(o), Value::Object(x)) = (ev.as_object_mut(), extra) {
        o.extend(x);
    }
    ev
}

/// Start installing `b` in the background; the job id, or 409 when one already runs.
async fn start_install(state: &Shared, b: &'static Bundle, check_db: bool) -> ApiResult<String> {
    // Another instance sharing the database is installing it now.
    if check_db
        && let Some(r) = state.store.features().get(&b.id).await?
        && r.status == "installing"
        && crate::util::now_secs() - r.updated_at < STALE_INSTALL_SECS
    {
        return Err(ApiError::conflict(format!(
            "Bundle {} is being installed",
            b.id
        )));
    }
    if INSTALLING
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return Err(ApiError::conflict(
            "Another feature install is running; try again when it has finished",
        ));
    }
    let running = Running;
    let job = crate::util::uuid_v4();
    let job_for_rows = job.clone();
    let row =
        move |status: &str, percent: Option<i64>, stage: Option<String>, error: Option<String>| {
            BundleRow {
                id: b.id.clone(),
                status: status.into(),
                installed_version: (status == "installed").then(|| version_of(b)),
                error,
                percent,
                stage,
                job_id: Some(job_for_rows.clone()),
                updated_at: 0,
            }
        };
    state
        .store
        .features()
        .put(row("installing", Some(0), Some("queued".into()), None))
        .await?;
    state.progress.publish(
        &job,
        event(&job, "processing", 0, json!({"stage": "queued"})),
    );
    let st = state.clone();
    let job_id = job.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, String)>();
    let work = tokio::task::spawn_blocking(move || {
        ai::install(&[b.id.as_str()], &|f, stage| {
            let _ = tx.send(((f * 100.0).round() as i64, stage.to_string()));
        })
    });
    tokio::spawn(async move {
        let _running = running;
        let mut work = work;
        let result = loop {
            tokio::select! {
                Some((pct, stage)) = rx.recv() => {
                    let pct = pct.min(99);
                    st.progress.publish(&job_id, event(&job_id, "processing", pct, json!({"stage": stage})));
                    let _ = st.store.features().put(row("installing", Some(pct), Some(stage), None)).await;
                }
                r = &mut work => break r,
            }
        };
        let outcome = match result {
            Ok(Ok(report)) if ai::store::bundle_installed(b) => Ok(report),
            Ok(Ok(_)) => Err(
                "the installer finished but the bundle's files are not all in the store"
                    .to_string(),
            ),
            Ok(Err(e)) => Err(e.message().to_string()),
            Err(e) => Err(format!("the installer stopped: {e}")),
        };
        match outcome {
            Ok(report) => {
                let _ = st
                    .store
                    .features()
                    .put(row("installed", None, None, None))
                    .await;
                st.progress.publish(
                    &job_id,
                    event(
                        &job_id,
                        "complete",
                        100,
                        json!({"result": {
                        "bundle": b.id, "installed": report.installed, "kept": report.kept,
                        "downloaded": report.downloaded}}),
                    ),
                );
            }
            Err(msg) => {
                tracing::warn!(bundle = %b.id, "feature install failed: {msg}");
                let _ = st
                    .store
                    .features()
                    .put(row("error", None, None, Some(msg.clone())))
                    .await;
                st.progress
                    .publish(&job_id, event(&job_id, "failed", 0, json!({"error": msg})));
            }
        }
    });
    Ok(job)
}

/// `POST /api/v1/admin/features/{bundleId}/install` (`features:manage`): 202 `{jobId}`;
/// progress on `/api/v1/jobs/{jobId}/progress`.
pub async fn install(
    State(state): State<Shared>,
    _: Authorized,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    use_store(&state);
    let b = ai::manifest().bundle(&id).ok_or_else(|| unknown(&id))?;
    if ai::store::bundle_installed(b) {
        return Err(ApiError::conflict(format!(
            "Bundle {id} is already installed"
        )));
    }
    let job = start_install(&state, b, true).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"jobId": job}))).into_response())
}

/// `POST /api/v1/admin/features/{bundleId}/uninstall` (`features:manage`): deletes the
/// bundle's model files that no other installed bundle needs.
pub async fn uninstall(
    State(state): State<Shared>,
    _: Authorized,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    use_store(&state);
    let b = ai::manifest().bundle(&id).ok_or_else(|| unknown(&id))?;
    if ai::manifest().required_models(b).next().is_none() {
        return Err(ApiError::conflict(format!(
            "Bundle {id} needs no model files; there is nothing to uninstall"
        )));
    }
    if !ai::store::bundle_installed(b) {
        return Err(ApiError::conflict(format!("Bundle {id} is not installed")));
    }
    if INSTALLING.load(Ordering::SeqCst) {
        return Err(ApiError::conflict(
            "A feature install is running; try again when it has finished",
        ));
    }
    let bid = b.id.clone();
    let removed = tokio::task::spawn_blocking(move || ai::remove(&[bid.as_str()]))
        .await
        .map_err(ApiError::internal)??;
    state.store.features().delete(&b.id).await?;
    Ok(Json(json!({"ok": true, "removed": removed})))
}

/// `GET /api/v1/admin/features/disk-usage` (`features:manage`): bytes under the model store.
pub async fn disk_usage(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    use_store(&state);
    let total = tokio::task::spawn_blocking(ai::store::disk_usage)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({"totalBytes": total})))
}

/// `ashim-server models install|list|remove [BUNDLE…]`: the core installer from the server
/// binary, on the configured store; installs and removals are recorded in the database so
/// `GET /api/v1/features` of every instance agrees. Returns the exit status.
pub async fn models_command(cfg: &crate::Config, args: &[String]) -> i32 {
    ai::set_models_dir(Some(store_dir(cfg)));
    let action = args.first().map(String::as_str).unwrap_or("list");
    let names: Vec<String> = args.iter().skip(1).cloned().collect();
    let run = {
        let names = names.clone();
        let action = action.to_string();
        move || -> ashim_core::Result<String> {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let text = match action.as_str() {
                "install" => {
                    let r = ai::install(&names, &|f, stage| {
                        eprint!("\r[{:>3.0}%] {stage:<48}", f * 100.0);
                    });
                    eprintln!();
                    serde_json::to_string_pretty(&r?)
                }
                "remove" if names.is_empty() => {
                    return Err(ashim_core::Error::invalid_input(
                        "models remove needs the bundles to remove",
                    ));
                }
                "remove" => serde_json::to_string_pretty(&ai::remove(&names)?),
                "list" => serde_json::to_string_pretty(&ai::list()),
                other => {
                    return Err(ashim_core::Error::invalid_input(format!(
                        "unknown models action {other:?} (install, list, remove)"
                    )));
                }
            };
            text.map_err(|e| ashim_core::Error::internal(e.to_string()))
        }
    };
    let out = match tokio::task::spawn_blocking(run).await {
        Ok(r) => r,
        Err(e) => Err(ashim_core::Error::internal(e.to_string())),
    };
    match out {
        Ok(text) => {
            if let Ok(store) = crate::store::Store::open_sqlite(&cfg.db_path) {
                for b in &ai::manifest().bundles {
                    let row = store.features().get(&b.id).await.ok().flatten();
                    if ai::store::bundle_installed(b) && action == "install" {
                        let _ = store
                            .features()
                            .put(BundleRow {
                                id: b.id.clone(),
                                status: "installed".into(),
                                installed_version: Some(version_of(b)),
                                error: None,
                                percent: None,
                                stage: None,
                                job_id: None,
                                updated_at: 0,
                            })
                            .await;
                    } else if action == "remove" && row.is_some() && names.contains(&b.id) {
                        let _ = store.features().delete(&b.id).await;
                    }
                }
            }
            println!("{text}");
            0
        }
        Err(e) => {
            eprintln!("ashim-server: {}: {}", e.code(), e.message());
            1
        }
    }
}
