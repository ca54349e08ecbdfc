//! Library rows.

use super::audit::insert as audit;
use crate::error::ApiResult;
use crate::store::audit::Event;
use crate::store::files::{FileRecord, ListQuery, Viewer};
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, owner_id, stored_name, original_name, mime_type, size, width, height, \
                       version, parent_id, tool_chain, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<FileRecord> {
    let chain: String = r.get(10)?;
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
        tool_chain: serde_json::from_str(&chain).unwrap_or_default(),
        created_at: r.get(11)?,
    })
}

fn get_in(c: &Connection, id: &str) -> ApiResult<Option<FileRecord>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM files WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?)
}

/// A visible row.
pub fn visible(c: &mut Connection, v: Viewer, id: String) -> ApiResult<Option<FileRecord>> {
    Ok(get_in(c, &id)?.filter(|f| v.sees(f)))
}

/// Latest versions, newest first.
pub fn list(c: &mut Connection, v: Viewer, q: ListQuery) -> ApiResult<(Vec<FileRecord>, i64)> {
    let filter = "NOT EXISTS (SELECT 1 FROM files k WHERE k.parent_id = files.id)
                  AND (?1 OR owner_id IS NULL OR owner_id = ?2) AND original_name LIKE ?3";
    let like = format!("%{}%", q.search);
    let total = super::count(
        c,
        &format!("SELECT COUNT(*) FROM files WHERE {filter}"),
        params![v.all, v.user_id, like],
    )?;
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM files WHERE {filter} ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt
        .query_map(params![v.all, v.user_id, like, q.limit, q.offset], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, total))
}

fn chain_in(c: &Connection, id: &str) -> ApiResult<Vec<FileRecord>> {
    let root: Option<String> = c
        .query_row(
            "WITH RECURSIVE up(id, parent_id) AS (
                 SELECT id, parent_id FROM files WHERE id = ?1
                 UNION ALL SELECT f.id, f.parent_id FROM files f JOIN up ON f.id = up.parent_id)
             SELECT id FROM up WHERE parent_id IS NULL",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(root) = root else {
        return Ok(Vec::new());
    };
    let mut stmt = c.prepare(&format!(
        "WITH RECURSIVE down(id) AS (
             SELECT ?1 UNION ALL SELECT f.id FROM files f JOIN down ON f.parent_id = down.id)
         SELECT {COLUMNS} FROM files WHERE id IN (SELECT id FROM down) ORDER BY version, created_at"
    ))?;
    let rows = stmt
        .query_map([root], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The version chain.
pub fn chain(c: &mut Connection, id: String) -> ApiResult<Vec<FileRecord>> {
    chain_in(c, &id)
}

/// Insert one row, ignoring an existing id; returns rows written.
pub fn insert_row(c: &Connection, f: &FileRecord) -> ApiResult<usize> {
    Ok(c.execute(
        &format!("INSERT OR IGNORE INTO files ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
        params![
            f.id,
            f.owner_id,
            f.stored_name,
            f.original_name,
            f.mime_type,
            f.size,
            f.width,
            f.height,
            f.version,
            f.parent_id,
            serde_json::json!(f.tool_chain).to_string(),
            f.created_at
        ],
    )?)
}

/// Insert rows and the event.
pub fn insert(c: &mut Connection, rows: Vec<FileRecord>, ev: Option<Event>) -> ApiResult<()> {
    let tx = c.transaction()?;
    for f in &rows {
        insert_row(&tx, f)?;
    }
    if let Some(ev) = &ev {
        audit(&tx, ev);
    }
    tx.commit()?;
    Ok(())
}

/// Delete visible chains.
pub fn delete_chains(
    c: &mut Connection,
    v: Viewer,
    ids: Vec<String>,
    ev: impl FnOnce(&[String]) -> Event,
) -> ApiResult<Vec<FileRecord>> {
    let tx = c.transaction()?;
    let mut deleted = Vec::new();
    for id in ids {
        if deleted.iter().any(|f: &FileRecord| f.id == id) {
            continue;
        }
        match get_in(&tx, &id)? {
            Some(f) if v.sees(&f) => {}
            _ => continue,
        }
        for f in chain_in(&tx, &id)?.into_iter().rev() {
            if tx.execute("DELETE FROM files WHERE id = ?1", [&f.id])? > 0 {
                deleted.push(f);
            }
        }
    }
    if !deleted.is_empty() {
        let ids: Vec<String> = deleted.iter().map(|f| f.id.clone()).collect();
        audit(&tx, &ev(&ids));
    }
    tx.commit()?;
    Ok(deleted)
}
