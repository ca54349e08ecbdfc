//! The store: one repository per aggregate (users, sessions, keys, roles, teams, settings,
//! pipelines, files and versions, audit, jobs). Handlers call these methods and never see
//! SQL. Every method that writes more than one row does it in one transaction, audit event
//! included.
//!
//! The repositories dispatch on [`Backend`], an enum over connections: SQLite today; a
//! PostgreSQL variant adds one arm per method (and its migrations under `store/postgres/`)
//! without touching a handler. Blob bytes never pass through here (see `crate::blob`).

pub mod audit;
pub mod features;
pub mod files;
pub mod jobs;
pub mod keys;
pub mod pipelines;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod sqlite;
pub mod teams;
pub mod users;

use std::path::Path;

/// The database behind the store.
#[derive(Clone)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite(sqlite::Sqlite),
}

/// The store handle (cheap to clone).
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

/// Call `sqlite::<module>::<function>(conn, args...)` on the backend's blocking pool.
/// Arguments are moved into the closure, so they must be owned.
macro_rules! dispatch {
    ($store:expr, $module:ident :: $f:ident ( $($arg:expr),* $(,)? )) => {{
        match $store.backend() {
            $crate::store::Backend::Sqlite(db) => {
                db.call(move |c| $crate::store::sqlite::$module::$f(c, $($arg),*)).await
            }
        }
    }};
}
pub(crate) use dispatch;

impl Store {
    /// Open the SQLite database at `path` (created and migrated as needed).
    pub fn open_sqlite(path: &Path) -> Result<Self, String> {
        Ok(Self {
            backend: Backend::Sqlite(sqlite::Sqlite::open(path)?),
        })
    }

    /// The backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        dispatch!(self, settings::ping()).is_ok()
    }

    /// Users.
    pub fn users(&self) -> users::Users<'_> {
        users::Users(self)
    }
    /// Sessions.
    pub fn sessions(&self) -> sessions::Sessions<'_> {
        sessions::Sessions(self)
    }
    /// API keys.
    pub fn keys(&self) -> keys::Keys<'_> {
        keys::Keys(self)
    }
    /// Custom roles.
    pub fn roles(&self) -> roles::Roles<'_> {
        roles::Roles(self)
    }
    /// Teams.
    pub fn teams(&self) -> teams::Teams<'_> {
        teams::Teams(self)
    }
    /// Settings.
    pub fn settings(&self) -> settings::Settings<'_> {
        settings::Settings(self)
    }
    /// Saved pipelines.
    pub fn pipelines(&self) -> pipelines::Pipelines<'_> {
        pipelines::Pipelines(self)
    }
    /// The file library (rows only; bytes are blobs).
    pub fn files(&self) -> files::Files<'_> {
        files::Files(self)
    }
    /// The audit log.
    pub fn audit(&self) -> audit::Audit<'_> {
        audit::Audit(self)
    }
    /// Jobs.
    pub fn jobs(&self) -> jobs::Jobs<'_> {
        jobs::Jobs(self)
    }
    /// AI feature bundles' install state.
    pub fn features(&self) -> features::Features<'_> {
        features::Features(self)
    }
}
