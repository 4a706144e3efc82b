//! What the server's watches last saw (a JSON body per watch), so each compares the present with
//! its own last look, across restarts and instances.

use chrono::{DateTime, Utc};

use super::*;

#[async_trait::async_trait]
pub trait WatchStore: Send + Sync {
    /// What watch `name` last kept, if it ever ran.
    async fn watched(&self, name: &str) -> StoreResult<Option<String>>;
    /// Keeps what watch `name` saw at `at`.
    async fn keep_watched(&self, name: &str, body: &str, at: DateTime<Utc>) -> StoreResult<()>;
}

/// The watches' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! watch_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::WatchStore for $store {
            async fn watched(&self, name: &str) -> StoreResult<Option<String>> {
                let body: Option<(String,)> =
                    sqlx::query_as("SELECT body FROM watches WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(body.map(|(body,)| body))
            }

            async fn keep_watched(
                &self,
                name: &str,
                body: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(
                    "INSERT INTO watches (name, body, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                )
                .bind(name)
                .bind(body)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

pub(super) use watch_sql;
