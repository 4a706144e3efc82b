//! Her consent, weighed by the outbox at the moment of sending, end to end: she writes, the
//! lawyer replies through the hotline number, and what reaches her phone is what the fake
//! provider got. A reply queued at night waits for her safe hours; a reply queued before her
//! STOP, or before her consent ends, is withheld and never reaches the provider.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use hotline::outbox::{Delivery, Outbox, OutboxSettings, TwilioDelivery};
use hotline::store::{OutboxMessage, OutboxStatus};
use hotline::telephony::client::TwilioClient;
use hotline_schedules::Service;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::CLIENT_LIMIT;
use super::fake_provider::{ACCOUNT_SID, FakeProvider, PROVIDER_TOKEN};
use crate::helpers::{HOTLINE_NUMBER, PUBLIC_URL, TestApp, spawn_app};
use crate::messages::{HER, LAWYER, code_in};

/// An instant on the hotline's wall clock (Almaty, UTC+5).
fn almaty(text: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a local time");
    chrono_tz::Asia::Almaty
        .from_local_datetime(&local)
        .single()
        .expect("one instant")
        .to_utc()
}

/// The server's outbox worker, sending through the fake provider on the server's clock.
fn outbox_for(app: &TestApp, provider: &FakeProvider) -> Outbox {
    let client = TwilioClient::with_timeouts(
        provider.base.clone(),
        ACCOUNT_SID,
        PROVIDER_TOKEN.to_owned().into(),
        CLIENT_LIMIT,
        CLIENT_LIMIT,
    )
    .expect("a client");
    let delivery = Delivery::Twilio(Box::new(TwilioDelivery {
        client,
        from: HOTLINE_NUMBER.to_owned(),
        status_callback: None,
        public_url: Some(url::Url::parse(PUBLIC_URL).expect("a URL")),
    }));
    Outbox::new(
        app.store.clone(),
        app.data_key.clone(),
        app.clock.clone(),
        delivery,
        OutboxSettings::default(),
    )
}

/// Her first text at `local` o'clock reaches the lawyer on duty; its code.
async fn she_writes_at(app: &TestApp, local: &str) -> String {
    app.clock.set(almaty(local));
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", HER, "Помогите, муж угрожает").await;
    code_in(&app.last_text_to(LAWYER).await.body)
}

