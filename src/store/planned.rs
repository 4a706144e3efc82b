//! Follow-ups planned for a set time: kept with their reminder job in one transaction (so a
//! plan never lacks its reminder), listed while upcoming, cancelled (audited) or done once
//! the reminder went out.

use chrono::{DateTime, Utc};

use super::*;

/// A follow-up to plan: on a conversation or a call (one of them), for `staff_id` at `due_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlannedFollowUp {
    pub conversation_id: Option<i64>,
    pub call_id: Option<i64>,
    pub staff_id: i64,
    pub due_at: DateTime<Utc>,
    pub note_sealed: Option<Vec<u8>>,
    /// A text to her at that time, on a conversation's channel, sent only with her consent.
    pub her_text_sealed: Option<Vec<u8>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlannedFollowUp {
    pub id: i64,
    pub conversation_id: Option<i64>,
    pub call_id: Option<i64>,
    pub staff_id: i64,
    pub due_at: DateTime<Utc>,
    pub note_sealed: Option<Vec<u8>>,
    pub her_text_sealed: Option<Vec<u8>>,
    /// planned, done, cancelled
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// The reminder job a plan is kept with: its kind, and its key for plan `id`.
pub const PLANNED_JOB: &str = "planned-follow-up";

pub fn planned_job_key(id: i64) -> String {
    format!("{PLANNED_JOB}:{id}")
}

#[async_trait::async_trait]
pub trait PlannedStore: Send + Sync {
    /// Keeps a plan, its reminder job (payload `{"planned": id}`, due at `due_at`) and the
    /// audit entry, all or none; returns the plan's id.
    async fn plan_follow_up(
        &self,
        plan: &NewPlannedFollowUp,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;
    async fn planned_follow_up(&self, id: i64) -> StoreResult<Option<PlannedFollowUp>>;
    /// Plans still to come due, soonest first.
    async fn upcoming_follow_ups(&self, limit: i64) -> StoreResult<Vec<PlannedFollowUp>>;
    /// Cancels a plan still to come (audited); false when it was done or cancelled already.
    async fn cancel_planned(&self, id: i64, audit: &AuditEntry) -> StoreResult<bool>;
    /// Marks a plan's reminder sent; false when it was not planned any more.
    async fn finish_planned(&self, id: i64, at: DateTime<Utc>) -> StoreResult<bool>;
}

/// The columns `PlannedFollowUp` reads.
macro_rules! planned_columns {
    () => {
        "id, conversation_id, call_id, staff_id, due_at, note_sealed, her_text_sealed, status, \
         created_by, created_at, done_at"
    };
}

/// The plans' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! planned_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::PlannedStore for $store {
            async fn plan_follow_up(
                &self,
                plan: &$crate::store::NewPlannedFollowUp,
                audit: &AuditEntry,
            ) -> StoreResult<i64> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO planned_follow_ups
                       (conversation_id, call_id, staff_id, due_at, note_sealed, her_text_sealed,
                        created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(plan.conversation_id)
                .bind(plan.call_id)
                .bind(plan.staff_id)
                .bind(plan.due_at)
                .bind(&plan.note_sealed)
                .bind(&plan.her_text_sealed)
                .bind(&plan.created_by)
                .bind(plan.created_at)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(jobs::insert_job!())
                .bind($crate::store::PLANNED_JOB)
                .bind(format!("{{\"planned\":{id}}}"))
                .bind($crate::store::planned_job_key(id))
                .bind(plan.due_at)
                .bind(plan.created_at)
                .execute(&mut *tx)
                .await?;
                let subject = format!("planned-follow-up/{id}");
                Self::write_audit(&mut tx, &AuditEntry { subject, ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn planned_follow_up(
                &self,
                id: i64,
            ) -> StoreResult<Option<$crate::store::PlannedFollowUp>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ", planned::planned_columns!(), " FROM planned_follow_ups WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn upcoming_follow_ups(
                &self,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::PlannedFollowUp>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ", planned::planned_columns!(), " FROM planned_follow_ups
                     WHERE status = 'planned' ORDER BY due_at, id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn cancel_planned(&self, id: i64, audit: &AuditEntry) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE planned_follow_ups SET status = 'cancelled', done_at = $2
                     WHERE id = $1 AND status = 'planned'",
                )
                .bind(id)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                let cancelled = done.rows_affected() == 1;
                if cancelled {
                    Self::write_audit(&mut tx, audit).await?;
                }
                tx.commit().await?;
                Ok(cancelled)
            }

            async fn finish_planned(
                &self,
                id: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "UPDATE planned_follow_ups SET status = 'done', done_at = $2
                     WHERE id = $1 AND status = 'planned'",
                )
                .bind(id)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(super) use {planned_columns, planned_sql};
