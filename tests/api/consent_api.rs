//! Her consent's terms over the JSON API, as a coordinator sets them with her on the phone: by
//! the conversation's code, validated field by field, audited without the code word; and kept
//! when she texts STOP and START.

use hotline::clock::Clock;
use hotline::store::Channel;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::messages::{HER, LAWYER, code_in};
use hotline_schedules::Service;

/// A conversation of hers, opened by her first text; its code.
async fn her_conversation(app: &TestApp) -> String {
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", HER, "Помогите, муж угрожает").await;
    code_in(&app.last_text_to(LAWYER).await.body)
}

fn in_days(app: &TestApp, days: i64) -> String {
    (app.clock.now() + chrono::Duration::days(days)).to_rfc3339()
}

#[tokio::test]
async fn her_terms_are_set_and_read_by_code_and_audited_without_the_code_word() {
    let app = spawn_app().await;
    let code = her_conversation(&app).await;
    let token = app.api_token().await;
    let path = format!("/api/v1/conversations/{}/consent", code.to_lowercase());

    let (status, before) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["code"], code.as_str());
    assert_eq!(before["consents"][0]["channel"], "sms");
    assert_eq!(before["consents"][0]["reason"], "wrote_first");
    assert_eq!(before["consents"][0]["safe_hours"], Value::Null);

    let expires_at = in_days(&app, 30);
    let terms = json!({
        "channel": "sms", "granted": true,
        "safe_hours": { "from": "10:00", "until": "13:00" },
        "expires_at": expires_at, "code_word": " Сирень ",
    });
    let (status, set) = app.api(Method::PUT, &path, &token, Some(terms)).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let (_, read) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(set, read);
    let sms = &read["consents"][0];
    assert_eq!(sms["granted"], true);
    assert_eq!(sms["reason"], "terms");
    assert_eq!(
        sms["safe_hours"],
        json!({ "from": "10:00", "until": "13:00" })
    );
    assert_eq!(sms["code_word"], "Сирень");
    let kept = chrono::DateTime::parse_from_rfc3339(sms["expires_at"].as_str().expect("a time"))
        .expect("RFC 3339");
    let asked = chrono::DateTime::parse_from_rfc3339(&expires_at).expect("RFC 3339");
    assert_eq!(kept, asked);

    let stored = app
        .store
        .latest_consent(&app.data_key.hash(HER), Channel::Sms)
        .await
        .expect("read")
        .expect("recorded");
    let sealed = stored.code_word_sealed.expect("a code word");
    assert!(
        !String::from_utf8_lossy(&sealed).contains("Сирень"),
        "sealed at rest"
    );
    assert_eq!(app.data_key.open(&sealed).expect("ours"), "Сирень");

    let log = app.store.audit_log(10).await.expect("read");
    let entry = log
        .iter()
        .find(|e| e.entry.action == "set-consent")
        .expect("audited");
    assert_eq!(
        entry.entry.subject,
        format!("conversation/{code}/consent/sms")
    );
    assert!(
        entry.entry.actor.starts_with("token:"),
        "{}",
        entry.entry.actor
    );
    let after: Value =
        serde_json::from_str(entry.entry.after.as_deref().expect("after")).expect("JSON");
    assert_eq!(after["code_word"], "set");
    assert_eq!(after["safe_hours"]["from"], "10:00");
    let before: Value =
        serde_json::from_str(entry.entry.before.as_deref().expect("before")).expect("JSON");
    assert_eq!(before["code_word"], "none");
    assert_eq!(before["safe_hours"], Value::Null);
    for e in &log {
        let text = format!("{:?}", e.entry);
        assert!(!text.contains("Сирень"), "the code word leaked: {text}");
        assert!(!text.contains(&HER[1..]), "her number leaked: {text}");
    }
}

