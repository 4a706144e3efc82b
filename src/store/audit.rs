//! The audit log's chain as stored: its entries with their links, oldest first, and its head
//! (the newest link), for `hotline audit verify`. Entries are written by `write_audit` in the
//! transaction of the change they record (`sql.rs`).

use super::*;

#[async_trait::async_trait]
pub trait AuditStore: Send + Sync {
    /// Up to `limit` entries after entry `after_id`, oldest first, with their links.
    async fn audit_chain(&self, after_id: i64, limit: i64) -> StoreResult<Vec<ChainedAudit>>;
    /// The newest entry's id and hash, as the store recorded them when writing it.
    async fn audit_head(&self) -> StoreResult<(i64, String)>;
}

#[derive(sqlx::FromRow)]
pub(super) struct ChainRow {
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    salt: Option<String>,
    before_digest: Option<String>,
    after_digest: Option<String>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl From<ChainRow> for ChainedAudit {
    fn from(row: ChainRow) -> Self {
        ChainedAudit {
            id: row.id,
            entry: AuditEntry {
                at: row.at,
                actor: row.actor,
                action: row.action,
                subject: row.subject,
                before: row.before,
                after: row.after,
            },
            salt: row.salt,
            before_digest: row.before_digest,
            after_digest: row.after_digest,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// The audit chain's methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! audit_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AuditStore for $store {
            async fn audit_chain(
                &self,
                after_id: i64,
                limit: i64,
            ) -> StoreResult<Vec<ChainedAudit>> {
                let rows: Vec<audit::ChainRow> = sqlx::query_as(
                    "SELECT id, at, actor, action, subject, before, after, salt, before_digest,
                            after_digest, prev_hash, hash
                     FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(ChainedAudit::from).collect())
            }

            async fn audit_head(&self) -> StoreResult<(i64, String)> {
                Ok(
                    sqlx::query_as("SELECT last_id, hash FROM audit_head WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?,
                )
            }
        }
    };
}

pub(super) use audit_sql;