async fn set_terms(app: &TestApp, code: &str, terms: serde_json::Value) {
    let token = app.api_token().await;
    let path = format!("/api/v1/conversations/{code}/consent");
    let (status, answer) = app.api(Method::PUT, &path, &token, Some(terms)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The queued row with this idempotency key.
async fn queued(app: &TestApp, key: &str) -> OutboxMessage {
    app.store
        .pending_outbox(1000)
        .await
        .expect("read")
        .into_iter()
        .find(|m| m.idempotency_key == key)
        .unwrap_or_else(|| panic!("{key} is queued"))
}

async fn row(app: &TestApp, id: i64) -> OutboxMessage {
    app.store
        .outbox_message(id)
        .await
        .expect("read")
        .expect("kept")
}

/// The bodies the provider got for her number.
fn reached_her(provider: &FakeProvider) -> Vec<String> {
    provider
        .created()
        .into_iter()
        .filter(|m| m.to.trim_start_matches("whatsapp:") == HER)
        .map(|m| m.body)
        .collect()
}

#[tokio::test]
async fn a_reply_queued_at_night_waits_for_her_safe_hours_then_goes_once() {
    let app = spawn_app().await;
    let code = she_writes_at(&app, "2026-11-24 22:50").await;
    set_terms(
        &app,
        &code,
        json!({ "channel": "sms", "granted": true,
                "safe_hours": { "from": "10:00", "until": "13:00" } }),
    )
    .await;
    app.clock.set(almaty("2026-11-24 23:00"));
    app.text("SM02", LAWYER, &format!("{code} Мы перезвоним утром"))
        .await;
    let reply = queued(&app, "reply:SM02").await;
    assert_eq!(reply.contact_hash, Some(app.data_key.hash(HER)));

    let provider = FakeProvider::start(app.clock.clone(), []).await;
    let outbox = outbox_for(&app, &provider);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!(pass.held, 1, "{pass:?}");
    assert!(reached_her(&provider).is_empty(), "not at 23:00");
    let held = row(&app, reply.id).await;
    assert_eq!(held.status, OutboxStatus::Queued);
    assert_eq!(held.next_attempt_at, almaty("2026-11-25 10:00"));
    assert_eq!(held.attempts, 0, "holding is not an attempt");
    assert!(
        provider
            .created()
            .iter()
            .any(|m| m.to == LAWYER && m.body.contains(code.as_str())),
        "texts to staff are not held"
    );

    for local in ["2026-11-25 03:00", "2026-11-25 09:59"] {
        app.clock.set(almaty(local));
        outbox.send_due().await.expect("a pass");
        assert!(reached_her(&provider).is_empty(), "not at {local}");
    }
    app.clock.set(almaty("2026-11-25 10:00"));
    outbox.send_due().await.expect("a pass");
    assert_eq!(reached_her(&provider), vec!["Мы перезвоним утром"]);
    app.clock.set(almaty("2026-11-25 10:30"));
    outbox.send_due().await.expect("a pass");
    assert_eq!(reached_her(&provider).len(), 1, "sent once");
    assert_eq!(row(&app, reply.id).await.status, OutboxStatus::Sent);
    provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_reply_and_a_callback_queued_before_her_stop_are_withheld_and_never_sent() {
    let app = spawn_app().await;
    let code = she_writes_at(&app, "2026-11-24 11:00").await;
    app.text("SM02", HER, "Позвоните мне").await;
    app.text("SM03", LAWYER, &format!("{code} Здравствуйте, это юрист"))
        .await;
    app.text("SM04", LAWYER, &format!("CALL {code}")).await;
    let reply = queued(&app, "reply:SM03").await;
    let callback = queued(&app, "callback:SM04").await;
    assert_eq!(callback.contact_hash, Some(app.data_key.hash(HER)));

    app.text("SM05", HER, "STOP").await;
    let provider = FakeProvider::start(app.clock.clone(), []).await;
    let outbox = outbox_for(&app, &provider);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!(pass.withheld, 2, "{pass:?}");
    for id in [reply.id, callback.id] {
        let ended = row(&app, id).await;
        assert_eq!(ended.status, OutboxStatus::Withheld);
        assert_eq!(ended.provider_sid, None);
        assert_eq!(ended.sent_at, None);
        assert_eq!(
            ended.error_message.as_deref(),
            Some("not sent: she withdrew her consent to this channel")
        );
    }
    app.clock.set(almaty("2026-11-25 11:00"));
    outbox.send_due().await.expect("a pass");
    assert!(reached_her(&provider).is_empty());
    assert!(
        provider
            .created()
            .iter()
            .all(|m| !m.body.contains("Здравствуйте, это юрист")),
        "the provider never saw the reply"
    );
    provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_reply_still_queued_when_her_consent_ends_is_withheld() {
    let app = spawn_app().await;
    let code = she_writes_at(&app, "2026-11-24 11:00").await;
    let ends = almaty("2026-11-24 12:00");
    set_terms(
        &app,
        &code,
        json!({ "channel": "sms", "granted": true, "expires_at": ends.to_rfc3339(),
                "safe_hours": { "from": "12:30", "until": "18:00" } }),
    )
    .await;
    app.text("SM02", LAWYER, &format!("{code} Здравствуйте"))
        .await;
    let reply = queued(&app, "reply:SM02").await;

    let provider = FakeProvider::start(app.clock.clone(), []).await;
    let outbox = outbox_for(&app, &provider);
    assert_eq!(outbox.send_due().await.expect("a pass").held, 1);
    // Her hours open after her consent ended.
    app.clock.set(almaty("2026-11-24 12:30"));
    assert_eq!(outbox.send_due().await.expect("a pass").withheld, 1);
    let ended = row(&app, reply.id).await;
    assert_eq!(ended.status, OutboxStatus::Withheld);
    assert_eq!(
        ended.error_message.as_deref(),
        Some("not sent: her consent to this channel has expired")
    );
    assert!(reached_her(&provider).is_empty());
}

/// A reminder to her planned for `local`, with the lawyer's own reminder; its plan's id.
async fn plan_reminder_to_her(app: &TestApp, code: &str, local: &str) -> i64 {
    let token = app.api_token().await;
    let lawyer = app
        .store
        .staff()
        .await
        .expect("read")
        .into_iter()
        .find(|p| p.phone.as_e164() == LAWYER)
        .expect("the lawyer")
        .id;
    let plan = json!({ "code": code, "staff_id": lawyer, "at": almaty(local),
        "note": "консультация", "her_text": "Напоминаем: завтра в 11:00." });
    let (status, created) = app
        .api(
            Method::POST,
            "/api/v1/planned-follow-ups",
            &token,
            Some(plan),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().expect("an id")
}

/// The server's jobs, on the test's clock.
fn jobs(app: &TestApp) -> hotline::jobs::Jobs {
    hotline::jobs::Jobs::new(&app.state, hotline::jobs::runner::JobSettings::default())
}

#[tokio::test]
async fn a_reminder_to_her_planned_for_the_night_waits_for_her_safe_hours() {
    let app = spawn_app().await;
    let code = she_writes_at(&app, "2026-11-24 12:00").await;
    set_terms(
        &app,
        &code,
        json!({ "channel": "sms", "granted": true,
                "safe_hours": { "from": "10:00", "until": "13:00" } }),
    )
    .await;
    let plan = plan_reminder_to_her(&app, &code, "2026-11-24 23:00").await;
    let jobs = jobs(&app);
    let provider = FakeProvider::start(app.clock.clone(), []).await;
    let outbox = outbox_for(&app, &provider);

    app.clock.set(almaty("2026-11-24 23:00"));
    jobs.runner.run_due().await.expect("ran");
    let queued = queued(&app, &format!("planned-follow-up:{plan}:her")).await;
    assert_eq!(queued.contact_hash, Some(app.data_key.hash(HER)));
    assert_eq!(outbox.send_due().await.expect("a pass").held, 1);
    for local in ["2026-11-25 03:00", "2026-11-25 09:59"] {
        app.clock.set(almaty(local));
        outbox.send_due().await.expect("a pass");
        assert!(reached_her(&provider).is_empty(), "not at {local}");
    }
    app.clock.set(almaty("2026-11-25 10:00"));
    outbox.send_due().await.expect("a pass");
    app.clock.set(almaty("2026-11-25 10:30"));
    outbox.send_due().await.expect("a pass");
    assert_eq!(reached_her(&provider), vec!["Напоминаем: завтра в 11:00."]);
    // The lawyer's own reminder went at 23:00: her hours are hers, not the lawyer's.
    let to_lawyer: Vec<String> = provider
        .created()
        .into_iter()
        .filter(|m| m.to == LAWYER && m.body.starts_with("Запланировано"))
        .map(|m| m.body)
        .collect();
    assert_eq!(to_lawyer.len(), 1, "{to_lawyer:?}");
}

#[tokio::test]
async fn a_reminder_to_her_is_dropped_once_she_has_said_stop() {
    let app = spawn_app().await;
    let code = she_writes_at(&app, "2026-11-24 12:00").await;
    let plan = plan_reminder_to_her(&app, &code, "2026-11-25 10:00").await;
    let jobs = jobs(&app);
    let provider = FakeProvider::start(app.clock.clone(), []).await;
    let outbox = outbox_for(&app, &provider);

    app.clock.set(almaty("2026-11-24 18:00"));
    app.text("SM09", HER, "STOP").await;
    app.clock.set(almaty("2026-11-25 10:00"));
    jobs.runner.run_due().await.expect("ran");
    let queued = queued(&app, &format!("planned-follow-up:{plan}:her")).await;
    let pass = outbox.send_due().await.expect("a pass");
    assert!(pass.withheld >= 1, "{pass:?}");
    assert_eq!(row(&app, queued.id).await.status, OutboxStatus::Withheld);
    app.clock.set(almaty("2026-11-26 10:00"));
    outbox.send_due().await.expect("a pass");
    assert!(
        reached_her(&provider).is_empty(),
        "nothing reached her phone"
    );
}

#[tokio::test]
async fn an_opt_out_the_provider_reports_withdraws_her_consent_and_holds_back_the_next_reply() {
    use super::fake_provider::Answer;
    use hotline::store::Channel;

    let app = spawn_app().await;
    let code = she_writes_at(&app, "2026-11-24 11:00").await;
    // Her STOP went to her carrier, not to us: once her text is relayed to the lawyer, the
    // provider refuses the reply to her with 21610.
    let provider = FakeProvider::start(
        app.clock.clone(),
        [
            Answer::Create,
            Answer::Refuse(21610, "Attempt to send to unsubscribed recipient"),
        ],
    )
    .await;
    let outbox = outbox_for(&app, &provider);
    outbox.send_due().await.expect("her text relayed");
    assert_eq!(provider.creates(), 1);
    app.text("SM03", LAWYER, &format!("{code} Здравствуйте, это юрист"))
        .await;
    let refused = queued(&app, "reply:SM03").await;
    outbox.send_due().await.expect("a pass");
    assert_eq!(
        row(&app, refused.id).await.status,
        OutboxStatus::Undeliverable
    );
    let hash = app.data_key.hash(HER);
    assert_eq!(
        app.store.consent(&hash, Channel::Sms).await.expect("read"),
        Some(false)
    );
    assert_eq!(
        app.store
            .consent(&hash, Channel::Voice)
            .await
            .expect("read"),
        Some(false),
        "nor may she be rung back"
    );
    // The lawyer writes again: nothing is even tried towards her.
    app.text("SM04", LAWYER, &format!("{code} Вы в безопасности?"))
        .await;
    outbox.send_due().await.expect("a pass");
    assert!(
        reached_her(&provider).is_empty(),
        "the provider was never asked to text her again"
    );
    // Her START grants it again.
    app.text("SM05", HER, "START").await;
    assert_eq!(
        app.store.consent(&hash, Channel::Sms).await.expect("read"),
        Some(true)
    );
    provider.all_requests_valid().await;
}
