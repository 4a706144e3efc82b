//! A caller's number never appears in the clear: not in the database files, not in the logs,
//! even at debug level. Runs the real `hotline` binary, as an operator would.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{AUTH_TOKEN, CALLER, PUBLIC_URL, incoming_call, params};
use crate::signer::TwilioSigner;

const BINARY: &str = env!("CARGO_BIN_EXE_hotline");

fn hotline(dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "HOTLINE_DATABASE_URL",
            format!("sqlite://{}", dir.join("hotline.db").display()),
        )
        .env("HOTLINE_SECRETS_FILE", dir.join("hotline.secrets"))
        .env("HOTLINE_LISTEN", "127.0.0.1:0")
        .env("HOTLINE_PUBLIC_URL", PUBLIC_URL)
        .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        .env("RUST_LOG", "debug");
    command
}

/// Starts `hotline serve` and returns it with the address it listens on, read from its log.
fn serve(dir: &Path) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = hotline(dir)
        .args(["serve", "--log-json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hotline serve starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut logs = String::new();
    let address = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).expect("read the log") > 0,
            "the server stopped early:\n{logs}"
        );
        logs.push_str(&line);
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if entry["fields"]["message"] == "hotline is listening" {
            break entry["fields"]["address"]
                .as_str()
                .expect("an address")
                .to_owned();
        }
    };
    // Keep reading the log to its end, so the server never blocks on a full pipe.
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stdout.read_to_string(&mut rest);
        logs + &rest
    });
    (child, format!("http://{address}"), rest)
}

async fn post(client: &reqwest::Client, base: &str, path: &str, pairs: &[(String, String)]) -> u16 {
    let signature = TwilioSigner::shared().sign(AUTH_TOKEN, &format!("{PUBLIC_URL}{path}"), pairs);
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let response = client
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    response.status().as_u16()
}

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

    let (mut server, base, logs) = serve(dir.path());
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
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let logs = logs.join().expect("the log reader") + &stderr;
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
