//! `CALL K7Q` end to end through the signed webhooks: refused until she asks to be called,
//! then a callback queued to the staff member (never a call placed inside the webhook), the
//! staff member's call asking for 1, and her number dialled from the hotline's only then, and
//! only while she still consents.

use hotline::clock::Clock;
use hotline_schedules::Service;

use super::{HER, LAWYER, Sent, code_in};
use crate::helpers::{HOTLINE_NUMBER, TestApp, params, spawn_app};

/// The lawyer's call as the provider fetches it, answered.
fn staff_call(digits: Option<&str>) -> Vec<(String, String)> {
    let mut pairs = params(&[
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "in-progress"),
        ("Direction", "outbound-api"),
        ("From", HOTLINE_NUMBER),
        ("To", LAWYER),
    ]);
    if let Some(digits) = digits {
        pairs.extend(params(&[("Digits", digits)]));
    }
    pairs
}

/// She writes, the lawyer on duty gets it; returns the code.
async fn she_writes(app: &TestApp) -> String {
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", HER, "Помогите").await;
    code_in(&app.last_text_to(LAWYER).await.body)
}

async fn callbacks(app: &TestApp) -> Vec<Sent> {
    app.outbox()
        .await
        .into_iter()
        .filter(|s| s.channel == "callback")
        .collect()
}

async fn twiml(app: &TestApp, path: &str, digits: Option<&str>) -> String {
    let response = app.post_signed(path, &staff_call(digits)).await;
    assert_eq!(response.status(), 200);
    response.text().await.expect("TwiML")
}

#[tokio::test]
async fn call_without_her_consent_to_a_call_is_refused_and_nothing_is_queued() {
    let app = spawn_app().await;
    let code = she_writes(&app).await;
    app.text("SM02", LAWYER, &format!("CALL {code}")).await;
    let answer = app.last_text_to(LAWYER).await;
    assert!(
        answer.body.contains("не давала согласия на звонок"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains(&format!("CALL {code}")),
        "{}",
        answer.body
    );
    assert!(app.texts_to(HER).await.is_empty());
    assert!(callbacks(&app).await.is_empty());
}

#[tokio::test]
async fn after_she_asks_to_be_called_call_queues_one_callback_to_the_lawyer() {
    let app = spawn_app().await;
    let code = she_writes(&app).await;
    app.text("SM02", HER, "Позвоните мне").await;
    let relay = app.last_text_to(LAWYER).await;
    assert!(
        relay.body.contains(&format!("CALL {code}")),
        "{}",
        relay.body
    );

    app.text("SM03", LAWYER, &format!("CALL {code}")).await;
    // The provider retries the webhook: still one callback.
    app.text("SM03", LAWYER, &format!("CALL {code}")).await;
    let answer = app.last_text_to(LAWYER).await;
    assert_eq!(
        answer.body,
        format!("Сейчас вам позвонит горячая линия: нажмите 1, чтобы соединиться с {code}.")
    );
    let queued = callbacks(&app).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].to, LAWYER);
    assert!(
        queued[0]
            .body
            .starts_with("/webhooks/voice/callback?conversation="),
        "{}",
        queued[0].body
    );
    assert!(app.texts_to(HER).await.is_empty(), "nothing is sent to her");
    for sent in app.outbox().await {
        assert!(!sent.body.contains(HER), "her number in {sent:?}");
    }
}

