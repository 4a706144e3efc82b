//! `hotline serve` killed with SIGKILL while reminders are going out, and started again on the
//! same database: every reminder reaches the provider exactly once, none lost and none twice.
//! The kill lands while the provider holds a text it has not answered for yet (the fake is
//! slow to answer), so the restarted server must find that text in the provider's list rather
//! than send it again, and while reminder jobs are claimed and not finished, so they must be
//! run again once their lease runs out, without queueing a second text. The server runs with a
//! short lease (`HOTLINE_LEASE_SECONDS`), so what the killed one held is taken up in seconds.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use hotline::clock::SystemClock;
use hotline::crypto::DataKey;
use hotline::jobs::reminders;
use hotline::rota::spec::ShiftSpec;
use hotline::store::{CallOutcome, NewCall, NewFollowUp, NewStaff, Store};
use hotline_schedules::{Gender, Language, PhoneNumber, Service};

use crate::binary::{hotline, serve, stop};
use crate::helpers::{HOTLINE_NUMBER, audit};
use crate::outbox::fake_provider::{ACCOUNT_SID, FakeProvider};
use crate::voice::LAWYER;

const PSYCHOLOGIST: &str = "+77015550104";
/// Reminders due when the server starts: several of the runner's batches, and fewer to each
/// person than a page of the provider's list (reading many pages is `outbox::paging`'s part).
const FOLLOW_UPS: usize = 300;
/// How long the fake provider takes to answer a create it has already kept.
const PACE: Duration = Duration::from_millis(60);
/// How long a claim on a job or a text holds, in seconds: the shortest the server takes.
const LEASE_SECONDS: &str = "10";
/// Far longer than a job's and a text's lease, the provider's settle time for the text in
/// doubt, and all the sending after them: only a server that never settles reaches it.
const SETTLE_LIMIT: Duration = Duration::from_secs(300);

async fn on_duty(store: &dyn Store, name: &str, phone: &str, service: Service) -> i64 {
    let staff_id = store
        .upsert_staff(
            &NewStaff {
                name: name.to_owned(),
                phone: PhoneNumber::parse(phone).expect("valid"),
                services: vec![service],
                languages: vec![Language::Kk, Language::Ru],
                gender: Some(Gender::Female),
                is_coordinator: false,
                active: true,
            },
            &audit(),
        )
        .await
        .expect("staff added");
    let now = chrono::Utc::now();
    let shift = ShiftSpec {
        staff_id,
        service,
        position: 0,
        starts_at: now - chrono::Duration::hours(1),
        ends_at: now + chrono::Duration::hours(6),
    };
    store
        .create_rules(
            &[shift.to_rule(now - chrono::Duration::minutes(1))],
            &audit(),
        )
        .await
        .expect("shift added");
    staff_id
}

/// Missed calls for legal and psychological help by turns, each with its first reminder due
/// now; returns who each follow-up's reminder is for, as (follow-up, number).
async fn missed_calls(store: &dyn Store) -> BTreeSet<(i64, String)> {
    on_duty(store, "Айгерим", LAWYER, Service::Legal).await;
    on_duty(store, "Динара", PSYCHOLOGIST, Service::Psychological).await;
    let now = chrono::Utc::now();
    let mut owed = BTreeSet::new();
    for n in 0..FOLLOW_UPS {
        let call = store
            .record_call(&NewCall {
                call_sid: format!("CA{n:05}"),
                line_number: HOTLINE_NUMBER.to_owned(),
                caller_sealed: vec![1],
                caller_hash: format!("hash-{n}"),
                status: "completed".to_owned(),
                started_at: now,
            })
            .await
            .expect("recorded");
        let (service, phone) = if n % 2 == 0 {
            (Service::Legal, LAWYER)
        } else {
            (Service::Psychological, PSYCHOLOGIST)
        };
        let id = store
            .open_follow_up(&NewFollowUp {
                call_id: call.id,
                kind: CallOutcome::Missed,
                service: Some(service),
                line_number: HOTLINE_NUMBER.to_owned(),
                created_at: now,
            })
            .await
            .expect("opened")
            .expect("new");
        reminders::schedule(store, id, 1, now, now)
            .await
            .expect("scheduled");
        owed.insert((id, phone.to_owned()));
    }
    owed
}

