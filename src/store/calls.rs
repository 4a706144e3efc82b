//! Calls and everything that happens on one: her choices, the legs rung, the person who answered,
//! the voicemail, the final status, and the follow-up an unanswered call opens. One trait, and the
//! SQL both backends share: `call_sql!` implements it for a store over a concrete sqlx pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hotline_schedules::{Language, Service};

use super::*;

#[async_trait]
pub trait CallStore: Send + Sync {
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
    /// Keeps her choice with what it led to (the people rung, or the call's stage), all of it
    /// or nothing, in one write: one synced commit on her way to a person, where there were two.
    async fn set_call_choice_then(
        &self,
        call_id: i64,
        language: Language,
        service: Option<Service>,
        then: &AfterChoice,
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

    /// Opens a follow-up for a call, once; returns its id when it is new.
    async fn open_follow_up(&self, follow_up: &NewFollowUp) -> StoreResult<Option<i64>>;
    async fn open_follow_ups(&self) -> StoreResult<Vec<FollowUp>>;
}

/// The SQL of a call's hot writes, shared by the sqlx committers and SQLite's own
/// (`sqlite_committer.rs`), so both write a call alike.
pub(super) const SET_STAGE: &str = "UPDATE calls SET stage = $1 WHERE id = $2";
pub(super) const SET_CHOICE: &str =
    "UPDATE calls SET language = $1, service = COALESCE($2, service) WHERE id = $3";
pub(super) const INSERT_LEG: &str =
    "INSERT INTO call_legs (call_id, attempt, staff_id, started_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (call_id, attempt, staff_id) DO NOTHING";
pub(super) const LEG_RINGING: &str =
    "UPDATE calls SET stage = $1, ringing_since = COALESCE(ringing_since, $2) WHERE id = $3";
/// Followed by the values of the calls, then [`CALLS_KEPT`].
pub(super) const INSERT_CALLS: &str = "INSERT INTO calls (call_sid, line_number, caller_sealed, caller_hash, status, stage, started_at) ";
/// Every column `select_calls!` reads, of the calls new to the table.
pub(super) const CALLS_KEPT: &str = " ON CONFLICT (call_sid) DO NOTHING
     RETURNING id, call_sid, line_number, caller_sealed, caller_hash, status, stage, language,
        service, ringing_since, outcome, answered_by, started_at, answered_at, ended_at, duration_secs";

/// Implements [`CallStore`] for `$store`, whose `pool` field is a `sqlx::Pool<$db>` and whose
/// `group_commit` field takes the hot writes (see `group_commit.rs`).
macro_rules! call_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            /// A change of the call's row committed with the writes queued beside it (see
            /// `group_commit.rs`).
            async fn hot_change(&self, write: group_commit::HotWrite) -> StoreResult<()> {
                match self.group_commit.submit(write).await? {
                    group_commit::Written::Done => Ok(()),
                    other => Err(other.mismatched()),
                }
            }

