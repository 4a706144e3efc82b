//! Work that comes round on a cadence (the digest, the rota's watch, retention), kept as durable
//! jobs like everything else the server does later: one job per occurrence, keyed by its instant,
//! so several instances on one database schedule each occurrence once. A job first schedules
//! the occurrence after it, then does its work: work that fails is tried again by the runner,
//! and the chain never breaks. A server that was down resumes with the next occurrence; work
//! that must catch up (retention, the rota's watch) looks at the state of things, not at the
//! occurrences it missed.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hotline_schedules::Cadence;
use serde::{Deserialize, Serialize};

use super::runner::{JobError, JobHandler};
use crate::clock::Clock;
use crate::store::{Job, NewJob, Store, StoreError};

/// One occurrence's work.
#[async_trait::async_trait]
pub trait Work: Send + Sync {
    /// Does the work of the occurrence at `at`. It may run more than once for one occurrence
    /// (a crash after the work, before the job was marked done): its effects are idempotent.
    async fn run(&self, at: DateTime<Utc>) -> Result<(), JobError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Payload {
    at: DateTime<Utc>,
}

/// A kind of work and its cadence.
pub struct Recurring {
    kind: &'static str,
    cadence: Cadence,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    work: Arc<dyn Work>,
}

impl Recurring {
    pub fn new(
        kind: &'static str,
        cadence: Cadence,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        work: Arc<dyn Work>,
    ) -> Self {
        Self {
            kind,
            cadence,
            store,
            clock,
            work,
        }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Schedules the first occurrence after `now`, once however many instances ask.
    pub async fn start(&self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.schedule_after(now, now).await
    }

    /// Schedules the first occurrence after `after`, if there is one.
    async fn schedule_after(
        &self,
        after: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(at) = self.cadence.next_after(after) else {
            tracing::warn!(kind = self.kind, "a recurring job has no next occurrence");
            return Ok(false);
        };
        let payload = serde_json::to_string(&Payload { at })
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.store
            .enqueue_job(&NewJob {
                kind: self.kind.to_owned(),
                payload,
                idempotency_key: format!("{}:{}", self.kind, at.to_rfc3339()),
                due_at: at,
                created_at: now,
            })
            .await
    }
}

#[async_trait::async_trait]
impl JobHandler for Recurring {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let Payload { at } = serde_json::from_str(&job.payload).map_err(|e| {
            JobError::Fatal(format!(
                "a {} job's payload is not readable: {e}",
                self.kind
            ))
        })?;
        // The next after this occurrence, or after now when this one ran late (the server was
        // down): the occurrences missed meanwhile are not run one by one.
        let now = self.clock.now();
        self.schedule_after(at.max(now), now).await?;
        self.work.run(at).await
    }
}
