//! Settings rows.

use crate::error::ApiResult;
use crate::util::now_secs;
use rusqlite::{Connection, OptionalExtension, params};

/// `SELECT 1`.
pub fn ping(c: &mut Connection) -> ApiResult<()> {
    c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?;
    Ok(())
}

/// Every pair, by key.
pub fn all(c: &mut Connection) -> ApiResult<Vec<(String, String)>> {
    let mut stmt = c.prepare("SELECT key, value FROM settings ORDER BY key")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One value and its update time.
pub fn get(c: &mut Connection, key: String) -> ApiResult<Option<(String, i64)>> {
    Ok(c.query_row(
        "SELECT value, updated_at FROM settings WHERE key = ?1",
        [&key],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// Upsert (or, with `only_absent`, insert the missing) pairs in one transaction; returns
/// how many rows were written.
pub fn put_all(
    c: &mut Connection,
    pairs: Vec<(String, String)>,
    only_absent: bool,
) -> ApiResult<usize> {
    let now = now_secs();
    let tx = c.transaction()?;
    let sql = if only_absent {
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO NOTHING"
    } else {
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    };
    let mut n = 0;
    for (k, v) in &pairs {
        n += tx.execute(sql, params![k, v, now])?;
    }
    tx.commit()?;
    Ok(n)
}
