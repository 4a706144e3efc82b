//! Users from the command line: `hotline user add` reads the password from standard input and
//! keeps only its argon2id hash; `hotline serve` on an empty users table prints the first
//! coordinator's one-time link.

use std::io::Write;
use std::process::Stdio;

use sha2::{Digest, Sha256};

use crate::binary::{hotline, serve, stop};

async fn open_store(dir: &std::path::Path) -> std::sync::Arc<dyn hotline::store::Store> {
    hotline::store::open(&format!("sqlite://{}", dir.join("hotline.db").display()))
        .await
        .expect("opens")
}

fn user_add(dir: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    let mut child = hotline(dir)
        .args(["user", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(format!("{password}\n").as_bytes())
        .expect("written");
    child.wait_with_output().expect("finishes")
}

#[tokio::test]
async fn user_add_keeps_a_hash_of_the_password_read_from_standard_input() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let added = user_add(
        dir.path(),
        &[
            "--login",
            "Dinara",
            "--role",
            "coordinator",
            "--language",
            "kk",
        ],
        "seven horses at dawn",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stdout).contains("added dinara (coordinator)"));

    let store = open_store(dir.path()).await;
    let user = store
        .user_by_login("dinara")
        .await
        .expect("read")
        .expect("added");
    assert_eq!(
        (user.role, user.language, user.staff_id),
        (
            hotline::store::Role::Coordinator,
            hotline::store::PageLanguage::Kk,
            None
        )
    );
    assert!(user.password_hash.starts_with("$argon2id$"));
    assert!(!user.password_hash.contains("seven horses"));

    let taken = user_add(
        dir.path(),
        &["--login", "dinara", "--role", "staff"],
        "another long password",
    );
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("taken"));
    let short = user_add(
        dir.path(),
        &["--login", "aliya", "--role", "staff"],
        "short",
    );
    assert!(!short.status.success());
    let nobody = user_add(
        dir.path(),
        &["--login", "aliya", "--role", "staff", "--staff-id", "42"],
        "a long enough password",
    );
    assert!(!nobody.status.success(), "no staff member 42");
    assert_eq!(store.count_users().await.expect("counted"), 1);
}

#[tokio::test]
async fn serve_on_an_empty_users_table_prints_a_one_time_link_for_the_first_coordinator() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (server, _address, log) = serve(hotline(dir.path()));
    let (_, output) = stop(server, log);
    let marker = "https://hotline.example.org/welcome/";
    let start = output
        .find(marker)
        .unwrap_or_else(|| panic!("the link is printed:\n{output}"))
        + marker.len();
    let token: String = output[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{output}");
    let store = open_store(dir.path()).await;
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    assert!(
        store
            .sign_in_link_open(&hash, chrono::Utc::now())
            .await
            .expect("read"),
        "the printed link opens"
    );
    assert!(
        !store
            .sign_in_link_open(&hash, chrono::Utc::now() + chrono::Duration::hours(25))
            .await
            .expect("read"),
        "for a day"
    );
}
