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

/// Someone with the file who rewrites an entry and then every hash after it leaves a chain that
/// verifies on its own; the anchor the morning digest took before no longer matches it.
#[tokio::test]
async fn an_anchor_from_before_catches_a_log_rewritten_with_every_hash_recomputed() {
    use hotline::audit_chain::entry_hash;

    let dir = tempfile::tempdir().expect("a temporary folder");
    let imported = hotline(dir.path())
        .args(["import", EXAMPLE])
        .output()
        .expect("runs");
    assert!(imported.status.success());
    let verify = |anchor: Option<&str>| {
        let mut command = hotline(dir.path());
        command.args(["audit", "verify"]);
        if let Some(anchor) = anchor {
            command.args(["--anchor", anchor]);
        }
        let output = command.output().expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, said) = verify(None);
    assert_eq!(code, Some(0), "{said}");
    let anchor = said
        .lines()
        .find_map(|line| line.strip_prefix("anchor "))
        .expect("an anchor is printed")
        .to_owned();
    let (code, said) = verify(Some(&anchor));
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("it still holds every anchor given (1)"),
        "{said}"
    );
    let (code, said) = verify(Some("1:ffffffffffffffff"));
    assert_eq!(code, Some(1), "a wrong anchor fails: {said}");

    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let store = hotline::store::open(&url).await.expect("opens");
    let rows = store.audit_chain(0, 100_000).await.expect("read");
    let mut database = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("opens");
    sqlx::raw_sql("DROP TRIGGER audit_log_no_rewrite")
        .execute(&mut database)
        .await
        .expect("dropped");
    let mut prev = hotline::audit_chain::GENESIS.to_owned();
    for (n, row) in rows.iter().enumerate() {
        let mut entry = row.entry.clone();
        if n == 0 {
            entry.actor = "nobody".to_owned();
        }
        let (before, after) = (
            row.before_digest.as_deref().expect("chained"),
            row.after_digest.as_deref().expect("chained"),
        );
        let hash = entry_hash(&prev, &entry, before, after);
        sqlx::query("UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(&entry.actor)
            .bind(&prev)
            .bind(&hash)
            .bind(row.id)
            .execute(&mut database)
            .await
            .expect("rewritten");
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1")
        .bind(&prev)
        .execute(&mut database)
        .await
        .expect("head moved");

    let (code, said) = verify(None);
    assert_eq!(
        code,
        Some(0),
        "the rewritten chain verifies on its own: {said}"
    );
    let (code, said) = verify(Some(&anchor));
    assert_eq!(code, Some(1), "{said}");
    let id = anchor.split(':').next().expect("an entry");
    assert!(
        said.contains(&format!("entry {id} is not the one the anchor recorded")),
        "{said}"
    );
}

#[tokio::test]
async fn erase_takes_her_number_out_of_every_contact_only_with_the_servers_key_and_a_yes() {
    use crate::binary::{post, serve, stop};
    use crate::helpers::{CALLER, incoming_call, params};

    let dir = tempfile::tempdir().expect("a temporary folder");
    let refused = hotline(dir.path())
        .args(["erase", "--number", CALLER, "--yes"])
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no data key"),
        "a new key would match nothing: {}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        !dir.path().join("hotline.secrets").exists(),
        "nor is one made"
    );

    let (server, base, logs) = serve(hotline(dir.path()));
    let client = reqwest::Client::new();
    let call = "CA00000000000000000000000000000077";
    assert_eq!(
        post(&client, &base, "/webhooks/voice", &incoming_call(call)).await,
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
    let (exit, logs) = stop(server, logs);
    assert!(exit.success(), "{logs}");

    let erase = |yes: bool| {
        let mut command = hotline(dir.path());
        command.args(["erase", "--number", CALLER]);
        if yes {
            command.arg("--yes");
        }
        command.output().expect("runs")
    };
    let unconfirmed = erase(false);
    assert!(!unconfirmed.status.success());
    let store = open_store(dir.path()).await;
    let kept = store.call_by_sid(call).await.expect("read").expect("kept");
    assert!(
        !kept.caller_sealed.is_empty(),
        "nothing erased without --yes"
    );

    let erased = erase(true);
    let said = String::from_utf8_lossy(&erased.stdout).into_owned();
    assert!(
        erased.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&erased.stderr)
    );
    assert!(said.starts_with("erased 1 calls"), "{said}");
    assert!(
        !said.contains(&CALLER[2..]),
        "the number is not printed back"
    );
    let gone = store
        .call_by_sid(call)
        .await
        .expect("read")
        .expect("the row stays");
    assert!(gone.caller_sealed.is_empty());
    assert_ne!(gone.caller_hash, kept.caller_hash);
    let again = erase(true);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("erased 0 calls"));
}

