//! `hotline serve` with a Twilio account configured sends its texts through the provider, from
//! the hotline number, asking for delivery reports at its public URL; configured halfway, or
//! with a lease outside its range, it refuses to start and says what is wrong.

use std::sync::Arc;
use std::time::Duration;

use hotline::clock::ManualClock;
use hotline::crypto::DataKey;
use hotline::store::{NewOutboxMessage, OutboxStatus};

use super::LAWYER;
use super::fake_provider::{ACCOUNT_SID, FakeProvider};
use crate::binary::{hotline, serve, stop};
use crate::helpers::{HOTLINE_NUMBER, PUBLIC_URL};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_a_twilio_account_sends_through_it() {
    let provider = FakeProvider::start(Arc::new(ManualClock::new(chrono::Utc::now())), []).await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key_hex = DataKey::generate_hex();
    let mut command = hotline(dir.path());
    command
        .env("HOTLINE_SECRET_KEY", &key_hex)
        .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        .env("TWILIO_API_BASE", provider.base.as_str())
        .env("TWILIO_FROM_NUMBER", HOTLINE_NUMBER);
    let (server, _url, logs) = serve(command);

    // A follow-up text, queued as the call flow queues one, in the server's own database.
    let store = hotline::store::open(&format!(
        "sqlite://{}",
        dir.path().join("hotline.db").display()
    ))
    .await
    .expect("the server's database");
    let key = DataKey::from_hex(&key_hex).expect("a key");
    let message = NewOutboxMessage {
        idempotency_key: "voicemail:1:1".into(),
        channel: "sms".into(),
        to_sealed: key.seal(LAWYER),
        body_sealed: key.seal("Голосовое сообщение: №1"),
        created_at: chrono::Utc::now(),
        contact_hash: None,
    };
    store.enqueue_outbox(&message).await.expect("queued");
    provider.creates_reach(1).await;
    let mut sent = None;
    for _ in 0..100 {
        let row = store
            .outbox_message(1)
            .await
            .expect("read")
            .expect("exists");
        if row.status == OutboxStatus::Sent {
            sent = Some(row);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, logs) = stop(server, logs);

    let created = provider.created();
    assert_eq!(created.len(), 1, "{logs}");
    assert_eq!(
        (created[0].to.as_str(), created[0].from.as_str()),
        (LAWYER, HOTLINE_NUMBER)
    );
    assert_eq!(
        created[0].status_callback.as_deref(),
        Some(format!("{PUBLIC_URL}/webhooks/messages/status?outbox=1").as_str())
    );
    let sent = sent.unwrap_or_else(|| panic!("the text was never marked sent:\n{logs}"));
    assert_eq!(sent.provider_sid, Some(created[0].sid.clone()));
    assert!(
        !logs.contains(&LAWYER[1..]),
        "the number never reaches the log"
    );
    assert!(!logs.contains(crate::helpers::AUTH_TOKEN), "nor the token");
    provider.all_requests_valid().await;
}

#[test]
fn an_account_without_a_from_number_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = hotline(dir.path())
        .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        .args(["serve"])
        .output()
        .expect("hotline runs");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("TWILIO_FROM_NUMBER"), "{said}");
}

#[test]
fn a_lease_outside_its_range_is_refused_at_start() {
    // Ten seconds is the least (jobs_kill runs with it): a third of it is each request's time.
    let dir = tempfile::tempdir().expect("a temporary folder");
    for lease in ["9", "601", "two minutes"] {
        let mut server = hotline(dir.path())
            .env("HOTLINE_LEASE_SECONDS", lease)
            .args(["serve"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("hotline runs");
        // A server that took the lease would run on: it is stopped, and the test fails.
        let started = std::time::Instant::now();
        while server.try_wait().expect("waited").is_none() {
            if started.elapsed() > Duration::from_secs(20) {
                server.kill().expect("stopped");
                panic!("hotline serve started with HOTLINE_LEASE_SECONDS={lease}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = server.wait_with_output().expect("its output");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{lease}: {said}");
        assert!(said.contains("--lease-seconds"), "{lease}: {said}");
    }
}
