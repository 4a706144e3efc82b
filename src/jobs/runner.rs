//! The durable job runner: jobs are rows (`crate::store::JobStore`), so a restart or a crash
//! loses none. Each pass claims the jobs due now in one statement, each with a lease (of two
//! runners on one database, each job goes to exactly one), and runs them one after another with
//! the handler for their kind. A job that fails is tried again with backoff; after
//! `max_attempts` it is given up (`dead`) and listed for the coordinator. A runner that dies
//! mid-pass leaves leases that run out, and its jobs are claimed again; a runner whose lease
//! was taken over can no longer record anything (the attempt count fences it).
//!
//! ## Leases over a batch
//! A batch is claimed at once but run in turn, so the last job's lease has been ticking while
//! the others ran. Rather than lease a whole batch for as long as all of it could take (which
//! would hold a dead runner's jobs back that much longer), each job's lease is the ordinary
//! one, and a job about to start with less than half of it left is held for a whole lease
//! again first. So every job starts with at least half a lease ahead of it (a minute by default;
//! a reminder takes milliseconds), an ordinary pass writes nothing extra, and a runner dead
//! mid-batch holds its jobs back by one lease at most. A job whose lease ran out and was
//! claimed by another runner before it started is not started.
//!
//! A job may therefore run more than once (a crash after its work, before it is marked done):
//! handlers make their effects idempotent (texts through the outbox carry idempotency keys,
//! follow-on jobs theirs).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use crate::clock::Clock;
use crate::outbox::retry::{RetrySettings, backoff, chrono_duration};
use crate::store::{Job, Store, StoreResult};

/// How often the runner looks for due jobs.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Jobs claimed in one pass, soonest due first.
pub const BATCH: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSettings {
    /// Attempts, waits between them (doubling, with jitter).
    pub retry: RetrySettings,
    /// How long a claim holds (`HOTLINE_LEASE_SECONDS`, two minutes by default): a dead
    /// runner's jobs wait this long. A job starts with at least half of it ahead, which must be
    /// longer than any job takes.
    pub lease: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        // 10 s, 20 s, 40 s, 80 s: a job that fails five times in about 5 minutes is given up.
        Self {
            retry: RetrySettings {
                max_attempts: 5,
                first_wait: Duration::from_secs(10),
                longest_wait: Duration::from_secs(15 * 60),
                settle: Duration::ZERO,
            },
            lease: Duration::from_secs(120),
        }
    }
}

/// Why a job did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth trying again (the database, the network).
    #[error("{0}")]
    Retry(String),
    /// Never going to work (a payload this server cannot read): given up at once.
    #[error("{0}")]
    Fatal(String),
}

impl From<crate::store::StoreError> for JobError {
    fn from(error: crate::store::StoreError) -> Self {
        JobError::Retry(error.to_string())
    }
}

/// Does one kind of job.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync {
    async fn run(&self, job: &Job) -> Result<(), JobError>;
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub done: usize,
    pub retried: usize,
    pub dead: usize,
    /// Taken over by another runner meanwhile.
    pub lost: usize,
}

pub struct Runner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: JobSettings,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
}

impl Runner {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: JobSettings) -> Self {
        Self {
            store,
            clock,
            settings,
            handlers: HashMap::new(),
        }
    }

    /// Runs jobs of `kind` with `handler`.
    #[must_use]
    pub fn with(mut self, kind: &str, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(kind.to_owned(), handler);
        self
    }

    /// Runs what is due until `stop` says so. A pass is never cut short, so a job is never
    /// done and then left unmarked.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(error) = self.run_due().await {
                tracing::warn!(%error, "the jobs could not be read; will try again");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = stop.changed() => break,
            }
        }
    }

    /// Makes one attempt at every job due now, up to `BATCH` of them.
    pub async fn run_due(&self) -> StoreResult<Pass> {
        let mut pass = Pass::default();
        let lease = chrono_duration(self.settings.lease);
        let now = self.clock.now();
        for job in self.store.claim_due_jobs(now, now + lease, BATCH).await? {
            let now = self.clock.now();
            let left = job
                .lease_until
                .map_or(chrono::Duration::zero(), |until| until - now);
            if left < lease / 2
                && !self
                    .store
                    .extend_job_lease(job.id, job.attempts, now + lease)
                    .await?
            {
                tracing::warn!(
                    job_id = job.id,
                    "a job's lease ran out before it started, and another runner took it"
                );
                pass.lost += 1;
                continue;
            }
            let result = match self.handlers.get(&job.kind) {
                Some(handler) => handler.run(&job).await,
                // Perhaps a newer server's: tried again, in case one that knows it is running.
                None => Err(JobError::Retry(format!(
                    "no handler for jobs of kind {:?}",
                    job.kind
                ))),
            };
            let now = self.clock.now();
            let recorded = match result {
                Ok(()) => {
                    let done = self.store.finish_job(job.id, job.attempts, now).await?;
                    pass.done += usize::from(done);
                    done
                }
                Err(error) => {
                    let give_up = matches!(error, JobError::Fatal(_))
                        || job.attempts >= self.settings.retry.max_attempts;
                    let message = error.to_string();
                    if give_up {
                        tracing::error!(job_id = job.id, kind = %job.kind, attempt = job.attempts, error = %message,
                            "a job was given up; the coordinator can see it");
                        let dead = self
                            .store
                            .bury_job(job.id, job.attempts, &message, now)
                            .await?;
                        pass.dead += usize::from(dead);
                        dead
                    } else {
                        let jitter = rand::rng().random::<f64>();
                        let wait = backoff(&self.settings.retry, job.attempts, jitter);
                        let due_at = now + chrono_duration(wait);
                        tracing::warn!(job_id = job.id, kind = %job.kind, attempt = job.attempts, error = %message,
                            %due_at, "a job failed; it will be tried again");
                        let retried = self
                            .store
                            .retry_job(job.id, job.attempts, due_at, &message)
                            .await?;
                        pass.retried += usize::from(retried);
                        retried
                    }
                }
            };
            if !recorded {
                tracing::warn!(
                    job_id = job.id,
                    "a job was taken over by another runner meanwhile"
                );
                pass.lost += 1;
            }
        }
        Ok(pass)
    }
}
