//! Erasing one person at her request (or a coordinator's): every contact whose keyed hash is
//! hers — calls, voicemails and their audio, conversations and their texts, the texts sent to
//! her or carrying her words to staff, notes, plans, her consents — loses what could identify
//! her, in one transaction, whether closed or not. Unlike retention (`retention.rs`), her hash
//! goes too: each contact gets a hash of its own that matches nothing, so nothing links them to
//! each other or to her any more, while every row stays and the reports' counts stay the same
//! (her later contacts will count as a new caller's). Her consents are deleted: with none
//! recorded, nothing is ever sent to her number until she writes again.

use super::*;

#[async_trait::async_trait]
pub trait ErasureStore: Send + Sync {
    /// Erases every trace of the person whose number has keyed hash `hash`, audited at `at`
    /// by `actor` with counts only. Open follow-ups of hers end (nobody can call her back);
    /// texts to her not yet sent end failed. Running it again erases nothing.
    async fn erase_contact(
        &self,
        hash: &str,
        actor: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Erased>;
}

/// Her calls (`$1` her hash), as a subquery.
macro_rules! her_calls {
    () => {
        "SELECT id FROM calls WHERE caller_hash = $1"
    };
}

/// Her conversations (`$1` her hash), as a subquery.
macro_rules! her_conversations {
    () => {
        "SELECT id FROM conversations WHERE contact_hash = $1"
    };
}

/// The erasure methods of `Store` for `$store`, whose `pool` field is a `sqlx::Pool<$db>`.
macro_rules! erasure_sql {
    ($store:ty, $db:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::ErasureStore for $store {
            async fn erase_contact(
                &self,
                hash: &str,
                actor: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Erased> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                Self::overwrite_erased_bytes(&mut tx).await?;
                let mut erased = Erased::default();
                // Her voice itself, where it was fetched already; the voicemail row stays (and
                // is counted below). A fetch still to come finds the recording erased, keeps
                // nothing and still deletes it at the provider (`jobs::recordings`).
                sqlx::query(concat!(
                    "DELETE FROM voicemail_audio WHERE voicemail_id IN (SELECT id FROM voicemails WHERE call_id IN (",
                    erasure::her_calls!(),
                    "))"
                ))
                .bind(hash)
                .execute(&mut *tx)
                .await?;
                erased.voicemails = sqlx::query(concat!(
                    "UPDATE voicemails SET recording_sid = '', recording_sealed = substr(recording_sealed, 1, 0)
                     WHERE (length(recording_sealed) > 0 OR recording_sid <> '') AND call_id IN (",
                    erasure::her_calls!(),
                    ")"
                ))
                .bind(hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Her texts' words went to staff too: relayed (`relay:SID:STAFF`), and a staff
                // reply to her (`reply:SID`) was answered to staff (`answer:SID`).
                erased.outbox = sqlx::query(concat!(
                    "UPDATE outbox SET body_sealed = substr(body_sealed, 1, 0),
                        to_sealed = CASE WHEN contact_hash = $1 THEN substr(to_sealed, 1, 0) ELSE to_sealed END,
                        contact_hash = CASE WHEN contact_hash = $1 THEN 'erased:' || CAST(id AS TEXT) ELSE contact_hash END,
                        status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END,
                        error_message = CASE WHEN status = 'queued'
                                        THEN 'erased before it was sent' ELSE error_message END,
                        finished_at = CASE WHEN status = 'queued' THEN $2 ELSE finished_at END
                     WHERE (length(body_sealed) > 0 OR contact_hash = $1)
                       AND (contact_hash = $1
                            OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id IN (",
                    erasure::her_conversations!(),
                    ") AND (outbox.idempotency_key = 'reply:' || m.message_sid
                            OR outbox.idempotency_key = 'answer:' || m.message_sid
                            OR substr(outbox.idempotency_key, 1, length(m.message_sid) + 7)
                               = 'relay:' || m.message_sid || ':')))"
                ))
                .bind(hash)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                erased.messages = sqlx::query(concat!(
                    "UPDATE messages SET body_sealed = substr(body_sealed, 1, 0)
                     WHERE length(body_sealed) > 0 AND conversation_id IN (",
                    erasure::her_conversations!(),
                    ")"
                ))
                .bind(hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let noted: Vec<i64> = sqlx::query_scalar(concat!(
                    "UPDATE follow_ups SET answer_note = NULL, answer_note_sealed = NULL
                     WHERE (answer_note IS NOT NULL OR answer_note_sealed IS NOT NULL) AND (call_id IN (",
                    erasure::her_calls!(),
                    ") OR id IN (SELECT follow_up_id FROM conversations WHERE contact_hash = $1))
                     RETURNING id"
                ))
                .bind(hash)
                .fetch_all(&mut *tx)
                .await?;
                erased.notes = Self::erase_audited_notes(&mut tx, &noted).await?;
                // Nobody can call her back now: her open follow-ups end, by nobody, so
                // reminders stop.
                sqlx::query(concat!(
                    "UPDATE follow_ups SET status = 'answered', answered_at = $2, answered_by = NULL
                     WHERE status = 'open' AND (call_id IN (",
                    erasure::her_calls!(),
                    ") OR id IN (SELECT follow_up_id FROM conversations WHERE contact_hash = $1))"
                ))
                .bind(hash)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                erased.notes += sqlx::query(concat!(
                    "UPDATE planned_follow_ups SET note_sealed = NULL, her_text_sealed = NULL,
                        status = CASE WHEN status = 'planned' THEN 'cancelled' ELSE status END,
                        done_at = CASE WHEN status = 'planned' THEN $2 ELSE done_at END
                     WHERE (note_sealed IS NOT NULL OR her_text_sealed IS NOT NULL OR status = 'planned')
                       AND (call_id IN (",
                    erasure::her_calls!(),
                    ") OR conversation_id IN (",
                    erasure::her_conversations!(),
                    "))"
                ))
                .bind(hash)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("DELETE FROM consents WHERE contact_hash = $1")
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
                erased.conversations = sqlx::query(
                    "UPDATE conversations SET contact_sealed = substr(contact_sealed, 1, 0),
                        contact_hash = 'erased:' || CAST(id AS TEXT),
                        status = 'closed', closed_at = COALESCE(closed_at, $2)
                     WHERE contact_hash = $1",
                )
                .bind(hash)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                erased.calls = sqlx::query(
                    "UPDATE calls SET caller_sealed = substr(caller_sealed, 1, 0),
                        caller_hash = 'erased:' || CAST(id AS TEXT)
                     WHERE caller_hash = $1",
                )
                .bind(hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if !erased.is_empty() {
                    let counts = serde_json::json!({
                        "calls": erased.calls,
                        "voicemails": erased.voicemails,
                        "conversations": erased.conversations,
                        "messages": erased.messages,
                        "outbox": erased.outbox,
                        "notes": erased.notes,
                    });
                    Self::write_audit(
                        &mut tx,
                        &AuditEntry {
                            at,
                            actor: actor.to_owned(),
                            action: "erase-contact".to_owned(),
                            subject: "contact".to_owned(),
                            before: None,
                            after: Some(counts.to_string()),
                        },
                    )
                    .await?;
                }
                tx.commit().await?;
                if $backend == "sqlite" && !erased.is_empty() {
                    // As retention does: the write-ahead log's old pages go too.
                    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
                }
                Ok(erased)
            }
        }
    };
}

pub(super) use {erasure_sql, her_calls, her_conversations};
