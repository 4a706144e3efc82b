//! The outbox's records: one trait, and the SQL both backends share (`outbox_sql!` implements it
//! for a store over a concrete sqlx pool). Every state change is one
//! conditional UPDATE, so two workers (or a worker and a status callback) racing on a message
//! cannot both win, on SQLite (one writer) as on PostgreSQL (row locks, and the WHERE clause
//! evaluated again on the row a waiting UPDATE finally gets).
//!
//! A claimed message is fenced by its `attempts`: a worker whose lease ran out and was taken
//! over can no longer requeue or fail it; it can only record a provider id the message lacks.

use chrono::{DateTime, Utc};

use super::*;

#[async_trait::async_trait]
pub trait OutboxStore: Send + Sync {
    /// Queues a message once per idempotency key; returns whether it was new.
    async fn enqueue_outbox(&self, message: &NewOutboxMessage) -> StoreResult<bool>;
    /// Messages waiting for their first or next attempt, oldest first.
    async fn pending_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>>;
    /// Messages an attempt may claim at `now`: queued ones whose time has come, and ones whose
    /// sending lease ran out (their worker died or hangs), oldest first.
    async fn due_outbox(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboxMessage>>;
    /// Makes every queued message that waits only because the provider could not be reached
    /// (its last reason begins with `unreachable`) due at `now`; returns how many. Called once
    /// the provider has taken a message again, so an outage is followed by the texts it held
    /// back at once, not each after its own backoff. A message waiting out a `Retry-After` or
    /// to be looked up after a doubtful attempt keeps its time.
    async fn hurry_outbox(&self, unreachable: &str, now: DateTime<Utc>) -> StoreResult<u64>;
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
    /// Ends a claimed message as failed, undeliverable or withheld. False when the claim is no longer
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
    /// Messages that ended without reaching anyone (failed, undeliverable, or withheld for want
    /// of her consent), newest first: for the coordinator.
    async fn failed_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>>;
}

#[derive(sqlx::FromRow)]
pub(super) struct OutboxRow {
    id: i64,
    idempotency_key: String,
    channel: String,
    to_sealed: Vec<u8>,
    body_sealed: Vec<u8>,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
    uncertain_since: Option<DateTime<Utc>>,
    provider_sid: Option<String>,
    error_code: Option<i64>,
    error_message: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    contact_hash: Option<String>,
}

impl OutboxRow {
    pub(super) fn into_message(self) -> StoreResult<OutboxMessage> {
        Ok(OutboxMessage {
            status: OutboxStatus::from_name(&self.status)
                .ok_or_else(|| StoreError::Corrupt(self.status.clone()))?,
            id: self.id,
            idempotency_key: self.idempotency_key,
            channel: self.channel,
            to_sealed: self.to_sealed,
            body_sealed: self.body_sealed,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            lease_until: self.lease_until,
            uncertain_since: self.uncertain_since,
            provider_sid: self.provider_sid,
            error_code: self.error_code,
            error_message: self.error_message,
            created_at: self.created_at,
            sent_at: self.sent_at,
            finished_at: self.finished_at,
            contact_hash: self.contact_hash,
        })
    }
}

pub(super) fn into_messages(rows: Vec<OutboxRow>) -> StoreResult<Vec<OutboxMessage>> {
    rows.into_iter().map(OutboxRow::into_message).collect()
}

/// How far along a status is, for status callbacks: a callback only ever moves a message on.
pub(super) fn rank(status: OutboxStatus) -> i64 {
    match status {
        OutboxStatus::Queued => 0,
        OutboxStatus::Sending => 1,
        OutboxStatus::Sent => 2,
        OutboxStatus::Delivered
        | OutboxStatus::Failed
        | OutboxStatus::Undeliverable
        | OutboxStatus::Withheld => 3,
    }
}

/// The columns `OutboxRow` reads, as a literal so queries stay static strings.
macro_rules! outbox_columns {
    () => {
        "id, idempotency_key, channel, to_sealed, body_sealed, status, attempts, next_attempt_at, \
         lease_until, uncertain_since, provider_sid, error_code, error_message, created_at, sent_at, \
         finished_at, contact_hash"
    };
}

/// The outbox's methods of `Store` as inherent methods (`sql_` and the trait's name) of
/// `$store`, whose `pool` field is a sqlx pool; the `impl Store` in `sql.rs` calls them, because
/// `#[async_trait]` cannot look inside a macro call.
macro_rules! outbox_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::OutboxStore for $store {
        async fn enqueue_outbox(&self, message: &NewOutboxMessage) -> StoreResult<bool> {
            let _turn = self.turns.take().await?;
            let done = sqlx::query(
                "INSERT INTO outbox (idempotency_key, channel, to_sealed, body_sealed, status, next_attempt_at, created_at,
                    contact_hash)
                 VALUES ($1, $2, $3, $4, 'queued', $5, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(&message.idempotency_key)
            .bind(&message.channel)
            .bind(&message.to_sealed)
            .bind(&message.body_sealed)
            .bind(message.created_at)
            .bind(&message.contact_hash)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn pending_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
            let rows = sqlx::query_as(concat!(
                "SELECT ", outbox::outbox_columns!(), " FROM outbox WHERE status = 'queued' ORDER BY id LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            outbox::into_messages(rows)
        }

        async fn due_outbox(&self, now: chrono::DateTime<chrono::Utc>, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
            let rows = sqlx::query_as(concat!(
                "SELECT ", outbox::outbox_columns!(), " FROM outbox
                 WHERE (status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until <= $1)
                 ORDER BY id LIMIT $2"
            ))
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            outbox::into_messages(rows)
        }

        async fn hurry_outbox(&self, unreachable: &str, now: chrono::DateTime<chrono::Utc>) -> StoreResult<u64> {
            let _turn = self.turns.take().await?;
            let done = sqlx::query(
                "UPDATE outbox SET next_attempt_at = $1
                 WHERE status = 'queued' AND next_attempt_at > $1 AND uncertain_since IS NULL
                   AND substr(error_message, 1, length($2)) = $2",
            )
            .bind(now)
            .bind(unreachable)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected())
        }

        async fn claim_outbox(
            &self,
            id: i64,
            now: chrono::DateTime<chrono::Utc>,
            lease_until: chrono::DateTime<chrono::Utc>,
        ) -> StoreResult<Option<OutboxMessage>> {
            // SET reads the row as it was: a lapsed claim's own start is when doubt began.
            let _turn = self.turns.take().await?;
            let row: Option<outbox::OutboxRow> = sqlx::query_as(concat!(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = $2, lease_until = $3,
                    uncertain_since = CASE WHEN status = 'sending' THEN COALESCE(uncertain_since, claimed_at)
                                           ELSE uncertain_since END
                 WHERE id = $1 AND ((status = 'queued' AND next_attempt_at <= $2) OR (status = 'sending' AND lease_until <= $2))
                 RETURNING ", outbox::outbox_columns!()
            ))
            .bind(id)
            .bind(now)
            .bind(lease_until)
            .fetch_optional(&self.pool)
            .await?;
            row.map(outbox::OutboxRow::into_message).transpose()
        }

        async fn release_outbox(
            &self,
            id: i64,
            attempt: i64,
            next_attempt_at: chrono::DateTime<chrono::Utc>,
        ) -> StoreResult<bool> {
            let _turn = self.turns.take().await?;
            let done = sqlx::query(
                "UPDATE outbox SET status = 'queued', attempts = attempts - 1, next_attempt_at = $3, lease_until = NULL
                 WHERE id = $1 AND status = 'sending' AND attempts = $2",
            )
            .bind(id)
            .bind(attempt)
            .bind(next_attempt_at)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn mark_outbox_sent(&self, id: i64, provider_sid: &str, at: chrono::DateTime<chrono::Utc>) -> StoreResult<bool> {
            // Not fenced by the attempt: a message the provider has is sent, whoever hears of it.
            let _turn = self.turns.take().await?;
            let done = sqlx::query(
                "UPDATE outbox SET status = 'sent', provider_sid = $2, sent_at = $3, lease_until = NULL,
                    error_code = NULL, error_message = NULL, finished_at = NULL
                 WHERE id = $1 AND provider_sid IS NULL AND status IN ('queued', 'sending', 'failed')",
            )
            .bind(id)
            .bind(provider_sid)
            .bind(at)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn retry_outbox(&self, id: i64, attempt: i64, retry: &OutboxRetry) -> StoreResult<bool> {
            let _turn = self.turns.take().await?;
            let done = sqlx::query(
                "UPDATE outbox SET status = 'queued', next_attempt_at = $3, lease_until = NULL,
                    error_code = $4, error_message = $5,
                    uncertain_since = CASE WHEN $6 THEN COALESCE(uncertain_since, claimed_at) ELSE uncertain_since END
                 WHERE id = $1 AND status = 'sending' AND attempts = $2",
            )
            .bind(id)
            .bind(attempt)
            .bind(retry.next_attempt_at)
            .bind(retry.error_code)
            .bind(&retry.error_message)
            .bind(retry.uncertain)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn fail_outbox(&self, id: i64, attempt: i64, failure: &OutboxFailure) -> StoreResult<bool> {
            let _turn = self.turns.take().await?;
            let done = sqlx::query(
                "UPDATE outbox SET status = $3, error_code = $4, error_message = $5, finished_at = $6, lease_until = NULL
                 WHERE id = $1 AND status = 'sending' AND attempts = $2",
            )
            .bind(id)
            .bind(attempt)
            .bind(failure.status.as_str())
            .bind(failure.error_code)
            .bind(&failure.error_message)
            .bind(failure.at)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn apply_outbox_status(&self, update: &OutboxStatusUpdate) -> StoreResult<bool> {
            let _turn = self.turns.take().await?;
            let mut tx = self.pool.begin().await?;
            let mut changed = false;
            if let Some(outbox_id) = update.outbox_id {
                // The create's answer was lost, but the provider has the message: it is sent.
                let done = sqlx::query(
                    "UPDATE outbox SET provider_sid = $2, sent_at = COALESCE(sent_at, $3), lease_until = NULL,
                        status = CASE WHEN status IN ('queued', 'sending', 'failed') THEN 'sent' ELSE status END
                     WHERE id = $1 AND provider_sid IS NULL
                       AND NOT EXISTS (SELECT 1 FROM outbox other WHERE other.provider_sid = $2)",
                )
                .bind(outbox_id)
                .bind(&update.provider_sid)
                .bind(update.at)
                .execute(&mut *tx)
                .await?;
                changed = done.rows_affected() == 1;
            }
            let done = sqlx::query(
                "UPDATE outbox SET status = $2,
                    error_code = COALESCE($3, error_code), error_message = COALESCE($4, error_message),
                    sent_at = COALESCE(sent_at, $5),
                    finished_at = CASE WHEN $6 THEN COALESCE(finished_at, $5) ELSE finished_at END
                 WHERE provider_sid = $1
                   AND (CASE status WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END) < $7",
            )
            .bind(&update.provider_sid)
            .bind(update.status.as_str())
            .bind(update.error_code)
            .bind(&update.error_message)
            .bind(update.at)
            .bind(update.status.is_final())
            .bind(outbox::rank(update.status))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(changed || done.rows_affected() == 1)
        }

        async fn outbox_message(&self, id: i64) -> StoreResult<Option<OutboxMessage>> {
            let row: Option<outbox::OutboxRow> =
                sqlx::query_as(concat!("SELECT ", outbox::outbox_columns!(), " FROM outbox WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            row.map(outbox::OutboxRow::into_message).transpose()
        }

        async fn outbox_by_sid(&self, provider_sid: &str) -> StoreResult<Option<OutboxMessage>> {
            let row: Option<outbox::OutboxRow> =
                sqlx::query_as(concat!("SELECT ", outbox::outbox_columns!(), " FROM outbox WHERE provider_sid = $1"))
                    .bind(provider_sid)
                    .fetch_optional(&self.pool)
                    .await?;
            row.map(outbox::OutboxRow::into_message).transpose()
        }

        async fn failed_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
            let rows = sqlx::query_as(concat!(
                "SELECT ", outbox::outbox_columns!(), " FROM outbox
                 WHERE status IN ('failed', 'undeliverable', 'withheld') ORDER BY finished_at DESC, id DESC LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            outbox::into_messages(rows)
        }
        }
    };
}

pub(super) use {outbox_columns, outbox_sql};
