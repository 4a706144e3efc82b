//! Retention, end to end: she calls and leaves a voicemail, then writes; both are answered and
//! closed. Ninety days and more later the retention job runs: her number, her words, the
//! lawyer's words to her and the recording are gone from every table, while the call log and
//! the follow-ups still count every contact. Another woman's conversation, still open, is
//! untouched.

use chrono::Duration;
use hotline::clock::Clock;
use hotline::outbox::{Delivery, Outbox, OutboxSettings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{CALLER, TestApp, spawn_app};
use crate::voice::{COORDINATOR, dialled, records_voicemail};

const LAWYER: &str = "+77015550101";
const ANOTHER_WOMAN: &str = "+77079998877";
const HER_WORDS: &str = "Мне нужен юрист. Он снова угрожает, я живу на Абая 5";
const LAWYERS_WORDS: &str = "Приходите в центр завтра в 10";
const NOTE: &str = "перезвонили, она у сестры на Абая 5";
const RECORDING_SID: &str = "RE0123456789abcdef0123456789abcdef";
const KEEP: i64 = 90;

/// Every sealed value in the database, opened with the server's key, by table and column;
/// emptied values are left out. Read from the SQLite file as it lies.
async fn sealed_values(app: &TestApp) -> Vec<(String, String)> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database_path()))
        .await
        .expect("the database opens");
    let mut values = Vec::new();
    for (table, column) in [
        ("calls", "caller_sealed"),
        ("conversations", "contact_sealed"),
        ("messages", "body_sealed"),
        ("outbox", "to_sealed"),
        ("outbox", "body_sealed"),
        ("voicemails", "recording_sealed"),
    ] {
        let sealed: Vec<Vec<u8>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {column} FROM {table}")))
                .fetch_all(&pool)
                .await
                .expect("read");
        for value in sealed.into_iter().filter(|v| !v.is_empty()) {
            let plain = app
                .data_key
                .open(&value)
                .unwrap_or_else(|e| panic!("{table}.{column} holds a damaged value: {e}"));
            values.push((format!("{table}.{column}"), plain));
        }
    }
    pool.close().await;
    values
}

/// The sealed values that would tell her apart: her number, her words, the words to her, the
/// recording.
fn about_her(values: &[(String, String)]) -> Vec<&(String, String)> {
    values
        .iter()
        .filter(|(_, plain)| {
            plain.contains(CALLER)
                || plain.contains("Абая")
                || plain.contains(LAWYERS_WORDS)
                || plain.contains(RECORDING_SID)
        })
        .collect()
}

/// The query for the calls in the day around `at`.
fn around(at: chrono::DateTime<chrono::Utc>) -> String {
    let from = (at - Duration::hours(12)).to_rfc3339().replace('+', "%2B");
    let to = (at + Duration::hours(12)).to_rfc3339().replace('+', "%2B");
    format!("from={from}&to={to}")
}

