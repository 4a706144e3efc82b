//! How long a `/metrics` scrape takes over years of records: a SQLite file with `CALLS` calls
//! (a year of a busy hotline is a few tens of thousands), texts sent and waiting, reminders done
//! and due, then the records' metrics read `SCRAPES` times; prints the figures. A benchmark, not
//! a test: nothing here passes or fails.
//!
//!     cargo run --release --example metrics_scrape [CALLS]

use std::time::Instant;

use chrono::{Duration, Utc};
use hotline::metrics::{Exposition, Metrics};

const SCRAPES: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let calls: i64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let folder = bench_folder()?;
    let url = format!("sqlite://{}", folder.join("hotline.db").display());
    let store = hotline::store::open(&url).await?;
    let now = Utc::now();
    fill(&url, calls, now).await?;

    let metrics = Metrics::default();
    let mut took = Vec::new();
    let mut bytes = 0;
    for _ in 0..SCRAPES {
        let started = Instant::now();
        let mut page = Exposition::default();
        hotline::metrics::write_records(store.as_ref(), &metrics, now, &mut page).await;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
        bytes = page.finish().len();
    }
    took.sort_by(f64::total_cmp);
    println!(
        "metrics scrape over {calls} calls (SQLite): median {:.1} ms, worst {:.1} ms, best {:.1} ms, {bytes} bytes, {SCRAPES} scrapes",
        took[SCRAPES / 2],
        took[SCRAPES - 1],
        took[0]
    );
    // Each group alone, once, to see which one costs.
    let bounds = hotline::metrics::histogram::TIME_TO_A_PERSON_SECONDS;
    let timed = |name: &'static str, started: Instant| {
        println!(
            "  {name}: {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        )
    };
    let started = Instant::now();
    store.calls_by_outcome().await?;
    timed("calls by outcome", started);
    let started = Instant::now();
    store
        .waits_for_a_person(bounds, chrono::DateTime::UNIX_EPOCH, now)
        .await?;
    timed("waits for a person, every call read", started);
    let started = Instant::now();
    store.outbox_pending().await?;
    store.outbox_failed_since(now - Duration::days(1)).await?;
    timed("outbox", started);
    let started = Instant::now();
    store.jobs_due(now, now - Duration::minutes(5)).await?;
    timed("reminders", started);
    std::fs::remove_dir_all(folder)?;
    Ok(())
}

fn bench_folder() -> anyhow::Result<std::path::PathBuf> {
    let folder = std::env::temp_dir().join(format!("hotline-metrics-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    Ok(folder)
}

/// Calls over the past year (four in five answered, after 5 to 95 seconds), a text per call
/// sent and a hundred waiting, a reminder job per ten calls done and ten due.
async fn fill(url: &str, calls: i64, now: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut connection = sqlx::SqliteConnection::connect(url).await?;
    let mut tx = connection.begin().await?;
    let outcomes = [
        "answered",
        "answered",
        "answered",
        "answered",
        "missed",
        "voicemail",
    ];
    for n in 0..calls {
        let started = now - Duration::minutes(525_600 * n / calls.max(1));
        let outcome = outcomes[(n % 6) as usize];
        let answered = (outcome == "answered").then(|| started + Duration::seconds(5 + n % 90));
        sqlx::query(
            "INSERT INTO calls (call_sid, line_number, caller_sealed, caller_hash, status, stage,
                                outcome, started_at, answered_at)
             VALUES ($1, '+77010000000', x'00', $2, 'completed', 'connected', $3, $4, $5)",
        )
        .bind(format!("CA{n:032x}"))
        .bind(format!("{:064x}", n % 5000))
        .bind(outcome)
        .bind(started)
        .bind(answered)
        .execute(&mut *tx)
        .await?;
        let status = if n < 100 { "queued" } else { "sent" };
        sqlx::query(
            "INSERT INTO outbox (idempotency_key, channel, to_sealed, body_sealed, status,
                                 next_attempt_at, created_at)
             VALUES ($1, 'sms', x'00', x'00', $2, $3, $3)",
        )
        .bind(format!("bench:{n}"))
        .bind(status)
        .bind(started)
        .execute(&mut *tx)
        .await?;
        if n % 10 == 0 {
            let status = if n < 100 { "queued" } else { "done" };
            sqlx::query(
                "INSERT INTO jobs (kind, payload, idempotency_key, status, due_at, created_at)
                 VALUES ('follow-up-reminder', '{}', $1, $2, $3, $3)",
            )
            .bind(format!("bench:{n}"))
            .bind(status)
            .bind(started)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
