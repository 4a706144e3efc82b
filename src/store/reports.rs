//! Counts for the coordinator's digest and reports: how many contacts came, by what, never who.

use chrono::{DateTime, Utc};
use hotline_schedules::Service;

use super::*;

#[async_trait::async_trait]
pub trait ReportStore: Send + Sync {
    /// Text conversations opened in `[from, to)`, counted by service.
    async fn conversations_opened(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(Service, i64)>>;
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
        }
    };
}

pub(super) use report_sql;
