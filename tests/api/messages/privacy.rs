//! Her number never appears in the clear when she texts: not in the logs of the real binary
//! (whose console outbox prints every text it would send), not in its database files.

use std::io::Read;
use std::process::Command;
use std::time::Duration;

use crate::binary::{hotline, post, serve};
use crate::helpers::{HOTLINE_NUMBER, params};

use super::{HER, LAWYER};

fn text(sid: &str, from: &str, to: &str, body: &str) -> Vec<(String, String)> {
    params(&[
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("MessageSid", sid),
        ("From", from),
        ("To", to),
        ("Body", body),
        ("NumMedia", "0"),
    ])
}

#[tokio::test]
async fn no_number_of_hers_in_the_logs_or_the_database_files_when_she_texts() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let rota = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rota.toml");
    let import = hotline(dir.path())
        .args(["import", rota])
        .output()
        .expect("hotline import runs");
    assert!(import.status.success());

    let (mut server, base, logs) = serve(hotline(dir.path()));
    let client = reqwest::Client::new();
    let whatsapp_her = format!("whatsapp:{HER}");
    let whatsapp_line = format!("whatsapp:{HOTLINE_NUMBER}");
    for (sid, from, to, body) in [
        ("SM01", HER, HOTLINE_NUMBER, "Помогите, мне нужен юрист"),
        (
            "SM02",
            whatsapp_her.as_str(),
            whatsapp_line.as_str(),
            "Я пишу из WhatsApp",
        ),
        ("SM03", LAWYER, HOTLINE_NUMBER, "Здравствуйте, я юрист"),
    ] {
        assert_eq!(
            post(
                &client,
                &base,
                "/webhooks/messages",
                &text(sid, from, to, body)
            )
            .await,
            200
        );
    }
    // Give the outbox a moment to deliver the texts to the console.
    tokio::time::sleep(Duration::from_millis(1500)).await;
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
        logs.contains("Здравствуйте, я юрист"),
        "the reply to her reached the console:\n{logs}"
    );

    let digits = HER.trim_start_matches('+');
    let forms = [HER, digits, &digits[1..], "707 123 45 67", "707-123-45-67"];
    for form in forms {
        assert!(!logs.contains(form), "the log shows her number ({form})");
    }
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("read");
        for form in forms {
            assert!(
                !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                "{} holds her number",
                path.display()
            );
        }
    }
}
