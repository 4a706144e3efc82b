//! Lines, the blocklist, recorded prompts and the watchdog, as the coordinator and the server
//! itself use them.

use chrono::Duration;
use hotline::clock::Clock;
use hotline::store::CallOutcome;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{CALLER, spawn_app};
use crate::voice::spoken;

#[tokio::test]
async fn a_line_is_set_by_number_and_validated_field_by_field() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (status, shown) = app
        .api(Method::GET, "/api/v1/lines/+77010000000", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        shown["languages"],
        json!(["kk", "ru"]),
        "an unconfigured number answers with the defaults"
    );

    let line = json!({ "name": "Линия для мужчин", "languages": ["ru", "kk"], "services": ["mens"], "ring": "simultaneous" });
    let (status, saved) = app
        .api(
            Method::PUT,
            "/api/v1/lines/+7 701 000 00 09",
            &token,
            Some(line),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["number"], "+77010000009");
    let (_, listed) = app.api(Method::GET, "/api/v1/lines", &token, None).await;
    assert_eq!(listed[0]["name"], "Линия для мужчин");
    let again = json!({ "name": "Линия для мужчин", "languages": ["ru"], "services": ["mens"] });
    let (status, _) = app
        .api(
            Method::PUT,
            "/api/v1/lines/+77010000009",
            &token,
            Some(again),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let log = app.store.audit_log(2).await.expect("read");
    assert_eq!(
        (log[0].entry.action.as_str(), log[0].entry.subject.as_str()),
        ("update", "line/+77010000009"),
        "audited as the Lines page audits it"
    );
    assert!(
        log[0]
            .entry
            .before
            .as_deref()
            .is_some_and(|b| b.contains("simultaneous")),
        "with what it replaced"
    );
    assert_eq!(log[1].entry.action, "create");
    assert!(log[1].entry.before.is_none());

    let (status, answer) = app
        .api(
            Method::PUT,
            "/api/v1/lines/default",
            &token,
            Some(json!({ "ring_seconds": 2 })),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ring_seconds"))
    );
    let (status, answer) = app
        .api(
            Method::PUT,
            "/api/v1/lines/default",
            &token,
            Some(json!({ "ringing": "all" })),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ringing"))
    );
    let (status, _) = app
        .api(Method::DELETE, "/api/v1/lines/+77010000009", &token, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_blocked_number_is_kept_only_as_a_hash_and_can_be_unblocked() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let until = (app.clock.now() + Duration::days(7)).to_rfc3339();
    let (status, block) = app
        .api(
            Method::POST,
            "/api/v1/blocklist",
            &token,
            Some(json!({ "number": CALLER, "until": until, "reason": "угрозы" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{block}");
    assert!(
        !block.to_string().contains(&CALLER[2..]),
        "the answer never shows the number"
    );
    let menu = app.call("CA30").dials().await;
    assert!(
        spoken(&menu).contains("не может позвонить"),
        "{}",
        spoken(&menu)
    );
    let (_, list) = app
        .api(Method::GET, "/api/v1/blocklist", &token, None)
        .await;
    assert_eq!(list[0]["reason"], "угрозы");
    let id = block["id"].as_i64().expect("an id");
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/blocklist/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(spoken(&app.call("CA31").dials().await).contains("казахский"));
    let (status, answer) = app
        .api(
            Method::POST,
            "/api/v1/blocklist",
            &token,
            Some(json!({ "number": "12345", "until": until, "reason": "x" })),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("number"))
    );
}

#[tokio::test]
async fn recorded_prompts_are_served_for_twilio_to_play() {
    let app = spawn_app().await;
    let prompt = app.get("/prompts/kk-welcome.wav").await;
    assert_eq!(prompt.status(), StatusCode::OK);
    assert_eq!(
        app.get("/prompts/missing.wav").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/prompts/../Cargo.toml").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_watchdog_closes_a_call_whose_end_never_came_and_follows_it_up() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let call = app.call("CA32");
    call.chooses("2", "1").await;
    assert_eq!(
        hotline::jobs::watchdog::close_stale_calls(&app.state)
            .await
            .expect("a pass"),
        0,
        "not yet stale"
    );
    app.clock.advance(Duration::hours(5));
    assert_eq!(
        hotline::jobs::watchdog::close_stale_calls(&app.state)
            .await
            .expect("a pass"),
        1
    );
    let record = call.record().await;
    assert_eq!(
        (record.status.as_str(), record.outcome),
        ("closed", Some(CallOutcome::Closed))
    );
    assert_eq!(app.store.open_follow_ups().await.expect("read").len(), 1);
    // The lawyer rung for that call is free again.
    assert!(app.store.busy_staff(0).await.expect("read").is_empty());
}

#[tokio::test]
async fn the_call_log_shows_each_attempt_and_the_wait_with_her_number_masked() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let token = app.api_token().await;
    let call = app.call("CA34");
    let ringing = call.chooses("2", "1").await;
    let (numbers, action) = crate::voice::dialled(&ringing).expect("rings");
    call.person_presses(&numbers[0], "").await;
    let next = call.dial_ends(&action, "completed", "0").await;
    let (numbers, action) = crate::voice::dialled(&next).expect("the backup");
    app.clock.advance(Duration::seconds(25));
    call.person_presses(&numbers[0], "1").await;
    call.dial_ends(&action, "completed", "200").await;
    let from = (app.clock.now() - Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let to = (app.clock.now() + Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let (status, log) = app
        .api(
            Method::GET,
            &format!("/api/v1/calls?from={from}&to={to}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entry = &log[0];
    assert_eq!(
        (entry["caller"].as_str(), entry["outcome"].as_str()),
        (Some("+7••••••••67"), Some("answered"))
    );
    assert_eq!(entry["wait_secs"], 25);
    let results: Vec<_> = entry["legs"]
        .as_array()
        .expect("legs")
        .iter()
        .map(|l| l["result"].clone())
        .collect();
    assert_eq!(results, vec![json!("no-answer"), json!("accepted")]);
    assert_eq!(entry["legs"][1]["talk_secs"], 200);
    assert!(!log.to_string().contains("7071234567"), "never her number");
}
