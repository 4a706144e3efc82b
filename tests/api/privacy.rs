//! A caller's number and her words never appear in the clear: not in the database files, not in
//! the logs, even at debug level. Runs the real `hotline` binary, as an operator would.

use crate::binary::{assert_number_nowhere, hotline, post, serve, stop};
use crate::helpers::{CALLER, incoming_call, params};

#[tokio::test]
async fn no_caller_number_in_the_database_files_or_the_logs() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let rota = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rota.toml");
    let import = hotline(dir.path())
        .args(["import", rota])
        .output()
        .expect("hotline import runs");
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let (server, base, logs) = serve(hotline(dir.path()));
    let client = reqwest::Client::new();
    let call = "CA00000000000000000000000000000042";
    assert_eq!(
        post(&client, &base, "/webhooks/voice", &incoming_call(call)).await,
        200
    );
    for attempt in 0..2 {
        let dial = params(&[
            ("CallSid", call),
            ("DialCallStatus", "no-answer"),
            ("DialCallDuration", "0"),
        ]);
        assert_eq!(
            post(
                &client,
                &base,
                &format!("/webhooks/voice/dial?attempt={attempt}"),
                &dial
            )
            .await,
            200
        );
    }
    let recording = params(&[
        ("CallSid", call),
        ("From", CALLER),
        ("RecordingSid", "RE00000000000000000000000000000042"),
        (
            "RecordingUrl",
            "https://api.twilio.com/2010-04-01/Accounts/AC01/Recordings/RE00000000000000000000000000000042",
        ),
        ("RecordingDuration", "9"),
    ]);
    assert_eq!(
        post(&client, &base, "/webhooks/voice/voicemail", &recording).await,
        200
    );
    let status = params(&[
        ("CallSid", call),
        ("From", CALLER),
        ("CallStatus", "completed"),
        ("CallDuration", "70"),
    ]);
    assert_eq!(
        post(&client, &base, "/webhooks/voice/status", &status).await,
        204
    );
    // A graceful stop drains the outbox to the console before the server exits.
    let (exit, logs) = stop(server, logs);
    assert!(exit.success(), "exit {exit:?}\n{logs}");
    assert!(
        logs.contains("console outbox: message"),
        "the coordinator's text reached the console:\n{logs}"
    );
    assert_number_nowhere(CALLER, &logs, dir.path());
}

/// Her words in the day below: none may stand in a log line or a file.
const HER_WORDS: [&str; 3] = [
    "Муж угрожает, живу у сестры на Абая",
    "Мен WhatsApp арқылы жазып отырмын",
    "Здравствуйте, я юрист, перезвоню в 18:00",
];

