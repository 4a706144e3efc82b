//! The durable jobs' records: one trait, and the SQL both backends share (`job_sql!` implements
//! it for a store over a concrete sqlx pool). As in the outbox, every state change is one
//! conditional UPDATE. A runner claims a batch of due jobs in one statement: on PostgreSQL the
//! candidates are locked with `FOR UPDATE SKIP LOCKED`, so two runners claiming at once each take
//! different rows instead of queueing behind one another, and the due condition is checked again
//! on each row the UPDATE finally gets; on SQLite there is one writer, so the statement alone is
//! atomic. A claimed job is fenced by its `attempts`: a runner whose lease ran out and was taken
//! over can no longer extend, finish, retry or bury it.

use chrono::{DateTime, Utc};

use super::*;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    /// Given up after too many tries: listed for the coordinator.
    Dead,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Dead => "dead",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "dead" => JobStatus::Dead,
            _ => return None,
        })
    }
}

/// A job to do at `due_at`, once per `idempotency_key`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    /// JSON, read by the job's kind.
    pub payload: String,
    pub idempotency_key: String,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A job that needs the id of a row written in the same write (a follow-up's first reminder,
/// written with the conversation that opens the follow-up): made once that id is known.
#[derive(Clone)]
pub struct JobOf(std::sync::Arc<dyn Fn(i64) -> StoreResult<NewJob> + Send + Sync>);

impl JobOf {
    pub fn new(make: impl Fn(i64) -> StoreResult<NewJob> + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(make))
    }

    /// The job for the row with this id.
    pub fn of(&self, id: i64) -> StoreResult<NewJob> {
        (self.0)(id)
    }
}

