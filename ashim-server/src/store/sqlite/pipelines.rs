//! Pipeline rows.

use crate::error::ApiResult;
use crate::store::pipelines::SavedPipeline;
use rusqlite::{Connection, OptionalExtension, params};

/// Insert, ignoring an existing id; returns rows written.
pub fn insert_pipeline(c: &Connection, p: &SavedPipeline) -> ApiResult<usize> {
    Ok(c.execute(
        "INSERT OR IGNORE INTO pipelines (id, user_id, name, description, steps, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            p.id,
            p.user_id,
            p.name,
            p.description,
            p.steps.to_string(),
            p.created_at
        ],
    )?)
}

/// Save.
pub fn create(c: &mut Connection, p: SavedPipeline) -> ApiResult<()> {
    insert_pipeline(c, &p)?;
    Ok(())
}

/// Visible pipelines.
pub fn list(c: &mut Connection, user_id: String, all: bool) -> ApiResult<Vec<SavedPipeline>> {
    let mut stmt = c.prepare(
        "SELECT id, user_id, name, description, steps, created_at FROM pipelines
         WHERE ?1 OR user_id IS NULL OR user_id = ?2 ORDER BY created_at DESC, name",
    )?;
    let rows = stmt
        .query_map(params![all, user_id], |r| {
            let steps: String = r.get(4)?;
            Ok(SavedPipeline {
                id: r.get(0)?,
                user_id: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                steps: serde_json::from_str(&steps).unwrap_or(serde_json::Value::Array(vec![])),
                created_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Owner of a pipeline.
pub fn owner(c: &mut Connection, id: String) -> ApiResult<Option<Option<String>>> {
    Ok(
        c.query_row("SELECT user_id FROM pipelines WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .optional()?,
    )
}

/// Delete.
pub fn delete(c: &mut Connection, id: String) -> ApiResult<()> {
    c.execute("DELETE FROM pipelines WHERE id = ?1", [&id])?;
    Ok(())
}
