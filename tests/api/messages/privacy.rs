//! Her number never appears in the clear when she texts: not in the logs of the real binary
//! (whose console outbox prints every text it would send, withholding the words of hers and
//! those written to her), not in its database files; nor do the words of any text, hers or
//! staff's, stand in those logs or files.

use crate::binary::{assert_number_nowhere, assert_words_in_no_file, hotline, post, serve, stop};
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

    let (server, base, logs) = serve(hotline(dir.path()));
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
    // A graceful stop drains the outbox to the console before the server exits.
    let (exit, logs) = stop(server, logs);
    assert!(exit.success(), "exit {exit:?}\n{logs}");
    let withheld = logs
        .lines()
        .filter(|line| line.contains("console outbox: message") && line.contains("withheld"))
        .count();
    assert!(
        withheld >= 3,
        "her two texts reached the lawyer and the reply reached her, words withheld:\n{logs}"
    );
    assert_number_nowhere(HER, &logs, dir.path());
    for words in [
        "Помогите, мне нужен юрист",
        "Я пишу из WhatsApp",
        "Здравствуйте, я юрист",
    ] {
        assert!(!logs.contains(words), "the log shows {words:?}:\n{logs}");
        assert_words_in_no_file(words, dir.path());
    }
}
