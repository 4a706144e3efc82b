//! Retention: erasing what identifies the person who reached out from contacts closed long ago,
//! while every row stays, so the counts reports need (per line, service, language, outcome, who
//! answered, how long) come out the same before and after. One trait, and the SQL both backends
//! share: `retention_sql!` implements it for a store over a concrete sqlx pool.
//!
//! Erased means emptied, not deleted: a sealed value becomes zero bytes (no key opens it, and
//! its emptiness is the mark that it was erased, so no new column is needed), a provider's
//! reference becomes the empty text, a note becomes NULL. It must never touch a contact that is
//! still open, or anything newer than the cutoff.
//!
//! What stays, on purpose: the keyed hash of her number (`calls.caller_hash`,
//! `conversations.contact_hash`, and the consents and blocklist keyed by it). Reports count
//! repeat contacts by it, and her STOP must keep holding after her records are erased; it
//! cannot be turned back into the number without the server's secret key. The provider's ids
//! (CallSid, MessageSid) stay too: they are what makes a retried webhook a no-op, and what ties
//! a text to the outbox rows it caused.

use chrono::{DateTime, Utc};

use super::*;

/// Contacts erased per transaction: each batch is one transaction, so a contact is erased whole
/// or not at all, and the database is never held long (SQLite has one writer, and webhooks
/// wait behind it).
pub const ERASE_BATCH: i64 = 200;

/// What one erasure pass emptied, by kind. Counts only: never a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Calls whose caller's number was erased.
    pub calls: u64,
    /// Voicemails whose recording (its URL and the provider's sid) was erased.
    pub voicemails: u64,
    /// Text conversations whose contact's number was erased.
    pub conversations: u64,
    /// Texts, hers and staff's, whose words were erased.
    pub messages: u64,
    /// Outbox rows whose words were erased (and the number, for the ones to her).
    pub outbox: u64,
    /// Notes left when a follow-up was marked answered (and their copies in the audit log).
    pub notes: u64,
}

