//! The model store: where models live and which bundles are complete.
//!
//! `DATA_DIR` (default `./data`) is the root of ashim's state; `ASHIM_MODELS_DIR` (default
//! `$DATA_DIR/models`) overrides only the model folder. A model counts as installed when its
//! file is in the store with the manifest's size (the installer checks the sha256 when it
//! writes the file).

use super::manifest::{Bundle, ModelSpec, manifest};
use serde::Serialize;
use std::path::PathBuf;

/// Root of ashim's state: `DATA_DIR`, else `./data`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("./data"))
}

static OVERRIDE: std::sync::RwLock<Option<PathBuf>> = std::sync::RwLock::new(None);

/// Point this process at another model store (a binding's `set_models_dir`, a test); `None`
/// goes back to the environment. Takes effect for the next model load.
pub fn set_models_dir(dir: Option<PathBuf>) {
    if let Ok(mut o) = OVERRIDE.write() {
        *o = dir;
    }
    super::runtime::reset();
}

thread_local! {
    static SCOPED: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// Run `f` with `dir` (a run's [`Env::models_dir`](crate::tool::Env)) as this thread's model
/// store; `None` keeps the process-wide one. Tools run through
/// [`DynTool::run_prepared`](crate::tool::DynTool) get this from their context.
pub fn scoped<T>(dir: Option<&std::path::Path>, f: impl FnOnce() -> T) -> T {
    let Some(dir) = dir else { return f() };
    let prev = SCOPED.with(|s| s.replace(Some(dir.to_path_buf())));
    struct Restore(Option<PathBuf>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            SCOPED.with(|s| *s.borrow_mut() = prev);
        }
    }
    let _restore = Restore(prev);
    f()
}

/// The model store: a run's [`scoped`] `Env::models_dir`, else the [`set_models_dir`]
/// override, else `ASHIM_MODELS_DIR`, else `$DATA_DIR/models`.
pub fn models_dir() -> PathBuf {
    if let Some(d) = SCOPED.with(|s| s.borrow().clone()) {
        return d;
    }
    if let Ok(o) = OVERRIDE.read()
        && let Some(d) = o.as_ref()
    {
        return d.clone();
    }
    std::env::var_os("ASHIM_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir().join("models"))
}

/// Path of a model's file in the store (whether or not it is there).
pub fn model_path(m: &ModelSpec) -> PathBuf {
    models_dir().join(&m.file)
}

/// Whether a model's file is in the store with the expected size.
pub fn model_present(m: &ModelSpec) -> bool {
    std::fs::metadata(model_path(m)).is_ok_and(|md| md.is_file() && md.len() == m.size)
}

/// Installed state of one model.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelStatus {
    /// Model id.
    pub id: String,
    /// File name in the store.
    pub file: String,
    /// Bytes.
    pub size: u64,
    /// Source package and version (`rapidocr==3.10.0`).
    pub source: String,
    /// Licence of the weights.
    pub licence: String,
    /// Installed only on request.
    pub optional: bool,
    /// In the store now.
    pub installed: bool,
}

/// Installed state of one bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleStatus {
    /// Bundle id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it enables.
    pub description: String,
    /// Every required model is in the store (a bundle with no model is always installed).
    pub installed: bool,
    /// Bytes of the required models.
    pub size: u64,
    /// The size for a person (`4.8 MB`).
    pub estimated_size: String,
    /// Tools it enables.
    pub enables_tools: Vec<String>,
    /// Its models.
    pub models: Vec<ModelStatus>,
}

/// Whether every required model of the bundle is in the store.
pub fn bundle_installed(b: &Bundle) -> bool {
    manifest().required_models(b).all(model_present)
}

/// Whether the bundle with this id is installed (unknown ids are not).
pub fn is_installed(bundle_id: &str) -> bool {
    manifest().bundle(bundle_id).is_some_and(bundle_installed)
}

/// The state of one bundle.
pub fn bundle_status(b: &Bundle) -> BundleStatus {
    let m = manifest();
    let size = m.bundle_size(b);
    BundleStatus {
        id: b.id.clone(),
        name: b.name.clone(),
        description: b.description.clone(),
        installed: bundle_installed(b),
        size,
        estimated_size: human_size(size),
        enables_tools: b.tools.clone(),
        models: b
            .models
            .iter()
            .filter_map(|id| m.model(id))
            .map(|s| {
                let p = &m.packages[&s.package];
                ModelStatus {
                    id: s.id.clone(),
                    file: s.file.clone(),
                    size: s.size,
                    source: format!("{}=={}", p.name, p.version),
                    licence: s.licence.clone(),
                    optional: s.optional,
                    installed: model_present(s),
                }
            })
            .collect(),
    }
}

/// Bytes for a person: `4.6 MB`, `232 KB`, `0 B`.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        0 => "0 B".into(),
        b if b < 1_000_000 => format!("{} KB", b.div_ceil(1000)),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.2} GB", b as f64 / 1e9),
    }
}

/// Total bytes of every file under the model store.
pub fn disk_usage() -> u64 {
    fn walk(p: &std::path::Path) -> u64 {
        let Ok(rd) = std::fs::read_dir(p) else {
            return 0;
        };
        rd.flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path()),
                Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => 0,
            })
            .sum()
    }
    walk(&models_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scoped_store_applies_to_this_thread_only_and_is_restored() {
        let before = models_dir();
        let dir = std::path::PathBuf::from("/nonexistent/ashim-scoped-store");
        let inside = scoped(Some(&dir), || {
            let other = std::thread::spawn(models_dir).join().unwrap();
            (models_dir(), other)
        });
        assert_eq!(inside.0, dir);
        assert_eq!(inside.1, before);
        assert_eq!(models_dir(), before);
        assert_eq!(scoped(None, models_dir), before);
    }

    #[test]
    fn sizes_read_for_a_person() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(232_589), "233 KB");
        assert_eq!(human_size(4_574_861), "4.6 MB");
    }
}