impl std::fmt::Debug for JobOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JobOf(..)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub idempotency_key: String,
    pub status: JobStatus,
    pub due_at: DateTime<Utc>,
    pub attempts: i64,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
    /// Schedules a job once per idempotency key; returns whether it was new.
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool>;
    /// Jobs a runner may claim at `now`: queued ones whose time has come, and running ones whose
    /// lease ran out (their runner died), soonest due first.
    async fn due_jobs(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Job>>;
    /// Claims up to `limit` due jobs (as `due_jobs` finds them, soonest due first) for one
    /// attempt each until `lease_until`, in one statement: of two runners claiming at once, each
    /// job goes to one. Counts each attempt.
    async fn claim_due_jobs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<Job>>;
    /// Holds a claimed job until `lease_until` (later or sooner than it was). False when the
    /// claim is no longer `attempt`'s.
    async fn extend_job_lease(
        &self,
        id: i64,
        attempt: i64,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Ends a claimed job as done. False when the claim is no longer `attempt`'s.
    async fn finish_job(&self, id: i64, attempt: i64, at: DateTime<Utc>) -> StoreResult<bool>;
    /// Queues a claimed job again after a failed attempt, due at `due_at`. False when the claim
    /// is no longer `attempt`'s.
    async fn retry_job(
        &self,
        id: i64,
        attempt: i64,
        due_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool>;
    /// Gives a claimed job up. False when the claim is no longer `attempt`'s.
    async fn bury_job(
        &self,
        id: i64,
        attempt: i64,
        error: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn job(&self, id: i64) -> StoreResult<Option<Job>>;
    async fn job_by_key(&self, idempotency_key: &str) -> StoreResult<Option<Job>>;
    /// Jobs given up, newest first: for the coordinator.
    async fn dead_jobs(&self, limit: i64) -> StoreResult<Vec<Job>>;
    /// Forgets jobs done before `before` (the dead stay, for the coordinator); how many. Their
    /// keys go with them, so only jobs nothing will schedule again may be this old: each
    /// occurrence, reminder and plan has a key of its own.
    async fn forget_done_jobs(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

#[derive(sqlx::FromRow)]
pub(super) struct JobRow {
    id: i64,
    kind: String,
    payload: String,
    idempotency_key: String,
    status: String,
    due_at: DateTime<Utc>,
    attempts: i64,
    lease_until: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl JobRow {
    pub(super) fn into_job(self) -> StoreResult<Job> {
        Ok(Job {
            status: JobStatus::from_name(&self.status)
                .ok_or_else(|| StoreError::Corrupt(self.status.clone()))?,
            id: self.id,
            kind: self.kind,
            payload: self.payload,
            idempotency_key: self.idempotency_key,
            due_at: self.due_at,
            attempts: self.attempts,
            lease_until: self.lease_until,
            last_error: self.last_error,
            created_at: self.created_at,
            finished_at: self.finished_at,
        })
    }
}

pub(super) fn into_jobs(rows: Vec<JobRow>) -> StoreResult<Vec<Job>> {
    rows.into_iter().map(JobRow::into_job).collect()
}

/// The columns `JobRow` reads, as a literal so queries stay static strings.
macro_rules! job_columns {
    () => {
        "id, kind, payload, idempotency_key, status, due_at, attempts, lease_until, last_error, \
         created_at, finished_at"
    };
}

/// When a job may be claimed at `$1`: queued and its time has come, or running under a lease
/// that ran out (its runner died).
macro_rules! job_is_due {
    () => {
        "((status = 'queued' AND due_at <= $1) OR (status = 'running' AND lease_until <= $1))"
    };
}

/// The batch claim, written once: `$lock` is what follows the choice of rows, the one thing the
/// backends say differently. The choice is a materialized CTE so it is made once: as a plain
/// `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, PostgreSQL may scan the subquery again while
/// updating, skip the rows this very statement already changed, and claim more than `n`. The due
/// condition is checked again on each row the UPDATE gets, so the statement is safe on its own
/// even where the choice was read from an older snapshot: a row another runner claimed and
/// committed meanwhile no longer matches (the row locks make this so already; without both,
/// two PostgreSQL runners do claim one job twice).
macro_rules! claim_due_jobs_sql {
    ($lock:literal) => {
        concat!(
            "WITH chosen AS MATERIALIZED (
                SELECT id FROM jobs WHERE ",
            jobs::job_is_due!(),
            " ORDER BY due_at, id LIMIT $3",
            $lock,
            ")
             UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = $2
             WHERE id IN (SELECT id FROM chosen) AND ",
            jobs::job_is_due!(),
            "
             RETURNING ",
            jobs::job_columns!()
        )
    };
}

/// What a claim locks its rows with, by backend (`Store::backend`).
macro_rules! claim_due_jobs_for {
    ($backend:expr) => {
        match $backend {
            // Rows another runner is claiming are skipped, not waited for.
            "postgres" => jobs::claim_due_jobs_sql!(" FOR UPDATE SKIP LOCKED"),
            // One writer at a time: the statement is the lock.
            _ => jobs::claim_due_jobs_sql!(""),
        }
    };
}

/// A queued job's row, binding kind, payload, key, due_at and created_at in that order: one
/// statement for `enqueue_job` and for a subject that keeps its job in its own transaction
/// (`planned.rs`).
macro_rules! insert_job {
    () => {
        "INSERT INTO jobs (kind, payload, idempotency_key, status, due_at, created_at) \
         VALUES ($1, $2, $3, 'queued', $4, $5)"
    };
}

/// The jobs' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! job_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            /// A job queued (see `enqueue_job`) inside the group commit's transaction; false
            /// when its key was queued before.
            pub(super) async fn insert_job(
                tx: &mut sqlx::Transaction<'_, $db>,
                job: &$crate::store::NewJob,
            ) -> StoreResult<bool> {
                let done = sqlx::query(
                    concat!(jobs::insert_job!(), " ON CONFLICT (idempotency_key) DO NOTHING"),
                )
                .bind(&job.kind)
                .bind(&job.payload)
                .bind(&job.idempotency_key)
                .bind(job.due_at)
                .bind(job.created_at)
                .execute(&mut **tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::JobStore for $store {
            async fn enqueue_job(&self, job: &$crate::store::NewJob) -> StoreResult<bool> {
                // Committed with the calls and texts queued beside it (see `group_commit.rs`).
                match self.group_commit.submit(group_commit::HotWrite::Job(job.clone())).await? {
                    group_commit::Written::Job(new) => Ok(new),
                    other => Err(other.mismatched()),
                }
            }

            async fn due_jobs(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::Job>> {
                let rows = sqlx::query_as(concat!(
                    "SELECT ", jobs::job_columns!(), " FROM jobs WHERE ", jobs::job_is_due!(),
                    " ORDER BY due_at, id LIMIT $2"
                ))
                .bind(now)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                jobs::into_jobs(rows)
            }

            async fn claim_due_jobs(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::Job>> {
                let sql = jobs::claim_due_jobs_for!($crate::store::Store::backend(self));
                let rows = sqlx::query_as(sql)
                    .bind(now)
                    .bind(lease_until)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                // RETURNING keeps no order: the soonest due are run first.
                let mut claimed = jobs::into_jobs(rows)?;
                claimed.sort_by_key(|job| (job.due_at, job.id));
                Ok(claimed)
            }

            async fn extend_job_lease(
                &self,
                id: i64,
                attempt: i64,
                lease_until: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET lease_until = $3 WHERE id = $1 AND status = 'running' AND attempts = $2",
                )
                .bind(id)
                .bind(attempt)
                .bind(lease_until)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn finish_job(
                &self,
                id: i64,
                attempt: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET status = 'done', lease_until = NULL, finished_at = $3
                     WHERE id = $1 AND status = 'running' AND attempts = $2",
                )
                .bind(id)
                .bind(attempt)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn retry_job(
                &self,
                id: i64,
                attempt: i64,
                due_at: chrono::DateTime<chrono::Utc>,
                error: &str,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET status = 'queued', lease_until = NULL, due_at = $3, last_error = $4
                     WHERE id = $1 AND status = 'running' AND attempts = $2",
                )
                .bind(id)
                .bind(attempt)
                .bind(due_at)
                .bind(error)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn bury_job(
                &self,
                id: i64,
                attempt: i64,
                error: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET status = 'dead', lease_until = NULL, last_error = $3, finished_at = $4
                     WHERE id = $1 AND status = 'running' AND attempts = $2",
                )
                .bind(id)
                .bind(attempt)
                .bind(error)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn job(&self, id: i64) -> StoreResult<Option<$crate::store::Job>> {
                let row: Option<jobs::JobRow> =
                    sqlx::query_as(concat!("SELECT ", jobs::job_columns!(), " FROM jobs WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(jobs::JobRow::into_job).transpose()
            }

            async fn job_by_key(&self, idempotency_key: &str) -> StoreResult<Option<$crate::store::Job>> {
                let row: Option<jobs::JobRow> = sqlx::query_as(concat!(
                    "SELECT ", jobs::job_columns!(), " FROM jobs WHERE idempotency_key = $1"
                ))
                .bind(idempotency_key)
                .fetch_optional(&self.pool)
                .await?;
                row.map(jobs::JobRow::into_job).transpose()
            }

            async fn dead_jobs(&self, limit: i64) -> StoreResult<Vec<$crate::store::Job>> {
                let rows = sqlx::query_as(concat!(
                    "SELECT ", jobs::job_columns!(), " FROM jobs
                     WHERE status = 'dead' ORDER BY finished_at DESC, id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                jobs::into_jobs(rows)
            }

            async fn forget_done_jobs(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<u64> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query("DELETE FROM jobs WHERE status = 'done' AND finished_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(super) use {
    claim_due_jobs_for, claim_due_jobs_sql, insert_job, job_columns, job_is_due, job_sql,
};