/// The follow-up a reminder's text is about: the number after its first `№`.
fn follow_up_of(body: &str) -> i64 {
    let digits: String = body
        .split_once('№')
        .map(|(_, rest)| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a reminder: {body}"))
}

async fn count(database: &sqlx::SqlitePool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(database)
        .await
        .expect("counted")
}

const REMINDERS_RUNNING: &str = "SELECT count(*) FROM jobs WHERE status = 'running'";
const REMINDERS_DONE: &str = "SELECT count(*) FROM jobs
     WHERE idempotency_key LIKE 'follow-up:%:reminder:1' AND status = 'done'";
const TEXTS: &str = "SELECT count(*) FROM outbox";
const TEXTS_SENT: &str = "SELECT count(*) FROM outbox WHERE provider_sid IS NOT NULL";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_reminders_sends_each_once_after_its_restart() {
    let provider = FakeProvider::start_paced(Arc::new(SystemClock), [], PACE).await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let owed = missed_calls(hotline::store::open(&url).await.expect("opened").as_ref()).await;
    let database = sqlx::SqlitePool::connect(&url)
        .await
        .expect("read alongside");
    let key_hex = DataKey::generate_hex();
    let command = || {
        let mut command = hotline(dir.path());
        command
            .env("HOTLINE_SECRET_KEY", &key_hex)
            .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
            .env("TWILIO_API_BASE", provider.base.as_str())
            .env("TWILIO_FROM_NUMBER", HOTLINE_NUMBER)
            // Only the provider's pace holds the texts back.
            .env("HOTLINE_OUTBOX_PER_SECOND", "1000")
            .env("HOTLINE_OUTBOX_BURST", "1000")
            .env("HOTLINE_OUTBOX_PER_RECIPIENT_PER_MINUTE", "1000")
            .env("HOTLINE_LEASE_SECONDS", LEASE_SECONDS)
            .env("RUST_LOG", "info");
        command
    };

    // The kill: once texts are flowing, at a moment when the provider has kept a text it has
    // not answered for, and (while there are any) reminder jobs are claimed and unfinished.
    let (mut server, _, log) = serve(command());
    loop {
        let sent = provider.creates();
        let running = count(&database, REMINDERS_RUNNING).await;
        if sent >= 10 && provider.unanswered() > 0 && (running > 0 || sent >= 60) {
            server.kill().expect("SIGKILL");
            break;
        }
        assert!(
            sent < FOLLOW_UPS,
            "every text went out before the kill could land"
        );
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    server.wait().expect("killed");
    let first_log = log.join().expect("the log reader");
    let kept = provider.created().len();
    let running = count(&database, REMINDERS_RUNNING).await;
    let known = count(&database, TEXTS_SENT).await;
    eprintln!(
        "killed with {kept} texts at the provider, {known} of them known sent, {running} reminder jobs unfinished"
    );
    assert!(
        usize::try_from(known).expect("a count") < kept,
        "the kill left a text the provider has and the server does not know it sent"
    );

    let (server, _, log) = serve(command());
    let started = std::time::Instant::now();
    loop {
        let done = count(&database, REMINDERS_DONE).await;
        let texts = count(&database, TEXTS).await;
        let sent = count(&database, TEXTS_SENT).await;
        let all = i64::try_from(FOLLOW_UPS).expect("a count");
        if done == all && texts == all && sent == all {
            break;
        }
        if started.elapsed() > SETTLE_LIMIT {
            let (_, logs) = stop(server, log);
            panic!(
                "never settled: {done} reminders done, {texts} texts, {sent} sent\n{first_log}\n{logs}"
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (_, logs) = stop(server, log);

    let created = provider.created();
    let reached: Vec<(i64, String)> = created
        .iter()
        .map(|m| (follow_up_of(&m.body), m.to.clone()))
        .collect();
    let once: BTreeSet<(i64, String)> = reached.iter().cloned().collect();
    assert_eq!(
        reached.len(),
        once.len(),
        "a reminder reached the provider twice\n{logs}"
    );
    assert_eq!(once, owed, "every reminder reached its person");
    assert!(
        created.iter().all(|m| m.body.starts_with("Напоминание 1:")),
        "only first reminders"
    );
    let sids: BTreeSet<String> = sqlx::query_scalar("SELECT provider_sid FROM outbox")
        .fetch_all(&database)
        .await
        .expect("read")
        .into_iter()
        .collect();
    let created_sids: BTreeSet<String> = created.iter().map(|m| m.sid.clone()).collect();
    assert_eq!(
        sids, created_sids,
        "each text knows its one message at the provider"
    );
    assert!(
        provider.look_ups() >= 1,
        "the text in doubt was looked for at the provider"
    );
    assert!(!logs.contains("sent twice"), "{logs}");
    provider.all_requests_valid().await;
}
