//! Turns to write, for a database that lets one writer in at a time.
//!
//! SQLite takes one write transaction at a time. Two of this server's connections wanting to
//! write at once used to meet in SQLite's busy handler, which sleeps 1, 2, 5, 10… up to 100 ms
//! between tries: a text's write could wait 180 ms, and the committer of a whole batch of calls
//! with it, behind a write that took one. So every write of a SQLite store first takes its turn
//! here, first come first served, and never meets another of ours in the busy handler (which
//! is left for other processes: `hotline import`, a backup). PostgreSQL writes rows, not the
//! database, so its writes take no turns.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{StoreError, StoreResult};

/// As long as SQLite's own busy timeout: a write waiting longer is refused, not left hanging.
const PATIENCE: Duration = Duration::from_secs(5);

/// A store's turns to write: one at a time, or none needed.
#[derive(Clone)]
pub(super) struct WriteTurns {
    one_at_a_time: Option<Arc<Mutex<()>>>,
}

/// The turn to write, held until dropped: declare it before the transaction it covers, so it is
/// given up after that transaction ends.
pub(super) struct WriteTurn {
    _held: Option<OwnedMutexGuard<()>>,
}

impl WriteTurns {
    /// For a database with one writer at a time (SQLite).
    pub fn one_at_a_time() -> Self {
        Self {
            one_at_a_time: Some(Arc::new(Mutex::new(()))),
        }
    }

    /// For a database whose writers do not wait for each other as a whole (PostgreSQL).
    pub fn not_needed() -> Self {
        Self {
            one_at_a_time: None,
        }
    }

    /// Waits for this write's turn, in the order the writes asked.
    pub async fn take(&self) -> StoreResult<WriteTurn> {
        let Some(turns) = &self.one_at_a_time else {
            return Ok(WriteTurn { _held: None });
        };
        match tokio::time::timeout(PATIENCE, turns.clone().lock_owned()).await {
            Ok(held) => Ok(WriteTurn { _held: Some(held) }),
            Err(_) => Err(StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no turn to write in time: the database is busy",
            )))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_take_turns_in_the_order_they_asked() {
        let turns = WriteTurns::one_at_a_time();
        let first = turns.take().await.expect("a free turn");
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..3 {
            let (turns, order) = (turns.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let _turn = turns.take().await.expect("a turn in order");
                order.lock().expect("the order").push(n);
            }));
            // Each asks before the next does.
            tokio::task::yield_now().await;
        }
        assert!(
            order.lock().expect("the order").is_empty(),
            "nobody writes during another's turn"
        );
        drop(first);
        for task in waiting {
            task.await.expect("the write ran");
        }
        assert_eq!(*order.lock().expect("the order"), vec![0, 1, 2]);
    }

    #[tokio::test]
    async fn without_turns_nobody_waits() {
        let turns = WriteTurns::not_needed();
        let _one = turns.take().await.expect("a turn");
        let _two = turns.take().await.expect("another at once");
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_never_given_is_refused_in_time() {
        let turns = WriteTurns::one_at_a_time();
        let _held = turns.take().await.expect("a free turn");
        assert!(turns.take().await.is_err());
    }
}
