//! The per-run context: limits, environment, progress, cancellation and counters.

use crate::error::{Error, ErrorKind, Result};
use crate::image::Image;
use crate::io::{self, DecodeOptions, Limits};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Progress report: fraction done 0–1 and a short stage name.
pub type ProgressFn = dyn Fn(f32, &str) + Send + Sync;

/// A shared flag that asks a run to stop. Cloning gives another handle to the same flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh token, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask every run holding this token to stop at its next checkpoint.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Configuration set by whoever runs a tool (server, bindings, CLI), beyond the decode limits.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Env {
    /// Where model files live (`ASHIM_MODELS_DIR`); `None` means the default under `DATA_DIR`.
    pub models_dir: Option<PathBuf>,
    /// Whether a GPU execution provider may be tried (`ASHIM_GPU`).
    pub gpu: bool,
    /// Largest canvas a tool may create, in pixels (`MAX_CANVAS_PIXELS`); `None` = no limit.
    pub max_canvas_pixels: Option<u64>,
}

/// Per-run context: limits, environment, progress callback, cancellation and counters.
#[derive(Default)]
pub struct Context {
    /// Decode limits.
    pub limits: Limits,
    /// Environment: model store, feature switches, creation limits.
    pub env: Arc<Env>,
    cancel: CancelToken,
    decodes: AtomicUsize,
    encodes: AtomicUsize,
    progress: Option<Arc<ProgressFn>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("limits", &self.limits)
            .field("env", &self.env)
            .field("cancelled", &self.cancel.is_cancelled())
            .field("decodes", &self.decodes())
            .field("encodes", &self.encodes())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A context with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Use this environment.
    pub fn with_env(mut self, env: Arc<Env>) -> Self {
        self.env = env;
        self
    }

    /// Stop when `token` is cancelled.
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// A handle to this run's cancellation flag.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// `Err(cancelled)` once the run was asked to stop. Long loops call this per row, tile
    /// or frame.
    pub fn checkpoint(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(Error::new(
                ErrorKind::Cancelled,
                "The operation was cancelled",
            ))
        } else {
            Ok(())
        }
    }

    /// Attach a progress callback.
    pub fn on_progress(mut self, f: impl Fn(f32, &str) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Report progress (no-op without a callback).
    pub fn progress(&self, fraction: f32, stage: &str) {
        if let Some(p) = &self.progress {
            p(fraction.clamp(0.0, 1.0), stage);
        }
    }

    /// Images decoded through this context so far.
    pub fn decodes(&self) -> usize {
        self.decodes.load(Ordering::Relaxed)
    }

    /// Images encoded through this context so far.
    pub fn encodes(&self) -> usize {
        self.encodes.load(Ordering::Relaxed)
    }

    /// Decode, counting it.
    pub fn decode(
        &self,
        bytes: &[u8],
        name: Option<&str>,
        min_size: Option<(u32, u32)>,
    ) -> Result<Image> {
        self.checkpoint()?;
        self.decodes.fetch_add(1, Ordering::Relaxed);
        io::decode(
            bytes,
            name,
            &DecodeOptions {
                limits: self.limits,
                min_size,
            },
        )
    }

    /// Refuse an output canvas of `width`×`height` over `MAX_CANVAS_PIXELS`
    /// ([`Env::max_canvas_pixels`]): [`ErrorKind::Unprocessable`] (422) with the figures,
    /// `Canvas too large: <W>x<H> (<MP>MP exceeds <limit>MP limit)`. Tools that size a new
    /// canvas call it before allocating; every encode through [`Context::encode`] checks it.
    pub fn check_canvas(&self, width: u32, height: u32) -> Result<()> {
        let Some(limit) = self.env.max_canvas_pixels.filter(|l| *l > 0) else {
            return Ok(());
        };
        let pixels = u64::from(width) * u64::from(height);
        if pixels > limit {
            return Err(Error::new(
                ErrorKind::Unprocessable,
                format!(
                    "Canvas too large: {width}x{height} ({:.1}MP exceeds {:.1}MP limit)",
                    pixels as f64 / 1e6,
                    limit as f64 / 1e6
                ),
            ));
        }
        Ok(())
    }

    /// Encode, counting it; an image over the canvas limit is refused first
    /// ([`Context::check_canvas`]).
    pub fn encode(&self, image: &Image) -> Result<io::Encoded> {
        self.checkpoint()?;
        self.check_canvas(image.width(), image.height())?;
        self.encodes.fetch_add(1, Ordering::Relaxed);
        io::encode(image)
    }

    /// Count an encode done by a tool itself (tiles, previews).
    pub fn count_encode(&self) {
        self.encodes.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_limit_names_the_figures() {
        let env = Env {
            max_canvas_pixels: Some(1_000_000),
            ..Env::default()
        };
        let ctx = Context::default().with_env(Arc::new(env));
        assert!(ctx.check_canvas(1000, 1000).is_ok());
        let e = ctx.check_canvas(2000, 1000).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unprocessable);
        assert_eq!(
            e.message(),
            "Canvas too large: 2000x1000 (2.0MP exceeds 1.0MP limit)"
        );
        assert!(Context::default().check_canvas(100_000, 100_000).is_ok());
    }
}
