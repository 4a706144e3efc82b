//! `hotline serve` killed with SIGKILL in the middle of a stream of calls and texts, then
//! started again on the same database: every webhook that got its 2xx is in the database (a
//! call by its CallSid, a text by its MessageSid), none twice, and the ones that got no answer
//! are kept when the provider sends them again, without a second record or a second
//! conversation. On SQLite (the file a power cut leaves) and on PostgreSQL.

use std::time::Duration;

use hotline::crypto::DataKey;

use crate::binary::{hotline, serve, stop};
use crate::databases::TestDatabase;
use crate::fault_load::{Answer, Load, Records, retry_unacknowledged, tally};

/// Posters at once: more than the machine's cores, so requests are always in flight.
const POSTERS: usize = 6;
/// Acknowledged requests before the kill: enough that it lands mid-stream, not at the start.
const BEFORE_KILL: usize = 150;
/// Kills at most, until one lands mid-request.
const KILLS: usize = 3;
/// Far more than the posters need to reach `BEFORE_KILL`: only a stuck server reaches it.
const LOAD_LIMIT: Duration = Duration::from_secs(120);

async fn killed_mid_stream(url: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key_hex = DataKey::generate_hex();
    let command = || {
        let mut command = hotline(dir.path());
        command
            .env("HOTLINE_DATABASE_URL", url)
            .env("HOTLINE_SECRET_KEY", &key_hex)
            .env("RUST_LOG", "info");
        command
    };

    // A kill may land when every answer is already on its way back (the posters' threads not
    // yet run on a busy machine): then it cut nothing off, and the server is started and
    // killed again, every acknowledged webhook of each round still owed.
    let mut sent = Vec::new();
    for round in 0..KILLS {
        let (mut server, base, log) = serve(command());
        let load = Load::start(&base, &format!("K{round}"), POSTERS);
        load.until_kept(BEFORE_KILL, LOAD_LIMIT).await;
        server.kill().expect("SIGKILL");
        let this_round = load.finish().await;
        server.wait().expect("killed");
        let _ = log.join();
        eprintln!("killed under load: {:?}", tally(&this_round));
        let cut = this_round.iter().any(|s| s.answer == Answer::None);
        sent.extend(this_round);
        if cut {
            break;
        }
    }
    assert!(
        sent.iter().any(|s| s.answer == Answer::None),
        "none of {KILLS} kills cut a request off"
    );

    let (server, base, log) = serve(command());
    let records = Records::connect(url).await;
    records.assert_acknowledged_kept(&sent).await;

    // The provider retries what got no answer (and the caller calls again): each is kept now.
    let retried = retry_unacknowledged(&base, &sent).await;
    let (_, logs) = stop(server, log);
    assert!(
        retried.iter().all(|s| s.answer == Answer::Kept),
        "a retry after the restart was not kept: {:?}\n{logs}",
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_load_on_sqlite_keeps_every_acknowledged_webhook() {
    let database = TestDatabase::sqlite();
    killed_mid_stream(&database.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_load_on_postgres_keeps_every_acknowledged_webhook() {
    let database = TestDatabase::postgres().await;
    killed_mid_stream(&database.url).await;
}
