//! The provider fails the ways Twilio can — 500s, 429 with Retry-After, no answer in time, a
//! create whose answer is lost, a worker that dies between "sending" and "sent" — and each
//! text still reaches its recipient once, and none is lost.

use std::sync::Arc;
use std::time::Duration;

use hotline::outbox::{LEASE, OutboxSettings, RateSettings, RetrySettings};
use hotline::store::OutboxStatus;

use super::fake_provider::Answer;
use super::{COORDINATOR, LAWYER, Rig};
use crate::databases::TestDatabase;

const REMINDER: &str = "Голосовое сообщение на линии юридической помощи: №12";

fn lease_seconds() -> i64 {
    i64::try_from(LEASE.as_secs()).expect("seconds") + 1
}

#[tokio::test]
async fn after_500s_the_text_goes_once_the_provider_recovers() {
    let rig = Rig::new([Answer::Fail(500), Answer::Fail(503)]).await;
    let id = rig.text("voicemail:12:1", "sms", LAWYER, REMINDER).await;
    let outbox = rig.outbox();
    for _ in 0..2 {
        let pass = outbox.send_due().await.expect("a pass");
        assert_eq!(pass.retried, 1);
        let waiting = rig.message(id).await;
        assert_eq!(waiting.status, OutboxStatus::Queued);
        assert!(waiting.uncertain_since.is_some(), "a 5xx may hide a create");
        rig.later(31);
    }
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!(pass.sent, 1);
    assert_eq!(
        rig.delivered(),
        vec![(LAWYER.to_owned(), REMINDER.to_owned())]
    );
    assert_eq!(
        rig.provider.look_ups(),
        2,
        "each retry after a 5xx looked first"
    );
    let sent = rig.message(id).await;
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert_eq!(
        sent.provider_sid,
        Some(rig.provider.created()[0].sid.clone())
    );
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_and_not_sent_again() {
    let rig = Rig::new([Answer::CreateThenFail(502)]).await;
    let id = rig.text("voicemail:12:1", "sms", LAWYER, REMINDER).await;
    let outbox = rig.outbox();
    assert_eq!(outbox.send_due().await.expect("a pass").retried, 1);
    rig.later(31);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!((pass.found, pass.sent), (1, 0));
    assert_eq!(rig.provider.creates(), 1, "never asked to send again");
    assert_eq!(rig.delivered().len(), 1);
    assert_eq!(
        rig.message(id).await.provider_sid,
        Some(rig.provider.created()[0].sid.clone())
    );
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let rig = Rig::new([Answer::SlowDown(120)]).await;
    let id = rig.text("voicemail:12:1", "sms", LAWYER, REMINDER).await;
    let outbox = rig.outbox();
    let asked_at = rig.now();
    assert_eq!(outbox.send_due().await.expect("a pass").retried, 1);
    let waiting = rig.message(id).await;
    assert_eq!(
        waiting.next_attempt_at,
        asked_at + chrono::Duration::seconds(120)
    );
    assert_eq!(waiting.uncertain_since, None, "a 429 created nothing");
    rig.later(119);
    assert_eq!(
        outbox.send_due().await.expect("a pass").sent,
        0,
        "not before"
    );
    assert_eq!(rig.provider.creates(), 1);
    rig.later(2);
    assert_eq!(outbox.send_due().await.expect("a pass").sent, 1);
    assert_eq!(rig.delivered().len(), 1);
    assert_eq!(rig.provider.look_ups(), 0, "nothing to look up after a 429");
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn no_answer_in_time_is_looked_up_then_sent_once_either_way() {
    // The provider created it and answered too late; then one that never reached it.
    let rig = Rig::new([Answer::CreateThenHang, Answer::Hang]).await;
    let created = rig.text("a", "sms", LAWYER, "первое").await;
    let outbox = rig.outbox();
    assert_eq!(outbox.send_due().await.expect("a pass").retried, 1);
    let lost = rig.text("b", "sms", COORDINATOR, "второе").await;
    assert_eq!(outbox.send_due().await.expect("a pass").retried, 1);
    rig.later(31);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!((pass.found, pass.sent), (1, 1));
    assert_eq!(
        rig.delivered(),
        vec![
            (LAWYER.to_owned(), "первое".to_owned()),
            (COORDINATOR.to_owned(), "второе".to_owned())
        ],
        "each once"
    );
    for id in [created, lost] {
        assert_eq!(rig.message(id).await.status, OutboxStatus::Sent);
    }
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_worker_dying_between_sending_and_sent_neither_loses_nor_repeats_the_text() {
    for database in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        let rig = Rig::on(database, [Answer::CreateThenHang]).await;
        let reached = rig.text("reached", "sms", LAWYER, "дошло").await;
        // The worker dies once the provider has the text, before it hears back.
        let dying = Arc::new(rig.outbox());
        let pass = tokio::spawn({
            let dying = dying.clone();
            async move { dying.send_due().await }
        });
        rig.provider.creates_reach(1).await;
        pass.abort();
        let _ = pass.await;
        assert_eq!(rig.message(reached).await.status, OutboxStatus::Sending);
        // One that died right after claiming, before any request left.
        let never_left = rig.text("never-left", "sms", COORDINATOR, "не ушло").await;
        let now = rig.now();
        rig.store
            .claim_outbox(
                never_left,
                now,
                now + chrono::Duration::seconds(lease_seconds() - 1),
            )
            .await
            .expect("claimed")
            .expect("due");

        // A restarted server, once the leases have run out.
        let restarted = rig.outbox();
        assert_eq!(
            restarted.send_due().await.expect("a pass").sent,
            0,
            "leases hold"
        );
        rig.later(lease_seconds());
        let pass = restarted.send_due().await.expect("a pass");
        assert_eq!((pass.found, pass.sent), (1, 1));
        assert_eq!(
            rig.delivered(),
            vec![
                (LAWYER.to_owned(), "дошло".to_owned()),
                (COORDINATOR.to_owned(), "не ушло".to_owned())
            ],
            "each once"
        );
        for id in [reached, never_left] {
            let message = rig.message(id).await;
            assert_eq!(message.status, OutboxStatus::Sent);
            assert!(message.uncertain_since.is_some());
        }
        rig.later(3600);
        restarted.send_due().await.expect("a pass");
        assert_eq!(rig.delivered().len(), 2, "and never again");
        rig.provider.all_requests_valid().await;
    }
}

#[tokio::test]
async fn with_a_short_lease_a_dead_workers_text_waits_for_the_providers_records_to_settle() {
    let rig = Rig::new([Answer::CreateThenHang]).await;
    let settings = OutboxSettings {
        lease: Duration::from_secs(10),
        ..OutboxSettings::default()
    };
    let settle = i64::try_from(settings.retry.settle.as_secs()).expect("seconds");
    let reached = rig.text("reached", "sms", LAWYER, "дошло").await;
    let dying = Arc::new(rig.outbox_with(settings.clone()));
    let pass = tokio::spawn({
        let dying = dying.clone();
        async move { dying.send_due().await }
    });
    rig.provider.creates_reach(1).await;
    pass.abort();
    let _ = pass.await;

    let restarted = rig.outbox_with(settings);
    rig.later(11);
    let pass = restarted.send_due().await.expect("a pass");
    assert_eq!(
        (pass.deferred, pass.found, pass.sent),
        (1, 0, 0),
        "its lease is over, but the provider's list may not show it yet"
    );
    assert_eq!(rig.provider.look_ups(), 0);
    rig.later(settle - 11);
    let pass = restarted.send_due().await.expect("a pass");
    assert_eq!((pass.found, pass.sent), (1, 0));
    assert_eq!(rig.delivered().len(), 1, "once");
    assert_eq!(rig.message(reached).await.status, OutboxStatus::Sent);
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn refusals_are_not_retried_and_an_opt_out_is_undeliverable() {
    let rig = Rig::new([
        Answer::Refuse(21610, "Attempt to send to unsubscribed recipient"),
        Answer::Refuse(
            63016,
            "Failed to send freeform message because you are outside the allowed window.",
        ),
        Answer::Refuse(
            21211,
            "The 'To' number +77019999999 is not a valid phone number.",
        ),
    ])
    .await;
    let opted_out = rig.text("a", "sms", LAWYER, "одно").await;
    let window = rig.text("b", "whatsapp", LAWYER, "два").await;
    let invalid = rig.text("c", "sms", "+77019999999", "три").await;
    let outbox = rig.outbox();
    assert_eq!(outbox.send_due().await.expect("a pass").ended, 3);
    rig.later(24 * 3600);
    assert_eq!(outbox.send_due().await.expect("a pass"), Default::default());
    assert_eq!(rig.provider.creates(), 3, "none was tried again");

    let stopped = rig.message(opted_out).await;
    assert_eq!(
        (stopped.status, stopped.error_code),
        (OutboxStatus::Undeliverable, Some(21610))
    );
    assert!(
        stopped
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("STOP"))
    );
    let outside = rig.message(window).await;
    assert_eq!(
        (outside.status, outside.error_code),
        (OutboxStatus::Undeliverable, Some(63016))
    );
    let bad = rig.message(invalid).await;
    assert_eq!(
        (bad.status, bad.error_code),
        (OutboxStatus::Failed, Some(21211))
    );
    assert!(
        !bad.error_message
            .as_deref()
            .unwrap_or_default()
            .contains("9999999"),
        "no number in what the coordinator sees: {:?}",
        bad.error_message
    );
    let shown = rig.store.failed_outbox(10).await.expect("read");
    assert_eq!(shown.len(), 3, "the coordinator sees all three");
    let whatsapp = &rig.provider.created();
    assert!(whatsapp.is_empty(), "nothing was created");
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn whatsapp_goes_from_the_hotline_numbers_whatsapp_with_a_delivery_report_url() {
    let rig = Rig::new([]).await;
    let id = rig.text("w", "whatsapp", LAWYER, "Сәлем").await;
    rig.outbox().send_due().await.expect("a pass");
    let created = rig.provider.created();
    assert_eq!(created[0].to, format!("whatsapp:{LAWYER}"));
    assert_eq!(
        created[0].from,
        format!("whatsapp:{}", crate::helpers::HOTLINE_NUMBER)
    );
    assert_eq!(
        created[0].status_callback.as_deref(),
        Some(
            format!(
                "{}/webhooks/messages/status?outbox={id}",
                crate::helpers::PUBLIC_URL
            )
            .as_str()
        )
    );
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_retried_then_shown_to_the_coordinator() {
    let rig = Rig::new([]).await;
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let closed =
        url::Url::parse(&format!("http://{}", nobody.local_addr().expect("bound"))).expect("a URL");
    drop(nobody);
    let settings = OutboxSettings {
        retry: RetrySettings {
            max_attempts: 3,
            ..RetrySettings::default()
        },
        ..OutboxSettings::default()
    };
    let outbox = rig.outbox_to(closed, settings);
    let id = rig.text("a", "sms", LAWYER, REMINDER).await;
    for _ in 0..2 {
        assert_eq!(outbox.send_due().await.expect("a pass").retried, 1);
        let waiting = rig.message(id).await;
        assert_eq!(
            waiting.uncertain_since, None,
            "a refused connection sent nothing"
        );
        rig.later(15 * 60);
    }
    assert_eq!(outbox.send_due().await.expect("a pass").ended, 1);
    let failed = rig.message(id).await;
    assert_eq!(failed.status, OutboxStatus::Failed);
    let said = failed.error_message.unwrap_or_default();
    assert!(
        said.contains("gave up after 3 attempts") && said.contains("could not connect"),
        "{said}"
    );
}

/// A pass claims only what the rate lets go: once the bucket is empty, the rest stay queued,
/// never claimed (no attempt counted, no write), and go in later passes at the rate.
#[tokio::test]
async fn a_pass_claims_no_more_than_the_rate_lets_go() {
    let rig = Rig::new([]).await;
    let settings = OutboxSettings {
        rates: RateSettings {
            per_second: 1.0,
            burst: 2,
            per_recipient_per_minute: 100,
        },
        ..OutboxSettings::default()
    };
    let outbox = rig.outbox_with(settings);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            rig.text(&format!("alert:{n}"), "sms", LAWYER, &format!("№{n}"))
                .await,
        );
    }
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!((pass.sent, pass.deferred), (2, 0), "{pass:?}");
    for &id in &ids[2..] {
        let waiting = rig.message(id).await;
        assert_eq!(
            (waiting.status, waiting.attempts),
            (OutboxStatus::Queued, 0),
            "left as queued, never claimed"
        );
    }
    rig.later(1);
    assert_eq!(outbox.send_due().await.expect("a pass").sent, 1);
    rig.later(2);
    assert_eq!(outbox.send_due().await.expect("a pass").sent, 2);
    assert_eq!(rig.provider.creates(), 5, "each went once");
}

#[tokio::test]
async fn rate_limits_hold_texts_back_without_losing_them() {
    let rig = Rig::new([]).await;
    let settings = OutboxSettings {
        rates: RateSettings {
            per_second: 1.0,
            burst: 3,
            per_recipient_per_minute: 2,
        },
        ..OutboxSettings::default()
    };
    let outbox = rig.outbox_with(settings);
    for n in 0..3 {
        rig.text(&format!("lawyer:{n}"), "sms", LAWYER, &format!("№{n}"))
            .await;
    }
    rig.text("coordinator", "sms", COORDINATOR, "№9").await;
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!(
        (pass.sent, pass.deferred),
        (3, 1),
        "two to the lawyer, one to the coordinator"
    );
    rig.later(1);
    assert_eq!(
        outbox.send_due().await.expect("a pass").sent,
        0,
        "the lawyer's minute is not over"
    );
    rig.later(59);
    assert_eq!(outbox.send_due().await.expect("a pass").sent, 1);
    let to_lawyer = rig
        .delivered()
        .iter()
        .filter(|(to, _)| to == LAWYER)
        .count();
    assert_eq!(
        (to_lawyer, rig.delivered().len()),
        (3, 4),
        "all delivered, each once"
    );
    rig.provider.all_requests_valid().await;
}
