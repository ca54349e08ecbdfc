//! Feature-bundle rows.

use crate::error::ApiResult;
use crate::store::features::BundleRow;
use crate::util::now_secs;
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, status, installed_version, error, percent, stage, job_id, updated_at";

fn row(r: &Row<'_>) -> rusqlite::Result<BundleRow> {
    Ok(BundleRow {
        id: r.get(0)?,
        status: r.get(1)?,
        installed_version: r.get(2)?,
        error: r.get(3)?,
        percent: r.get(4)?,
        stage: r.get(5)?,
        job_id: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

/// Every row, by id.
pub fn all(c: &mut Connection) -> ApiResult<Vec<BundleRow>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM feature_bundles ORDER BY id"
    ))?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// By id.
pub fn get(c: &mut Connection, id: String) -> ApiResult<Option<BundleRow>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM feature_bundles WHERE id = ?1"),
        [&id],
        row,
    )
    .optional()?)
}

/// Upsert.
pub fn put(c: &mut Connection, b: BundleRow) -> ApiResult<()> {
    c.execute(
        &format!("INSERT OR REPLACE INTO feature_bundles ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![b.id, b.status, b.installed_version, b.error, b.percent, b.stage, b.job_id, now_secs()],
    )?;
    Ok(())
}

/// Delete.
pub fn delete(c: &mut Connection, id: String) -> ApiResult<()> {
    c.execute("DELETE FROM feature_bundles WHERE id = ?1", [&id])?;
    Ok(())
}
