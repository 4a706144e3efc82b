//! Each hotline number's settings, and the numbers kept from calling (by keyed hash only). One
//! trait, and the SQL both backends share: `line_sql!` implements it for a store over a concrete
//! sqlx pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::*;

#[async_trait]
pub trait LineStore: Send + Sync {
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
}

/// Implements [`LineStore`] for `$store`, whose `pool` field is a `sqlx::Pool`.
macro_rules! line_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::LineStore for $store {
            async fn line(&self, number: &str) -> StoreResult<Option<String>> {
                let revision = self.settings_revision().await?;
                let lines = match self.settings.lines(revision) {
                    Some(lines) => lines,
                    None => {
                        let rows: Vec<(String, String)> =
                            sqlx::query_as("SELECT number, body FROM lines").fetch_all(&self.pool).await?;
                        self.settings.keep_lines(revision, rows.into_iter().collect())
                    }
                };
                Ok(lines.get(number).cloned())
            }

            async fn lines(&self) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query_as("SELECT number, body FROM lines ORDER BY number").fetch_all(&self.pool).await?;
                Ok(rows)
            }

            async fn put_line(&self, number: &str, body: &str, audit: &AuditEntry) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO lines (number, body, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (number) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                )
                .bind(number)
                .bind(body)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("line/{number}"), ..audit.clone() }).await?;
                tx.commit().await?;
                self.settings.changed();
                Ok(())
            }

            async fn delete_line(&self, number: &str, audit: &AuditEntry) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("DELETE FROM lines WHERE number = $1").bind(number).execute(&mut *tx).await?;
                if done.rows_affected() == 1 {
                    Self::write_audit(&mut tx, &AuditEntry { subject: format!("line/{number}"), ..audit.clone() }).await?;
                }
                tx.commit().await?;
                self.settings.changed();
                Ok(done.rows_affected() == 1)
            }

            async fn block(&self, number_hash: &str, until: DateTime<Utc>, reason: &str, audit: &AuditEntry) -> StoreResult<i64> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO blocklist (number_hash, until, reason, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(number_hash)
                .bind(until)
                .bind(reason)
                .bind(audit.at)
                .fetch_one(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("blocklist/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                self.settings.changed();
                Ok(id)
            }

            async fn unblock(&self, id: i64, audit: &AuditEntry) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("DELETE FROM blocklist WHERE id = $1").bind(id).execute(&mut *tx).await?;
                if done.rows_affected() == 1 {
                    Self::write_audit(&mut tx, &AuditEntry { subject: format!("blocklist/{id}"), ..audit.clone() }).await?;
                }
                tx.commit().await?;
                self.settings.changed();
                Ok(done.rows_affected() == 1)
            }

            async fn is_blocked(&self, number_hash: &str, at: DateTime<Utc>) -> StoreResult<bool> {
                let revision = self.settings_revision().await?;
                let blocks = match self.settings.blocks(revision) {
                    Some(blocks) => blocks,
                    None => {
                        let rows: Vec<(String, DateTime<Utc>)> =
                            sqlx::query_as("SELECT number_hash, until FROM blocklist").fetch_all(&self.pool).await?;
                        self.settings.keep_blocks(revision, rows)
                    }
                };
                Ok(blocks.get(number_hash).is_some_and(|until| *until > at))
            }

            async fn blocklist(&self) -> StoreResult<Vec<BlockEntry>> {
                let rows: Vec<sql::BlockRow> =
                    sqlx::query_as("SELECT id, until, reason, created_at FROM blocklist ORDER BY id").fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(BlockEntry::from).collect())
            }
        }
    };
}

pub(super) use line_sql;
