//! The operator's commands: importing a rota, making API tokens, verifying the audit log.

use sha2::{Digest, Sha256};

use crate::binary::hotline;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rota.toml");

async fn open_store(dir: &std::path::Path) -> std::sync::Arc<dyn hotline::store::Store> {
    hotline::store::open(&format!("sqlite://{}", dir.join("hotline.db").display()))
        .await
        .expect("opens")
}

#[tokio::test]
async fn importing_the_example_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for new_shifts in [3, 0] {
        let run = hotline(dir.path())
            .args(["import", EXAMPLE])
            .output()
            .expect("runs");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(
            said.contains(&format!("imported 3 staff and {new_shifts} new shifts")),
            "{said}"
        );
    }
    let store = open_store(dir.path()).await;
    assert_eq!(store.staff().await.expect("read").len(), 3);
    let all_time = store
        .rules_between(
            "2000-01-01T00:00:00Z".parse().expect("a time"),
            "2100-01-01T00:00:00Z".parse().expect("a time"),
        )
        .await
        .expect("read");
    assert_eq!(all_time.len(), 3);
}

#[tokio::test]
async fn an_invalid_file_is_reported_by_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("rota.toml");
    let text = "[[staff]]\nname = \"Дана\"\nphone = \"+77015550102\"\nservices = [\"psychological\"]\nlanguages = [\"ru\"]\n\n\
                [[staff]]\nname = \"Сауле\"\nphone = \"8 701 555 01 03\"\nservices = [\"legal\"]\nlanguages = [\"kk\"]\n";
    std::fs::write(&file, text).expect("written");
    let run = hotline(dir.path())
        .arg("import")
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("nothing was imported")
            && stderr.contains("line 9: a phone number must start with +"),
        "{stderr}"
    );
    let store = open_store(dir.path()).await;
    assert!(
        store.staff().await.expect("read").is_empty(),
        "the valid entry was not written either"
    );
}

#[tokio::test]
async fn a_new_api_token_is_printed_once_and_only_its_hash_is_kept() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let run = hotline(dir.path())
        .args(["token", "create", "--name", "reports"])
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let token = String::from_utf8(run.stdout)
        .expect("text")
        .trim()
        .to_owned();
    assert!(token.starts_with("hl_") && token.len() == 67, "{token}");
    let store = open_store(dir.path()).await;
    assert!(
        store
            .api_token_name(&hex::encode(Sha256::digest(token.as_bytes())))
            .await
            .expect("read")
            .is_some()
    );
    let database = std::fs::read(dir.path().join("hotline.db")).expect("read");
    assert!(
        !database.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token itself is not stored"
    );
}

#[tokio::test]
async fn audit_verify_passes_an_untouched_log_and_names_an_entry_someone_changed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let imported = hotline(dir.path())
        .args(["import", EXAMPLE])
        .output()
        .expect("runs");
    assert!(imported.status.success());
    let verify = || {
        hotline(dir.path())
            .args(["audit", "verify"])
            .output()
            .expect("runs")
    };
    let intact = verify();
    let said = String::from_utf8_lossy(&intact.stdout).into_owned();
    assert!(intact.status.success(), "{said}");
    assert!(said.contains("the audit log is intact"), "{said}");
    assert!(
        said.lines()
            .any(|line| line.starts_with("head ") && line.len() == 69)
    );

    // Someone with the file drops the guard and rewrites who made a change.
    let mut database = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        dir.path().join("hotline.db").display()
    ))
    .await
    .expect("opens");
    let (id,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM audit_log")
        .fetch_one(&mut database)
        .await
        .expect("an entry");
    sqlx::raw_sql("DROP TRIGGER audit_log_no_rewrite")
        .execute(&mut database)
        .await
        .expect("dropped");
    sqlx::query("UPDATE audit_log SET actor = 'nobody' WHERE id = $1")
        .bind(id)
        .execute(&mut database)
        .await
        .expect("rewritten");
    let broken = verify();
    let said = String::from_utf8_lossy(&broken.stdout).into_owned();
    assert_eq!(broken.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("the audit log is broken: entry {id} was changed")),
        "{said}"
    );
}
