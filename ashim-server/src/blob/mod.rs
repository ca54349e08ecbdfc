//! Blobs: the bytes of the file library and of the per-job workspace, addressed by a
//! relative key of safe `/`-separated segments (`<jobId>/output/<name>`, `<storedName>`).
//! Local disk today; an object store is another [`Blobs`] variant. Blob calls are never made
//! while a database transaction or lock is held.

use crate::error::{ApiError, ApiResult};
use std::path::{Path, PathBuf};

/// A blob container.
#[derive(Debug, Clone)]
pub enum Blobs {
    /// A folder on the local disk.
    Local(PathBuf),
}

fn check_key(key: &str) -> ApiResult<()> {
    let ok = !key.is_empty() && key.split('/').all(crate::util::is_safe_segment);
    if ok {
        Ok(())
    } else {
        Err(ApiError::internal(format!("unsafe blob key {key:?}")))
    }
}

impl Blobs {
    /// Blobs under the local folder `root` (created on first write).
    pub fn local(root: impl Into<PathBuf>) -> Self {
        Blobs::Local(root.into())
    }

    /// The local folder (for the workspace's cleanup of old job folders).
    pub fn root(&self) -> &Path {
        match self {
            Blobs::Local(root) => root,
        }
    }

    fn path(&self, key: &str) -> ApiResult<PathBuf> {
        check_key(key)?;
        Ok(self.root().join(key))
    }

    /// Store bytes (blocking: for code already on the blocking pool).
    pub fn put_blocking(&self, key: &str, data: &[u8]) -> ApiResult<()> {
        let p = self.path(key)?;
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ApiError::io("blob store", e))?;
        }
        std::fs::write(&p, data).map_err(|e| ApiError::io("blob store", e))
    }

    /// Read bytes; `None` when absent (blocking).
    pub fn get_blocking(&self, key: &str) -> ApiResult<Option<Vec<u8>>> {
        match std::fs::read(self.path(key)?) {
            Ok(d) => Ok(Some(d)),
            // A name too long for the file system cannot have been stored either.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(36) => {
                Ok(None)
            }
            Err(e) => Err(ApiError::io("blob read", e)),
        }
    }

    /// Store bytes.
    pub async fn put(&self, key: &str, data: Vec<u8>) -> ApiResult<()> {
        let (me, key) = (self.clone(), key.to_string());
        tokio::task::spawn_blocking(move || me.put_blocking(&key, &data))
            .await
            .map_err(ApiError::internal)?
    }

    /// Read bytes; `None` when absent.
    pub async fn get(&self, key: &str) -> ApiResult<Option<Vec<u8>>> {
        let (me, key) = (self.clone(), key.to_string());
        tokio::task::spawn_blocking(move || me.get_blocking(&key))
            .await
            .map_err(ApiError::internal)?
    }

    /// Delete blobs (absent ones are fine).
    pub async fn delete(&self, keys: Vec<String>) -> ApiResult<()> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            for key in keys {
                match std::fs::remove_file(me.path(&key)?) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(ApiError::io("blob delete", e)),
                }
            }
            Ok(())
        })
        .await
        .map_err(ApiError::internal)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_delete_and_unsafe_keys() {
        let root = std::env::temp_dir().join(format!("ashim-blob-{}", std::process::id()));
        let b = Blobs::local(&root);
        b.put("job1/output/a.png", b"abc".to_vec()).await.unwrap();
        assert_eq!(
            b.get("job1/output/a.png").await.unwrap().as_deref(),
            Some(&b"abc"[..])
        );
        assert_eq!(b.get("job1/output/missing.png").await.unwrap(), None);
        b.delete(vec!["job1/output/a.png".into(), "nope".into()])
            .await
            .unwrap();
        assert_eq!(b.get("job1/output/a.png").await.unwrap(), None);
        assert!(b.put("../escape", vec![1]).await.is_err());
        assert!(b.put("a//b", vec![1]).await.is_err());
        let _ = std::fs::remove_dir_all(&root);
    }
}
