//! Audit rows.

use crate::error::ApiResult;
use crate::store::audit::{Entry, Event, Query};
use crate::util::{now_secs, uuid_v4};
use rusqlite::{Connection, params};

/// Insert `ev` on `c` (a connection or an open transaction) and log it. A failed insert is
/// logged, never returned: auditing must not break the request it records.
pub fn insert(c: &Connection, ev: &Event) {
    tracing::info!(
        action = ev.action,
        actor = %ev.actor,
        target = %format_args!("{}:{}", ev.target_type, ev.target_id.as_deref().unwrap_or("-")),
        details = %ev.details,
        "audit"
    );
    let res = c.execute(
        "INSERT INTO audit_log (id, action, actor_id, actor_username, target_type, target_id, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            uuid_v4(),
            ev.action,
            ev.actor_id,
            ev.actor,
            ev.target_type,
            ev.target_id,
            ev.details.to_string(),
            now_secs()
        ],
    );
    if let Err(e) = res {
        tracing::error!("audit write failed: {e}");
    }
}

/// Record a standalone event.
pub fn record(c: &mut Connection, ev: Event) -> ApiResult<()> {
    insert(c, &ev);
    Ok(())
}

/// A page of the log, newest first, and the total.
pub fn list(c: &mut Connection, q: Query) -> ApiResult<(Vec<Entry>, i64)> {
    let filter = "(?1 IS NULL OR action = ?1) AND created_at >= ?2 AND created_at <= ?3";
    let total = super::count(
        c,
        &format!("SELECT COUNT(*) FROM audit_log WHERE {filter}"),
        params![q.action, q.from, q.to],
    )?;
    let mut stmt = c.prepare(&format!(
        "SELECT id, actor_id, actor_username, action, target_type, target_id, details, created_at
         FROM audit_log WHERE {filter} ORDER BY created_at DESC, rowid DESC LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt
        .query_map(
            params![q.action, q.from, q.to, q.limit, (q.page - 1) * q.limit],
            |r| {
                let details: Option<String> = r.get(6)?;
                Ok(Entry {
                    id: r.get(0)?,
                    actor_id: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    target_type: r.get(4)?,
                    target_id: r.get(5)?,
                    details: details.and_then(|d| serde_json::from_str(&d).ok()),
                    created_at: r.get(7)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, total))
}
