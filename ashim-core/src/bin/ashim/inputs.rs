//! Input expansion: files, `-` for stdin, directories (with `-r`) and quoted globs.

use ashim_core::ImageFormat;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where one input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

/// One expanded input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Where the bytes come from.
    pub source: Source,
    /// Sub-folder (relative to the directory it was found in) that outputs mirror.
    pub rel_dir: PathBuf,
}

impl Item {
    /// The name shown in messages.
    pub fn label(&self) -> String {
        match &self.source {
            Source::Stdin => "<stdin>".into(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// The file name given to the tool (never used to pick the format).
    pub fn file_name(&self) -> Option<String> {
        match &self.source {
            Source::Stdin => None,
            Source::File(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()),
        }
    }

    /// Read the whole input.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        match &self.source {
            Source::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().lock().read_to_end(&mut buf)?;
                Ok(buf)
            }
            Source::File(p) => std::fs::read(p),
        }
    }
}

fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Whether a file found while walking a directory looks like an image (by its first bytes).
fn looks_like_image(path: &Path) -> bool {
    let mut head = [0u8; 64];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return false,
        }
    }
    let name = path.file_name().map(|n| n.to_string_lossy());
    ImageFormat::sniff(&head[..n], name.as_deref()).is_some()
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Item>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(root, &p, out)?;
        } else if p.is_file() && looks_like_image(&p) {
            let rel_dir = p
                .parent()
                .and_then(|d| d.strip_prefix(root).ok())
                .map(Path::to_path_buf)
                .unwrap_or_default();
            out.push(Item {
                source: Source::File(p),
                rel_dir,
            });
        }
    }
    Ok(())
}

/// Expand the command-line inputs. Explicit files are taken as they are (a non-image then
/// fails as that file's error); files found in directories are kept only when their first
/// bytes are an image signature. Errors are usage errors.
pub fn expand(args: &[String], recursive: bool) -> Result<Vec<Item>, String> {
    let mut out = Vec::new();
    let mut stdin_seen = false;
    for arg in args {
        if arg == "-" {
            if stdin_seen {
                return Err("'-' (standard input) can be given only once".into());
            }
            stdin_seen = true;
            out.push(Item {
                source: Source::Stdin,
                rel_dir: PathBuf::new(),
            });
            continue;
        }
        let path = PathBuf::from(arg);
        if path.is_dir() {
            if !recursive {
                return Err(format!(
                    "{arg} is a directory; use -r to process the images in it"
                ));
            }
            walk(&path, &path, &mut out)?;
        } else if path.exists() {
            out.push(Item {
                source: Source::File(path),
                rel_dir: PathBuf::new(),
            });
        } else if has_glob_chars(arg) {
            let matches = glob::glob(arg).map_err(|e| format!("bad pattern {arg}: {e}"))?;
            let mut found: Vec<PathBuf> = matches
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            if found.is_empty() {
                return Err(format!("no file matches {arg}"));
            }
            found.sort();
            out.extend(found.into_iter().map(|p| Item {
                source: Source::File(p),
                rel_dir: PathBuf::new(),
            }));
        } else {
            return Err(format!("{arg}: no such file or directory"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_need_r_and_keep_only_images() {
        let dir = std::env::temp_dir().join(format!("ashim-cli-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.png"), b"\x89PNG\r\n\x1a\nrest").unwrap();
        std::fs::write(dir.join("notes.txt"), b"hello").unwrap();
        std::fs::write(dir.join("sub/b.jpg"), [0xFF, 0xD8, 0xFF, 0xE0]).unwrap();
        let d = dir.to_string_lossy().into_owned();
        assert!(expand(std::slice::from_ref(&d), false).is_err());
        let items = expand(&[d], true).unwrap();
        let rels: Vec<_> = items.iter().map(|i| i.rel_dir.clone()).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(rels, vec![PathBuf::new(), PathBuf::from("sub")]);
        let pattern = format!("{}/*.png", dir.display());
        assert_eq!(expand(&[pattern], false).unwrap().len(), 1);
        assert!(expand(&["-".into(), "-".into()], false).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