#[tokio::test]
async fn the_callback_asks_for_1_and_then_dials_her_from_the_hotline_number() {
    let app = spawn_app().await;
    let code = she_writes(&app).await;
    app.text("SM02", HER, "позвоните").await;
    app.text("SM03", LAWYER, &format!("CALL {code}")).await;
    let path = callbacks(&app).await.remove(0).body;

    let ask = twiml(&app, &path, None).await;
    assert!(ask.contains(&format!("обращению {code}")), "{ask}");
    assert!(ask.contains("Нажмите 1"), "{ask}");
    assert!(ask.contains("/webhooks/voice/callback/connect?"), "{ask}");
    assert!(!ask.contains(HER), "{ask}");

    let connect = path.replacen("/callback?", "/callback/connect?", 1);
    let dial = twiml(&app, &connect, Some("1")).await;
    assert!(
        dial.contains(&format!(r#"callerId="{HOTLINE_NUMBER}""#)),
        "{dial}"
    );
    assert!(dial.contains(r#"answerOnBridge="true""#), "{dial}");
    assert!(dial.contains(&format!("<Number>{HER}</Number>")), "{dial}");

    for digits in ["", "2"] {
        let refused = twiml(&app, &connect, Some(digits)).await;
        assert!(!refused.contains("<Dial"), "{refused}");
    }
}

#[tokio::test]
async fn after_stop_the_callback_does_not_connect_and_call_is_refused() {
    let app = spawn_app().await;
    let code = she_writes(&app).await;
    app.text("SM02", HER, "перезвоните").await;
    app.text("SM03", LAWYER, &format!("CALL {code}")).await;
    let path = callbacks(&app).await.remove(0).body;
    app.text("SM04", HER, "STOP").await;

    let connect = path.replacen("/callback?", "/callback/connect?", 1);
    let refused = twiml(&app, &connect, Some("1")).await;
    assert!(!refused.contains("<Dial"), "{refused}");
    assert!(!refused.contains(HER), "{refused}");
    assert!(refused.contains("Ей не звонили"), "{refused}");

    // START brings texts back, not calls.
    app.text("SM05", HER, "START").await;
    app.text("SM06", LAWYER, &format!("CALL {code}")).await;
    let answer = app.last_text_to(LAWYER).await;
    assert!(
        answer.body.contains("не давала согласия"),
        "{}",
        answer.body
    );
    assert_eq!(callbacks(&app).await.len(), 1);
}

#[tokio::test]
async fn once_her_consent_to_a_call_has_ended_the_callback_does_not_connect() {
    let app = spawn_app().await;
    let code = she_writes(&app).await;
    app.text("SM02", HER, "перезвоните").await;
    let token = app.api_token().await;
    let ends = app.clock.now() + chrono::Duration::minutes(10);
    let terms = serde_json::json!({ "channel": "voice", "granted": true, "expires_at": ends });
    let (status, answer) = app
        .api(
            reqwest::Method::PUT,
            &format!("/api/v1/conversations/{code}/consent"),
            &token,
            Some(terms),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{answer}");
    app.text("SM03", LAWYER, &format!("CALL {code}")).await;
    let path = callbacks(&app).await.remove(0).body;

    app.clock.advance(chrono::Duration::minutes(10));
    let connect = path.replacen("/callback?", "/callback/connect?", 1);
    let refused = twiml(&app, &connect, Some("1")).await;
    assert!(!refused.contains("<Dial"), "{refused}");
    assert!(!refused.contains(HER), "{refused}");
}

#[tokio::test]
async fn an_unanswered_callback_ends_its_outbox_row_as_failed() {
    let app = spawn_app().await;
    let code = she_writes(&app).await;
    app.text("SM02", HER, "call me").await;
    app.text("SM03", LAWYER, &format!("CALL {code}")).await;
    let row = app
        .store
        .pending_outbox(1000)
        .await
        .expect("the outbox")
        .into_iter()
        .find(|m| m.channel == "callback")
        .expect("a callback row");
    let report = params(&[
        ("CallSid", "CA00000000000000000000000000000002"),
        ("CallStatus", "no-answer"),
    ]);
    let path = format!("/webhooks/voice/callback/status?outbox={}", row.id);
    let response = app.post_signed(&path, &report).await;
    assert_eq!(response.status(), 204);
    let ended = app
        .store
        .outbox_message(row.id)
        .await
        .expect("the outbox")
        .expect("the row");
    assert_eq!(ended.status, hotline::store::OutboxStatus::Failed);
}
