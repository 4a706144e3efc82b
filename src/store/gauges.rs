//! What `/metrics` reads from the records at each scrape: a few grouped counts over indexed
//! columns, so a scrape stays cheap however long the hotline has run. Counts and instants only:
//! never a number, a name or words.

use chrono::{DateTime, Utc};

use super::*;

#[async_trait::async_trait]
pub trait GaugeStore: Send + Sync {
    /// Calls that ended, by the outcome's stored name, with how many.
    async fn calls_by_outcome(&self) -> StoreResult<Vec<(String, i64)>>;
    /// Calls that started in `[from, until)` and a person answered, by how long she waited from
    /// the call's start: per bucket (the index of the first of `bounds` the wait is at or under,
    /// `bounds.len()` when over them all), how many and the sum of their waits in seconds.
    async fn waits_for_a_person(
        &self,
        bounds: &[f64],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<(i64, i64, f64)>>;
    /// Texts (and callbacks) not yet handed to the provider, by channel: how many, and when the
    /// oldest of them was written.
    async fn outbox_pending(&self) -> StoreResult<Vec<(String, i64, DateTime<Utc>)>>;
    /// Texts that finally failed since `since`, by channel.
    async fn outbox_failed_since(&self, since: DateTime<Utc>) -> StoreResult<Vec<(String, i64)>>;
    /// Jobs not yet done that were due by `now`, by kind: how many, and how many of those were
    /// due by `late` (before `now`).
    async fn jobs_due(
        &self,
        now: DateTime<Utc>,
        late: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, i64, i64)>>;
}

/// Seconds from a call's start to its answer, in the backend's dialect. SQLite keeps instants
/// as text, and its Julian days carry some float noise: rounded to the millisecond, so a wait
/// of exactly 5 s is not counted as 5.00004.
pub(super) fn wait_seconds(backend: &str) -> &'static str {
    if backend == "sqlite" {
        "ROUND((julianday(answered_at) - julianday(started_at)) * 86400.0, 3)"
    } else {
        "CAST(EXTRACT(EPOCH FROM (answered_at - started_at)) AS DOUBLE PRECISION)"
    }
}

/// The query behind `waits_for_a_person`: the buckets are the hotline's own constants, never
/// anything from outside.
pub(super) fn waits_query(backend: &str, bounds: &[f64]) -> String {
    let mut cases = String::new();
    for (i, bound) in bounds.iter().enumerate() {
        cases.push_str(&format!("WHEN wait <= {bound:?} THEN {i} "));
    }
    format!(
        "SELECT CAST(CASE {cases}ELSE {over} END AS BIGINT) AS bucket, COUNT(*), SUM(wait)
         FROM (SELECT {wait} AS wait FROM calls
               WHERE started_at >= $1 AND started_at < $2 AND answered_at IS NOT NULL) AS waits
         GROUP BY bucket",
        over = bounds.len(),
        wait = wait_seconds(backend),
    )
}

/// The gauges' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! gauge_sql {
    ($store:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::GaugeStore for $store {
            async fn calls_by_outcome(&self) -> StoreResult<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT outcome, COUNT(*) FROM calls WHERE outcome IS NOT NULL GROUP BY outcome",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn waits_for_a_person(
                &self,
                bounds: &[f64],
                from: chrono::DateTime<chrono::Utc>,
                until: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<(i64, i64, f64)>> {
                let query = gauges::waits_query($backend, bounds);
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(query))
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn outbox_pending(
                &self,
            ) -> StoreResult<Vec<(String, i64, chrono::DateTime<chrono::Utc>)>> {
                Ok(sqlx::query_as(
                    "SELECT channel, COUNT(*), MIN(created_at) FROM outbox
                     WHERE status IN ('queued', 'sending') GROUP BY channel",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn outbox_failed_since(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT channel, COUNT(*) FROM outbox
                     WHERE status IN ('failed', 'undeliverable') AND finished_at >= $1
                     GROUP BY channel",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn jobs_due(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                late: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<(String, i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT kind, COUNT(*), SUM(CASE WHEN due_at <= $2 THEN 1 ELSE 0 END) FROM jobs
                     WHERE status IN ('queued', 'running') AND due_at <= $1
                     GROUP BY kind",
                )
                .bind(now)
                .bind(late)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(super) use gauge_sql;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waits_query_names_each_bucket_and_the_one_over_them_all() {
        let query = waits_query("sqlite", &[1.0, 2.5]);
        assert!(
            query.contains("CASE WHEN wait <= 1.0 THEN 0 WHEN wait <= 2.5 THEN 1 ELSE 2 END"),
            "{query}"
        );
        assert!(query.contains("julianday"), "{query}");
        assert!(waits_query("postgres", &[1.0]).contains("EXTRACT(EPOCH"));
    }
}
