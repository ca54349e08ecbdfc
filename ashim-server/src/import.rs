//! `ashim-server import-reference`: bring a reference installation (its SQLite database and
//! its library folder) into this server's store. Users keep their scrypt password hashes
//! (verified by `auth::passwords` and upgraded to argon2id at their next login), API keys
//! keep theirs (upgraded at first use). Rows keep their ids, so a second run finds
//! everything present and changes nothing. Library blobs are copied before the one
//! transaction that writes every row; `--dry-run` reports without writing anything.

use crate::config::Config;
use crate::store::files::FileRecord;
use crate::store::keys::Key;
use crate::store::pipelines::SavedPipeline;
use crate::store::roles::Role;
use crate::store::sqlite::{self, Sqlite};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

/// Command-line options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The reference `ashim.db`.
    pub db: PathBuf,
    /// The reference library folder (default: `files/` beside the database).
    pub files: Option<PathBuf>,
    /// Report only.
    pub dry_run: bool,
}

impl Options {
    /// Parse `--db <path> [--files <dir>] [--dry-run]`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let (mut db, mut files, mut dry_run) = (None, None, false);
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--db" => db = Some(it.next().ok_or("--db needs a path")?.into()),
                "--files" => files = Some(it.next().ok_or("--files needs a folder")?.into()),
                "--dry-run" => dry_run = true,
                other => return Err(format!("import-reference: unknown argument {other:?}")),
            }
        }
        Ok(Self {
            db: db.ok_or("import-reference needs --db <ashim.db>")?,
            files,
            dry_run,
        })
    }
}

/// What one kind of row did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Rows written.
    pub imported: usize,
    /// Rows already present (same id or name).
    pub present: usize,
    /// Rows left out, with the reason.
    pub skipped: Vec<String>,
}

/// The import report.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Per kind, in import order.
    pub kinds: Vec<(&'static str, Tally)>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

impl Report {
    /// The tally of one kind.
    pub fn get(&self, kind: &str) -> Option<&Tally> {
        self.kinds.iter().find(|(k, _)| *k == kind).map(|(_, t)| t)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "import-reference{}:",
            if self.dry_run {
                " (dry run, nothing written)"
            } else {
                ""
            }
        )?;
        for (kind, t) in &self.kinds {
            writeln!(
                f,
                "  {kind:<10} imported {:>3}  already present {:>3}  skipped {:>3}",
                t.imported,
                t.present,
                t.skipped.len()
            )?;
            for s in &t.skipped {
                writeln!(f, "      skipped: {s}")?;
            }
        }
        Ok(())
    }
}

