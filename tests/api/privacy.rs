//! A caller's number never appears in the clear: not in the database files, not in the logs,
//! even at debug level. Runs the real `hotline` binary, as an operator would.

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
