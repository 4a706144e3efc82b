//! The SQLite store: the embedded default, one file on one machine. Every commit is synced
//! (WAL with `synchronous=FULL`): a webhook answered is a record kept, even if the power fails.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hotline_schedules::{Language, Service, StaffMember};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::*;
use super::{committer, group_commit, settings_cache, sql, sqlite_committer, write_turns};

/// How long the WAL grows, in pages of 4 KiB, before the commit that passes it copies it back
/// into the database file (a checkpoint, made inside that commit). SQLite's default is 1,000:
/// under a load of calls, one batch in seventy then waited 2 to 7 ms for a checkpoint, a fifth
/// of the committer's time, most of it writing again pages written a moment before (a call
/// touches a few pages of its table and indexes). Ten times as long a WAL (40 MB) holds
/// most pages many times over, and each is copied back once: the voice webhook's throughput
/// at saturation rose by a fifth. Durability is the same: every commit is synced to the WAL.
pub(super) const WAL_PAGES_BEFORE_CHECKPOINT: &str = "10000";

pub struct SqliteStore {
    pool: SqlitePool,
    /// The hot webhook writes, committed together (see `group_commit.rs`).
    group_commit: group_commit::GroupCommit,
    /// Staff, rules, lines and blocks as last read (see `settings_cache.rs`).
    settings: settings_cache::SettingsCache,
    /// Who writes next (see `write_turns.rs`).
    turns: write_turns::WriteTurns,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `url` and runs its migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("wal_autocheckpoint", WAL_PAGES_BEFORE_CHECKPOINT);
        // The committer opens the file again, on a connection of its own: a database in
        // memory would be another one there.
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let file = options.get_filename().to_owned();
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let turns = write_turns::WriteTurns::one_at_a_time();
        Ok(Self {
            group_commit: Self::group_commit(file, pool.clone(), turns.clone()),
            turns,
            settings: settings_cache::SettingsCache::default(),
            pool,
        })
    }
}

impl SqliteStore {
    /// The group commit: one committer, since SQLite lets one writer in at a time (a second
    /// would only wait for the first), on a thread of its own (see `sqlite_committer.rs`).
    fn group_commit(
        file: std::path::PathBuf,
        pool: SqlitePool,
        turns: write_turns::WriteTurns,
    ) -> group_commit::GroupCommit {
        group_commit::GroupCommit::new(1, move |queue| {
            sqlite_committer::start(file.clone(), pool.clone(), turns.clone(), queue);
        })
    }
}

sql::sql_store!(SqliteStore, sqlx::Sqlite, "sqlite", false);