#[tokio::test]
async fn ninety_days_after_she_was_answered_her_number_and_words_are_gone_but_she_is_counted() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let calls = format!("/api/v1/calls?{}", around(app.clock.now()));
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let lawyer = app
        .on_duty_now("Айгерим", LAWYER, hotline_schedules::Service::Legal)
        .await;

    // She calls for a lawyer; nobody accepts; she leaves a voicemail and hangs up.
    let call = app.call("CA00000000000000000000000000000001");
    let mut answer = call.chooses("2", "1").await;
    assert!(dialled(&answer).is_some(), "the lawyer is rung");
    while let Some((_, action)) = dialled(&answer) {
        answer = call.dial_ends(&action, "no-answer", "0").await;
    }
    assert!(records_voicemail(&answer));
    call.leaves_voicemail().await;
    call.ends("9").await;
    // The coordinator calls her back and marks the follow-up answered, with a note.
    let owed = app.store.open_follow_ups().await.expect("read");
    assert_eq!(owed.len(), 1);
    let (status, answered) = app
        .api(
            Method::POST,
            &format!("/api/v1/follow-ups/{}/answered", owed[0].id),
            &token,
            Some(json!({ "note": NOTE, "staff_id": lawyer })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");

    // She writes; the lawyer answers her and closes it. Another woman writes and waits.
    app.text("SM00000000000000000000000000000001", CALLER, HER_WORDS)
        .await;
    let code = crate::messages::code_in(&app.last_text_to(LAWYER).await.body);
    app.text(
        "SM00000000000000000000000000000002",
        LAWYER,
        &format!("{code} {LAWYERS_WORDS}"),
    )
    .await;
    assert_eq!(app.last_text_to(CALLER).await.body, LAWYERS_WORDS);
    app.text(
        "SM00000000000000000000000000000003",
        LAWYER,
        &format!("DONE {code}"),
    )
    .await;
    app.text(
        "SM00000000000000000000000000000004",
        ANOTHER_WOMAN,
        "Помогите, пожалуйста",
    )
    .await;
    // Everything queued goes out (to the console: no provider is needed here).
    let outbox = Outbox::new(
        app.store.clone(),
        app.data_key.clone(),
        app.clock.clone(),
        Delivery::Console,
        OutboxSettings::default(),
    );
    outbox.send_due().await.expect("sent");
    assert!(
        app.store
            .pending_outbox(100)
            .await
            .expect("read")
            .is_empty()
    );

    let before = sealed_values(&app).await;
    let hers = about_her(&before);
    for column in [
        "calls.caller_sealed",
        "conversations.contact_sealed",
        "messages.body_sealed",
        "outbox.to_sealed",
        "outbox.body_sealed",
        "voicemails.recording_sealed",
    ] {
        assert!(
            hers.iter().any(|(c, _)| c == column),
            "before: {column} holds something of hers"
        );
    }
    let (_, calls_before) = app.api(Method::GET, &calls, &token, None).await;
    let (_, follow_ups_before) = app
        .api(Method::GET, "/api/v1/follow-ups", &token, None)
        .await;

    // A day short of the limit nothing is erased; past it, the job erases.
    app.clock.advance(Duration::days(KEEP - 1));
    let early = hotline::jobs::retention::erase_expired(
        app.store.as_ref(),
        app.clock.now(),
        Duration::days(KEEP),
    )
    .await
    .expect("ran");
    assert!(early.is_empty(), "{early:?}");
    app.clock.advance(Duration::days(2));
    let erased = hotline::jobs::retention::erase_expired(
        app.store.as_ref(),
        app.clock.now(),
        Duration::days(KEEP),
    )
    .await
    .expect("ran");
    assert_eq!(
        (erased.calls, erased.voicemails, erased.conversations),
        (1, 1, 1),
        "{erased:?}"
    );

    let after = sealed_values(&app).await;
    assert_eq!(about_her(&after), Vec::<&(String, String)>::new());
    assert!(
        after
            .iter()
            .any(|(column, plain)| column == "conversations.contact_sealed"
                && plain == ANOTHER_WOMAN),
        "the open conversation keeps her number"
    );
    assert!(
        after
            .iter()
            .any(|(_, plain)| plain.contains("Помогите, пожалуйста")),
        "and her words"
    );
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database_path()))
        .await
        .expect("opens");
    let sids: Vec<String> = sqlx::query_scalar("SELECT recording_sid FROM voicemails")
        .fetch_all(&pool)
        .await
        .expect("read");
    assert_eq!(sids, vec![String::new()], "the recording's sid is gone too");
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT after FROM audit_log WHERE action = 'answer-follow-up'")
            .fetch_all(&pool)
            .await
            .expect("read");
    assert_eq!(audited.len(), 1);
    assert!(!audited[0].contains("Абая"), "{}", audited[0]);
    pool.close().await;
    // Nor in the files' bytes: her number never was (it is sealed), and the note, kept as plain
    // text, is not left behind in the write-ahead log's copies of the pages it was on.
    let mut bytes = std::fs::read(app.database_path()).expect("the database file");
    bytes.extend(std::fs::read(format!("{}-wal", app.database_path())).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(CALLER) && !text.contains(&CALLER[1..]));
    assert!(!text.contains("Абая"));

    // The call log and the follow-ups still count her, with everything but what was erased.
    let (status, calls_after) = app.api(Method::GET, &calls, &token, None).await;
    assert_eq!(status, StatusCode::OK, "{calls_after}");
    let without_caller = |calls: &Value| -> Vec<Value> {
        calls
            .as_array()
            .expect("a list")
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c["caller"] = Value::Null;
                c
            })
            .collect()
    };
    assert_eq!(without_caller(&calls_after), without_caller(&calls_before));
    assert_eq!(calls_after[0]["outcome"], "voicemail");
    assert_eq!(
        calls_after[0]["caller"], "(erased)",
        "the masked number cannot be shown any more, and the log says why"
    );
    let (_, follow_ups_after) = app
        .api(Method::GET, "/api/v1/follow-ups", &token, None)
        .await;
    let counted = |list: &Value| -> Vec<(Value, Value, Value, Value)> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|f| {
                (
                    f["id"].clone(),
                    f["kind"].clone(),
                    f["status"].clone(),
                    f["service"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(counted(&follow_ups_after), counted(&follow_ups_before));
    assert_eq!(follow_ups_after.as_array().map(Vec::len), Some(3));
    assert!(
        follow_ups_after
            .as_array()
            .expect("a list")
            .iter()
            .all(|f| f["note"].is_null()),
        "{follow_ups_after}"
    );

    // A second run finds nothing more.
    let again = hotline::jobs::retention::erase_expired(
        app.store.as_ref(),
        app.clock.now(),
        Duration::days(KEEP),
    )
    .await
    .expect("ran");
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn the_server_erases_on_its_own_each_night_after_the_days_it_keeps() {
    use chrono::{TimeZone, Utc};
    use hotline::jobs::Jobs;
    use hotline::jobs::runner::JobSettings;
    use hotline_schedules::Service;

    let app = spawn_app().await;
    // Noon in Shymkent on 24 November.
    let noon = Utc
        .with_ymd_and_hms(2026, 11, 24, 7, 0, 0)
        .single()
        .expect("valid");
    app.clock.set(noon);
    app.on_duty_now("Айгерим", crate::voice::LAWYER, Service::Legal)
        .await;
    let call = app.call("CA-NIGHTLY");
    let ringing = call.chooses("2", "1").await;
    let (numbers, action) = dialled(&ringing).expect("the lawyer is rung");
    call.person_presses(&numbers[0], "1").await;
    call.dial_ends(&action, "completed", "60").await;
    call.ends("3").await;
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");

    // The default keeps 180 days: the night of the 180th day it is kept, the next it is not.
    let night = |days: i64| {
        Utc.with_ymd_and_hms(2026, 11, 24, 22, 30, 0)
            .single()
            .expect("valid")
            + Duration::days(days)
    };
    app.clock.set(night(179));
    jobs.runner.run_due().await.expect("ran");
    assert!(
        !call.record().await.caller_sealed.is_empty(),
        "kept 180 days"
    );
    app.clock.set(night(180));
    jobs.runner.run_due().await.expect("ran");
    let record = call.record().await;
    assert!(record.caller_sealed.is_empty(), "erased the night after");
    assert_eq!(record.outcome.map(|o| o.as_str()), Some("answered"));
}
