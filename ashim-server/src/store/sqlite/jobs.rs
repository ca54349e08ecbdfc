//! Job rows.

use crate::error::ApiResult;
use crate::store::jobs::{JobRecord, JobStatus};
use crate::util::now_secs;
use rusqlite::{Connection, OptionalExtension, params};

/// Insert a running job.
pub fn start(c: &mut Connection, id: String, kind: String, tool: Option<String>) -> ApiResult<()> {
    let now = now_secs();
    c.execute(
        "INSERT OR REPLACE INTO jobs (id, kind, tool_id, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'running', ?4, ?4)",
        params![id, kind, tool, now],
    )?;
    Ok(())
}

/// Set the final state.
pub fn finish(c: &mut Connection, id: String, st: JobStatus, err: Option<String>) -> ApiResult<()> {
    c.execute(
        "UPDATE jobs SET status = ?1, error = ?2, updated_at = ?3 WHERE id = ?4",
        params![st.as_str(), err, now_secs(), id],
    )?;
    Ok(())
}

/// By id.
pub fn get(c: &mut Connection, id: String) -> ApiResult<Option<JobRecord>> {
    Ok(c.query_row(
        "SELECT id, kind, tool_id, user_id, status, error FROM jobs WHERE id = ?1",
        [&id],
        |r| {
            Ok(JobRecord {
                id: r.get(0)?,
                kind: r.get(1)?,
                tool_id: r.get(2)?,
                user_id: r.get(3)?,
                status: r.get(4)?,
                error: r.get(5)?,
            })
        },
    )
    .optional()?)
}

/// Running → failed.
pub fn fail_interrupted(c: &mut Connection) -> ApiResult<usize> {
    Ok(c.execute(
        "UPDATE jobs SET status = 'failed', error = 'Interrupted by a server restart', updated_at = ?1
         WHERE status = 'running'",
        [now_secs()],
    )?)
}

/// Delete old finished jobs.
pub fn purge_finished(c: &mut Connection, before: i64) -> ApiResult<usize> {
    Ok(c.execute(
        "DELETE FROM jobs WHERE status != 'running' AND updated_at < ?1",
        [before],
    )?)
}
