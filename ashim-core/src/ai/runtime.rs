//! ONNX Runtime: finding the library, one shared environment, and sessions loaded lazily,
//! shared between runs and bounded in number.
//!
//! Library lookup, in order: `ORT_DYLIB_PATH`; the model store's `onnxruntime/` folder
//! (written by the installer); the `onnxruntime` Python package (`python3 -c "import
//! onnxruntime"`). None found = [`RuntimeStatus::NotInstalled`], which tools report as
//! `model_not_installed` (501); `ort::init_from` is used so a bad library is an error, never
//! a panic.
//!
//! Threads: each session gets `ASHIM_AI_THREADS` intra-op threads (default: the machine's
//! cores divided by `ASHIM_JOBS`, at least 1) and one inter-op thread. Sessions: at most
//! `ASHIM_AI_SESSIONS` (default 8) stay loaded; the least recently used is dropped first.
//! GPU: `ASHIM_GPU` unset, `false`, `0` or `no` = CPU; anything else asks for a GPU provider
//! where the build and the installed library have one, and falls back to CPU with a note in
//! [`gpu_status`].

use super::manifest::{ModelSpec, manifest};
use super::store;
use super::tensor::Tensor;
use crate::error::{Error, ErrorKind, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Whether ONNX Runtime could be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum RuntimeStatus {
    /// Loaded from this library file.
    Ready {
        /// The library.
        library: String,
    },
    /// Not found or not loadable; the reason says what was tried.
    NotInstalled {
        /// What was tried and how to fix it.
        reason: String,
    },
}

/// What `ASHIM_GPU` asked for and what the runtime does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GpuStatus {
    /// `ASHIM_GPU` asked for a GPU.
    pub requested: bool,
    /// A GPU execution provider is registered on new sessions.
    pub active: bool,
    /// Provider name when active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Why the CPU is used although a GPU was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// `ASHIM_GPU` parsed: unset, empty, `false`, `0`, `no`, `off` = CPU.
pub fn gpu_requested() -> bool {
    match std::env::var("ASHIM_GPU") {
        Ok(v) => !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "false" | "0" | "no" | "off"
        ),
        Err(_) => false,
    }
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&n| n > 0)
}

/// Intra-op threads per session.
pub fn intra_threads() -> usize {
    env_usize("ASHIM_AI_THREADS").unwrap_or_else(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        (cores / env_usize("ASHIM_JOBS").unwrap_or(1)).max(1)
    })
}

/// Candidate library paths, in lookup order, each with where it came from.
pub fn library_candidates() -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        out.push((PathBuf::from(p), "ORT_DYLIB_PATH"));
    }
    let in_store = store::models_dir().join(&manifest().runtime.file);
    if in_store.is_file() {
        out.push((in_store, "model store"));
    }
    if let Some(p) = python_lookup() {
        out.push((p, "onnxruntime Python package"));
    }
    out
}

