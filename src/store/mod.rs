//! The hotline's records, behind one trait with two implementations: SQLite for a single
//! machine, PostgreSQL for several instances. The backend is picked from the URL scheme.
//! Nothing here decides anything: the rules live in `routes` and `schedules`.

mod outbox_sql;
mod postgres;
mod records;
mod sql;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hotline_schedules::{Language, Service, StaffMember};

pub use postgres::PostgresStore;
pub use records::*;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store named by `url` and brings its schema up to date.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(
            url.split('@').next_back().unwrap_or(url).to_owned(),
        ))
    }
}

/// Every read and write the server makes. Writes that a provider may repeat are idempotent on
/// the provider's id: repeating one returns the first result and changes nothing.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and metrics.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;

    /// Adds a staff member, or updates the one with the same phone number.
    async fn upsert_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<i64>;
    /// Adds a staff member; `None` when the phone number belongs to someone already.
    async fn create_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<Option<i64>>;
    /// Changes a staff member; false when there is none with that id. A phone number that
    /// belongs to someone else is a `Conflict`.
    async fn update_staff(
        &self,
        id: i64,
        staff: &NewStaff,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    async fn staff(&self) -> StoreResult<Vec<StaffMember>>;
    async fn staff_member(&self, id: i64) -> StoreResult<Option<StaffMember>>;
    /// Keeps the secret of a staff member's calendar feed: its hash to find it, sealed to show it.
    async fn set_calendar_secret(&self, id: i64, hash: &str, sealed: &[u8]) -> StoreResult<()>;
    async fn calendar_secret(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;
    async fn staff_by_calendar_hash(&self, hash: &str) -> StoreResult<Option<StaffMember>>;

    /// Keeps new rota rules in force from their `valid_from`, all or none; returns their ids.
    async fn create_rules(&self, rules: &[NewRule], audit: &AuditEntry) -> StoreResult<Vec<i64>>;
    /// Ends a rule's force at `at`; false when it was not in force.
    async fn close_rule(&self, id: i64, at: DateTime<Utc>, audit: &AuditEntry)
    -> StoreResult<bool>;
    /// Ends a rule's force and puts `rule` in its place from `rule.valid_from`, in one step;
    /// `None` when the old rule was not in force.
    async fn replace_rule(
        &self,
        id: i64,
        rule: &NewRule,
        audit: &AuditEntry,
    ) -> StoreResult<Option<i64>>;
    async fn rule(&self, id: i64) -> StoreResult<Option<StoredRule>>;
    /// Every rule in force at some instant of `[from, to)` whose own interval (if any) meets it.
    async fn rules_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<StoredRule>>;
    /// The newest entries of the audit log first.
    async fn audit_log(&self, limit: i64) -> StoreResult<Vec<StoredAudit>>;

    /// Records a call the first time its CallSid is seen; a repeat returns the first record.
    async fn record_call(&self, call: &NewCall) -> StoreResult<CallRecord>;
    async fn call_by_sid(&self, call_sid: &str) -> StoreResult<Option<CallRecord>>;
    async fn call_by_id(&self, call_id: i64) -> StoreResult<Option<CallRecord>>;
    /// Sets how the call is counted, unless it already is.
    async fn set_call_outcome(&self, call_id: i64, outcome: CallOutcome) -> StoreResult<()>;
    async fn set_call_stage(&self, call_id: i64, stage: CallStage) -> StoreResult<()>;
    /// Keeps the language and service she chose.
    async fn set_call_choice(
        &self,
        call_id: i64,
        language: Language,
        service: Option<Service>,
    ) -> StoreResult<()>;
    /// Records that people are being rung; the first attempt starts the wait limit's count.
    /// Repeating an attempt changes nothing.
    async fn start_legs(&self, legs: &[NewLeg], at: DateTime<Utc>) -> StoreResult<()>;
    async fn legs(&self, call_id: i64) -> StoreResult<Vec<CallLeg>>;
    /// Records how a leg ended, once: a repeated callback keeps the first result (only the
    /// `CALLER_HUNG_UP` placeholder gives way). Without a `staff_id`, every open leg of the attempt.
    async fn finish_leg(
        &self,
        call_id: i64,
        attempt: i64,
        staff_id: Option<i64>,
        end: &LegEnd,
    ) -> StoreResult<()>;
    /// What the provider reports of one leg (placed, ringing, ended): kept even when it comes
    /// after the call ended or before the leg was known, since the provider knows best.
    async fn report_leg(
        &self,
        leg: &NewLeg,
        dial_call_sid: &str,
        end: Option<&LegEnd>,
    ) -> StoreResult<()>;
    /// Settles the legs when the call itself ended: a leg the provider never reported placing
    /// never rang and is removed; one still open is closed as `CALLER_HUNG_UP`, a placeholder
    /// that the leg's own report, arriving later, replaces.
    async fn settle_legs(&self, call_id: i64, at: DateTime<Utc>) -> StoreResult<()>;
    /// The first person to accept wins: marks the call answered by `staff_id` unless someone
    /// accepted already, atomically; returns who answered it.
    async fn claim_call(
        &self,
        call_id: i64,
        staff_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<i64>>;
    /// People on another call that has not ended: being rung, or talking.
    async fn busy_staff(&self, except_call: i64) -> StoreResult<Vec<i64>>;
    /// Calls that began before `before` and never heard their end.
    async fn unfinished_calls(&self, before: DateTime<Utc>) -> StoreResult<Vec<CallRecord>>;
    /// Stores a voicemail once per call; returns whether this was the first time.
    async fn record_voicemail(&self, voicemail: &NewVoicemail) -> StoreResult<bool>;
    async fn has_voicemail(&self, call_id: i64) -> StoreResult<bool>;
    /// Applies a status callback unless a later one (by sequence number) was applied already.
    async fn apply_call_status(&self, update: &CallStatusUpdate) -> StoreResult<()>;
    /// Every call that started in `[from, to)`, oldest first.
    async fn calls_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<CallRecord>>;

    /// Queues a message once per idempotency key; returns whether it was new.
    async fn enqueue_outbox(&self, message: &NewOutboxMessage) -> StoreResult<bool>;
    /// Messages waiting for their first or next attempt, oldest first.
    async fn pending_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>>;
    /// Messages an attempt may claim at `now`: queued ones whose time has come, and ones whose
    /// sending lease ran out (their worker died or hangs), oldest first.
    async fn due_outbox(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboxMessage>>;
    /// Claims a due message for one attempt until `lease_until`, atomically: of two workers,
    /// one gets it. Counts the attempt; a claim of a message whose lease ran out marks it
    /// uncertain from that earlier claim. `None` when it is not due (any more).
    async fn claim_outbox(
        &self,
        id: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<OutboxMessage>>;
    /// Hands back a claim that was not tried (a rate limit): queued again until `next_attempt_at`,
    /// the attempt uncounted. False when the claim is no longer `attempt`'s.
    async fn release_outbox(
        &self,
        id: i64,
        attempt: i64,
        next_attempt_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records the provider's id of a message that was not yet known to be sent: it is sent.
    /// False when the message already has a provider id (or was found undeliverable).
    async fn mark_outbox_sent(
        &self,
        id: i64,
        provider_sid: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Queues a claimed message again after a failed attempt. False when the claim is no longer
    /// `attempt`'s.
    async fn retry_outbox(&self, id: i64, attempt: i64, retry: &OutboxRetry) -> StoreResult<bool>;
    /// Ends a claimed message as failed or undeliverable. False when the claim is no longer
    /// `attempt`'s.
    async fn fail_outbox(
        &self,
        id: i64,
        attempt: i64,
        failure: &OutboxFailure,
    ) -> StoreResult<bool>;
    /// Applies a delivery status callback to the message with that provider id (or, when none
    /// has it yet, to `outbox_id`'s message without one), unless the message is already as far
    /// or further: a late `sent` never undoes `delivered`, and a repeat changes nothing.
    /// Returns whether it changed anything.
    async fn apply_outbox_status(&self, update: &OutboxStatusUpdate) -> StoreResult<bool>;
    async fn outbox_message(&self, id: i64) -> StoreResult<Option<OutboxMessage>>;
    async fn outbox_by_sid(&self, provider_sid: &str) -> StoreResult<Option<OutboxMessage>>;
    /// Messages that ended failed or undeliverable, newest first: for the coordinator.
    async fn failed_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>>;

    /// A line's settings (JSON) by its number, or `default`.
    async fn line(&self, number: &str) -> StoreResult<Option<String>>;
    async fn lines(&self) -> StoreResult<Vec<(String, String)>>;
    async fn put_line(&self, number: &str, body: &str, audit: &AuditEntry) -> StoreResult<()>;
    async fn delete_line(&self, number: &str, audit: &AuditEntry) -> StoreResult<bool>;

    async fn block(
        &self,
        number_hash: &str,
        until: DateTime<Utc>,
        reason: &str,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;
    async fn unblock(&self, id: i64, audit: &AuditEntry) -> StoreResult<bool>;
    async fn is_blocked(&self, number_hash: &str, at: DateTime<Utc>) -> StoreResult<bool>;
    async fn blocklist(&self) -> StoreResult<Vec<BlockEntry>>;

    /// Opens a follow-up for a call, once; returns its id when it is new.
    async fn open_follow_up(&self, follow_up: &NewFollowUp) -> StoreResult<Option<i64>>;
    async fn open_follow_ups(&self) -> StoreResult<Vec<FollowUp>>;

    async fn create_api_token(
        &self,
        name: &str,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// The name of the API token with this hash, if there is one.
    async fn api_token_name(&self, token_hash: &str) -> StoreResult<Option<String>>;
}
