//! PostgreSQL stopped hard (as by a crash) and started again while calls and texts keep
//! coming: the server recovers by itself (ready again, acknowledging again, without a
//! restart), every webhook it acknowledged is in the database afterwards, and what came during
//! the outage got an error status or, for a caller, the spoken apology: never a 2xx for
//! something not kept. The shared PostgreSQL of the other tests is left alone: this test runs
//! a private one (`initdb` into a temporary folder, on a free port), which it may stop.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use hotline::crypto::DataKey;

use crate::binary::{hotline, serve, stop};
use crate::fault_load::{Answer, Load, Records, retry_unacknowledged, tally, until_ok};

const POSTERS: usize = 4;
/// How long the database stays down: longer than the server waits for a connection (10 s),
/// so requests meanwhile are answered with errors rather than only held until it is back.
const OUTAGE: Duration = Duration::from_secs(12);
/// Far longer than a reconnect takes; a server that never reconnects by itself reaches it.
const RECOVERY_LIMIT: Duration = Duration::from_secs(60);
const LOAD_LIMIT: Duration = Duration::from_secs(120);

/// A PostgreSQL server of the test's own, in a temporary folder, stopped when dropped.
struct PrivatePostgres {
    folder: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// As root, the server's programs must run as the `postgres` user.
    as_postgres: bool,
}

impl PrivatePostgres {
    fn start() -> Self {
        let bin = server_programs();
        let folder = tempfile::tempdir().expect("a temporary folder");
        let as_postgres = is_root();
        if as_postgres {
            let owned = Command::new("chown")
                .arg("postgres")
                .arg(folder.path())
                .status()
                .expect("chown runs");
            assert!(owned.success(), "the folder is given to the postgres user");
        }
        let port = free_port();
        let cluster = Self {
            folder,
            bin,
            port,
            as_postgres,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-N",
                "-E",
                "UTF8",
            ],
        );
        cluster.start_server();
        cluster
    }

    fn data(&self) -> String {
        self.folder.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.folder.path().display()
        );
        let log = self.folder.path().join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    /// Stops it as a crash would: no checkpoint, recovery from the WAL at the next start.
    fn crash(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let output = command.args(args).output().expect("the program runs");
        assert!(
            output.status.success(),
            "{program} failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "-w", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        };
    }
}

/// Debian's PostgreSQL server programs, the newest version installed (or `PG_BIN`).
fn server_programs() -> PathBuf {
    if let Ok(bin) = std::env::var("PG_BIN") {
        return PathBuf::from(bin);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().expect(
        "PostgreSQL's server programs (initdb, pg_ctl) are needed: apt-get install postgresql",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_crashing_under_load_loses_nothing_acknowledged_and_the_server_recovers() {
    let postgres = PrivatePostgres::start();
    let url = postgres.url();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut command = hotline(dir.path());
    command
        .env("HOTLINE_DATABASE_URL", &url)
        .env("HOTLINE_SECRET_KEY", DataKey::generate_hex())
        .env("RUST_LOG", "info");
    let (server, base, log) = serve(command);

    let load = Load::start(&base, "P", POSTERS);
    load.until_kept(100, LOAD_LIMIT).await;
    postgres.crash();
    let answered_at_crash = load.answered();
    tokio::time::sleep(OUTAGE).await;
    let answered_in_outage = load.answered() - answered_at_crash;
    postgres.start_server();
    let restarted = std::time::Instant::now();

    let ready = until_ok(&base, "/readyz", RECOVERY_LIMIT).await;
    // Acknowledging again, with the load still running: the pool has new connections.
    load.until_kept(50, RECOVERY_LIMIT).await;
    let acknowledging = restarted.elapsed();
    let sent = load.finish().await;
    eprintln!(
        "PostgreSQL down {OUTAGE:?}: {answered_in_outage} requests answered meanwhile; ready again \
         {ready:?} after its start, acknowledging again after {acknowledging:?}; {:?}",
        tally(&sent)
    );
    assert!(ready.is_some(), "/readyz never said ready again");
    assert!(
        sent.iter()
            .any(|s| matches!(s.answer, Answer::Apology | Answer::Refused(500..))),
        "no request met the outage"
    );
    assert!(
        sent.iter()
            .all(|s| !matches!(s.answer, Answer::Refused(400..500))),
        "a 4xx is no answer to an outage: {:?}",
        tally(&sent)
    );

    let records = Records::connect(&url).await;
    records.assert_acknowledged_kept(&sent).await;
    let retried = retry_unacknowledged(&base, &sent).await;
    let (_, logs) = stop(server, log);
    assert!(
        retried.iter().all(|s| s.answer == Answer::Kept),
        "a retry after the outage was not kept: {:?}\n{logs}",
        tally(&retried)
    );
    let mut all: Vec<_> = sent
        .iter()
        .filter(|s| s.answer == Answer::Kept)
        .cloned()
        .collect();
    all.extend(retried);
    let recorded = records.assert_acknowledged_kept(&all).await;
    assert_eq!(recorded, sent.len(), "every webhook sent is recorded, once");
    records.assert_one_conversation_per_sender(&all).await;
}
