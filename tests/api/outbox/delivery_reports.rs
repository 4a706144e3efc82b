//! `POST /webhooks/messages/status`, signed as Twilio signs it: a report moves a text on and
//! never back, keeps the reason a text failed for the coordinator, and finds a text whose
//! create answer was lost by the `outbox` id in its URL.

use hotline::clock::Clock;
use hotline::store::{NewOutboxMessage, OutboxStatus};

use super::LAWYER;
use crate::helpers::{TestApp, params, spawn_app};

/// A text queued and claimed; with `sid`, also sent.
async fn text(app: &TestApp, key: &str, sid: Option<&str>) -> i64 {
    let now = app.clock.now();
    let message = NewOutboxMessage {
        idempotency_key: key.to_owned(),
        channel: "sms".into(),
        to_sealed: app.data_key.seal(LAWYER),
        body_sealed: app.data_key.seal("Голосовое сообщение: №3"),
        created_at: now,
        contact_hash: None,
    };
    app.store.enqueue_outbox(&message).await.expect("queued");
    let id = app.store.pending_outbox(10).await.expect("read")[0].id;
    app.store
        .claim_outbox(id, now, now + chrono::Duration::minutes(2))
        .await
        .expect("claimed");
    if let Some(sid) = sid {
        assert!(
            app.store
                .mark_outbox_sent(id, sid, now)
                .await
                .expect("sent")
        );
    }
    id
}

async fn report(app: &TestApp, query: &str, pairs: &[(&str, &str)]) -> u16 {
    let mut all = vec![
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("ApiVersion", "2010-04-01"),
        ("From", crate::helpers::HOTLINE_NUMBER),
        ("To", LAWYER),
    ];
    all.extend_from_slice(pairs);
    let path = format!("/webhooks/messages/status{query}");
    app.post_signed(&path, &params(&all))
        .await
        .status()
        .as_u16()
}

async fn status_of(app: &TestApp, id: i64) -> hotline::store::OutboxMessage {
    app.store
        .outbox_message(id)
        .await
        .expect("read")
        .expect("exists")
}

#[tokio::test]
async fn reports_move_a_text_on_and_a_late_one_never_moves_it_back() {
    let app = spawn_app().await;
    let id = text(&app, "m", Some("SM01")).await;
    let delivered = [("MessageSid", "SM01"), ("MessageStatus", "delivered")];
    assert_eq!(report(&app, "", &delivered).await, 204);
    assert_eq!(
        report(
            &app,
            "",
            &[("MessageSid", "SM01"), ("MessageStatus", "sent")]
        )
        .await,
        204
    );
    assert_eq!(report(&app, "", &delivered).await, 204, "a repeat is fine");
    assert_eq!(
        report(
            &app,
            "",
            &[("MessageSid", "SM01"), ("MessageStatus", "read")]
        )
        .await,
        204
    );
    let message = status_of(&app, id).await;
    assert_eq!(
        message.status,
        OutboxStatus::Delivered,
        "the late 'sent' did not undo it"
    );
    assert_eq!(message.finished_at, Some(app.clock.now()));
}

