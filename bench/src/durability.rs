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
    let (calls_kept, texts_kept): (i64, i64) = match database.kind {
        StoreKind::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(&database.url).await?;
            sqlx::query_as(count).fetch_one(&mut db).await?
        }
        StoreKind::Postgres => {
            let mut db = sqlx::PgConnection::connect(&database.url).await?;
            sqlx::query_as(count).fetch_one(&mut db).await?
        }
    };
    Ok(Kept {
        calls_answered: answered(Endpoint::Voice) + prepared_calls,
        calls_kept,
        texts_answered: answered(Endpoint::Messages),
        texts_kept,
        apologies,
    })
}
