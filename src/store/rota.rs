//! The rota's rules, kept with the span of real time each is in force, and the audit log of every
//! change. One trait, and the SQL both backends share: `rota_sql!` implements it for a store over a
//! concrete sqlx pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::*;

#[async_trait]
pub trait RotaStore: Send + Sync {
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
    /// The entries older than entry `before_id`, newest first: the audit page's next page.
    async fn audit_log_before(&self, before_id: i64, limit: i64) -> StoreResult<Vec<StoredAudit>>;
    /// Writes an entry that goes with no change of ours (a number revealed).
    async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
}

/// Implements [`RotaStore`] for `$store`, whose `pool` field is a `sqlx::Pool`.
macro_rules! rota_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::RotaStore for $store {
            async fn create_rules(&self, rules: &[NewRule], audit: &AuditEntry) -> StoreResult<Vec<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let mut ids = Vec::with_capacity(rules.len());
                for rule in rules {
                    ids.push(Self::insert_rule(&mut tx, rule).await?);
                }
                let subject = ids.iter().map(|id| format!("rule/{id}")).collect::<Vec<_>>().join(",");
                Self::write_audit(&mut tx, &AuditEntry { subject, ..audit.clone() }).await?;
                tx.commit().await?;
                self.settings.changed();
                Ok(ids)
            }

            async fn close_rule(&self, id: i64, at: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let closed = Self::end_rule(&mut tx, id, at, None).await?;
                if closed {
                    Self::write_audit(&mut tx, &AuditEntry { subject: format!("rule/{id}"), ..audit.clone() }).await?;
                }
                tx.commit().await?;
                self.settings.changed();
                Ok(closed)
            }

            async fn replace_rule(&self, id: i64, rule: &NewRule, audit: &AuditEntry) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let new_id = Self::insert_rule(&mut tx, rule).await?;
                if !Self::end_rule(&mut tx, id, rule.valid_from, Some(new_id)).await? {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let subject = format!("rule/{id}");
                Self::write_audit(&mut tx, &AuditEntry { subject, ..audit.clone() }).await?;
                tx.commit().await?;
                self.settings.changed();
                Ok(Some(new_id))
            }

            async fn rule(&self, id: i64) -> StoreResult<Option<StoredRule>> {
                let row: Option<sql::RuleRow> = sqlx::query_as(
                    "SELECT id, kind, body, valid_from, valid_until, replaced_by FROM rota_rules WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(sql::RuleRow::into_rule).transpose()
            }

            async fn rules_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<StoredRule>> {
                let revision = self.settings_revision().await?;
                let kept = match self.settings.rules(revision) {
                    Some(kept) => kept,
                    // Nothing kept at this revision: read what is in force from a little before.
                    None => {
                        let since = from.checked_sub_signed(settings_cache::RULES_LOOK_BACK).unwrap_or(from);
                        let rows: Vec<sql::RuleSpanRow> = sqlx::query_as(
                            "SELECT id, kind, body, valid_from, valid_until, replaced_by, starts_at, ends_at
                             FROM rota_rules
                             WHERE (valid_until IS NULL OR valid_until > $1) AND (ends_at IS NULL OR ends_at > $1)
                             ORDER BY id",
                        )
                        .bind(since)
                        .fetch_all(&self.pool)
                        .await?;
                        let rules = rows.into_iter().map(sql::RuleSpanRow::into_cached).collect::<StoreResult<_>>()?;
                        self.settings.keep_rules(revision, settings_cache::CachedRules { since, rules })
                    }
                };
                // What is kept reaches back far enough for all but the past, asked of the database.
                if kept.since <= from {
                    return Ok(kept.between(from, to));
                }
                let rows: Vec<sql::RuleRow> = sqlx::query_as(
                    "SELECT id, kind, body, valid_from, valid_until, replaced_by FROM rota_rules
                     WHERE valid_from < $2 AND (valid_until IS NULL OR valid_until > $1)
                       AND (ends_at IS NULL OR ends_at > $1) AND (starts_at IS NULL OR starts_at < $2)
                     ORDER BY id",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::RuleRow::into_rule).collect()
            }

            async fn audit_log(&self, limit: i64) -> StoreResult<Vec<StoredAudit>> {
                let rows: Vec<sql::AuditRow> = sqlx::query_as(
                    "SELECT id, at, actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(StoredAudit::from).collect())
            }

            async fn audit_log_before(&self, before_id: i64, limit: i64) -> StoreResult<Vec<StoredAudit>> {
                let rows: Vec<sql::AuditRow> = sqlx::query_as(
                    "SELECT id, at, actor, action, subject, before, after FROM audit_log
                     WHERE id < $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(before_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(StoredAudit::from).collect())
            }

            async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                Self::write_audit(&mut tx, entry).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(super) use rota_sql;