#[tokio::test]
async fn an_undelivered_text_keeps_its_reason_for_the_coordinator() {
    let app = spawn_app().await;
    let off = text(&app, "off", Some("SM01")).await;
    let stopped = text(&app, "stopped", Some("SM02")).await;
    let failed = [
        ("MessageSid", "SM01"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ];
    assert_eq!(report(&app, "", &failed).await, 204);
    let opted_out = [
        ("MessageSid", "SM02"),
        ("MessageStatus", "failed"),
        ("ErrorCode", "21610"),
    ];
    assert_eq!(report(&app, "", &opted_out).await, 204);
    let off = status_of(&app, off).await;
    assert_eq!(
        (off.status, off.error_code),
        (OutboxStatus::Failed, Some(30003))
    );
    assert!(
        off.error_message
            .unwrap_or_default()
            .contains("unreachable")
    );
    let stopped = status_of(&app, stopped).await;
    assert_eq!(
        (stopped.status, stopped.error_code),
        (OutboxStatus::Undeliverable, Some(21610))
    );
    assert_eq!(app.store.failed_outbox(10).await.expect("read").len(), 2);
}

#[tokio::test]
async fn a_report_gives_a_text_whose_answer_was_lost_its_id() {
    let app = spawn_app().await;
    let id = text(&app, "m", None).await;
    assert_eq!(status_of(&app, id).await.status, OutboxStatus::Sending);
    let query = format!("?outbox={id}");
    let sent = [("MessageSid", "SM07"), ("MessageStatus", "sent")];
    assert_eq!(report(&app, &query, &sent).await, 204);
    let found = status_of(&app, id).await;
    assert_eq!(
        (found.status, found.provider_sid.as_deref()),
        (OutboxStatus::Sent, Some("SM07"))
    );
}

#[tokio::test]
async fn unsigned_malformed_and_unknown_reports() {
    let app = spawn_app().await;
    let id = text(&app, "m", Some("SM01")).await;
    let pairs = params(&[("MessageSid", "SM01"), ("MessageStatus", "delivered")]);
    let unsigned = app
        .post_with_signature("/webhooks/messages/status", &pairs, None)
        .await;
    assert_eq!(unsigned.status().as_u16(), 403);
    assert_eq!(
        status_of(&app, id).await.status,
        OutboxStatus::Sent,
        "nothing read"
    );
    assert_eq!(
        report(&app, "", &[("MessageStatus", "delivered")]).await,
        400
    );
    let unknown = [("MessageSid", "SM99"), ("MessageStatus", "delivered")];
    assert_eq!(
        report(&app, "", &unknown).await,
        204,
        "not ours: nothing to retry"
    );
    let inbound = [("MessageSid", "SM01"), ("MessageStatus", "received")];
    assert_eq!(report(&app, "", &inbound).await, 204);
    assert_eq!(status_of(&app, id).await.status, OutboxStatus::Sent);
}

#[tokio::test]
async fn a_report_that_she_opted_out_withdraws_her_consent_and_one_for_staff_changes_none() {
    use hotline::store::{Channel, NewConsent};

    let app = spawn_app().await;
    let her = "+77071234567";
    let hash = app.data_key.hash(her);
    app.store
        .record_consent(&NewConsent {
            contact_hash: hash.clone(),
            channel: Channel::Sms,
            granted: true,
            reason: "wrote_first".into(),
            conversation_id: None,
            at: app.clock.now(),
            safe_hours: None,
            expires_at: None,
            code_word_sealed: None,
        })
        .await
        .expect("kept");
    let now = app.clock.now();
    let reply = NewOutboxMessage {
        idempotency_key: "reply:SM-HER".into(),
        channel: "sms".into(),
        to_sealed: app.data_key.seal(her),
        body_sealed: app.data_key.seal("Здравствуйте, это юрист"),
        created_at: now,
        contact_hash: Some(hash.clone()),
    };
    app.store.enqueue_outbox(&reply).await.expect("queued");
    let id = app.store.pending_outbox(10).await.expect("read")[0].id;
    app.store
        .claim_outbox(id, now, now + chrono::Duration::minutes(2))
        .await
        .expect("claimed");
    assert!(
        app.store
            .mark_outbox_sent(id, "SM-TO-HER", now)
            .await
            .expect("sent")
    );
    // A staff member's opt-out says nothing about her.
    text(&app, "to-staff", Some("SM-TO-STAFF")).await;
    let staff_opted_out = [
        ("MessageSid", "SM-TO-STAFF"),
        ("MessageStatus", "failed"),
        ("ErrorCode", "21610"),
    ];
    assert_eq!(report(&app, "", &staff_opted_out).await, 204);
    assert_eq!(
        app.store.consent(&hash, Channel::Sms).await.expect("read"),
        Some(true)
    );

    let opted_out = [
        ("MessageSid", "SM-TO-HER"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "21610"),
    ];
    assert_eq!(report(&app, "", &opted_out).await, 204);
    assert_eq!(
        app.store.consent(&hash, Channel::Sms).await.expect("read"),
        Some(false)
    );
    assert_eq!(
        app.store
            .consent(&hash, Channel::Voice)
            .await
            .expect("read"),
        Some(false)
    );
}
