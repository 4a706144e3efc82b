//! After the runs, the server is killed at once (SIGKILL) and the database is counted: every
//! call and text the server answered must be there. With group commit a request is answered
//! only after its transaction committed, so none may be missing.

use sqlx::Connection;

use crate::StoreKind;
use crate::load::RunFigures;
use crate::requests::Endpoint;
use crate::server::{Database, Served};

pub struct Kept {
    pub calls_answered: u64,
    pub calls_kept: i64,
    pub texts_answered: u64,
    pub texts_kept: i64,
    /// The server's own count of callers who heard the apology (a store failure), by step.
    pub apologies: Vec<String>,
    /// PostgreSQL's count of deadlocks in the database: each held the writes in it for a
    /// second (`deadlock_timeout`) before one was ended. `None` on SQLite (one writer).
    pub deadlocks: Option<i64>,
}

pub async fn check(
    served: &mut Served,
    database: &Database,
    figures: &[RunFigures],
    prepared_calls: u64,
) -> anyhow::Result<Kept> {
    let answered = |endpoint: Endpoint| -> u64 {
        figures
            .iter()
            .filter(|f| f.endpoint == endpoint)
            .map(|f| f.ok)
            .sum()
    };
    let metrics = crate::load::client()?
        .get(format!("{}/metrics", served.base()))
        .send()
        .await?
        .text()
        .await?;
    let apologies = metrics
        .lines()
        .filter(|line| line.starts_with("hotline_call_apologies_total"))
        .map(str::to_owned)
        .collect();
    served.kill()?;
    let count = "SELECT (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM messages)";
    let (calls_kept, texts_kept, deadlocks): (i64, i64, Option<i64>) = match database.kind {
        StoreKind::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(&database.url).await?;
            let (calls, texts) = sqlx::query_as(count).fetch_one(&mut db).await?;
            (calls, texts, None)
        }
        StoreKind::Postgres => {
            let mut db = sqlx::PgConnection::connect(&database.url).await?;
            let (calls, texts) = sqlx::query_as(count).fetch_one(&mut db).await?;
            (calls, texts, Some(deadlocks(&mut db).await?))
        }
    };
    Ok(Kept {
        calls_answered: answered(Endpoint::Voice) + prepared_calls,
        calls_kept,
        texts_answered: answered(Endpoint::Messages),
        texts_kept,
        apologies,
        deadlocks,
    })
}

/// PostgreSQL's count of deadlocks in this database, once the killed server's sessions have
/// ended: a session hands in its statistics as it ends.
async fn deadlocks(db: &mut sqlx::PgConnection) -> anyhow::Result<i64> {
    let others = "SELECT COUNT(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid()";
    for _ in 0..50 {
        let left: i64 = sqlx::query_scalar(others).fetch_one(&mut *db).await?;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The last to end hands its statistics in just after it leaves that list.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *db)
        .await?;
    let deadlocks: i64 = sqlx::query_scalar(
        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(deadlocks)
}