/// A whole day through the real binary with a real provider behind it (the fake Twilio, which
/// prism checks): she calls and leaves a voicemail, texts by SMS and WhatsApp, a lawyer answers,
/// the missed call and the unanswered texts are reminded of, and every text goes out to the
/// provider. Then the logs (at debug) and every file are read:
/// neither her number nor any words of hers or staff's are found in the clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_day_leaves_her_number_and_words_in_no_log_and_no_file() {
    use std::sync::Arc;

    use crate::binary::assert_words_in_no_file;
    use crate::helpers::HOTLINE_NUMBER;
    use crate::outbox::fake_provider::{ACCOUNT_SID, FakeProvider};

    let provider = FakeProvider::start(Arc::new(hotline::clock::SystemClock), []).await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let rota = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rota.toml");
    let import = hotline(dir.path())
        .args(["import", rota])
        .output()
        .expect("hotline import runs");
    assert!(import.status.success());
    let mut command = hotline(dir.path());
    command
        .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        .env("TWILIO_API_BASE", provider.base.as_str())
        .env("TWILIO_FROM_NUMBER", HOTLINE_NUMBER);
    let (server, base, logs) = serve(command);
    let client = reqwest::Client::new();

    let call = "CA00000000000000000000000000000099";
    assert_eq!(
        post(&client, &base, "/webhooks/voice", &incoming_call(call)).await,
        200
    );
    let recording = params(&[
        ("CallSid", call),
        ("From", CALLER),
        ("RecordingSid", "RE00000000000000000000000000000099"),
        (
            "RecordingUrl",
            "https://api.twilio.com/2010-04-01/Accounts/AC01/Recordings/RE00000000000000000000000000000099",
        ),
        ("RecordingDuration", "12"),
    ]);
    assert_eq!(
        post(&client, &base, "/webhooks/voice/voicemail", &recording).await,
        200
    );
    let whatsapp_her = format!("whatsapp:{CALLER}");
    let whatsapp_line = format!("whatsapp:{HOTLINE_NUMBER}");
    for (sid, from, to, body) in [
        ("SM01", CALLER, HOTLINE_NUMBER, HER_WORDS[0]),
        (
            "SM02",
            whatsapp_her.as_str(),
            whatsapp_line.as_str(),
            HER_WORDS[1],
        ),
        ("SM03", "+77015550101", HOTLINE_NUMBER, HER_WORDS[2]),
    ] {
        let text = params(&[
            ("AccountSid", ACCOUNT_SID),
            ("MessageSid", sid),
            ("From", from),
            ("To", to),
            ("Body", body),
            ("NumMedia", "0"),
            ("ProfileName", "Айгуль"),
        ]);
        assert_eq!(post(&client, &base, "/webhooks/messages", &text).await, 200);
    }
    // Every text reaches the provider: relays to the lawyer, her reply, the voicemail's notice.
    let started = std::time::Instant::now();
    while !provider
        .created()
        .iter()
        .any(|sent| sent.body.contains(HER_WORDS[2]))
    {
        assert!(
            started.elapsed().as_secs() < 30,
            "texts never reached the provider"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = provider.created();
    assert!(
        sent.iter().any(|text| text.body.contains(HER_WORDS[0])),
        "relayed to the lawyer"
    );
    remind_now(&client, &base, &provider, dir.path(), call).await;
    let (exit, logs) = stop(server, logs);
    assert!(exit.success(), "exit {exit:?}\n{logs}");
    assert!(
        !logs.contains("console outbox"),
        "the provider sent them, not the console"
    );

    assert_number_nowhere(CALLER, &logs, dir.path());
    for words in HER_WORDS {
        assert!(!logs.contains(words), "the log shows the words {words:?}");
        assert_words_in_no_file(words, dir.path());
    }
    assert!(!logs.contains("Айгуль"), "nor her WhatsApp name");
    assert_words_in_no_file("Айгуль", dir.path());
}

/// Ends the call unanswered (which opens its follow-up), then makes a reminder about every open
/// follow-up due at once, as the 15 minutes of waiting would, and waits until the provider has
/// each reminder.
async fn remind_now(
    client: &reqwest::Client,
    base: &str,
    provider: &crate::outbox::fake_provider::FakeProvider,
    dir: &std::path::Path,
    call: &str,
) {
    let status = params(&[
        ("CallSid", call),
        ("From", CALLER),
        ("CallStatus", "completed"),
        ("CallDuration", "70"),
    ]);
    assert_eq!(
        post(client, base, "/webhooks/voice/status", &status).await,
        204
    );
    let url = format!("sqlite://{}", dir.join("hotline.db").display());
    let store = hotline::store::open(&url)
        .await
        .expect("the server's store");
    let database = sqlx::SqlitePool::connect(&url).await.expect("opened");
    let follow_ups: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM follow_ups WHERE answered_at IS NULL")
            .fetch_all(&database)
            .await
            .expect("read");
    assert!(
        follow_ups.len() >= 2,
        "the call and her texts each owe a follow-up: {follow_ups:?}"
    );
    let now = chrono::Utc::now();
    for &id in &follow_ups {
        // The first reminder is already waiting its 15 minutes; the second is made due now.
        hotline::jobs::reminders::schedule(store.as_ref(), id, 2, now, now)
            .await
            .expect("scheduled");
    }
    let started = std::time::Instant::now();
    loop {
        let reminded = provider
            .created()
            .iter()
            .filter(|sent| sent.body.starts_with("Напоминание 2"))
            .count();
        if reminded >= follow_ups.len() {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "{reminded} of {} reminders reached the provider",
            follow_ups.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
