//! A caller's number never appears in the clear: not in the database files, not in the logs,
//! even at debug level. Runs the real `hotline` binary, as an operator would.

use std::io::Read;
use std::process::Command;
use std::time::Duration;

use crate::binary::{hotline, post, serve};
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

    let (mut server, base, logs) = serve(hotline(dir.path()));
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
    // Give the outbox a moment to deliver the coordinator's text to the console.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // A graceful stop: SIGTERM, then the server finishes and exits cleanly.
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let exit = server.wait().expect("the server exits");
    let mut stdout = String::new();
    server
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut stdout)
        .expect("read stdout");
    let logs = logs.join().expect("the log reader") + &stdout;
    assert!(exit.success(), "exit {exit:?}\n{logs}");
    assert!(
        logs.contains("console outbox: message"),
        "the coordinator's text reached the console:\n{logs}"
    );

    let digits = CALLER.trim_start_matches('+');
    let forms = [
        CALLER,
        digits,
        &digits[1..],
        "707 123 45 67",
        "707-123-45-67",
    ];
    for form in forms {
        assert!(
            !logs.contains(form),
            "the log shows the caller's number ({form})"
        );
    }
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("read");
        for form in forms {
            assert!(
                !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                "{} holds the caller's number",
                path.display()
            );
        }
    }
}
