//! Jobs: one row per unit of image work, so a restart can tell which ones it interrupted.

use super::{Store, dispatch};
use crate::error::ApiResult;

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Running now.
    Running,
    /// Finished with a result.
    Completed,
    /// Finished with an error (or interrupted by a restart).
    Failed,
}

impl JobStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
        }
    }
}

/// A stored job.
#[derive(Debug, Clone)]
pub struct JobRecord {
    /// Id.
    pub id: String,
    /// What kind of work (`tool`, `pipeline`, `batch`, `preview`, ...).
    pub kind: String,
    /// The tool, when one.
    pub tool_id: Option<String>,
    /// Who started it.
    pub user_id: Option<String>,
    /// State.
    pub status: String,
    /// The error message of a failed job.
    pub error: Option<String>,
}

/// The jobs repository.
pub struct Jobs<'a>(pub(super) &'a Store);

impl Jobs<'_> {
    fn backend(&self) -> &super::Backend {
        self.0.backend()
    }

    /// Record a running job.
    pub async fn start(&self, id: &str, kind: &str, tool_id: Option<String>) -> ApiResult<()> {
        let (id, kind) = (id.to_string(), kind.to_string());
        dispatch!(self, jobs::start(id, kind, tool_id))
    }

    /// Record how a job ended.
    pub async fn finish(
        &self,
        id: &str,
        status: JobStatus,
        error: Option<String>,
    ) -> ApiResult<()> {
        let id = id.to_string();
        dispatch!(self, jobs::finish(id, status, error))
    }

    /// A job by id.
    pub async fn get(&self, id: &str) -> ApiResult<Option<JobRecord>> {
        let id = id.to_string();
        dispatch!(self, jobs::get(id))
    }

    /// Mark every job still `running` as failed ("interrupted by a restart"); returns how many.
    pub async fn fail_interrupted(&self) -> ApiResult<usize> {
        dispatch!(self, jobs::fail_interrupted())
    }

    /// Forget finished jobs older than `before` (epoch seconds).
    pub async fn purge_finished(&self, before: i64) -> ApiResult<usize> {
        dispatch!(self, jobs::purge_finished(before))
    }
}