fn python_lookup() -> Option<PathBuf> {
    let py = std::env::var("ASHIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(py)
        .args([
            "-c",
            "import onnxruntime,pathlib;p=pathlib.Path(onnxruntime.__file__).parent/'capi';\
             print(next(iter(sorted(p.glob('libonnxruntime.so.*'))+sorted(p.glob('libonnxruntime*.dylib'))+sorted(p.glob('onnxruntime.dll')))))",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.is_file().then_some(p)
}

#[cfg(feature = "ai")]
mod imp {
    use super::*;
    use ort::session::Session;
    use ort::session::builder::GraphOptimizationLevel;
    use std::collections::BTreeMap;

    pub(super) struct State {
        pub env: Option<(ort::environment::Environment, String)>,
        pub failure: Option<String>,
        pub sessions: BTreeMap<String, (Arc<super::Model>, u64)>,
        pub tick: u64,
        pub gpu: GpuStatus,
    }

    pub(super) static STATE: Mutex<State> = Mutex::new(State {
        env: None,
        failure: None,
        sessions: BTreeMap::new(),
        tick: 0,
        gpu: GpuStatus {
            requested: false,
            active: false,
            provider: None,
            fallback: None,
        },
    });

    pub(super) fn ensure_env(st: &mut State) -> std::result::Result<(), String> {
        if st.env.is_some() {
            return Ok(());
        }
        if let Some(f) = &st.failure {
            return Err(f.clone());
        }
        let mut tried = Vec::new();
        for (path, origin) in library_candidates() {
            match ort::init_from(&path) {
                Ok(builder) => match builder.with_name("ashim").with_telemetry(false).build() {
                    Ok(env) => {
                        st.env = Some((env, path.display().to_string()));
                        st.gpu = gpu_setup();
                        return Ok(());
                    }
                    Err(e) => tried.push(format!("{} ({origin}): {e}", path.display())),
                },
                Err(e) => tried.push(format!("{} ({origin}): {e}", path.display())),
            }
        }
        let reason = if tried.is_empty() {
            "ONNX Runtime is not installed: set ORT_DYLIB_PATH, run `ashim-server models install`, \
             or `pip install onnxruntime==1.32.0`"
                .to_string()
        } else {
            format!("ONNX Runtime could not be loaded: {}", tried.join("; "))
        };
        st.failure = Some(reason.clone());
        Err(reason)
    }

    fn gpu_setup() -> GpuStatus {
        let requested = gpu_requested();
        GpuStatus {
            requested,
            active: false,
            provider: None,
            fallback: requested.then(|| {
                "this build registers only the CPU execution provider (the onnxruntime wheel \
                 from PyPI is CPU-only); running on CPU"
                    .to_string()
            }),
        }
    }

    pub(super) fn load(st: &State, spec: &ModelSpec, path: &Path) -> Result<Session> {
        let (env, _) = st.env.as_ref().ok_or_else(|| Error::internal("no env"))?;
        let fail = |e: String| {
            Error::new(
                ErrorKind::ModelNotInstalled,
                format!(
                    "Model {} ({}) could not be loaded: {e}. Reinstall it with `ashim-server models install`",
                    spec.id,
                    path.display()
                ),
            )
        };
        Session::builder(env)
            .map_err(|e| fail(e.to_string()))?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| fail(e.to_string()))?
            .with_intra_threads(intra_threads())
            .map_err(|e| fail(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| fail(e.to_string()))?
            .commit_from_file(path)
            .map_err(|e| fail(e.to_string()))
    }

    pub(super) fn run(
        session: &mut Session,
        id: &str,
        inputs: Vec<(&str, Tensor)>,
    ) -> Result<Vec<(String, Tensor)>> {
        let fail = |e: String| Error::internal(format!("model {id} failed: {e}"));
        let mut values = Vec::with_capacity(inputs.len());
        for (name, t) in inputs {
            let shape: Vec<i64> = t.shape.iter().map(|&d| d as i64).collect();
            let v =
                ort::value::Tensor::from_array((shape, t.data)).map_err(|e| fail(e.to_string()))?;
            values.push((name.to_string(), ort::session::SessionInputValue::from(v)));
        }
        let outputs = session.run(values).map_err(|e| fail(e.to_string()))?;
        let mut res = Vec::new();
        for (name, v) in outputs.iter() {
            let (shape, data) = v
                .try_extract_tensor::<f32>()
                .map_err(|e| fail(e.to_string()))?;
            res.push((
                name.to_string(),
                Tensor {
                    shape: shape.iter().map(|&d| d.max(0) as usize).collect(),
                    data: data.to_vec(),
                },
            ));
        }
        Ok(res)
    }

    pub(super) fn metadata(session: &Session, key: &str) -> Option<String> {
        session.metadata().ok()?.custom(key)
    }

    pub(super) type Inner = Session;
}

#[cfg(not(feature = "ai"))]
mod imp {
    pub(super) type Inner = ();
}

/// A loaded model: one ONNX Runtime session, shared by every run (runs are serialised per
/// model; ONNX Runtime parallelises inside a run).
pub struct Model {
    id: String,
    #[cfg_attr(not(feature = "ai"), allow(dead_code))]
    session: Mutex<imp::Inner>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// The model id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Run the model on named f32 inputs; returns every output, in the model's order.
    #[cfg(feature = "ai")]
    pub fn run(&self, inputs: Vec<(&str, Tensor)>) -> Result<Vec<(String, Tensor)>> {
        let mut s = self
            .session
            .lock()
            .map_err(|_| Error::internal("model session poisoned"))?;
        imp::run(&mut s, &self.id, inputs)
    }

    /// Run the model (this build has no ONNX Runtime support).
    #[cfg(not(feature = "ai"))]
    pub fn run(&self, _inputs: Vec<(&str, Tensor)>) -> Result<Vec<(String, Tensor)>> {
        Err(not_built())
    }

    /// A custom metadata value of the model (PP-OCR keeps its dictionary there).
    #[cfg(feature = "ai")]
    pub fn metadata(&self, key: &str) -> Option<String> {
        imp::metadata(&*self.session.lock().ok()?, key)
    }

    /// A custom metadata value (this build has no ONNX Runtime support).
    #[cfg(not(feature = "ai"))]
    pub fn metadata(&self, _key: &str) -> Option<String> {
        None
    }

    /// Run and return the output called `name` (or the first output when `name` is empty).
    pub fn run_one(&self, inputs: Vec<(&str, Tensor)>, name: &str) -> Result<Tensor> {
        let outs = self.run(inputs)?;
        let found = if name.is_empty() {
            outs.into_iter().next()
        } else {
            outs.into_iter().find(|(n, _)| n == name)
        };
        found
            .map(|(_, t)| t)
            .ok_or_else(|| Error::internal(format!("model {} has no output {name:?}", self.id)))
    }
}

#[cfg(not(feature = "ai"))]
fn not_built() -> Error {
    Error::new(
        ErrorKind::ModelNotInstalled,
        "this build of ashim has no ONNX Runtime support (cargo feature `ai` is off)",
    )
}

/// Whether ONNX Runtime can be loaded now (loads it on first call).
pub fn status() -> RuntimeStatus {
    #[cfg(feature = "ai")]
    {
        let Ok(mut st) = imp::STATE.lock() else {
            return RuntimeStatus::NotInstalled {
                reason: "runtime state poisoned".into(),
            };
        };
        match imp::ensure_env(&mut st) {
            Ok(()) => RuntimeStatus::Ready {
                library: st.env.as_ref().map(|e| e.1.clone()).unwrap_or_default(),
            },
            Err(reason) => RuntimeStatus::NotInstalled { reason },
        }
    }
    #[cfg(not(feature = "ai"))]
    RuntimeStatus::NotInstalled {
        reason: not_built().message().to_string(),
    }
}

/// The GPU state for admin health (`ai.gpu`).
pub fn gpu_status() -> GpuStatus {
    #[cfg(feature = "ai")]
    if let Ok(st) = imp::STATE.lock()
        && st.env.is_some()
    {
        return st.gpu.clone();
    }
    GpuStatus {
        requested: gpu_requested(),
        active: false,
        provider: None,
        fallback: gpu_requested().then(|| "ONNX Runtime is not loaded".to_string()),
    }
}

/// Forget a failed library lookup and every loaded session (after an install or removal),
/// so the next use looks again and a tool works without a restart.
pub fn reset() {
    #[cfg(feature = "ai")]
    if let Ok(mut st) = imp::STATE.lock() {
        st.failure = None;
        st.sessions.clear();
    }
}

fn sessions_cap() -> usize {
    env_usize("ASHIM_AI_SESSIONS").unwrap_or(8)
}

/// The shared session of model `id`, loading it on first use. A model file that is not in
/// the store, or no ONNX Runtime, is [`ErrorKind::ModelNotInstalled`] naming the bundle.
pub fn model(id: &str, bundle_id: &str) -> Result<Arc<Model>> {
    let spec = manifest()
        .model(id)
        .ok_or_else(|| Error::internal(format!("model {id} is not in the manifest")))?;
    if !store::model_present(spec) {
        return Err(super::not_installed(bundle_id));
    }
    #[cfg(feature = "ai")]
    {
        let mut st = imp::STATE
            .lock()
            .map_err(|_| Error::internal("runtime state poisoned"))?;
        imp::ensure_env(&mut st).map_err(|r| Error::new(ErrorKind::ModelNotInstalled, r))?;
        st.tick += 1;
        let tick = st.tick;
        // Keyed by file path: runs with another model store (`Env::models_dir`) get their own.
        let key = store::model_path(spec).display().to_string();
        if let Some((m, t)) = st.sessions.get_mut(&key) {
            *t = tick;
            return Ok(m.clone());
        }
        let session = imp::load(&st, spec, &store::model_path(spec))?;
        let m = Arc::new(Model {
            id: id.to_string(),
            session: Mutex::new(session),
        });
        while st.sessions.len() >= sessions_cap() {
            let Some(oldest) = st
                .sessions
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            st.sessions.remove(&oldest);
        }
        st.sessions.insert(key, (m.clone(), tick));
        Ok(m)
    }
    #[cfg(not(feature = "ai"))]
    Err(not_built())
}

/// Whether the bundle's model files are in the store and ONNX Runtime loads (what a tool's
/// availability reports).
pub fn bundle_ready(bundle_id: &str) -> bool {
    let m = manifest();
    let Some(b) = m.bundle(bundle_id) else {
        return false;
    };
    store::bundle_installed(b)
        && (m.required_models(b).next().is_none()
            || matches!(status(), RuntimeStatus::Ready { .. }))
}
