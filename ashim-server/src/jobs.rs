//! Running image work: the bounded blocking pool, the per-job workspace, ZIP building,
//! downloads and the progress stream (SSE).

use crate::error::{ApiError, ApiResult};
use crate::http::form::Upload;
use crate::state::{Shared, is_terminal};
use crate::store::jobs::JobStatus;
use crate::util::{is_safe_segment, mime_from_name, percent_encode};
use ashim_core::tool::CancelToken;
use ashim_core::{Context, ImageFormat, Limits};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// Run `f` on the blocking pool, at most `CONCURRENT_JOBS` at once, within
/// `PROCESSING_TIMEOUT_S`. The permit is held until the work really ends.
pub async fn run_blocking<T, F>(state: &Shared, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    run_cancellable(state, CancelToken::new(), false, f).await
}

/// Cancels its token when dropped, unless disarmed: a synchronous request whose client went
/// away is dropped by hyper, and its work stops at the next checkpoint.
struct CancelOnDrop(Option<CancelToken>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.cancel();
        }
    }
}

/// [`run_blocking`] with a cancellation token that the timeout cancels, and that dropping
/// this future cancels too when `cancel_on_drop` (synchronous requests).
pub async fn run_cancellable<T, F>(
    state: &Shared,
    token: CancelToken,
    cancel_on_drop: bool,
    f: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    let mut guard = CancelOnDrop(cancel_on_drop.then(|| token.clone()));
    let permit = state
        .jobs
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    // The jobs table tells a restart which work it interrupted.
    let job = crate::util::uuid_v4();
    let _ = state.store.jobs().start(&job, "work", None).await;
    let handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    });
    let timeout = state.cfg.job_timeout();
    let out = match tokio::time::timeout(timeout, handle).await {
        Err(_) => {
            token.cancel();
            Err(ApiError::new(
                422,
                "processing_timeout",
                format!("Processing took longer than {} s", timeout.as_secs()),
            ))
        }
        Ok(Err(join)) => Err(ApiError::internal(format!("job panicked: {join}"))),
        Ok(Ok(r)) => r,
    };
    guard.0 = None;
    let (status, error) = match &out {
        Ok(_) => (JobStatus::Completed, None),
        Err(e) => (JobStatus::Failed, Some(e.message.clone())),
    };
    let _ = state.store.jobs().finish(&job, status, error).await;
    out
}

/// The file of an earlier job's result named by the form fields `jobId` and `filename`
/// (for tools that work on an earlier result), checked against the workspace.
pub async fn earlier_result(
    state: &Shared,
    fields: &std::collections::HashMap<String, String>,
) -> ApiResult<Option<Upload>> {
    let (Some(job), Some(file)) = (fields.get("jobId"), fields.get("filename")) else {
        return Ok(None);
    };
    if !is_safe_segment(job) || !is_safe_segment(file) {
        return Err(ApiError::new(
            400,
            "invalid_path",
            "Invalid jobId or filename",
        ));
    }
    let path = job_dir(state, job).join("output").join(file);
    match tokio::fs::read(&path).await {
        Ok(data) => Ok(Some(Upload {
            part: "file".into(),
            name: file.clone(),
            data,
        })),
        Err(_) => Err(ApiError::not_found("No such result of an earlier job")),
    }
}

/// The server's decode limits (`MAX_MEGAPIXELS` over the core's defaults).
pub fn limits(state: &Shared) -> Limits {
    let limits = Limits::default();
    if state.cfg.max_megapixels > 0.0 {
        limits.with_max_megapixels(state.cfg.max_megapixels)
    } else {
        limits
    }
}

/// A context with the server's decode limits and environment and an optional progress sink.
pub fn context(state: &Shared, progress: Option<(Shared, String)>) -> Context {
    let ctx = Context::with_limits(limits(state)).with_env(state.env.clone());
    match progress {
        Some((st, id)) => ctx.on_progress(move |fraction, stage| {
            st.progress.single(
                &id,
                "processing",
                (fraction * 100.0).round().clamp(0.0, 99.0) as u32,
                serde_json::json!({"stage": stage}),
            );
        }),
        None => ctx,
    }
}

/// The workspace folder of a job.
pub fn job_dir(state: &Shared, job_id: &str) -> PathBuf {
    state.cfg.workspace_path.join(job_id)
}

/// Write `output/<name>` (or `input/<name>`) of a job (blocking; call inside `run_blocking`).
/// A full disk is 507.
pub fn write_file(dir: &std::path::Path, sub: &str, name: &str, data: &[u8]) -> ApiResult<()> {
    let d = dir.join(sub);
    std::fs::create_dir_all(&d).map_err(|e| ApiError::io("workspace", e))?;
    std::fs::write(d.join(name), data).map_err(|e| ApiError::io("workspace", e))
}

/// The download URL of a job file.
pub fn download_url(job_id: &str, name: &str) -> String {
    format!("/api/v1/download/{job_id}/{}", percent_encode(name))
}

/// Write a `preview.webp` (fits 1200×1200, quality 80) when the output format is not
/// browser-friendly. Returns its URL; failures are silent (no preview).
pub fn write_preview(
    dir: &std::path::Path,
    job_id: &str,
    data: &[u8],
    format: ImageFormat,
) -> Option<String> {
    if format.is_browser_friendly() {
        return None;
    }
    let opts = ashim_core::io::DecodeOptions {
        min_size: Some((1200, 1200)),
        ..Default::default()
    };
    let img = ashim_core::io::decode(data, None, &opts).ok()?;
    let webp =
        ashim_core::io::preview(img.first(), 1200, 1200, ImageFormat::Webp, Some(80)).ok()?;
    write_file(dir, "output", "preview.webp", &webp).ok()?;
    Some(format!("/api/v1/download/{job_id}/preview.webp"))
}

