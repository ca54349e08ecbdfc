//! The SQLite implementation of the store: one connection behind a mutex, used only on the
//! blocking pool; migrations are the `.sql` files beside this module, applied in order and
//! counted in `PRAGMA user_version`.

pub mod audit;
pub mod features;
pub mod files;
pub mod jobs;
pub mod keys;
pub mod pipelines;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod teams;
pub mod users;

use crate::error::{ApiError, ApiResult};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The migrations, in order (file name, SQL).
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_users_sessions_keys_pipelines_settings",
        include_str!("migrations/0001_users_sessions_keys_pipelines_settings.sql"),
    ),
    ("0002_roles", include_str!("migrations/0002_roles.sql")),
    ("0003_teams", include_str!("migrations/0003_teams.sql")),
    (
        "0004_audit_log",
        include_str!("migrations/0004_audit_log.sql"),
    ),
    ("0005_files", include_str!("migrations/0005_files.sql")),
    (
        "0006_jobs_analytics",
        include_str!("migrations/0006_jobs_analytics.sql"),
    ),
    (
        "0007_feature_bundles",
        include_str!("migrations/0007_feature_bundles.sql"),
    ),
];

/// A shared SQLite connection.
#[derive(Clone)]
pub struct Sqlite(Arc<Mutex<Connection>>);

impl Sqlite {
    /// Open (creating the parent directory), configure (WAL, foreign keys) and migrate.
    pub fn open(path: &Path) -> Result<Self, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let conn =
            Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        )
        .map_err(|e| format!("cannot configure database: {e}"))?;
        migrate(&conn).map_err(|e| format!("migration failed: {e}"))?;
        Ok(Self(Arc::new(Mutex::new(conn))))
    }

    /// Run `f` on the connection on the blocking pool. `f` must do database work only:
    /// no file I/O and no password hashing under the lock.
    pub async fn call<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let db = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Run `f` on the connection right here (startup and command-line tools only).
    pub fn blocking<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, (_, sql)) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

/// `SELECT COUNT(*) ...` as a number.
pub(crate) fn count(c: &Connection, sql: &str, p: impl rusqlite::Params) -> ApiResult<i64> {
    Ok(c.query_row(sql, p, |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_in_order() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        migrate(&conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('users','jobs','files','teams')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 4);
    }
}
