//! Output naming and writing. Every file is written to a temporary name in its target
//! folder and renamed into place, so a reader never sees half a file; on Ctrl-C the
//! temporary files in flight are removed before the process exits.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};

/// Set once Ctrl-C is pressed: nothing new is scheduled or renamed into place.
pub static STOP: AtomicBool = AtomicBool::new(false);

static TEMPS: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Default::default);
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temps() -> MutexGuard<'static, HashSet<PathBuf>> {
    TEMPS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Install the Ctrl-C handler: stop scheduling, delete temporary files in flight, exit 130.
/// It holds the temp-file lock while exiting, so no file can be renamed into place after.
pub fn install_interrupt_handler() {
    let result = ctrlc::set_handler(|| {
        STOP.store(true, Ordering::SeqCst);
        let guard = temps();
        for p in guard.iter() {
            let _ = std::fs::remove_file(p);
        }
        eprintln!("\ninterrupted: stopped; no partial output left behind");
        std::process::exit(130);
    });
    if let Err(e) = result {
        eprintln!("warning: cannot install the Ctrl-C handler: {e}");
    }
}

/// An I/O failure while writing, or an interrupted write.
#[derive(Debug)]
pub struct WriteError(pub String);

/// Write `data` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), WriteError> {
    let fail =
        |what: &str, e: std::io::Error| WriteError(format!("{what} {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail("cannot create the folder of", e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(
        ".{name}.{}-{}.ashim-part",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let file = {
        let mut g = temps();
        if STOP.load(Ordering::SeqCst) {
            return Err(WriteError("interrupted".into()));
        }
        let f = std::fs::File::create(&tmp).map_err(|e| fail("cannot create", e))?;
        g.insert(tmp.clone());
        f
    };
    let cleanup = |tmp: &Path| {
        let mut g = temps();
        g.remove(tmp);
        let _ = std::fs::remove_file(tmp);
    };
    let mut w = std::io::BufWriter::new(file);
    if let Err(e) = w.write_all(data).and_then(|_| w.flush()) {
        cleanup(&tmp);
        return Err(fail("cannot write", e));
    }
    drop(w);
    let mut g = temps();
    g.remove(&tmp);
    if STOP.load(Ordering::SeqCst) {
        let _ = std::fs::remove_file(&tmp);
        return Err(WriteError("interrupted".into()));
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("cannot rename into", e));
    }
    Ok(())
}

/// Write to standard output.
pub fn write_stdout(data: &[u8]) -> Result<(), WriteError> {
    let mut out = std::io::stdout().lock();
    out.write_all(data)
        .and_then(|_| out.flush())
        .map_err(|e| WriteError(format!("cannot write to standard output: {e}")))
}

/// Output names already taken in this run, so two inputs with the same name (from
/// different folders) do not overwrite each other: the second gets `_1`, then `_2`, ...
#[derive(Default)]
pub struct Claims(Mutex<HashSet<PathBuf>>);

impl Claims {
    /// Reserve `wanted`, or the first free `<stem>_<n><ext>` beside it.
    pub fn claim(&self, wanted: PathBuf) -> PathBuf {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if g.insert(wanted.clone()) {
            return wanted;
        }
        let name = wanted
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (stem, ext) = (
            ashim_core::naming::stem(&name),
            ashim_core::naming::extension(&name).unwrap_or(""),
        );
        for n in 1.. {
            let candidate = wanted.with_file_name(format!("{stem}_{n}{ext}"));
            if g.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }
}

/// Keep only the last path component of a name a tool produced (never write outside `-o`).
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    match base {
        "" | "." | ".." => "output".into(),
        b => b.replace('\0', ""),
    }
}

/// A ZIP of named files (for `-o -` or `-o NAME.zip` with a tool that returns files).
pub fn zip_files(files: &[ashim_core::OutputFile]) -> Result<Vec<u8>, WriteError> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let err = |e: &dyn std::fmt::Display| WriteError(format!("cannot build the ZIP: {e}"));
    let claims = Claims::default();
    for f in files {
        let name = claims.claim(PathBuf::from(safe_name(&f.name)));
        w.start_file(name.to_string_lossy(), opts)
            .map_err(|e| err(&e))?;
        w.write_all(&f.data).map_err(|e| err(&e))?;
    }
    Ok(w.finish().map_err(|e| err(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_never_repeat_a_name() {
        let c = Claims::default();
        assert_eq!(c.claim("o/a.png".into()), PathBuf::from("o/a.png"));
        assert_eq!(c.claim("o/a.png".into()), PathBuf::from("o/a_1.png"));
        assert_eq!(c.claim("o/a.png".into()), PathBuf::from("o/a_2.png"));
        assert_eq!(safe_name("../../etc/x.png"), "x.png");
        assert_eq!(safe_name(".."), "output");
    }

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = std::env::temp_dir().join(format!("ashim-cli-out-{}", std::process::id()));
        let target = dir.join("deep/x.bin");
        write_atomic(&target, b"hello").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        let names: Vec<_> = std::fs::read_dir(dir.join("deep")).unwrap().collect();
        assert_eq!(names.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
