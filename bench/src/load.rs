//! The two ways of loading the server. At a fixed rate (open loop): request `i` is due at
//! `start + i / rate` and is sent then whatever the answers before it did, and its latency is
//! counted from when it was due, so a stall shows in full rather than delaying later sends
//! (coordinated omission). At saturation (closed loop): N connections each send the next
//! request as soon as the last is answered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::time::Instant;

use crate::requests::{Endpoint, Prepared, Source, join_workers};

#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Requests per second for a moment before the runs that count, and shown apart: the first
    /// requests of a kind after the server starts find its connections and their prepared
    /// statements cold, so the fixed-rate run after it measures the steady state.
    WarmUp(u32),
    /// Requests per second.
    Rate(u32),
    /// Connections.
    Saturation(usize),
}

/// What one run measured.
pub struct RunFigures {
    pub endpoint: Endpoint,
    pub mode: Mode,
    /// Answered with a 2xx.
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    /// Microseconds, from due time (rate) or send time (saturation) to the whole answer.
    pub latency: Histogram<u64>,
    /// The machine's load average when the run started (it is shared).
    pub load_average: String,
    /// The run ran out of prepared calls before its time was up.
    pub exhausted: bool,
}

impl RunFigures {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// Sends one request and reads the whole answer; true when it was a 2xx.
pub async fn send(client: &reqwest::Client, request: Prepared) -> bool {
    let builder = match request.form {
        None => client.get(&request.url),
        Some((body, signature)) => client
            .post(&request.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(body),
    };
    match builder.send().await {
        Ok(answer) => {
            let good = answer.status().is_success();
            answer.bytes().await.is_ok() && good
        }
        Err(_) => false,
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

struct Tally {
    latency: Mutex<Histogram<u64>>,
    ok: AtomicU64,
    failed: AtomicU64,
}

impl Tally {
    fn record(&self, good: bool, took: Duration) {
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        if let Ok(mut latency) = self.latency.lock() {
            latency.saturating_record(micros.max(1));
        }
        let counter = if good { &self.ok } else { &self.failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

pub async fn run(source: &Arc<Source>, mode: Mode, span: Duration) -> RunFigures {
    let client = client().expect("an HTTP client");
    let tally = Arc::new(Tally {
        latency: Mutex::new(histogram()),
        ok: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    let start = Instant::now() + Duration::from_millis(20);
    let mut exhausted = false;
    match mode {
        Mode::WarmUp(rate) | Mode::Rate(rate) => {
            let total = u64::from(rate) * span.as_secs();
            let mut in_flight = tokio::task::JoinSet::new();
            for i in 0..total {
                let due = start + Duration::from_secs_f64(i as f64 / f64::from(rate));
                if Instant::now() < due {
                    tokio::time::sleep_until(due).await;
                }
                let Some(request) = source.request(i) else {
                    exhausted = true;
                    break;
                };
                let (client, tally) = (client.clone(), tally.clone());
                in_flight.spawn(async move {
                    let good = send(&client, request).await;
                    tally.record(good, due.elapsed());
                });
                while in_flight.try_join_next().is_some() {}
            }
            while in_flight.join_next().await.is_some() {}
        }
        Mode::Saturation(connections) => {
            tokio::time::sleep_until(start).await;
            let end = start + span;
            let next = AtomicU64::new(0);
            let ran_out = std::sync::atomic::AtomicBool::new(false);
            join_workers(connections, || async {
                while Instant::now() < end {
                    let Some(request) = source.request(next.fetch_add(1, Ordering::Relaxed)) else {
                        ran_out.store(true, Ordering::Relaxed);
                        break;
                    };
                    let sent = Instant::now();
                    let good = send(&client, request).await;
                    tally.record(good, sent.elapsed());
                }
            })
            .await;
            exhausted = ran_out.load(Ordering::Relaxed);
        }
    }
    let elapsed = start.elapsed();
    let latency = tally
        .latency
        .lock()
        .map(|h| h.clone())
        .unwrap_or_else(|_| histogram());
    RunFigures {
        endpoint: source.endpoint,
        mode,
        ok: tally.ok.load(Ordering::Relaxed),
        failed: tally.failed.load(Ordering::Relaxed),
        elapsed,
        latency,
        load_average: String::new(),
        exhausted,
    }
}
