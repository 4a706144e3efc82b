//! `hotline backup --to FILE` while the server takes a stream of calls, as an operator runs it:
//! the copy opens, passes SQLite's integrity check and holds every call the server acknowledged
//! before the backup began; a server started on the copy with the same secrets lists those calls
//! and still opens her number. On PostgreSQL, the documented `pg_dump` / `pg_restore` round trip.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{SecondsFormat, Utc};
use hotline::store::Store;
use reqwest::Method;
use serde_json::Value;
use sqlx::ConnectOptions;

use crate::binary::{hotline, post, serve, stop};
use crate::databases::TestDatabase;
use crate::helpers::{CALLER, incoming_call, spawn_app_on};

/// The CallSids the server has answered 200 to, in order.
type Acknowledged = Arc<Mutex<Vec<String>>>;

/// Posts calls coming in, one after another, until `stop` is set; each one the server
/// acknowledges is kept in `acknowledged`.
fn stream_of_calls(
    base: String,
    acknowledged: Acknowledged,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut n = 0u32;
        while !stop.load(Ordering::SeqCst) {
            n += 1;
            let sid = format!("CA{n:032x}");
            if post(&client, &base, "/webhooks/voice", &incoming_call(&sid)).await == 200 {
                acknowledged.lock().expect("not poisoned").push(sid);
            }
        }
    })
}

