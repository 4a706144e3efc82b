//! The real `hotline` binary, run as an operator runs it: its commands, and `serve` on a
//! loopback port with its log captured.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::helpers::{AUTH_TOKEN, PUBLIC_URL};
use crate::signer::TwilioSigner;

const BINARY: &str = env!("CARGO_BIN_EXE_hotline");

pub fn hotline(dir: &Path) -> Command {
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

/// `hotline` as someone trying it runs it: no Twilio account, no public URL.
pub fn hotline_untouched(dir: &Path) -> Command {
    let mut command = hotline(dir);
    command
        .env_remove("TWILIO_AUTH_TOKEN")
        .env_remove("HOTLINE_PUBLIC_URL")
        .env("RUST_LOG", "info");
    command
}

/// Starts `hotline serve` and returns it with the address it listens on, read from its log.
pub fn serve(mut command: Command) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = command
        .args(["serve", "--log-json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hotline serve starts");
    let mut log = BufReader::new(child.stderr.take().expect("piped"));
    let mut logs = String::new();
    let address = loop {
        let mut line = String::new();
        assert!(
            log.read_line(&mut line).expect("read the log") > 0,
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
        let _ = log.read_to_string(&mut rest);
        logs + &rest
    });
    (child, format!("http://{address}"), rest)
}

pub async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    pairs: &[(String, String)],
) -> u16 {
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

/// Stops a server as a platform does (SIGTERM) and waits for its graceful exit, which drains the
/// outbox; returns how it exited and its whole log.
pub fn stop(
    mut server: Child,
    log: std::thread::JoinHandle<String>,
) -> (std::process::ExitStatus, String) {
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let exit = server.wait().expect("the server exits");
    let mut stdout = String::new();
    if let Some(mut out) = server.stdout.take() {
        out.read_to_string(&mut stdout).expect("read stdout");
    }
    (exit, log.join().expect("the log reader") + &stdout)
}

/// Asserts that `number` stands, in none of the ways people write it, in `logs` or in any file
/// in `dir` (the database, its WAL and shared memory, the secrets).
pub fn assert_number_nowhere(number: &str, logs: &str, dir: &Path) {
    let digits = number.trim_start_matches('+');
    let local = &digits[1..];
    let spaced = format!(
        "{} {} {} {}",
        &local[..3],
        &local[3..6],
        &local[6..8],
        &local[8..]
    );
    let dashed = spaced.replace(' ', "-");
    let forms = [number, digits, local, spaced.as_str(), dashed.as_str()];
    for form in forms {
        assert!(!logs.contains(form), "the log shows the number ({form})");
    }
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("read");
        for form in forms {
            assert!(
                !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                "{} holds the number ({form})",
                path.display()
            );
        }
    }
}

/// Asserts that `text` (words she or staff wrote) stands in no file in `dir`: the database, its
/// WAL and shared memory hold it only sealed.
pub fn assert_words_in_no_file(text: &str, dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("read");
        assert!(
            !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
            "{} holds the words {text:?}",
            path.display()
        );
    }
}

/// Like `post`, with the answer's body too: the TwiML to follow.
pub async fn post_for_body(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    pairs: &[(String, String)],
) -> (u16, String) {
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
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}