impl Erased {
    pub fn total(&self) -> u64 {
        self.calls + self.voicemails + self.conversations + self.messages + self.outbox + self.notes
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    pub fn add(&mut self, other: Erased) {
        self.calls += other.calls;
        self.voicemails += other.voicemails;
        self.conversations += other.conversations;
        self.messages += other.messages;
        self.outbox += other.outbox;
        self.notes += other.notes;
    }
}

#[async_trait::async_trait]
pub trait RetentionStore: Send + Sync {
    /// Erases what identifies the caller from every contact closed before `cutoff`: a call that
    /// ended and whose follow-up, if any, was answered, both before `cutoff`; a conversation
    /// closed, its follow-up answered and its last text received, all before `cutoff`; and texts
    /// that belong to no conversation, received before `cutoff`. For each: her sealed number,
    /// the words of every text in and out (outbox rows to her lose her number too), the
    /// voicemail's recording reference and its audio, and the follow-up's note with its copy in
    /// the audit log. An outbox row still waiting to be sent is ended as failed: it must not go
    /// out now.
    /// Each batch is audited at `at`. Running it again erases nothing and returns zeros.
    async fn erase_closed_contacts(
        &self,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreResult<Erased>;
}

/// The `after` JSON of an `answer-follow-up` audit entry with its note emptied; `None` when it
/// holds no note's words (any more). Entries written since notes are sealed say only whether
/// a note was left (`true`/`false`): nothing to erase.
pub(super) fn audit_without_note(after: &str) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(after).ok()?;
    let note = value.get_mut("note")?;
    if !note.is_string() {
        return None;
    }
    *note = serde_json::Value::Null;
    Some(value.to_string())
}

/// A call closed before the cutoff (`$1`), as `c`: it ended, and its follow-up (if any) was
/// answered, before then. A follow-up not answered, or answered since, keeps it.
macro_rules! closed_call {
    () => {
        "c.ended_at IS NOT NULL AND c.ended_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.call_id = c.id \
             AND (f.status = 'open' OR f.answered_at IS NULL OR f.answered_at >= $1))"
    };
}

/// A conversation closed before the cutoff (`$1`), as `cv`: closed, its follow-up answered and
/// every text in it received, all before then.
macro_rules! closed_conversation {
    () => {
        "cv.status = 'closed' AND cv.closed_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.id = cv.follow_up_id \
             AND (f.status = 'open' OR f.answered_at IS NULL OR f.answered_at >= $1)) \
         AND NOT EXISTS (SELECT 1 FROM messages lm WHERE lm.conversation_id = cv.id AND lm.received_at >= $1)"
    };
}

/// The closed conversations with ids from `$2` to `$3`, as `cv`, and their texts, as `m`.
macro_rules! texts_of_batch {
    () => {
        concat!(
            "FROM conversations cv JOIN messages m ON m.conversation_id = cv.id \
             WHERE cv.id BETWEEN $2 AND $3 AND ",
            retention::closed_conversation!()
        )
    };
}

/// The idempotency keys of the outbox rows that the texts of a batch of conversations caused:
/// each of her texts relayed to each staff member (`relay:SID:STAFF`, with her words), a staff
/// reply relayed to her (`reply:SID`, to her number) and its answer to staff (`answer:SID`).
/// Spelled out as exact keys, so each is found by the outbox's unique index.
macro_rules! outbox_keys_of_batch {
    () => {
        concat!(
            "SELECT 'reply:' || m.message_sid ", retention::texts_of_batch!(),
            " UNION ALL SELECT 'answer:' || m.message_sid ", retention::texts_of_batch!(),
            " UNION ALL SELECT 'relay:' || m.message_sid || ':' || CAST(s.id AS TEXT) \
             FROM staff s CROSS JOIN conversations cv JOIN messages m ON m.conversation_id = cv.id \
             WHERE m.staff_id IS NULL AND cv.id BETWEEN $2 AND $3 AND ",
            retention::closed_conversation!()
        )
    };
}

/// The retention methods of `Store` for `$store`, whose `pool` field is a `sqlx::Pool<$db>`.
/// Each batch takes the next `ERASE_BATCH` contacts still holding her number, by id, and erases
/// all of them (every statement bounded to their id range and to closed contacts) in one
/// transaction; the next batch starts after the last id.
macro_rules! retention_sql {
    ($store:ty, $db:ty, $backend:literal) => {
        impl $store {
            /// Erases the next batch of closed calls after `after`; the last id, or `None` when
            /// there were none.
            async fn erase_call_batch(
                &self,
                cutoff: chrono::DateTime<chrono::Utc>,
                at: chrono::DateTime<chrono::Utc>,
                after: i64,
                erased: &mut retention::Erased,
            ) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                Self::overwrite_erased_bytes(&mut tx).await?;
                let ids: Vec<i64> = sqlx::query_scalar(concat!(
                    "SELECT c.id FROM calls c WHERE c.id > $2 AND length(c.caller_sealed) > 0 AND ",
                    retention::closed_call!(),
                    " ORDER BY c.id LIMIT $3"
                ))
                .bind(cutoff)
                .bind(after)
                .bind(retention::ERASE_BATCH)
                .fetch_all(&mut *tx)
                .await?;
                let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
                    return Ok(None);
                };
                let mut batch = retention::Erased::default();
                // The audio goes with the recording's reference; the voicemail row stays.
                sqlx::query(concat!(
                    "DELETE FROM voicemail_audio WHERE voicemail_id IN (
                        SELECT v.id FROM voicemails v WHERE v.call_id BETWEEN $2 AND $3
                          AND v.call_id IN (SELECT c.id FROM calls c WHERE ",
                    retention::closed_call!(),
                    "))"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?;
                // `substr(x, 1, 0)`: an empty value of the column's own type, on both backends.
                batch.voicemails = sqlx::query(concat!(
                    "UPDATE voicemails SET recording_sid = '', recording_sealed = substr(recording_sealed, 1, 0)
                     WHERE call_id BETWEEN $2 AND $3 AND (length(recording_sealed) > 0 OR recording_sid <> '')
                       AND call_id IN (SELECT c.id FROM calls c WHERE ",
                    retention::closed_call!(),
                    ")"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let noted: Vec<i64> = sqlx::query_scalar(concat!(
                    "UPDATE follow_ups SET answer_note = NULL, answer_note_sealed = NULL
                     WHERE (answer_note IS NOT NULL OR answer_note_sealed IS NOT NULL) AND call_id BETWEEN $2 AND $3
                       AND call_id IN (SELECT c.id FROM calls c WHERE ",
                    retention::closed_call!(),
                    ") RETURNING id"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .fetch_all(&mut *tx)
                .await?;
                batch.notes = Self::erase_audited_notes(&mut tx, &noted).await?;
                batch.calls = sqlx::query(concat!(
                    "UPDATE calls SET caller_sealed = substr(caller_sealed, 1, 0)
                     WHERE id BETWEEN $2 AND $3 AND length(caller_sealed) > 0
                       AND id IN (SELECT c.id FROM calls c WHERE ",
                    retention::closed_call!(),
                    ")"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                Self::audit_erasure(&mut tx, "calls", &batch, at).await?;
                tx.commit().await?;
                erased.add(batch);
                Ok(Some(last))
            }

            /// Erases the next batch of closed conversations after `after`, with their texts
            /// and the outbox rows those caused; the last id, or `None` when there were none.
            async fn erase_conversation_batch(
                &self,
                cutoff: chrono::DateTime<chrono::Utc>,
                at: chrono::DateTime<chrono::Utc>,
                after: i64,
                erased: &mut retention::Erased,
            ) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                Self::overwrite_erased_bytes(&mut tx).await?;
                let ids: Vec<i64> = sqlx::query_scalar(concat!(
                    "SELECT cv.id FROM conversations cv WHERE cv.id > $2 AND length(cv.contact_sealed) > 0 AND ",
                    retention::closed_conversation!(),
                    " ORDER BY cv.id LIMIT $3"
                ))
                .bind(cutoff)
                .bind(after)
                .bind(retention::ERASE_BATCH)
                .fetch_all(&mut *tx)
                .await?;
                let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
                    return Ok(None);
                };
                let mut batch = retention::Erased::default();
                // Only a reply carries her number; relays and answers went to staff.
                batch.outbox = sqlx::query(concat!(
                    "UPDATE outbox SET body_sealed = substr(body_sealed, 1, 0),
                        to_sealed = CASE WHEN substr(idempotency_key, 1, 6) = 'reply:'
                                    THEN substr(to_sealed, 1, 0) ELSE to_sealed END,
                        status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END,
                        error_message = CASE WHEN status = 'queued'
                                        THEN 'erased by retention before it was sent' ELSE error_message END,
                        finished_at = CASE WHEN status = 'queued' THEN $4 ELSE finished_at END
                     WHERE length(body_sealed) > 0 AND idempotency_key IN (",
                    retention::outbox_keys_of_batch!(),
                    ")"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                batch.messages = sqlx::query(concat!(
                    "UPDATE messages SET body_sealed = substr(body_sealed, 1, 0)
                     WHERE length(body_sealed) > 0 AND conversation_id BETWEEN $2 AND $3
                       AND conversation_id IN (SELECT cv.id FROM conversations cv WHERE ",
                    retention::closed_conversation!(),
                    ")"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let noted: Vec<i64> = sqlx::query_scalar(concat!(
                    "UPDATE follow_ups SET answer_note = NULL, answer_note_sealed = NULL
                     WHERE (answer_note IS NOT NULL OR answer_note_sealed IS NOT NULL) AND id IN (SELECT cv.follow_up_id FROM conversations cv
                        WHERE cv.id BETWEEN $2 AND $3 AND ",
                    retention::closed_conversation!(),
                    ") RETURNING id"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .fetch_all(&mut *tx)
                .await?;
                batch.notes = Self::erase_audited_notes(&mut tx, &noted).await?;
                batch.conversations = sqlx::query(concat!(
                    "UPDATE conversations SET contact_sealed = substr(contact_sealed, 1, 0)
                     WHERE id BETWEEN $2 AND $3 AND length(contact_sealed) > 0
                       AND id IN (SELECT cv.id FROM conversations cv WHERE ",
                    retention::closed_conversation!(),
                    ")"
                ))
                .bind(cutoff)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                Self::audit_erasure(&mut tx, "conversations", &batch, at).await?;
                tx.commit().await?;
                erased.add(batch);
                Ok(Some(last))
            }

            /// Erases the next batch of texts in no conversation (her STOP and START, staff
            /// commands and replies to a code no longer open) received before the cutoff.
            async fn erase_loose_text_batch(
                &self,
                cutoff: chrono::DateTime<chrono::Utc>,
                at: chrono::DateTime<chrono::Utc>,
                after: i64,
                erased: &mut retention::Erased,
            ) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                Self::overwrite_erased_bytes(&mut tx).await?;
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM messages
                     WHERE id > $2 AND conversation_id IS NULL AND received_at < $1 AND length(body_sealed) > 0
                     ORDER BY id LIMIT $3",
                )
                .bind(cutoff)
                .bind(after)
                .bind(retention::ERASE_BATCH)
                .fetch_all(&mut *tx)
                .await?;
                let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
                    return Ok(None);
                };
                let batch = retention::Erased {
                    messages: sqlx::query(
                        "UPDATE messages SET body_sealed = substr(body_sealed, 1, 0)
                         WHERE id BETWEEN $2 AND $3 AND conversation_id IS NULL AND received_at < $1
                           AND length(body_sealed) > 0",
                    )
                    .bind(cutoff)
                    .bind(first)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    ..Default::default()
                };
                Self::audit_erasure(&mut tx, "texts", &batch, at).await?;
                tx.commit().await?;
                erased.add(batch);
                Ok(Some(last))
            }

            /// On SQLite, has this connection overwrite what it frees with zeros: an erased value
            /// must not linger in the file's free space. (PostgreSQL keeps old row versions until
            /// VACUUM; that is the operator's to schedule.)
            async fn overwrite_erased_bytes(tx: &mut sqlx::Transaction<'_, $db>) -> StoreResult<()> {
                if $backend == "sqlite" {
                    sqlx::query("PRAGMA secure_delete = ON").execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Empties the note in the audit entries that marked these follow-ups answered;
            /// returns how many notes (in follow-ups and entries) were erased.
            async fn erase_audited_notes(
                tx: &mut sqlx::Transaction<'_, $db>,
                follow_ups: &[i64],
            ) -> StoreResult<u64> {
                let mut erased = follow_ups.len() as u64;
                for id in follow_ups {
                    let entries: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT id, after FROM audit_log
                         WHERE action = 'answer-follow-up' AND subject = $1 AND after IS NOT NULL",
                    )
                    .bind(format!("follow-up/{id}"))
                    .fetch_all(&mut **tx)
                    .await?;
                    for (entry, after) in entries {
                        let Some(cleared) = retention::audit_without_note(&after) else {
                            continue;
                        };
                        // Its salt goes with the words: the chain still verifies, and the
                        // digest left behind cannot be checked against a guess.
                        sqlx::query("UPDATE audit_log SET after = $1, salt = NULL WHERE id = $2")
                            .bind(cleared)
                            .bind(entry)
                            .execute(&mut **tx)
                            .await?;
                        erased += 1;
                    }
                }
                Ok(erased)
            }

            /// Logs a batch in the audit log, counts only, when it erased anything.
            async fn audit_erasure(
                tx: &mut sqlx::Transaction<'_, $db>,
                subject: &str,
                batch: &retention::Erased,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                if batch.is_empty() {
                    return Ok(());
                }
                let counts = serde_json::json!({
                    "calls": batch.calls,
                    "voicemails": batch.voicemails,
                    "conversations": batch.conversations,
                    "messages": batch.messages,
                    "outbox": batch.outbox,
                    "notes": batch.notes,
                });
                Self::write_audit(
                    tx,
                    &AuditEntry {
                        at,
                        actor: "retention".to_owned(),
                        action: "erase-closed-contacts".to_owned(),
                        subject: subject.to_owned(),
                        before: None,
                        after: Some(counts.to_string()),
                    },
                )
                .await
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::RetentionStore for $store {
            async fn erase_closed_contacts(
                &self,
                cutoff: chrono::DateTime<chrono::Utc>,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<retention::Erased> {
                let mut erased = retention::Erased::default();
                let mut after = 0;
                while let Some(last) = self.erase_call_batch(cutoff, at, after, &mut erased).await? {
                    after = last;
                }
                after = 0;
                while let Some(last) = self
                    .erase_conversation_batch(cutoff, at, after, &mut erased)
                    .await?
                {
                    after = last;
                }
                after = 0;
                while let Some(last) = self
                    .erase_loose_text_batch(cutoff, at, after, &mut erased)
                    .await?
                {
                    after = last;
                }
                if $backend == "sqlite" && !erased.is_empty() {
                    // The write-ahead log still holds the pages as they were before: copy it
                    // into the file and empty it. Best effort: with a reader still on an old
                    // page it stops short, and the next checkpoint overwrites the rest.
                    let _turn = self.turns.take().await?;
                    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
                }
                Ok(erased)
            }
        }
    };
}

pub(super) use {
    closed_call, closed_conversation, outbox_keys_of_batch, retention_sql, texts_of_batch,
};