#[tokio::test]
async fn a_rotated_key_seals_everything_again_and_numbers_keep_matching() {
    use crate::binary::{post, serve, stop};
    use crate::helpers::{CALLER, incoming_call};

    let dir = tempfile::tempdir().expect("a temporary folder");
    let (server, base, logs) = serve(hotline(dir.path()));
    let client = reqwest::Client::new();
    let call = "CA00000000000000000000000000000088";
    assert_eq!(
        post(&client, &base, "/webhooks/voice", &incoming_call(call)).await,
        200
    );
    let (exit, logs) = stop(server, logs);
    assert!(exit.success(), "{logs}");
    let secrets = |dir: &std::path::Path| {
        hotline::secrets::Secrets::load(&hotline::config::SecretArgs {
            secret_key: None,
            previous_secret_keys: Vec::new(),
            hash_key: None,
            secrets_file: dir.join("hotline.secrets"),
            twilio_auth_token: None,
            twilio_secondary_auth_token: None,
        })
        .expect("the server's secrets")
        .data_key
    };
    let before = secrets(dir.path());
    let store = open_store(dir.path()).await;
    let sealed_before = store.call_by_sid(call).await.expect("read").expect("kept");
    assert!(before.sealed_with_current(&sealed_before.caller_sealed));

    let rotated = hotline(dir.path())
        .args(["secrets", "rotate"])
        .output()
        .expect("runs");
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let after = secrets(dir.path());
    assert_ne!(after.id_hex(), before.id_hex());
    assert!(!after.sealed_with_current(&sealed_before.caller_sealed));

    let rekey = || hotline(dir.path()).arg("rekey").output().expect("runs");
    let first = rekey();
    let said = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        first.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        said.contains("calls.caller_sealed: 1 sealed again"),
        "{said}"
    );
    assert!(said.contains("the previous keys can be dropped"), "{said}");
    assert!(!said.contains(&CALLER[2..]), "no value is printed");
    let resealed = store.call_by_sid(call).await.expect("read").expect("kept");
    assert!(after.sealed_with_current(&resealed.caller_sealed));
    assert_eq!(after.open(&resealed.caller_sealed).as_deref(), Ok(CALLER));
    assert_eq!(
        resealed.caller_hash,
        after.hash(CALLER),
        "her number still matches her earlier contacts"
    );
    // With the old key dropped, everything still opens.
    let file = std::fs::read_to_string(dir.path().join("hotline.secrets")).expect("read");
    let current = file
        .lines()
        .find_map(|line| line.strip_prefix("data_key = "))
        .expect("a data key")
        .trim_matches('"');
    let new_only =
        hotline::crypto::DataKey::ring(current, &[], Some(&after.hash_key_hex())).expect("a ring");
    assert_eq!(
        new_only.open(&resealed.caller_sealed).as_deref(),
        Ok(CALLER)
    );
    let again = String::from_utf8_lossy(&rekey().stdout).into_owned();
    assert!(
        again.contains("calls.caller_sealed: 0 sealed again"),
        "{again}"
    );
}

/// A second instance started with a key of its own would seal numbers nobody else can open, and
/// open none of the old ones: it refuses to start, naming both keys, and the first key still works.
#[tokio::test]
async fn serve_refuses_a_database_sealed_with_a_key_it_does_not_hold() {
    use crate::binary::{post, serve, stop};
    use crate::helpers::incoming_call;

    let dir = tempfile::tempdir().expect("a temporary folder");
    let (server, base, logs) = serve(hotline(dir.path()));
    let client = reqwest::Client::new();
    let call = incoming_call("CA00000000000000000000000000000077");
    assert_eq!(post(&client, &base, "/webhooks/voice", &call).await, 200);
    let (exit, _) = stop(server, logs);
    assert!(exit.success());

    let other_key = hotline::crypto::DataKey::generate_hex();
    let mut stranger = hotline(dir.path())
        .env("HOTLINE_SECRET_KEY", &other_key)
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = stranger.try_wait().expect("waits") {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = stranger.kill();
            panic!("a server with another key went on to serve");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut stranger.stderr.take().expect("piped"), &mut said)
        .expect("read");
    assert!(!status.success());
    let other_id = hotline::crypto::DataKey::from_hex(&other_key)
        .expect("a key")
        .id_hex();
    assert!(
        said.contains("which this server does not hold") && said.contains(&other_id),
        "{said}"
    );

    // The server with the key that wrote them starts as before.
    let (server, _, logs) = serve(hotline(dir.path()));
    let (exit, logs) = stop(server, logs);
    assert!(exit.success(), "{exit:?}\n{logs}");
}