/// Build a ZIP (deflate level 5) from named entries.
pub fn zip_entries<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> ApiResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(5));
    for (name, data) in entries {
        w.start_file(name, opts).map_err(ApiError::internal)?;
        w.write_all(data).map_err(ApiError::internal)?;
    }
    Ok(w.finish().map_err(ApiError::internal)?.into_inner())
}

/// A binary attachment response.
pub fn attachment(name: &str, mime: &str, data: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(data));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        percent_encode(name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// `GET /api/v1/download/{jobId}/{filename}` — public; the job id is the capability.
pub async fn download(
    State(state): State<Shared>,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Response> {
    let Ok(Path((job, file))) = path else {
        return Err(ApiError::new(400, "invalid_path", "Invalid path"));
    };
    if !is_safe_segment(&job) || !is_safe_segment(&file) {
        return Err(ApiError::new(400, "invalid_path", "Invalid path"));
    }
    for sub in ["output", "input"] {
        if let Some(data) = state.workspace.get(&format!("{job}/{sub}/{file}")).await? {
            return Ok(attachment(&file, mime_from_name(&file), data));
        }
    }
    Err(ApiError::not_found("File not found"))
}

/// `GET /api/v1/jobs/{jobId}/progress` — Server-Sent Events, one `data:` line per event;
/// the stream ends after a terminal event.
pub async fn progress(State(state): State<Shared>, Path(job): Path<String>) -> Response {
    let (last, mut rx) = state.progress.subscribe(&job);
    let mut shutdown = state.shutdown.subscribe();
    let stream = async_stream(last, move |tx| async move {
        loop {
            let next = tokio::select! {
                ev = rx.recv() => ev,
                _ = tx.closed() => break,
                _ = shutdown.changed() => break,
            };
            match next {
                Ok(ev) => {
                    let end = is_terminal(&ev);
                    if tx.send(ev).await.is_err() || end {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

/// An SSE byte stream: the replayed state first (ending at once when it is terminal), then
/// whatever `pump` forwards.
fn async_stream<F, Fut>(
    last: Option<Value>,
    pump: F,
) -> impl futures_util::Stream<Item = Result<String, std::convert::Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Value>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Value>(64);
    let done = last.as_ref().is_some_and(is_terminal);
    if let Some(ev) = last {
        let _ = tx.try_send(ev);
    }
    if !done {
        tokio::spawn(pump(tx));
    }
    futures_util::stream::unfold(rx, |mut rx| async move {
        let ev = rx.recv().await?;
        Some((Ok(format!("data: {ev}\n\n")), rx))
    })
}

/// Delete job folders older than `FILE_MAX_AGE_HOURS`; returns how many were removed.
pub fn cleanup_workspace(root: &std::path::Path, max_age_hours: f64) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    let max_age = std::time::Duration::try_from_secs_f64(max_age_hours * 3600.0)
        .unwrap_or(std::time::Duration::MAX);
    let now = SystemTime::now();
    let mut removed = 0;
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > max_age);
        if old && std::fs::remove_dir_all(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Background maintenance: workspace cleanup, expired sessions, stale progress state.
pub async fn maintenance(state: Arc<crate::state::AppState>) {
    let every = std::time::Duration::from_secs(60);
    let mut last_cleanup = std::time::Instant::now();
    loop {
        tokio::time::sleep(every).await;
        state.progress.sweep();
        let period = std::time::Duration::from_secs(
            state.cfg.cleanup_interval_minutes.clamp(1, 1 << 32) * 60,
        );
        if last_cleanup.elapsed() >= period {
            last_cleanup = std::time::Instant::now();
            let root = state.cfg.workspace_path.clone();
            let setting: Option<f64> = state
                .store
                .settings()
                .get("tempFileMaxAgeHours")
                .await
                .ok()
                .flatten()
                .and_then(|(v, _)| v.trim().parse().ok())
                .filter(|h: &f64| h.is_finite() && *h >= 0.0);
            let hours = setting.unwrap_or(state.cfg.file_max_age_hours);
            let _ = tokio::task::spawn_blocking(move || cleanup_workspace(&root, hours)).await;
            let now = crate::util::now_secs();
            let _ = state.store.sessions().purge_expired(now).await;
            let _ = state.store.jobs().purge_finished(now - 7 * 24 * 3600).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_removes_only_old_job_folders() {
        let root = std::env::temp_dir().join(format!("ashim-cleanup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("old/output")).unwrap();
        std::fs::create_dir_all(root.join("new/output")).unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(5 * 3600);
        std::fs::File::open(root.join("old"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(cleanup_workspace(&root, 2.0), 1);
        assert!(!root.join("old").exists());
        assert!(root.join("new").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn zip_round_trip_names() {
        let z = zip_entries([("a.png", b"1".as_slice()), ("b.png", b"22".as_slice())]).unwrap();
        let mut ar = zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        assert_eq!(ar.len(), 2);
        assert_eq!(ar.by_index(1).unwrap().size(), 2);
        assert_eq!(download_url("j", "a b.png"), "/api/v1/download/j/a%20b.png");
    }
}
