//! How calls end and what they leave: one record per CallSid whatever Twilio repeats, outcomes
//! that late callbacks cannot undo, a follow-up for every unanswered call, an apology when the
//! server fails.

use hotline::clock::Clock;
use hotline::store::{CallOutcome, CallStage};
use hotline_routes::twiml::Verb;

use super::{COORDINATOR, LAWYER, dialled, numbers_rung, records_voicemail, spoken, twiml};
use crate::databases::TestDatabase;
use crate::helpers::{CALLER, incoming_call, spawn_app, spawn_app_on};

#[tokio::test]
async fn twilio_retrying_every_request_makes_one_record_and_the_same_answers() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let call = app.call("CA20");
    let first = call.dials().await;
    assert_eq!(call.dials().await, first);
    let services = call.presses(&first, "2").await;
    assert_eq!(call.presses(&first, "2").await, services);
    let ringing = call.presses(&services, "1").await;
    assert_eq!(
        call.presses(&services, "1").await,
        ringing,
        "the same person is rung, once"
    );
    let (_, action) = dialled(&ringing).expect("rings");
    let next = call.dial_ends(&action, "no-answer", "0").await;
    assert_eq!(
        call.dial_ends(&action, "no-answer", "0").await,
        next,
        "a repeated dial result rings the same backup"
    );
    let record = call.record().await;
    assert_eq!(app.store.legs(record.id).await.expect("read").len(), 2);
    let now = app.clock.now();
    let calls = app
        .store
        .calls_between(
            now - chrono::Duration::hours(1),
            now + chrono::Duration::hours(1),
        )
        .await
        .expect("read");
    assert_eq!(calls.len(), 1);
}

#[tokio::test]
async fn a_voicemail_is_kept_from_the_recording_callback_and_opens_a_follow_up() {
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let call = app.call("CA21");
    let (_, action) = dialled(&call.chooses("2", "1").await).expect("the coordinator is rung");
    let offer = call.dial_ends(&action, "no-answer", "0").await;
    assert!(records_voicemail(&offer) && spoken(&offer).contains("112"));
    let thanks = call.leaves_voicemail().await;
    assert!(matches!(thanks.verbs.last(), Some(Verb::Hangup)));
    call.ends("5").await;
    let record = call.record().await;
    assert_eq!(record.outcome, Some(CallOutcome::Voicemail));
    let follow_ups = app.store.open_follow_ups().await.expect("read");
    assert_eq!(follow_ups.len(), 1);
    assert_eq!(
        (follow_ups[0].kind.as_str(), follow_ups[0].call_id),
        ("voicemail", Some(record.id))
    );
    let texts = app.store.pending_outbox(10).await.expect("read");
    assert_eq!(texts.len(), 1, "the coordinator is told once");
    let body = app.data_key.open(&texts[0].body_sealed).expect("opens");
    assert!(
        body.contains("голосовое сообщение") && body.contains(&format!("№{}", follow_ups[0].id)),
        "{body}"
    );
    assert!(
        !body.contains(CALLER) && !body.contains(&CALLER[1..]),
        "never her number"
    );
}

#[tokio::test]
async fn she_hangs_up_while_it_rings_the_call_is_abandoned_and_followed_up() {
    for app in [
        spawn_app().await,
        spawn_app_on(TestDatabase::postgres().await).await,
    ] {
        app.usual_rota().await;
        let call = app.call("CA22");
        call.chooses("2", "1").await;
        call.ends("2").await;
        let record = call.record().await;
        assert_eq!(record.outcome, Some(CallOutcome::Abandoned));
        let follow_ups = app.store.open_follow_ups().await.expect("read");
        assert_eq!(
            follow_ups
                .iter()
                .map(|f| f.kind.as_str())
                .collect::<Vec<_>>(),
            vec!["abandoned"]
        );
        let texts = app.store.pending_outbox(10).await.expect("read");
        let told: Vec<String> = texts
            .iter()
            .map(|t| app.data_key.open(&t.to_sealed).expect("opens"))
            .collect();
        assert!(
            told.contains(&LAWYER.to_owned()),
            "the people on duty for legal help are told: {told:?}"
        );
    }
}

#[tokio::test]
async fn late_and_repeated_status_callbacks_change_nothing_decided() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let call = app.call("CA23");
    let (numbers, action) = dialled(&call.chooses("2", "1").await).expect("rings");
    call.person_presses(&numbers[0], "1").await;
    call.dial_ends(&action, "completed", "30").await;
    call.ends("7").await;
    let late = call
        .post(
            "/webhooks/voice/status",
            &[("CallStatus", "in-progress"), ("SequenceNumber", "2")],
        )
        .await;
    assert_eq!(late.status(), 204);
    call.ends("7").await;
    let record = call.record().await;
    assert_eq!(
        (record.status.as_str(), record.outcome),
        ("completed", Some(CallOutcome::Answered))
    );
    assert!(app.store.open_follow_ups().await.expect("read").is_empty());
}

#[tokio::test]
async fn when_the_database_fails_she_hears_an_apology_and_can_still_leave_a_message() {
    let app = spawn_app().await;
    app.usual_rota().await;
    // Break the store from the outside, as a full disk or a lost volume would.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database_path()))
        .await
        .expect("connect");
    sqlx::query("DROP TABLE call_legs")
        .execute(&pool)
        .await
        .expect("dropped");
    let answer = app.call("CA24").chooses("2", "1").await;
    let words = spoken(&answer);
    assert!(
        words.contains("Извините") && words.contains("112"),
        "{words}"
    );
    assert!(records_voicemail(&answer));
}

#[tokio::test]
async fn the_fallback_url_answers_an_apology_and_voicemail() {
    let app = spawn_app().await;
    let answer = twiml(
        app.post_signed("/webhooks/voice/fallback", &incoming_call("CA25"))
            .await,
    )
    .await;
    assert!(spoken(&answer).contains("Извините") && records_voicemail(&answer));
    assert!(numbers_rung(&answer).is_empty());
    let _ = CallStage::Greeting;
}
