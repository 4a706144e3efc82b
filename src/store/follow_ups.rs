//! Follow-ups as the reminders and the coordinator see them: one, all (open first), a staff
//! member's own queue, a reminder counted, one given to a staff member or taken back, and one
//! marked answered (each change audited). They are opened by calls (`calls.rs`) and
//! conversations (`messages.rs`), and answered too by `DONE` there.

use chrono::{DateTime, Utc};
use hotline_schedules::Service;

use super::*;

/// A reminder about a follow-up texted to one staff member, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReminder {
    /// 1 for the first.
    pub n: i64,
    pub staff_id: i64,
    /// When it was queued to go.
    pub at: DateTime<Utc>,
}

impl SentReminder {
    /// Reads one from its outbox key, `follow-up:{id}:reminder:{n}:{staff_id}`
    /// (`jobs::reminders` and `notify::people`).
    pub(super) fn from_key(key: &str, at: DateTime<Utc>) -> Option<Self> {
        let mut parts = key.rsplit(':');
        let staff_id = parts.next()?.parse().ok()?;
        let n = parts.next()?.parse().ok()?;
        Some(SentReminder { n, staff_id, at })
    }
}

/// The outbox keys of the reminders about follow-up `id`, as a LIKE pattern.
pub(super) fn reminder_keys(id: i64) -> String {
    format!("follow-up:{id}:reminder:%")
}