#[tokio::test]
async fn bad_terms_are_refused_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let code = her_conversation(&app).await;
    let token = app.api_token().await;
    let path = format!("/api/v1/conversations/{code}/consent");
    let past = in_days(&app, -1);
    let now = app.clock.now().to_rfc3339();
    let long_word = "с".repeat(65);
    let cases = [
        (json!({ "channel": "fax", "granted": true }), "channel"),
        (json!({ "granted": true }), ""),
        (
            json!({ "channel": "sms", "granted": true, "safe_hours": { "from": "25:00", "until": "13:00" } }),
            "safe_hours.from",
        ),
        (
            json!({ "channel": "sms", "granted": true, "safe_hours": { "from": "10:00", "until": "1pm" } }),
            "safe_hours.until",
        ),
        (
            json!({ "channel": "sms", "granted": true, "safe_hours": { "from": "10:00", "until": "10:00" } }),
            "safe_hours",
        ),
        (
            json!({ "channel": "sms", "granted": true, "expires_at": past }),
            "expires_at",
        ),
        (
            json!({ "channel": "sms", "granted": true, "expires_at": now }),
            "expires_at",
        ),
        (
            json!({ "channel": "sms", "granted": true, "code_word": "  " }),
            "code_word",
        ),
        (
            json!({ "channel": "sms", "granted": true, "code_word": long_word }),
            "code_word",
        ),
        (
            json!({ "channel": "sms", "granted": true, "phone": "+77071234567" }),
            "",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app
            .api(Method::PUT, &path, &token, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        if !field.is_empty() {
            assert_eq!(answer["field"], field, "{body}: {answer}");
        }
    }
    let fine = json!({ "channel": "voice", "granted": true });
    let (status, _) = app
        .api(
            Method::PUT,
            "/api/v1/conversations/Z9Z/consent",
            &token,
            Some(fine.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no conversation has that code"
    );
    let (status, _) = app.api(Method::PUT, &path, "hl_wrong", Some(fine)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let latest = app
        .store
        .latest_consent(&app.data_key.hash(HER), Channel::Sms)
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(latest.reason, "wrote_first", "nothing was recorded");
    assert!(
        app.store
            .latest_consent(&app.data_key.hash(HER), Channel::Voice)
            .await
            .expect("read")
            .is_none()
    );
    let log = app.store.audit_log(50).await.expect("read");
    assert!(log.iter().all(|e| e.entry.action != "set-consent"));
}

#[tokio::test]
async fn stop_then_start_grants_again_only_within_her_hours() {
    let app = spawn_app().await;
    let code = her_conversation(&app).await;
    let token = app.api_token().await;
    let path = format!("/api/v1/conversations/{code}/consent");
    let terms = json!({
        "channel": "sms", "granted": true,
        "safe_hours": { "from": "22:00", "until": "06:00" }, "code_word": "Сирень",
    });
    let (status, _) = app.api(Method::PUT, &path, &token, Some(terms)).await;
    assert_eq!(status, StatusCode::OK);

    app.text("SM02", HER, "STOP").await;
    let (_, stopped) = app.api(Method::GET, &path, &token, None).await;
    let sms = &stopped["consents"][0];
    assert_eq!(
        (sms["granted"].clone(), sms["reason"].clone()),
        (json!(false), json!("stop"))
    );
    app.text("SM03", HER, "START").await;
    let (_, started) = app.api(Method::GET, &path, &token, None).await;
    let sms = &started["consents"][0];
    assert_eq!(sms["granted"], true);
    assert_eq!(sms["reason"], "start");
    assert_eq!(
        sms["safe_hours"],
        json!({ "from": "22:00", "until": "06:00" }),
        "START does not open every hour"
    );
    assert_eq!(sms["code_word"], "Сирень");
}

#[tokio::test]
async fn a_reply_after_her_consent_ended_is_refused_with_the_reason() {
    let app = spawn_app().await;
    let code = her_conversation(&app).await;
    let token = app.api_token().await;
    let path = format!("/api/v1/conversations/{code}/consent");
    let terms = json!({ "channel": "sms", "granted": true, "expires_at": in_days(&app, 1) });
    let (status, _) = app.api(Method::PUT, &path, &token, Some(terms)).await;
    assert_eq!(status, StatusCode::OK);

    app.clock.advance(chrono::Duration::days(2));
    app.text("SM02", LAWYER, &format!("{code} Здравствуйте"))
        .await;
    let answer = app.last_text_to(LAWYER).await;
    assert!(answer.body.contains("истёк"), "{}", answer.body);
    assert!(answer.body.contains(&code), "{}", answer.body);
    assert!(app.texts_to(HER).await.is_empty(), "nothing queued to her");
}