            async fn update_call_stage(tx: &mut sqlx::Transaction<'_, $db>, call_id: i64, stage: CallStage) -> StoreResult<()> {
                sqlx::query($crate::store::calls::SET_STAGE)
                    .bind(stage.as_str())
                    .bind(call_id)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            async fn update_call_choice(
                tx: &mut sqlx::Transaction<'_, $db>,
                call_id: i64,
                language: Language,
                service: Option<Service>,
            ) -> StoreResult<()> {
                sqlx::query($crate::store::calls::SET_CHOICE)
                    .bind(language.as_str())
                    .bind(service.map(|s| s.as_str()))
                    .bind(call_id)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            /// The legs rung (see `start_legs`), inside the group commit's transaction.
            async fn insert_legs(tx: &mut sqlx::Transaction<'_, $db>, legs: &[NewLeg], at: DateTime<Utc>) -> StoreResult<()> {
                for leg in legs {
                    sqlx::query($crate::store::calls::INSERT_LEG)
                    .bind(leg.call_id)
                    .bind(leg.attempt)
                    .bind(leg.staff_id)
                    .bind(leg.started_at)
                    .execute(&mut **tx)
                    .await?;
                    sqlx::query($crate::store::calls::LEG_RINGING)
                        .bind(CallStage::Ringing.as_str())
                        .bind(at)
                        .bind(leg.call_id)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            /// Calls' first records in one INSERT, in the order given, inside the group commit's
            /// transaction or as one of their own; a repeat (or one CallSid twice) is read as
            /// first kept.
            async fn insert_calls(
                connection: &mut <$db as sqlx::Database>::Connection,
                calls: &[&NewCall],
            ) -> StoreResult<Vec<CallRecord>> {
                let mut insert = sqlx::QueryBuilder::<$db>::new($crate::store::calls::INSERT_CALLS);
                insert.push_values(calls, |mut row, call| {
                    row.push_bind(&call.call_sid)
                        .push_bind(&call.line_number)
                        .push_bind(&call.caller_sealed)
                        .push_bind(&call.caller_hash)
                        .push_bind(&call.status)
                        .push_bind(CallStage::Greeting.as_str())
                        .push_bind(call.started_at);
                });
                insert.push($crate::store::calls::CALLS_KEPT);
                let rows: Vec<sql::CallRow> = insert.build_query_as().fetch_all(&mut *connection).await?;
                let mut kept = std::collections::HashMap::with_capacity(calls.len());
                for row in rows {
                    let record = row.into_record()?;
                    kept.insert(record.call_sid.clone(), record);
                }
                let mut records = Vec::with_capacity(calls.len());
                for call in calls {
                    let record = match kept.get(&call.call_sid) {
                        Some(record) => record.clone(),
                        None => {
                            let row: sql::CallRow = sqlx::query_as(concat!(sql::select_calls!(), "WHERE call_sid = $1"))
                                .bind(&call.call_sid)
                                .fetch_one(&mut *connection)
                                .await?;
                            let record = row.into_record()?;
                            kept.insert(record.call_sid.clone(), record.clone());
                            record
                        }
                    };
                    records.push(record);
                }
                Ok(records)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::CallStore for $store {
            async fn record_call(&self, call: &NewCall) -> StoreResult<CallRecord> {
                // Answered once the shared transaction holding it has committed.
                match self.group_commit.submit(group_commit::HotWrite::Call(call.clone())).await? {
                    group_commit::Written::Call(record) => Ok(record),
                    other => Err(other.mismatched()),
                }
            }

            async fn call_by_sid(&self, call_sid: &str) -> StoreResult<Option<CallRecord>> {
                let row: Option<sql::CallRow> =
                    sqlx::query_as(concat!(sql::select_calls!(), "WHERE call_sid = $1"))
                        .bind(call_sid)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(sql::CallRow::into_record).transpose()
            }

            async fn call_by_id(&self, call_id: i64) -> StoreResult<Option<CallRecord>> {
                let row: Option<sql::CallRow> = sqlx::query_as(concat!(sql::select_calls!(), "WHERE id = $1"))
                    .bind(call_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(sql::CallRow::into_record).transpose()
            }

            async fn set_call_outcome(&self, call_id: i64, outcome: CallOutcome) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query("UPDATE calls SET outcome = COALESCE(outcome, $1) WHERE id = $2")
                    .bind(outcome.as_str())
                    .bind(call_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn set_call_stage(&self, call_id: i64, stage: CallStage) -> StoreResult<()> {
                self.hot_change(group_commit::HotWrite::CallStage(call_id, stage)).await
            }

            async fn set_call_choice(&self, call_id: i64, language: Language, service: Option<Service>) -> StoreResult<()> {
                self.hot_change(group_commit::HotWrite::CallChoice(call_id, language, service)).await
            }

            async fn set_call_choice_then(
                &self,
                call_id: i64,
                language: Language,
                service: Option<Service>,
                then: &AfterChoice,
            ) -> StoreResult<()> {
                self.hot_change(group_commit::HotWrite::CallChoiceThen(call_id, language, service, then.clone())).await
            }

            async fn start_legs(&self, legs: &[NewLeg], at: DateTime<Utc>) -> StoreResult<()> {
                if legs.is_empty() {
                    return Ok(());
                }
                self.hot_change(group_commit::HotWrite::Legs(legs.to_vec(), at)).await
            }

            async fn legs(&self, call_id: i64) -> StoreResult<Vec<CallLeg>> {
                let rows: Vec<sql::LegRow> = sqlx::query_as(
                    "SELECT call_id, attempt, staff_id, started_at, result, dial_call_sid, duration_secs, ended_at
                     FROM call_legs WHERE call_id = $1 ORDER BY attempt",
                )
                .bind(call_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(CallLeg::from).collect())
            }

            async fn finish_leg(&self, call_id: i64, attempt: i64, staff_id: Option<i64>, end: &LegEnd) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(
                    "UPDATE call_legs SET result = $1, dial_call_sid = COALESCE($2, dial_call_sid),
                        duration_secs = $3, ended_at = $4
                     WHERE call_id = $5 AND attempt = $6 AND ($7 IS NULL OR staff_id = $7)
                       AND (result IS NULL OR result = $8)",
                )
                .bind(&end.result)
                .bind(&end.dial_call_sid)
                .bind(end.duration_secs)
                .bind(end.ended_at)
                .bind(call_id)
                .bind(attempt)
                .bind(staff_id)
                .bind(CALLER_HUNG_UP)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn report_leg(&self, leg: &NewLeg, dial_call_sid: &str, end: Option<&LegEnd>) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(
                    "INSERT INTO call_legs (call_id, attempt, staff_id, started_at, dial_call_sid, result, duration_secs, ended_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (call_id, attempt, staff_id) DO UPDATE SET
                        dial_call_sid = COALESCE(call_legs.dial_call_sid, excluded.dial_call_sid),
                        result = CASE WHEN call_legs.result IS NULL OR call_legs.result = $9
                                 THEN COALESCE(excluded.result, call_legs.result) ELSE call_legs.result END,
                        duration_secs = COALESCE(call_legs.duration_secs, excluded.duration_secs),
                        ended_at = COALESCE(excluded.ended_at, call_legs.ended_at)",
                )
                .bind(leg.call_id)
                .bind(leg.attempt)
                .bind(leg.staff_id)
                .bind(leg.started_at)
                .bind(dial_call_sid)
                .bind(end.map(|e| e.result.as_str()))
                .bind(end.and_then(|e| e.duration_secs))
                .bind(end.map(|e| e.ended_at))
                .bind(CALLER_HUNG_UP)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn settle_legs(&self, call_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM call_legs WHERE call_id = $1 AND result IS NULL AND dial_call_sid IS NULL")
                    .bind(call_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE call_legs SET result = $1, ended_at = $2 WHERE call_id = $3 AND result IS NULL")
                    .bind(CALLER_HUNG_UP)
                    .bind(at)
                    .bind(call_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn claim_call(&self, call_id: i64, staff_id: i64, at: DateTime<Utc>) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                // One conditional UPDATE: of two people pressing 1 at once, exactly one wins.
                sqlx::query(
                    "UPDATE calls SET answered_by = $1, answered_at = $2, stage = $3, outcome = $4
                     WHERE id = $5 AND answered_by IS NULL AND ended_at IS NULL",
                )
                .bind(staff_id)
                .bind(at)
                .bind(CallStage::Connected.as_str())
                .bind(CallOutcome::Answered.as_str())
                .bind(call_id)
                .execute(&mut *tx)
                .await?;
                let answered_by: Option<Option<i64>> = sqlx::query_scalar("SELECT answered_by FROM calls WHERE id = $1")
                    .bind(call_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(answered_by.flatten())
            }

            async fn busy_staff(&self, except_call: i64) -> StoreResult<Vec<i64>> {
                // Ringing (a leg with no result yet) or talking (the leg that answered), on a
                // call not yet ended. Each half starts from a partial index of its own, so the
                // cost follows the calls in progress, never the years of calls kept.
                // (UNION ALL and no ORDER BY: asked to sort, SQLite would walk every leg ever
                // kept in staff order instead.)
                let mut ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT l.staff_id FROM call_legs l JOIN calls c ON c.id = l.call_id
                     WHERE l.result IS NULL AND c.ended_at IS NULL AND c.id <> $1
                     UNION ALL
                     SELECT l.staff_id FROM calls c JOIN call_legs l ON l.call_id = c.id AND l.staff_id = c.answered_by
                     WHERE c.ended_at IS NULL AND c.answered_by IS NOT NULL AND c.id <> $1",
                )
                .bind(except_call)
                .fetch_all(&self.pool)
                .await?;
                ids.sort_unstable();
                ids.dedup();
                Ok(ids)
            }

            async fn unfinished_calls(&self, before: DateTime<Utc>) -> StoreResult<Vec<CallRecord>> {
                let rows: Vec<sql::CallRow> =
                    sqlx::query_as(concat!(sql::select_calls!(), "WHERE ended_at IS NULL AND started_at < $1 ORDER BY id"))
                        .bind(before)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(sql::CallRow::into_record).collect()
            }

            async fn record_voicemail(&self, voicemail: &NewVoicemail) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "INSERT INTO voicemails (call_id, recording_sid, recording_sealed, duration_secs, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_id) DO NOTHING",
                )
                .bind(voicemail.call_id)
                .bind(&voicemail.recording_sid)
                .bind(&voicemail.recording_sealed)
                .bind(voicemail.duration_secs)
                .bind(voicemail.created_at)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 1 {
                    sqlx::query("UPDATE calls SET outcome = $1 WHERE id = $2 AND outcome IS NULL")
                        .bind(CallOutcome::Voicemail.as_str())
                        .bind(voicemail.call_id)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(done.rows_affected() == 1)
            }

            async fn has_voicemail(&self, call_id: i64) -> StoreResult<bool> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM voicemails WHERE call_id = $1")
                    .bind(call_id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count > 0)
            }

            async fn apply_call_status(&self, update: &CallStatusUpdate) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(
                    "UPDATE calls SET status = $1, last_sequence = $2,
                        ended_at = COALESCE($3, ended_at), duration_secs = COALESCE($4, duration_secs),
                        outcome = COALESCE(outcome, $5)
                     WHERE call_sid = $6 AND last_sequence <= $2",
                )
                .bind(&update.status)
                .bind(update.sequence)
                .bind(update.ended_at)
                .bind(update.duration_secs)
                .bind(update.outcome.map(CallOutcome::as_str))
                .bind(&update.call_sid)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn calls_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<CallRecord>> {
                let rows: Vec<sql::CallRow> = sqlx::query_as(concat!(
                    sql::select_calls!(),
                    "WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at, id"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::CallRow::into_record).collect()
            }

            async fn open_follow_up(&self, follow_up: &NewFollowUp) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO follow_ups (call_id, kind, service, line_number, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (call_id) DO NOTHING RETURNING id",
                )
                .bind(follow_up.call_id)
                .bind(follow_up.kind.as_str())
                .bind(follow_up.service.map(|s| s.as_str()))
                .bind(&follow_up.line_number)
                .bind(follow_up.created_at)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id)
            }

            async fn open_follow_ups(&self) -> StoreResult<Vec<FollowUp>> {
                let rows: Vec<sql::FollowUpRow> = sqlx::query_as(concat!(
                    sql::select_follow_ups!(),
                    "WHERE f.status = 'open' ORDER BY f.created_at, f.id"
                ))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::FollowUpRow::into_follow_up).collect()
            }
        }
    };
}

pub(super) use call_sql;
