//! `ashim-server` as a library: [`build_app`] gives the whole REST application as an axum
//! [`Router`], so it can be embedded in another program or driven in-process by tests;
//! the `ashim-server` binary (`main.rs`) only parses its arguments, reads the
//! configuration and serves it.

pub mod auth;
pub mod blob;
pub mod config;
pub mod docs;
pub mod error;
pub mod http;
pub mod import;
pub mod jobs;
pub mod pipelines;
pub mod routes;
pub mod state;
pub mod store;
pub mod tools;
pub mod util;
pub mod web;

pub use config::Config;
pub use routes::files;

use crate::state::{AppState, Shared};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// The server version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A started application: its shared state and the router serving it.
pub struct App {
    state: Shared,
}

impl App {
    /// Open the database, migrate, seed the first admin, clean up the workspace left by a
    /// previous run and build the shared state. Nothing is served yet.
    pub async fn new(cfg: Config) -> Result<Self, String> {
        let store = store::Store::open_sqlite(&cfg.db_path)?;
        let fail = |e: error::ApiError| e.message;
        let disabled_tools: std::collections::HashSet<String> = store
            .settings()
            .get("disabledTools")
            .await
            .map_err(fail)?
            .and_then(|(v, _)| serde_json::from_str::<Vec<String>>(&v).ok())
            .unwrap_or_default()
            .into_iter()
            .collect();
        for dir in [&cfg.files_storage_path, &cfg.workspace_path] {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let seeded = store
            .settings()
            .seed(vec![
                ("instance_id".into(), util::uuid_v4()),
                ("defaultTheme".into(), cfg.default_theme.clone()),
                ("defaultLocale".into(), cfg.default_locale.clone()),
            ])
            .await
            .map_err(fail)?;
        let interrupted = store.jobs().fail_interrupted().await.map_err(fail)?;
        let cleanup = store
            .settings()
            .get("startupCleanup")
            .await
            .map_err(fail)?
            .is_none_or(|(v, _)| v.trim() != "false");
        if cleanup {
            let removed = jobs::cleanup_workspace(&cfg.workspace_path, cfg.file_max_age_hours);
            let sessions = store
                .sessions()
                .purge_expired(util::now_secs())
                .await
                .map_err(fail)?;
            tracing::info!(removed, sessions, "startup cleanup");
        }
        tracing::info!(seeded, interrupted, "database ready");
        let env = Arc::new(cfg.tool_env());
        let state = Arc::new(AppState {
            env,
            jobs: Arc::new(tokio::sync::Semaphore::new(cfg.concurrent_jobs)),
            library: blob::Blobs::local(&cfg.files_storage_path),
            workspace: blob::Blobs::local(&cfg.workspace_path),
            cfg,
            store,
            progress: Default::default(),
            rate: Default::default(),
            docs: docs::Docs::build(&disabled_tools),
            disabled_tools,
            started: Instant::now(),
            shutdown: tokio::sync::watch::channel(false).0,
        });
        auth::seed_admin(&state)
            .await
            .map_err(|e| format!("cannot create the first admin: {e}"))?;
        Ok(Self { state })
    }

    /// The router with every route and middleware; also starts the background maintenance
    /// task (workspace cleanup, expired sessions) on the current tokio runtime.
    pub fn router(&self) -> Router {
        tokio::spawn(jobs::maintenance(self.state.clone()));
        routes::router(self.state.clone())
    }

    /// Ask open progress streams to end (call before a graceful shutdown).
    pub fn shutdown(&self) {
        let _ = self.state.shutdown.send(true);
    }
}

/// Build the application for `cfg`: the router to serve (see [`App`] to keep a handle).
pub async fn build_app(cfg: Config) -> Result<Router, String> {
    Ok(App::new(cfg).await?.router())
}

/// The socket address for the configured `HOST` and `PORT`.
pub fn listen_addr(cfg: &Config) -> Result<SocketAddr, String> {
    format!("{}:{}", cfg.host, cfg.port)
        .parse()
        .or_else(|_| format!("[{}]:{}", cfg.host, cfg.port).parse())
        .map_err(|_| {
            format!(
                "HOST/PORT do not form a socket address: {}:{}",
                cfg.host, cfg.port
            )
        })
}

/// Serve `cfg` until SIGINT/SIGTERM. Prints `ashim-server <version> listening on
/// http://<addr>` on stdout once the socket is bound.
pub async fn serve(cfg: Config) -> Result<(), String> {
    let addr = listen_addr(&cfg)?;
    let app = App::new(cfg).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!("ashim-server {VERSION} listening on http://{local}");
    tracing::info!(%local, "listening");
    let router = app
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            app.shutdown();
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
