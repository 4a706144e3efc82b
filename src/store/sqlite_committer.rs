//! SQLite's committer: a thread of its own, with a connection of its own for a call's writes.
//!
//! Through sqlx, each statement is handed to its worker thread and answered back: a wake-up of
//! that thread and another of the task waiting, three or more per batch (begin, write, commit).
//! With the two cores busy, each took 120 to 200 µs, as long as the synced commit itself. So
//! a batch of a call's writes (the voice webhooks' every step) is written, committed and
//! answered here, on one thread woken once per batch (`sqlite_calls.rs`). A batch holding any
//! other write (her texts, a job, a consent) is committed through sqlx as before, from this
//! thread, in one transaction of its own: those writes are made once, in sqlx, for both
//! databases. Either way the batch is committed in its write turn, synced (WAL,
//! `synchronous=FULL`) before any request of it is answered.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use sqlx::SqlitePool;
use sqlx::pool::PoolConnection;
use tokio::runtime::Handle;

use super::group_commit::{self, Queue, Queued, Written};
use super::sqlite::WAL_PAGES_BEFORE_CHECKPOINT;
use super::write_turns::WriteTurns;
use super::{SqliteStore, StoreResult, sqlite_calls};

/// As long as the pool's: how long a write waits on another process's (a backup's, an import's).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Starts the committer's thread on `queue`; it ends when the store (and its queue) is gone.
pub(super) fn start(file: PathBuf, pool: SqlitePool, turns: WriteTurns, queue: Queue) {
    let committer = Committer {
        file,
        pool,
        turns,
        runtime: Handle::current(),
        own: None,
        pooled: None,
    };
    let started = std::thread::Builder::new()
        .name("sqlite-committer".into())
        .spawn(move || committer.run(&queue));
    if let Err(error) = started {
        // The queue went with the thread: the next write starts another.
        tracing::error!(%error, "could not start SQLite's committer");
    }
}

struct Committer {
    file: PathBuf,
    pool: SqlitePool,
    turns: WriteTurns,
    /// The server's runtime: the write turns and sqlx's pool live there.
    runtime: Handle,
    /// The connection a call's writes are made on, opened at the first.
    own: Option<Connection>,
    /// The pool's connection the other batches are committed on, held across batches.
    pooled: Option<PoolConnection<sqlx::Sqlite>>,
}

impl Committer {
    fn run(mut self, queue: &Queue) {
        // sqlx gives a connection back to its pool with a task of the runtime.
        let runtime = self.runtime.clone();
        let _inside = runtime.enter();
        while let Some(mut batch) = group_commit::next_batch_blocking(queue) {
            let _turn = match runtime.block_on(self.turns.take()) {
                Ok(turn) => turn,
                Err(error) => {
                    group_commit::fail_all(answers(batch), &error);
                    continue;
                }
            };
            // Writes that came while this one waited for its turn join it.
            group_commit::top_up(queue, &mut batch);
            if batch
                .iter()
                .all(|queued| sqlite_calls::is_of_a_call(&queued.write))
            {
                self.commit_own(batch);
            } else {
                self.commit_through_sqlx(batch);
            }
        }
    }

    /// A batch of a call's writes, on the committer's own connection.
    fn commit_own(&mut self, batch: Vec<Queued>) {
        let connection = match self.own.take().map_or_else(|| open(&self.file), Ok) {
            Ok(connection) => connection,
            Err(error) => {
                tracing::error!(%error, "SQLite's committer could not open its connection");
                group_commit::fail_all(answers(batch), &error);
                return;
            }
        };
        let mut connection = connection;
        if commit_on(&mut connection, batch) {
            self.own = Some(connection);
        }
    }

    /// Any other batch, through sqlx (see `committer.rs`).
    fn commit_through_sqlx(&mut self, batch: Vec<Queued>) {
        let (pool, pooled) = (&self.pool, &mut self.pooled);
        self.runtime.block_on(async {
            let mut connection = match pooled.take() {
                Some(connection) => connection,
                None => match pool.acquire().await {
                    Ok(connection) => connection,
                    Err(error) => {
                        group_commit::fail_all(answers(batch), &error);
                        return;
                    }
                },
            };
            if SqliteStore::commit_batch(&mut connection, batch).await {
                *pooled = Some(connection);
            }
        });
    }
}

/// The committer's own connection to the store's file, as the pool's are set up: every commit
/// synced, foreign keys enforced, the WAL as long before a checkpoint.
fn open(file: &PathBuf) -> rusqlite::Result<Connection> {
    let connection = Connection::open(file)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "wal_autocheckpoint", WAL_PAGES_BEFORE_CHECKPOINT)?;
    Ok(connection)
}

/// Commits a batch in one transaction and answers each write; false when the transaction
/// itself failed (the connection may be broken, and is opened again).
///
/// The batch is first written whole. Should a write fail, that transaction is rolled back,
/// nothing of it kept, and the batch written again with each write under a savepoint of its
/// own, so that only the failed one fails (a savepoint costs nothing here: no thread between).
fn commit_on(connection: &mut Connection, batch: Vec<Queued>) -> bool {
    let whole = written_whole(connection, &batch);
    let (batch, results) = match whole {
        Ok(Ok(written)) => (batch, written.into_iter().map(Ok).collect()),
        Ok(Err(error)) if batch.len() == 1 => (batch, vec![Err(error)]),
        Ok(Err(error)) => {
            tracing::warn!(%error, "a write of a batch failed; writing the batch again, each write apart");
            match written_apart(connection, &batch) {
                Ok(results) => (batch, results),
                Err(error) => {
                    group_commit::fail_all(answers(batch), &error);
                    return false;
                }
            }
        }
        Err(error) => {
            group_commit::fail_all(answers(batch), &error);
            return false;
        }
    };
    for (queued, result) in batch.into_iter().zip(results) {
        // A request that stopped waiting still had its write kept.
        let _ = queued.answer.send(result);
    }
    true
}

/// Every write in one committed transaction: the inner error is a write's (nothing kept), the
/// outer the transaction's own.
fn written_whole(
    connection: &mut Connection,
    batch: &[Queued],
) -> rusqlite::Result<StoreResult<Vec<Written>>> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut written = Vec::with_capacity(batch.len());
    for queued in batch {
        match sqlite_calls::write(&transaction, &queued.write) {
            Ok(one) => written.push(one),
            // Dropping the transaction rolls it back.
            Err(error) => return Ok(Err(error)),
        }
    }
    transaction.commit()?;
    Ok(Ok(written))
}

/// Every write under its own savepoint, in one committed transaction.
fn written_apart(
    connection: &mut Connection,
    batch: &[Queued],
) -> rusqlite::Result<Vec<StoreResult<Written>>> {
    let mut transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    for queued in batch {
        let savepoint = transaction.savepoint()?;
        let result = sqlite_calls::write(&savepoint, &queued.write);
        if result.is_ok() {
            savepoint.commit()?;
        }
        // Otherwise dropping the savepoint undoes the write.
        results.push(result);
    }
    transaction.commit()?;
    Ok(results)
}

fn answers(batch: Vec<Queued>) -> Vec<tokio::sync::oneshot::Sender<StoreResult<Written>>> {
    batch.into_iter().map(|queued| queued.answer).collect()
}
