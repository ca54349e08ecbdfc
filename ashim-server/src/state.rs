//! Shared server state: configuration, store, blobs, job pool, progress streams, rate limits.

use crate::blob::Blobs;
use crate::config::Config;
use crate::docs::Docs;
use crate::store::Store;
use axum::extract::{ConnectInfo, Request};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, broadcast};

/// Everything handlers share.
pub struct AppState {
    /// Configuration.
    pub cfg: Config,
    /// The database, through its repositories.
    pub store: Store,
    /// File-library blobs (`FILES_STORAGE_PATH`).
    pub library: Blobs,
    /// Workspace blobs (`WORKSPACE_PATH`): `<jobId>/{input,output}/<name>`.
    pub workspace: Blobs,
    /// Bounds concurrent image work to `CONCURRENT_JOBS`.
    pub jobs: Arc<Semaphore>,
    /// Progress streams.
    pub progress: ProgressHub,
    /// Per-IP fixed-window rate limits.
    pub rate: RateLimiter,
    /// Generated documentation.
    pub docs: Docs,
    /// What every run's context carries beyond the decode limits (`MAX_CANVAS_PIXELS`, ...).
    pub env: Arc<ashim_core::tool::Env>,
    /// Start time, for uptime.
    pub started: Instant,
    /// Tools switched off by the `disabledTools` setting (read at startup).
    pub disabled_tools: std::collections::HashSet<String>,
    /// Flips to true when the server is shutting down (ends open progress streams).
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// Whether a registry tool is served (not listed in `disabledTools`).
    pub fn tool_enabled(&self, id: &str) -> bool {
        !self.disabled_tools.contains(id)
    }
}

/// `Arc<AppState>`.
pub type Shared = Arc<AppState>;

/// The client address: the first `X-Forwarded-For` entry when trusted, else the socket peer.
pub fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// (bucket, client address).
type WindowKey = (&'static str, String);

/// Fixed one-minute windows per (bucket, client).
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<WindowKey, (u64, u64)>>,
}

impl RateLimiter {
    /// Count one request; false when the client is over `limit` this minute.
    pub fn allow(&self, bucket: &'static str, client: &str, limit: u64) -> bool {
        self.take(bucket, client, limit).is_some()
    }

    /// Count one request: the requests left this minute, or `None` when over `limit`.
    pub fn take(&self, bucket: &'static str, client: &str, limit: u64) -> Option<u64> {
        let minute = crate::util::now_secs() as u64 / 60;
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let e = w.entry((bucket, client.to_string())).or_insert((minute, 0));
        if e.0 != minute {
            *e = (minute, 0);
        }
        e.1 += 1;
        (e.1 <= limit).then(|| limit - e.1)
    }
}

struct Channel {
    last: Option<Value>,
    terminal_at: Option<Instant>,
    tx: broadcast::Sender<Value>,
}

/// Progress events per job id (api.md §2.10): the latest state is replayed to new
/// subscribers; terminal events are kept for 120 s.
#[derive(Default)]
pub struct ProgressHub {
    channels: Mutex<HashMap<String, Channel>>,
}

/// Whether an event ends its stream.
pub fn is_terminal(ev: &Value) -> bool {
    matches!(
        ev.get("status").and_then(Value::as_str),
        Some("completed" | "failed")
    ) || matches!(
        ev.get("phase").and_then(Value::as_str),
        Some("complete" | "failed")
    )
}

const KEEP_TERMINAL: Duration = Duration::from_secs(120);
const MAX_CHANNELS: usize = 10_000;

impl ProgressHub {
    /// Publish an event for `job_id`.
    pub fn publish(&self, job_id: &str, ev: Value) {
        let mut ch = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if ch.len() >= MAX_CHANNELS && !ch.contains_key(job_id) {
            let now = Instant::now();
            ch.retain(|_, c| c.terminal_at.is_none_or(|t| now - t < KEEP_TERMINAL));
        }
        let c = ch.entry(job_id.to_string()).or_insert_with(|| Channel {
            last: None,
            terminal_at: None,
            tx: broadcast::channel(256).0,
        });
        if is_terminal(&ev) {
            c.terminal_at = Some(Instant::now());
        }
        c.last = Some(ev.clone());
        let _ = c.tx.send(ev);
    }

    /// The current state (if any) and a receiver for later events.
    pub fn subscribe(&self, job_id: &str) -> (Option<Value>, broadcast::Receiver<Value>) {
        let mut ch = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let c = ch.entry(job_id.to_string()).or_insert_with(|| Channel {
            last: None,
            terminal_at: None,
            tx: broadcast::channel(256).0,
        });
        (c.last.clone(), c.tx.subscribe())
    }

    /// Publish a `type: single` event (api.md §2.10): `phase` is `processing`, `complete`
    /// or `failed`; the keys of `extra` (`stage`, `error`, `result`...) are added.
    pub fn single(&self, job_id: &str, phase: &str, percent: u32, extra: Value) {
        let mut ev = serde_json::json!({"jobId": job_id, "type": "single", "phase": phase,
                                        "percent": percent});
        if let (Some(o), Value::Object(x)) = (ev.as_object_mut(), extra) {
            o.extend(x);
        }
        self.publish(job_id, ev);
    }

    /// Publish the terminal `single` event of a finished run: `complete`, or `failed` with
    /// the error's message.
    pub fn finished<T>(&self, job_id: &str, result: &crate::error::ApiResult<T>) {
        match result {
            Ok(_) => self.single(job_id, "complete", 100, serde_json::json!({})),
            Err(e) => self.single(job_id, "failed", 0, serde_json::json!({"error": e.message})),
        }
    }

    /// Drop terminal states older than 120 s and idle channels nobody listens to.
    pub fn sweep(&self) {
        let now = Instant::now();
        let mut ch = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        ch.retain(|_, c| match c.terminal_at {
            Some(t) => now - t < KEEP_TERMINAL,
            None => c.last.is_some() || c.tx.receiver_count() > 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rate_limiter_counts_per_client() {
        let r = RateLimiter::default();
        assert!(r.allow("a", "1.2.3.4", 2));
        assert!(r.allow("a", "1.2.3.4", 2));
        assert!(!r.allow("a", "1.2.3.4", 2));
        assert!(r.allow("a", "5.6.7.8", 2));
        assert!(r.allow("b", "1.2.3.4", 2));
    }

    #[test]
    fn hub_replays_last_state() {
        let hub = ProgressHub::default();
        hub.publish("j", json!({"type": "batch", "status": "processing"}));
        let (last, _rx) = hub.subscribe("j");
        assert_eq!(last.unwrap()["status"], "processing");
        hub.publish("j", json!({"type": "batch", "status": "completed"}));
        hub.sweep();
        let (last, _rx) = hub.subscribe("j");
        assert!(is_terminal(&last.unwrap()));
    }
}
