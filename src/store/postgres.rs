//! The PostgreSQL store, for several server instances sharing one database.

use chrono::{DateTime, Utc};
use hotline_schedules::{Language, Service, StaffMember};
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::*;
use super::{committer, group_commit, settings_cache, sql, write_turns};

/// PostgreSQL commits several transactions at once (their WAL flushed together): one committer
/// spent its time waiting on round trips, so four share the queue, each on its own connection
/// (of the pool's [`CONNECTIONS`]).
const COMMITTERS: usize = 4;

/// The pool's connections.
const CONNECTIONS: u32 = 16;

/// How many of them the pool opens at the start and keeps open. A connection opened under load
/// costs PostgreSQL a new process and its caches while the request that asked for it waits:
/// the first texts after a start waited up to a tenth of a second for this. Half the pool, so
/// that several instances (and the tests' many servers) stay well inside PostgreSQL's limit
/// on connections.
const CONNECTIONS_KEPT: u32 = CONNECTIONS / 2;

pub struct PostgresStore {
    pool: PgPool,
    /// The hot webhook writes, committed together (see `group_commit.rs`).
    group_commit: group_commit::GroupCommit,
    /// Staff, rules, lines and blocks as last read (see `settings_cache.rs`).
    settings: settings_cache::SettingsCache,
    /// Who writes next (see `write_turns.rs`).
    turns: write_turns::WriteTurns,
}

impl PostgresStore {
    /// Connects to `url` and runs the migrations; concurrent instances wait on sqlx's migration lock.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .min_connections(CONNECTIONS_KEPT)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        let turns = write_turns::WriteTurns::not_needed();
        Ok(Self {
            group_commit: Self::group_commit(pool.clone()),
            turns,
            settings: settings_cache::SettingsCache::default(),
            pool,
        })
    }
}

impl PostgresStore {
    /// The group commit: [`COMMITTERS`] tasks sharing one queue.
    fn group_commit(pool: PgPool) -> group_commit::GroupCommit {
        group_commit::GroupCommit::new(COMMITTERS, move |queue| {
            tokio::spawn(Self::committer(pool.clone(), queue));
        })
    }

    /// Takes batch after batch, each in one transaction on one pooled connection: held across
    /// batches, and taken again after a failure that may have broken it.
    async fn committer(pool: PgPool, queue: group_commit::Queue) {
        let mut held: Option<sqlx::pool::PoolConnection<sqlx::Postgres>> = None;
        while let Some(batch) = group_commit::next_batch(&queue).await {
            let mut connection = match held.take() {
                Some(connection) => connection,
                None => match pool.acquire().await {
                    Ok(connection) => connection,
                    Err(error) => {
                        group_commit::fail_all(
                            batch.into_iter().map(|q| q.answer).collect(),
                            &error,
                        );
                        continue;
                    }
                },
            };
            if Self::commit_batch(&mut connection, batch).await {
                held = Some(connection);
            }
        }
    }
}

sql::sql_store!(PostgresStore, sqlx::Postgres, "postgres", true);
