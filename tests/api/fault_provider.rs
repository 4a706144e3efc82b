//! The provider out of reach: while nothing listens at its address, texts keep being queued
//! (here, relays of her texts to the lawyer on duty); each fails to send, is tried again with
//! backoff, and once the provider is back all of them reach it, each exactly once. The short
//! form keeps the outage to 20 s; `HOTLINE_FAULT_OUTAGE_SECONDS=300` runs the minutes-long one.
//! The wait between attempts doubles (5 s up to 15 min, half of it random), but the first text
//! the provider takes again makes the others due at once, so the drain does not wait out each
//! text's backoff; after ten attempts, between
//! about 18 and 36 minutes, the outbox gives a text up (`outbox::retry`): an outage longer than
//! that leaves texts failed, for a person to see.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline::clock::SystemClock;
use hotline::crypto::DataKey;
use hotline_schedules::Service;

use crate::binary::{hotline, post, serve, stop};
use crate::fault_gate::Gate;
use crate::fault_load::{Records, on_duty_now, sender};
use crate::helpers::{HOTLINE_NUMBER, params};
use crate::outbox::fake_provider::{ACCOUNT_SID, FakeProvider};
use crate::voice::LAWYER;

/// Texts she sends during the outage: each is relayed to the lawyer.
const TEXTS: usize = 12;
const SHORT_OUTAGE_SECONDS: u64 = 20;

fn outage() -> Duration {
    let seconds = std::env::var("HOTLINE_FAULT_OUTAGE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SHORT_OUTAGE_SECONDS);
    Duration::from_secs(seconds)
}

/// Her words in the `n`th text, found again in the relay that carries them.
fn words(n: usize) -> String {
    format!("нужна помощь юриста, письмо {n:03}")
}

const UNSENT: &str = "SELECT count(*) FROM outbox WHERE provider_sid IS NULL";
const TRIED_UNSENT: &str =
    "SELECT count(*) FROM outbox WHERE provider_sid IS NULL AND attempts >= 1";
const MOST_ATTEMPTS: &str = "SELECT COALESCE(MAX(attempts), 0) FROM outbox";
const FEWEST_ATTEMPTS_UNSENT: &str =
    "SELECT COALESCE(MIN(attempts), 0) FROM outbox WHERE provider_sid IS NULL";
/// How long until the last of the unsent texts would be tried again, in milliseconds.
const LATEST_RETRY_AHEAD_MS: &str = "SELECT COALESCE(CAST(
     (julianday(MAX(next_attempt_at)) - julianday('now')) * 86400000 AS INTEGER), 0)
     FROM outbox WHERE provider_sid IS NULL";
const GIVEN_UP: &str = "SELECT count(*) FROM outbox WHERE status IN ('failed', 'undeliverable')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_queued_while_the_provider_is_unreachable_all_go_out_once_when_it_is_back() {
    let outage = outage();
    let provider = FakeProvider::start(Arc::new(SystemClock), []).await;
    let mut gate = Gate::open_to(&provider.base).await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    {
        let store = hotline::store::open(&url).await.expect("opened");
        on_duty_now(store.as_ref(), "Айгерим", LAWYER, Service::Legal).await;
    }
    let mut command = hotline(dir.path());
    command
        .env("HOTLINE_SECRET_KEY", DataKey::generate_hex())
        .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        .env("TWILIO_API_BASE", gate.base.as_str())
        .env("TWILIO_FROM_NUMBER", HOTLINE_NUMBER)
        .env("HOTLINE_OUTBOX_PER_SECOND", "1000")
        .env("HOTLINE_OUTBOX_BURST", "1000")
        .env("HOTLINE_OUTBOX_PER_RECIPIENT_PER_MINUTE", "1000")
        .env("HOTLINE_LEASE_SECONDS", "10")
        .env("RUST_LOG", "info");
    let (server, base, log) = serve(command);
    let records = Records::connect(&url).await;

    gate.shut();
    let shut = Instant::now();
    let client = reqwest::Client::new();
    for n in 0..TEXTS {
        let pairs = params(&[
            ("AccountSid", ACCOUNT_SID),
            ("MessageSid", &format!("SMout{n:03}")),
            ("From", &sender(n)),
            ("To", HOTLINE_NUMBER),
            ("Body", &words(n)),
            ("NumMedia", "0"),
        ]);
        assert_eq!(
            post(&client, &base, "/webhooks/messages", &pairs).await,
            200
        );
    }
    // Every relay has met the closed port at least once.
    while records.count(TRIED_UNSENT).await < i64::try_from(TEXTS).expect("a count") {
        assert!(
            shut.elapsed() < outage.max(Duration::from_secs(60)),
            "the relays were never tried"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(outage.saturating_sub(shut.elapsed())).await;
    // And every relay has failed three times, so each waits 10 s or more for its next attempt.
    while records.count(FEWEST_ATTEMPTS_UNSENT).await < 3 {
        assert!(
            shut.elapsed() < outage + Duration::from_secs(60),
            "the relays stopped trying"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tries_in_outage = records.count(MOST_ATTEMPTS).await;
    assert!(
        provider
            .created()
            .iter()
            .all(|m| !m.body.contains("письмо")),
        "a relay went out through a shut gate"
    );
    gate.open().await;
    let opened = Instant::now();
    let latest_retry_ms = records.count(LATEST_RETRY_AHEAD_MS).await;

    // Backoff doubles, so the wait after the outage is at most about twice its length; this
    // bound only stops a test whose outbox never drains.
    let drain_limit = outage * 2 + Duration::from_secs(30);
    while records.count(UNSENT).await > 0 {
        assert!(
            opened.elapsed() < drain_limit,
            "{} texts still unsent {drain_limit:?} after the provider came back",
            records.count(UNSENT).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained = opened.elapsed();
    // The first text the provider takes again sends the rest at once: none waits out its own
    // backoff (the last of which was still at least 10 s away).
    let latest_retry = Duration::from_millis(u64::try_from(latest_retry_ms).unwrap_or(0));
    assert!(
        latest_retry >= Duration::from_secs(5) && drained + Duration::from_secs(2) < latest_retry,
        "drained {drained:?} after the provider came back; the last retry was {latest_retry:?} away"
    );
    let (_, logs) = stop(server, log);
    eprintln!(
        "provider unreachable {outage:?}: up to {tries_in_outage} attempts per text meanwhile; \
         all drained {drained:?} after it came back"
    );

    let created = provider.created();
    for n in 0..TEXTS {
        let relays: Vec<_> = created
            .iter()
            .filter(|m| m.body.contains(&words(n)))
            .collect();
        assert_eq!(
            relays.len(),
            1,
            "text {n} reached the provider once\n{logs}"
        );
        assert_eq!(relays[0].to, LAWYER);
    }
    assert_eq!(records.count(GIVEN_UP).await, 0, "no text given up");
    assert_eq!(
        usize::try_from(records.count("SELECT count(*) FROM outbox").await).expect("a count"),
        created.len(),
        "every text at the provider once, relays and duty notices alike"
    );
    provider.all_requests_valid().await;
}