#[async_trait::async_trait]
pub trait FollowUpStore: Send + Sync {
    async fn follow_up(&self, id: i64) -> StoreResult<Option<FollowUp>>;
    /// Open ones first, oldest first; then the answered ones, oldest first.
    async fn follow_ups(&self, limit: i64) -> StoreResult<Vec<FollowUp>>;
    /// What staff member `staff_id` may see, in the same order: the follow-ups assigned to her,
    /// and those of `services` assigned to nobody (or to someone since deactivated), so that
    /// whoever is on duty can take them. Never one assigned to another active staff member.
    async fn follow_ups_for_staff(
        &self,
        staff_id: i64,
        services: &[Service],
        limit: i64,
    ) -> StoreResult<Vec<FollowUp>>;
    /// Gives an open follow-up that belongs to `from` (nobody, for `None`) to `to` (nobody, for
    /// `None`: the assignment is cleared) at `audit.at`; audited. False, changing nothing, when
    /// it is not open, belongs to someone else by now (another got there first), or already
    /// belongs to `to`.
    async fn assign_follow_up(
        &self,
        id: i64,
        from: Option<i64>,
        to: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    /// The reminders about follow-up `id` texted so far, to whom and when, oldest first.
    async fn sent_reminders(&self, id: i64) -> StoreResult<Vec<SentReminder>>;
    /// Counts reminder `n` as sent while the follow-up is open; false when it is answered or
    /// the reminder was counted already.
    async fn count_reminder(&self, id: i64, n: i64) -> StoreResult<bool>;
    /// Marks an open follow-up answered at `audit.at`, by `staff_id` when a staff member did,
    /// with an optional note sealed with the data key; audited. False when it was not open.
    async fn answer_follow_up(
        &self,
        id: i64,
        staff_id: Option<i64>,
        note_sealed: Option<&[u8]>,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    /// Up to `limit` notes written before notes were sealed, with their follow-ups' ids.
    async fn plain_notes(&self, limit: i64) -> StoreResult<Vec<(i64, String)>>;
    /// Puts `sealed` in the place of follow-up `id`'s plain note (when it is still `plain`) and
    /// erases the note's copies in the audit log; false when the note had changed.
    async fn seal_plain_note(&self, id: i64, plain: &str, sealed: &[u8]) -> StoreResult<bool>;
}

/// The follow-ups' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! follow_up_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::FollowUpStore for $store {
            async fn follow_up(&self, id: i64) -> StoreResult<Option<FollowUp>> {
                let row: Option<sql::FollowUpRow> =
                    sqlx::query_as(concat!(sql::select_follow_ups!(), "WHERE f.id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(sql::FollowUpRow::into_follow_up).transpose()
            }

            async fn follow_ups(&self, limit: i64) -> StoreResult<Vec<FollowUp>> {
                let rows: Vec<sql::FollowUpRow> = sqlx::query_as(concat!(
                    sql::select_follow_ups!(),
                    "ORDER BY CASE WHEN f.status = 'open' THEN 0 ELSE 1 END, f.created_at, f.id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::FollowUpRow::into_follow_up).collect()
            }

            async fn follow_ups_for_staff(
                &self,
                staff_id: i64,
                services: &[hotline_schedules::Service],
                limit: i64,
            ) -> StoreResult<Vec<FollowUp>> {
                // Her services as one comma-separated name list, matched whole by LIKE: both
                // databases agree on that, and the vocabulary has no commas or wildcards.
                let rows: Vec<sql::FollowUpRow> = sqlx::query_as(concat!(
                    sql::select_follow_ups!(),
                    "WHERE f.assigned_to = $1
                        OR ((f.assigned_to IS NULL OR NOT a.active)
                            AND (',' || $2 || ',') LIKE ('%,' || f.service || ',%'))
                     ORDER BY CASE WHEN f.status = 'open' THEN 0 ELSE 1 END, f.created_at, f.id LIMIT $3"
                ))
                .bind(staff_id)
                .bind(sql::join_names(services))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::FollowUpRow::into_follow_up).collect()
            }

            async fn assign_follow_up(
                &self,
                id: i64,
                from: Option<i64>,
                to: Option<i64>,
                audit: &AuditEntry,
            ) -> StoreResult<bool> {
                if from == to {
                    return Ok(false);
                }
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                // Staff ids start at 1, so 0 stands for nobody in the comparison.
                let done = sqlx::query(
                    "UPDATE follow_ups SET assigned_to = $3, assigned_at = $4
                     WHERE id = $1 AND status = 'open' AND COALESCE(assigned_to, 0) = COALESCE($2, 0)",
                )
                .bind(id)
                .bind(from)
                .bind(to)
                .bind(to.map(|_| audit.at))
                .execute(&mut *tx)
                .await?;
                let changed = done.rows_affected() == 1;
                if changed {
                    Self::write_audit(&mut tx, audit).await?;
                }
                tx.commit().await?;
                Ok(changed)
            }

            async fn sent_reminders(
                &self,
                id: i64,
            ) -> StoreResult<Vec<$crate::store::SentReminder>> {
                let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT idempotency_key, created_at FROM outbox
                     WHERE idempotency_key LIKE $1 ORDER BY created_at, id",
                )
                .bind($crate::store::follow_ups::reminder_keys(id))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(key, at)| {
                        $crate::store::follow_ups::SentReminder::from_key(&key, at)
                    })
                    .collect())
            }

            async fn count_reminder(&self, id: i64, n: i64) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "UPDATE follow_ups SET reminders_sent = $2
                     WHERE id = $1 AND status = 'open' AND reminders_sent < $2",
                )
                .bind(id)
                .bind(n)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn plain_notes(&self, limit: i64) -> StoreResult<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT id, answer_note FROM follow_ups WHERE answer_note IS NOT NULL ORDER BY id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn seal_plain_note(&self, id: i64, plain: &str, sealed: &[u8]) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                Self::overwrite_erased_bytes(&mut tx).await?;
                let sealed_now = sqlx::query(
                    "UPDATE follow_ups SET answer_note_sealed = $3, answer_note = NULL
                     WHERE id = $1 AND answer_note = $2",
                )
                .bind(id)
                .bind(plain)
                .bind(sealed)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if sealed_now {
                    Self::erase_audited_notes(&mut tx, &[id]).await?;
                }
                tx.commit().await?;
                Ok(sealed_now)
            }

            async fn answer_follow_up(
                &self,
                id: i64,
                staff_id: Option<i64>,
                note_sealed: Option<&[u8]>,
                audit: &AuditEntry,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE follow_ups SET status = 'answered', answered_at = $2, answered_by = $3, answer_note_sealed = $4
                     WHERE id = $1 AND status = 'open'",
                )
                .bind(id)
                .bind(audit.at)
                .bind(staff_id)
                .bind(note_sealed)
                .execute(&mut *tx)
                .await?;
                let answered = done.rows_affected() == 1;
                if answered {
                    Self::write_audit(&mut tx, audit).await?;
                }
                tx.commit().await?;
                Ok(answered)
            }
        }
    };
}

pub(super) use follow_up_sql;
