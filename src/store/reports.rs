//! Counts for the coordinator's digest and the donors' reports: how many contacts came, by
//! what, never who. The report's queries return plain facts (`hotline_routes::report`) for the
//! pure aggregation; the only thing of hers they carry is the keyed hash that tells one person
//! from another, and never a sealed value.

use chrono::{DateTime, Utc};
use hotline_routes::call::CallOutcome;
use hotline_routes::report::{CallFact, FollowUpFact, TextChannel, TextFact};
use hotline_schedules::{Language, Service};

use super::*;

#[async_trait::async_trait]
pub trait ReportStore: Send + Sync {
    /// Text conversations opened in `[from, to)`, counted by service.
    async fn conversations_opened(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(Service, i64)>>;
    /// Calls that began in `[from, to)`, oldest first, each marked `known_before` when her
    /// number called or wrote before `from`.
    async fn report_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<CallFact>>;
    /// Text conversations opened in `[from, to)`, oldest first, with the first reply a staff
    /// member had queued to her (whenever it was), and `known_before` as for calls.
    async fn report_texts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<TextFact>>;
    /// Follow-ups opened in `[from, to)`, oldest first, with when each was answered.
    async fn report_follow_ups(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<FollowUpFact>>;
}

pub(super) fn by_service(rows: Vec<(String, i64)>) -> StoreResult<Vec<(Service, i64)>> {
    rows.into_iter()
        .map(|(name, count)| {
            name.parse::<Service>()
                .map(|service| (service, count))
                .map_err(|_| StoreError::Corrupt(name))
        })
        .collect()
}

fn named<T: std::str::FromStr>(name: Option<String>) -> StoreResult<Option<T>> {
    name.map(|name| name.parse().map_err(|_| StoreError::Corrupt(name)))
        .transpose()
}

#[derive(sqlx::FromRow)]
pub(super) struct CallFactRow {
    service: Option<String>,
    language: Option<String>,
    outcome: Option<String>,
    started_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    caller_hash: String,
    known_before: bool,
}

pub(super) fn call_facts(rows: Vec<CallFactRow>) -> StoreResult<Vec<CallFact>> {
    rows.into_iter()
        .map(|row| {
            Ok(CallFact {
                service: named::<Service>(row.service)?,
                language: named::<Language>(row.language)?,
                outcome: row
                    .outcome
                    .map(|name| CallOutcome::from_name(&name).ok_or(StoreError::Corrupt(name)))
                    .transpose()?,
                started_at: row.started_at,
                answered_at: row.answered_at,
                caller: row.caller_hash,
                known_before: row.known_before,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(super) struct TextFactRow {
    service: String,
    channel: String,
    opened_at: DateTime<Utc>,
    first_reply_at: Option<DateTime<Utc>>,
    contact_hash: String,
    known_before: bool,
}

pub(super) fn text_facts(rows: Vec<TextFactRow>) -> StoreResult<Vec<TextFact>> {
    rows.into_iter()
        .map(|row| {
            Ok(TextFact {
                service: row
                    .service
                    .parse()
                    .map_err(|_| StoreError::Corrupt(row.service.clone()))?,
                channel: match row.channel.as_str() {
                    "sms" => TextChannel::Sms,
                    "whatsapp" => TextChannel::Whatsapp,
                    _ => return Err(StoreError::Corrupt(row.channel)),
                },
                opened_at: row.opened_at,
                first_reply_at: row.first_reply_at,
                contact: row.contact_hash,
                known_before: row.known_before,
            })
        })
        .collect()
}

/// Whether the number with hash `$hash` called or wrote before `$1`, as a boolean column.
macro_rules! known_before {
    ($hash:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM calls e WHERE e.caller_hash = ",
            $hash,
            " AND e.started_at < $1)
              OR EXISTS (SELECT 1 FROM conversations e WHERE e.contact_hash = ",
            $hash,
            " AND e.opened_at < $1)) AS known_before"
        )
    };
}

/// The reports' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! report_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::ReportStore for $store {
            async fn conversations_opened(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<(hotline_schedules::Service, i64)>> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT service, COUNT(*) FROM conversations
                     WHERE opened_at >= $1 AND opened_at < $2 GROUP BY service ORDER BY service",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                reports::by_service(rows)
            }

            async fn report_calls(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<hotline_routes::report::CallFact>> {
                let rows: Vec<reports::CallFactRow> = sqlx::query_as(concat!(
                    "SELECT c.service, c.language, c.outcome, c.started_at, c.answered_at,
                            c.caller_hash, ",
                    reports::known_before!("c.caller_hash"),
                    " FROM calls c WHERE c.started_at >= $1 AND c.started_at < $2
                     ORDER BY c.started_at, c.id"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                reports::call_facts(rows)
            }

            async fn report_texts(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<hotline_routes::report::TextFact>> {
                // A staff reply is a staff text on her conversation for which a reply to her
                // was queued (`reply:<MessageSid>`): a DONE, or a reply her consent refused,
                // sits on the conversation too but reached her with nothing.
                let rows: Vec<reports::TextFactRow> = sqlx::query_as(concat!(
                    "SELECT v.service, v.channel, v.opened_at,
                            (SELECT MIN(m.received_at) FROM messages m
                             JOIN outbox o ON o.idempotency_key = 'reply:' || m.message_sid
                             WHERE m.conversation_id = v.id AND m.staff_id IS NOT NULL)
                              AS first_reply_at,
                            v.contact_hash, ",
                    reports::known_before!("v.contact_hash"),
                    " FROM conversations v WHERE v.opened_at >= $1 AND v.opened_at < $2
                     ORDER BY v.opened_at, v.id"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                reports::text_facts(rows)
            }

            async fn report_follow_ups(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<hotline_routes::report::FollowUpFact>> {
                let rows: Vec<(
                    chrono::DateTime<chrono::Utc>,
                    Option<chrono::DateTime<chrono::Utc>>,
                )> = sqlx::query_as(
                    "SELECT created_at, answered_at FROM follow_ups
                     WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(opened_at, answered_at)| hotline_routes::report::FollowUpFact {
                        opened_at,
                        answered_at,
                    })
                    .collect())
            }
        }
    };
}

pub(super) use {known_before, report_sql};