async fn until_acknowledged(acknowledged: &Acknowledged, count: usize) {
    while acknowledged.lock().expect("not poisoned").len() < count {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// `hotline backup --to FILE`, run as the operator runs it beside the server's files in `dir`.
async fn run_backup(dir: &Path, to: &Path) -> std::process::Output {
    let mut command = hotline(dir);
    command.arg("backup").arg("--to").arg(to);
    tokio::process::Command::from(command)
        .output()
        .await
        .expect("hotline backup runs")
}

async fn calls_in(copy: &Path) -> (String, Vec<String>) {
    let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(copy)
        .read_only(true)
        .connect()
        .await
        .expect("the copy opens");
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .expect("checked");
    let sids = sqlx::query_scalar("SELECT call_sid FROM calls")
        .fetch_all(&mut connection)
        .await
        .expect("read");
    (verdict, sids)
}

#[tokio::test]
async fn a_backup_taken_while_calls_come_in_holds_every_call_before_it_and_serves_them_restored() {
    let server_dir = tempfile::tempdir().expect("a folder");
    let backup_dir = tempfile::tempdir().expect("a folder");
    let copy = backup_dir.path().join("hotline-copy.db");
    let (server, base, log) = serve(hotline(server_dir.path()));

    let acknowledged: Acknowledged = Arc::default();
    let stop_calls = Arc::new(AtomicBool::new(false));
    let calls = stream_of_calls(base.clone(), acknowledged.clone(), stop_calls.clone());
    until_acknowledged(&acknowledged, 20).await;
    let before: Vec<String> = acknowledged.lock().expect("not poisoned").clone();
    let backed_up = run_backup(server_dir.path(), &copy).await;
    let during = acknowledged.lock().expect("not poisoned").len() - before.len();
    // Calls keep coming in after the backup too: the server was never stopped for it.
    until_acknowledged(&acknowledged, before.len() + during + 5).await;
    stop_calls.store(true, Ordering::SeqCst);
    calls.await.expect("the calls ran");

    let stdout = String::from_utf8_lossy(&backed_up.stdout);
    assert!(
        backed_up.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&backed_up.stderr)
    );
    assert!(stdout.contains("integrity check passed"), "{stdout}");
    assert!(
        stdout.contains("opens only with this server's secrets"),
        "{stdout}"
    );
    assert!(
        stdout.contains("never keep them beside this copy"),
        "{stdout}"
    );
    let (verdict, sids) = calls_in(&copy).await;
    assert_eq!(verdict, "ok");
    for sid in &before {
        assert!(
            sids.contains(sid),
            "{sid} was acknowledged before the backup began"
        );
    }
    eprintln!(
        "backup: {} calls acknowledged before it, {during} while it ran, {} in the copy",
        before.len(),
        sids.len()
    );

    // A second backup to the same file is refused, and the first stays as it was.
    let first = std::fs::read(&copy).expect("read");
    let again = run_backup(server_dir.path(), &copy).await;
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("never overwrites"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read(&copy).expect("read"), first);
    let (status, _) = stop(server, log);
    assert!(status.success());

    // Restore: the server stopped, the copy put in place of its database, the same secrets.
    let restored_dir = tempfile::tempdir().expect("a folder");
    std::fs::copy(&copy, restored_dir.path().join("hotline.db")).expect("put in place");
    std::fs::copy(
        server_dir.path().join("hotline.secrets"),
        restored_dir.path().join("hotline.secrets"),
    )
    .expect("the same secrets");
    let token = hotline(restored_dir.path())
        .args(["token", "create"])
        .output()
        .expect("a token");
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout)
        .expect("text")
        .trim()
        .to_owned();
    let (server, base, log) = serve(hotline(restored_dir.path()));
    let client = reqwest::Client::new();
    let now = Utc::now();
    let range = format!(
        "from={}&to={}",
        (now - chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
        (now + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let listed: Value = client
        .get(format!("{base}/api/v1/calls?{range}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), sids.len(), "every call in the copy is listed");
    assert!(listed.len() >= before.len());
    let first_id = listed[0]["id"].as_i64().expect("an id");
    let revealed = client
        .request(
            Method::POST,
            format!("{base}/api/v1/calls/{first_id}/reveal"),
        )
        .bearer_auth(&token)
        .send()
        .await
        .expect("answers");
    assert_eq!(revealed.status(), 200);
    let revealed: Value = revealed.json().await.expect("json");
    assert_eq!(
        revealed["caller"], CALLER,
        "her number opens with the same secrets"
    );
    let (status, _) = stop(server, log);
    assert!(status.success());
}

/// The PostgreSQL client tools: on PATH, or where Debian keeps them.
fn pg_tool(name: &str) -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .collect::<Vec<_>>()
    });
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin").join(name));
    on_path.chain(debian).find(|path| path.is_file())
}

#[tokio::test]
async fn on_postgres_a_backup_taken_while_calls_come_in_restores_with_pg_restore() {
    let (Some(pg_dump), Some(pg_restore)) = (pg_tool("pg_dump"), pg_tool("pg_restore")) else {
        eprintln!("pg_dump and pg_restore are not installed: the PostgreSQL backup is not tested");
        return;
    };
    let database = TestDatabase::postgres().await;
    let database_url = database.url.clone();
    let app = Arc::new(spawn_app_on(database).await);
    let acknowledged: Acknowledged = Arc::default();
    let stop_calls = Arc::new(AtomicBool::new(false));
    let calls = {
        let (app, acknowledged, stop) = (app.clone(), acknowledged.clone(), stop_calls.clone());
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let sid = format!("CA{n:032x}");
                let answer = app
                    .post_signed("/webhooks/voice", &incoming_call(&sid))
                    .await;
                if answer.status() == 200 {
                    acknowledged.lock().expect("not poisoned").push(sid);
                }
            }
        })
    };
    until_acknowledged(&acknowledged, 20).await;
    let before: Vec<String> = acknowledged.lock().expect("not poisoned").clone();

    let dir = tempfile::tempdir().expect("a folder");
    let dump = dir.path().join("hotline.dump");
    let mut command = hotline(dir.path());
    command
        .env("HOTLINE_DATABASE_URL", &database_url)
        // `hotline backup` runs pg_dump from PATH.
        .env(
            "PATH",
            std::env::join_paths(pg_dump.parent().into_iter().map(Path::to_path_buf).chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
            ))
            .expect("a PATH"),
        )
        .arg("backup")
        .arg("--to")
        .arg(&dump);
    let backed_up = tokio::process::Command::from(command)
        .output()
        .await
        .expect("hotline backup runs");
    until_acknowledged(&acknowledged, before.len() + 5).await;
    stop_calls.store(true, Ordering::SeqCst);
    calls.await.expect("the calls ran");
    assert!(
        backed_up.status.success(),
        "{}",
        String::from_utf8_lossy(&backed_up.stderr)
    );
    assert!(String::from_utf8_lossy(&backed_up.stdout).contains("pg_restore"));

    // Restore, as the README says, into a fresh database.
    let fresh = TestDatabase::postgres().await;
    let restored = std::process::Command::new(&pg_restore)
        .arg("--no-owner")
        .arg("--dbname")
        .arg(&fresh.url)
        .arg(&dump)
        .output()
        .expect("pg_restore runs");
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let store: Arc<dyn Store> = fresh.open().await;
    for sid in &before {
        let call = store
            .call_by_sid(sid)
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("{sid} was acknowledged before the backup began"));
        assert_eq!(
            app.data_key.open(&call.caller_sealed).expect("opens"),
            CALLER,
            "her number opens with the same key"
        );
    }
}