fn open_reference(path: &std::path::Path) -> Result<Connection, String> {
    if !path.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    // immutable=1: read without locks or WAL side files, so a read-only copy works too.
    let p = path.display().to_string();
    let escaped = p
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    Connection::open_with_flags(
        format!("file:{escaped}?immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| format!("cannot open {p}: {e}"))
}

fn has_table(c: &Connection, name: &str) -> bool {
    c.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n > 0)
}

fn has_column(c: &Connection, table: &str, col: &str) -> bool {
    c.prepare(&format!("SELECT {col} FROM {table} LIMIT 0"))
        .is_ok()
}

fn err(e: impl fmt::Display) -> String {
    format!("reference database: {e}")
}

/// Everything read from the reference database.
struct Source {
    roles: Vec<Role>,
    teams: Vec<(String, String, i64)>,
    users: Vec<RefUser>,
    keys: Vec<(Key, String)>,
    settings: Vec<(String, String)>,
    pipelines: Vec<SavedPipeline>,
    files: Vec<FileRecord>,
}

struct RefUser {
    id: String,
    username: String,
    hash: String,
    role: String,
    team: String,
    must_change: bool,
    analytics: Option<bool>,
    created_at: i64,
    updated_at: i64,
}

fn read(c: &Connection) -> Result<Source, String> {
    for t in ["users", "api_keys", "settings", "pipelines"] {
        if !has_table(c, t) {
            return Err(format!(
                "reference database: no `{t}` table; is this an ashim/SnapOtter database?"
            ));
        }
    }
    let roles = if has_table(c, "roles") {
        let mut s = c
            .prepare(
                "SELECT id, name, description, permissions, created_at, updated_at FROM roles
                 WHERE is_builtin = 0 ORDER BY created_at",
            )
            .map_err(err)?;
        s.query_map([], |r| {
            let perms: String = r.get(3)?;
            Ok(Role {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                permissions: serde_json::from_str(&perms).unwrap_or_default(),
                created_at: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?
    } else {
        Vec::new()
    };
    let teams: Vec<(String, String, i64)> = if has_table(c, "teams") {
        let mut s = c
            .prepare("SELECT id, name, created_at FROM teams ORDER BY created_at")
            .map_err(err)?;
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(err)?
    } else {
        Vec::new()
    };
    let team_col = if has_column(c, "users", "team") {
        "team"
    } else {
        "'Default'"
    };
    let analytics_col = if has_column(c, "users", "analytics_enabled") {
        "analytics_enabled"
    } else {
        "NULL"
    };
    let mut s = c
        .prepare(&format!(
            "SELECT id, username, password_hash, role, {team_col}, must_change_password, {analytics_col},
                    created_at, updated_at FROM users ORDER BY created_at, username"
        ))
        .map_err(err)?;
    let users = s
        .query_map([], |r| {
            Ok(RefUser {
                id: r.get(0)?,
                username: r.get(1)?,
                hash: r.get(2)?,
                role: r.get(3)?,
                team: r.get(4)?,
                must_change: r.get::<_, i64>(5)? != 0,
                analytics: r.get::<_, Option<i64>>(6)?.map(|v| v != 0),
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
            })
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let mut s = c
        .prepare(
            "SELECT id, user_id, name, key_hash, key_prefix, permissions, created_at, last_used_at, expires_at
             FROM api_keys ORDER BY created_at",
        )
        .map_err(err)?;
    let keys = s
        .query_map([], |r| {
            let perms: Option<String> = r.get(5)?;
            Ok((
                Key {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    name: r.get(2)?,
                    key_hash: r.get(3)?,
                    permissions: perms.and_then(|p| serde_json::from_str(&p).ok()),
                    created_at: r.get(6)?,
                    last_used_at: r.get(7)?,
                    expires_at: r.get(8)?,
                },
                r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            ))
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let mut s = c
        .prepare("SELECT key, value FROM settings ORDER BY key")
        .map_err(err)?;
    let settings = s
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let owner_col = if has_column(c, "pipelines", "user_id") {
        "user_id"
    } else {
        "NULL"
    };
    let mut s = c
        .prepare(&format!(
            "SELECT id, {owner_col}, name, description, steps, created_at FROM pipelines ORDER BY created_at"
        ))
        .map_err(err)?;
    let pipelines = s
        .query_map([], |r| {
            let steps: String = r.get(4)?;
            Ok(SavedPipeline {
                id: r.get(0)?,
                user_id: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                steps: serde_json::from_str(&steps).unwrap_or(serde_json::Value::Null),
                created_at: r.get(5)?,
            })
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let files = if has_table(c, "user_files") {
        let mut s = c
            .prepare(
                "SELECT id, user_id, stored_name, original_name, mime_type, size, width, height,
                        version, parent_id, tool_chain, created_at FROM user_files
                 ORDER BY version, created_at",
            )
            .map_err(err)?;
        s.query_map([], |r| {
            let chain: Option<String> = r.get(10)?;
            Ok(FileRecord {
                id: r.get(0)?,
                owner_id: r.get(1)?,
                stored_name: r.get(2)?,
                original_name: r.get(3)?,
                mime_type: r.get(4)?,
                size: r.get(5)?,
                width: r.get(6)?,
                height: r.get(7)?,
                version: r.get(8)?,
                parent_id: r.get(9)?,
                tool_chain: chain
                    .and_then(|c| serde_json::from_str(&c).ok())
                    .unwrap_or_default(),
                created_at: r.get(11)?,
            })
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?
    } else {
        Vec::new()
    };
    Ok(Source {
        roles,
        teams,
        users,
        keys,
        settings,
        pipelines,
        files,
    })
}

fn exists(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<bool> {
    Ok(c.query_row(sql, p, |r| r.get::<_, i64>(0))? > 0)
}

/// Run the import described by `opts` into the store configured by `cfg`.
pub fn run(cfg: &Config, opts: &Options) -> Result<Report, String> {
    let src = read(&open_reference(&opts.db)?)?;
    let files_dir = opts.files.clone().unwrap_or_else(|| {
        opts.db
            .parent()
            .map(|p| p.join("files"))
            .unwrap_or_else(|| "files".into())
    });
    let db = Sqlite::open(&cfg.db_path)?;
    let library = crate::blob::Blobs::local(&cfg.files_storage_path);
    // Blobs first, outside the transaction: copy each library file that is not there yet.
    let mut missing_blob = HashMap::new();
    for f in &src.files {
        if !crate::util::is_safe_segment(&f.stored_name) {
            missing_blob.insert(f.id.clone(), "unsafe stored name".to_string());
            continue;
        }
        match std::fs::read(files_dir.join(&f.stored_name)) {
            Ok(data) => {
                let present = library
                    .get_blocking(&f.stored_name)
                    .map_err(|e| e.message)?
                    .is_some();
                if !opts.dry_run && !present {
                    library
                        .put_blocking(&f.stored_name, &data)
                        .map_err(|e| e.message)?;
                }
            }
            Err(e) => {
                missing_blob.insert(
                    f.id.clone(),
                    format!(
                        "{} not readable: {e}",
                        files_dir.join(&f.stored_name).display()
                    ),
                );
            }
        }
    }
    db.blocking(|c| write_rows(c, &src, &missing_blob, opts.dry_run))
        .map(|kinds| Report {
            kinds,
            dry_run: opts.dry_run,
        })
}

fn write_rows(
    c: &mut Connection,
    src: &Source,
    missing_blob: &HashMap<String, String>,
    dry_run: bool,
) -> Result<Vec<(&'static str, Tally)>, String> {
    let tx = c.transaction().map_err(|e| e.to_string())?;
    let e = |e: crate::error::ApiError| e.message;
    let q = |e: rusqlite::Error| e.to_string();
    let mut out = Vec::new();

    let mut t = Tally::default();
    for r in &src.roles {
        if sqlite::roles::exists_in(&tx, &r.name).map_err(e)? {
            t.present += 1;
        } else {
            t.imported += sqlite::roles::insert_role(&tx, r).map_err(e)?;
        }
    }
    out.push(("roles", t));

    let mut t = Tally::default();
    let mut team_names: HashMap<&str, &str> = HashMap::new();
    for (id, name, at) in &src.teams {
        team_names.insert(id, name);
        match sqlite::teams::insert_team(&tx, id, name, *at).map_err(e)? {
            0 => t.present += 1,
            n => t.imported += n,
        }
    }
    out.push(("teams", t));

    let mut t = Tally::default();
    let mut users: HashMap<&str, bool> = HashMap::new();
    for u in &src.users {
        if exists(&tx, "SELECT COUNT(*) FROM users WHERE id = ?1", [&u.id]).map_err(q)? {
            t.present += 1;
            users.insert(&u.id, true);
            continue;
        }
        if exists(
            &tx,
            "SELECT COUNT(*) FROM users WHERE username = ?1",
            [&u.username],
        )
        .map_err(q)?
        {
            t.skipped.push(format!(
                "user {:?}: the name is taken by another user",
                u.username
            ));
            continue;
        }
        // Registered users hold a team id, the first-run admin a team name.
        let team = team_names
            .get(u.team.as_str())
            .map(|n| n.to_string())
            .unwrap_or_else(|| u.team.clone());
        let team = sqlite::teams::resolve_in(&tx, &team).unwrap_or_else(|_| "Default".into());
        let role = if sqlite::roles::exists_in(&tx, &u.role).map_err(e)? {
            u.role.clone()
        } else {
            t.skipped.push(format!(
                "user {:?}: role {:?} unknown, imported as user",
                u.username, u.role
            ));
            "user".into()
        };
        tx.execute(
            "INSERT INTO users (id, username, password_hash, role, team, must_change_password,
                                analytics_enabled, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                u.id,
                u.username,
                u.hash,
                role,
                team,
                u.must_change,
                u.analytics,
                u.created_at,
                u.updated_at
            ],
        )
        .map_err(q)?;
        t.imported += 1;
        users.insert(&u.id, true);
    }
    out.push(("users", t));

    let mut t = Tally::default();
    for (k, prefix) in &src.keys {
        if !users.contains_key(k.user_id.as_str()) {
            t.skipped
                .push(format!("API key {:?}: owner not imported", k.name));
            continue;
        }
        if prefix.len() != 16 {
            t.skipped
                .push(format!("API key {:?}: no lookup prefix", k.name));
            continue;
        }
        match sqlite::keys::insert_key(&tx, k, prefix).map_err(e)? {
            0 => t.present += 1,
            n => t.imported += n,
        }
    }
    out.push(("api keys", t));

    let mut t = Tally::default();
    for (k, v) in &src.settings {
        let cur: Option<String> = tx
            .query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| {
                r.get(0)
            })
            .optional()
            .map_err(q)?;
        if cur.as_deref() == Some(v.as_str()) {
            t.present += 1;
            continue;
        }
        tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![k, v, crate::util::now_secs()],
        )
        .map_err(q)?;
        t.imported += 1;
    }
    out.push(("settings", t));

    let mut t = Tally::default();
    for p in &src.pipelines {
        if p.user_id.as_deref().is_some_and(|u| !users.contains_key(u)) {
            t.skipped
                .push(format!("pipeline {:?}: owner not imported", p.name));
            continue;
        }
        if !p.steps.is_array() {
            t.skipped
                .push(format!("pipeline {:?}: steps are not a list", p.name));
            continue;
        }
        match sqlite::pipelines::insert_pipeline(&tx, p).map_err(e)? {
            0 => t.present += 1,
            n => t.imported += n,
        }
    }
    out.push(("pipelines", t));

    let mut t = Tally::default();
    let mut kept: HashMap<&str, bool> = HashMap::new();
    for f in &src.files {
        if let Some(why) = missing_blob.get(&f.id) {
            t.skipped.push(format!("file {:?}: {why}", f.original_name));
            continue;
        }
        if f.owner_id
            .as_deref()
            .is_some_and(|u| !users.contains_key(u))
        {
            t.skipped
                .push(format!("file {:?}: owner not imported", f.original_name));
            continue;
        }
        if f.parent_id
            .as_deref()
            .is_some_and(|p| !kept.contains_key(p))
        {
            t.skipped.push(format!(
                "file {:?} (version {}): its parent was not imported",
                f.original_name, f.version
            ));
            continue;
        }
        kept.insert(&f.id, true);
        match sqlite::files::insert_row(&tx, f).map_err(e)? {
            0 => t.present += 1,
            n => t.imported += n,
        }
    }
    out.push(("files", t));

    if dry_run {
        tx.rollback().map_err(q)?;
    } else {
        tx.commit().map_err(q)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = Options::from_args(&a(&["--db", "x.db", "--dry-run"])).unwrap();
        assert_eq!(o.db, PathBuf::from("x.db"));
        assert!(o.dry_run && o.files.is_none());
        assert!(Options::from_args(&a(&["--files", "d"])).is_err());
        assert!(Options::from_args(&a(&["--db"])).is_err());
        assert!(Options::from_args(&a(&["--db", "x", "--frob"])).is_err());
    }
}
