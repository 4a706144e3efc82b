//! Two `hotline serve` processes on one PostgreSQL database, as several machines behind one
//! address run: a call whose webhooks land on one and then the other goes exactly as on one
//! instance (the same TwiML at every step, the same record at the end), and the reminders of
//! missed calls reach the provider once each while both instances are running.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline::clock::SystemClock;
use hotline::crypto::DataKey;
use hotline::jobs::reminders;
use hotline::store::{CallOutcome, NewCall, NewFollowUp, Store};
use hotline_routes::twiml::parse;
use hotline_schedules::Service;

use crate::binary::{hotline, post_for_body, serve, stop};
use crate::databases::TestDatabase;
use crate::fault_gate::Gate;
use crate::fault_load::{Records, on_duty_now};
use crate::helpers::{HOTLINE_NUMBER, incoming_call, params};
use crate::outbox::fake_provider::{ACCOUNT_SID, FakeProvider};
use crate::voice::{LAWYER, PSYCHOLOGIST, dialled, gather_action};

/// One `hotline serve` on `url`, sharing the data key (and the signing token) with the others.
fn instance(url: &str, key_hex: &str, provider: Option<&url::Url>) -> Instance {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut command = hotline(dir.path());
    command
        .env("HOTLINE_DATABASE_URL", url)
        .env("HOTLINE_SECRET_KEY", key_hex)
        .env("HOTLINE_LEASE_SECONDS", "10")
        .env("RUST_LOG", "info");
    if let Some(provider) = provider {
        command
            .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
            .env("TWILIO_API_BASE", provider.as_str())
            .env("TWILIO_FROM_NUMBER", HOTLINE_NUMBER)
            .env("HOTLINE_OUTBOX_PER_SECOND", "1000")
            .env("HOTLINE_OUTBOX_BURST", "1000")
            .env("HOTLINE_OUTBOX_PER_RECIPIENT_PER_MINUTE", "1000");
    }
    let (server, base, log) = serve(command);
    Instance {
        server,
        base,
        log,
        _dir: dir,
    }
}

struct Instance {
    server: std::process::Child,
    base: String,
    log: std::thread::JoinHandle<String>,
    _dir: tempfile::TempDir,
}

impl Instance {
    fn stop(self) -> String {
        stop(self.server, self.log).1
    }
}

/// A call, each webhook posted to the next of `bases` in turn: she dials (Russian, legal
/// help), the lawyer is rung, hears the whisper and presses 1, they talk, the call ends.
/// Returns what each step answered.
async fn call_through(bases: &[&str], sid: &str) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut step = 0;
    let mut answers = Vec::new();
    let mut post = async |path: &str, extra: &[(&str, &str)]| {
        let base = bases[step % bases.len()];
        step += 1;
        let mut pairs = params(&[("CallSid", sid), ("AccountSid", ACCOUNT_SID)]);
        pairs.extend(params(extra));
        let (status, body) = post_for_body(&client, base, path, &pairs).await;
        answers.push(format!("{status} {body}"));
        body
    };
    let incoming: Vec<(String, String)> = incoming_call(sid);
    let incoming: Vec<(&str, &str)> = incoming
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let languages = parse(&post("/webhooks/voice", &incoming).await).expect("TwiML");
    let services =
        parse(&post(&gather_action(&languages), &[("Digits", "2")]).await).expect("TwiML");
    let dial = parse(&post(&gather_action(&services), &[("Digits", "1")]).await).expect("TwiML");
    let (numbers, action) = dialled(&dial).expect("the lawyer is rung");
    let lawyer = &numbers[0];
    let whisper_url = lawyer.url.as_deref().expect("a whisper");
    let whisper = parse(
        &post(
            whisper_url,
            &[
                ("CallSid", "CA7777"),
                ("ParentCallSid", sid),
                ("To", &lawyer.phone_number),
            ],
        )
        .await,
    )
    .expect("TwiML");
    post(&gather_action(&whisper), &[("Digits", "1")]).await;
    post(
        &action,
        &[
            ("DialCallStatus", "completed"),
            ("DialCallSid", "CA7777"),
            ("DialCallDuration", "60"),
        ],
    )
    .await;
    post(
        "/webhooks/voice/status",
        &[
            ("CallStatus", "completed"),
            ("CallDuration", "95"),
            ("SequenceNumber", "0"),
        ],
    )
    .await;
    answers
}

/// What the record of a call says, leaving out the instants and the sealed number.
async fn record_of(store: &dyn Store, sid: &str) -> String {
    let call = store
        .call_by_sid(sid)
        .await
        .expect("read")
        .expect("recorded");
    let legs: Vec<_> = store
        .legs(call.id)
        .await
        .expect("read")
        .into_iter()
        .map(|leg| format!("{} {:?} {:?}", leg.staff_id, leg.result, leg.duration_secs))
        .collect();
    format!(
        "{} {:?} {:?} {:?} {:?} answered by {:?}, {:?} s, legs {legs:?}",
        call.status,
        call.stage,
        call.language,
        call.service,
        call.outcome,
        call.answered_by,
        call.duration_secs
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_whose_webhooks_land_on_two_instances_goes_as_on_one() {
    let key_hex = DataKey::generate_hex();
    let sid = "CA00000000000000000000000000000042";

    let alone = TestDatabase::postgres().await;
    let lawyer = on_duty_now(
        alone.open().await.as_ref(),
        "Айгерим",
        LAWYER,
        Service::Legal,
    )
    .await;
    let one = instance(&alone.url, &key_hex, None);
    let on_one = call_through(&[&one.base], sid).await;
    let one_log = one.stop();

    let shared = TestDatabase::postgres().await;
    let store = shared.open().await;
    assert_eq!(
        on_duty_now(store.as_ref(), "Айгерим", LAWYER, Service::Legal).await,
        lawyer,
        "the same rota, the same ids"
    );
    let a = instance(&shared.url, &key_hex, None);
    let b = instance(&shared.url, &key_hex, None);
    let on_two = call_through(&[&a.base, &b.base], sid).await;
    let logs = a.stop() + &b.stop();

    assert_eq!(on_two.len(), 7);
    for (n, (two, one)) in on_two.iter().zip(&on_one).enumerate() {
        assert_eq!(two, one, "step {n} answered alike\n{one_log}\n{logs}");
    }
    assert!(
        on_two[6].starts_with("204"),
        "the status was kept: {}",
        on_two[6]
    );
    let alone_record = record_of(alone.open().await.as_ref(), sid).await;
    let shared_record = record_of(store.as_ref(), sid).await;
    assert_eq!(shared_record, alone_record);
    let call = store.call_by_sid(sid).await.expect("read").expect("kept");
    assert_eq!(call.answered_by, Some(lawyer), "{shared_record}");
    assert!(!logs.contains("apology"), "{logs}");
}

/// Missed calls with their first reminder due now, half for the lawyer and half for the
/// psychologist; who each is for, as (follow-up, number).
async fn missed_calls(store: &dyn Store, count: usize) -> BTreeSet<(i64, String)> {
    let now = chrono::Utc::now();
    let mut owed = BTreeSet::new();
    for n in 0..count {
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
        let (service, phone) = if n.is_multiple_of(2) {
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

/// The follow-up a reminder is about: the number after its first `№`.
fn follow_up_of(body: &str) -> Option<i64> {
    let (_, rest) = body.split_once('№')?;
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

const FOLLOW_UPS: usize = 200;
/// Far longer than two instances take to send them all; only a stuck pair reaches it.
const SETTLE_LIMIT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_send_each_missed_calls_reminder_once() {
    // A provider a little slow to answer, so neither instance can send everything alone.
    let provider =
        FakeProvider::start_paced(Arc::new(SystemClock), [], Duration::from_millis(20)).await;
    // Each instance reaches it through a gate of its own, which counts what it sends.
    let (gate_a, gate_b) = (
        Gate::open_to(&provider.base).await,
        Gate::open_to(&provider.base).await,
    );
    let database = TestDatabase::postgres().await;
    let store = database.open().await;
    on_duty_now(store.as_ref(), "Айгерим", LAWYER, Service::Legal).await;
    on_duty_now(
        store.as_ref(),
        "Динара",
        PSYCHOLOGIST,
        Service::Psychological,
    )
    .await;
    let key_hex = DataKey::generate_hex();
    let a = instance(&database.url, &key_hex, Some(&gate_a.base));
    let b = instance(&database.url, &key_hex, Some(&gate_b.base));

    // Both are running when the calls are missed.
    let owed = missed_calls(store.as_ref(), FOLLOW_UPS).await;
    let records = Records::connect(&database.url).await;
    let started = Instant::now();
    loop {
        let done = records
            .count(
                "SELECT count(*) FROM jobs
                 WHERE idempotency_key LIKE 'follow-up:%:reminder:1' AND status = 'done'",
            )
            .await;
        let unsent = records
            .count("SELECT count(*) FROM outbox WHERE provider_sid IS NULL")
            .await;
        if done == i64::try_from(FOLLOW_UPS).expect("a count") && unsent == 0 {
            break;
        }
        assert!(
            started.elapsed() < SETTLE_LIMIT,
            "never settled: {done} reminders done, {unsent} texts unsent"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let logs = a.stop() + &b.stop();

    let created = provider.created();
    let everything: BTreeSet<(String, String)> = created
        .iter()
        .map(|m| (m.to.clone(), m.body.clone()))
        .collect();
    assert_eq!(
        everything.len(),
        created.len(),
        "a text went out twice\n{logs}"
    );
    let reached: Vec<(i64, String)> = created
        .iter()
        .filter(|m| m.body.starts_with("Напоминание"))
        .filter_map(|m| Some((follow_up_of(&m.body)?, m.to.clone())))
        .collect();
    let once: BTreeSet<(i64, String)> = reached.iter().cloned().collect();
    assert_eq!(
        reached.len(),
        once.len(),
        "a reminder reached the provider twice"
    );
    assert_eq!(once, owed, "every reminder reached its person");
    let (by_a, by_b) = (gate_a.posts(), gate_b.posts());
    eprintln!(
        "{} texts at the provider: {by_a} sent by instance A, {by_b} by instance B",
        created.len()
    );
    assert!(by_a > 0 && by_b > 0, "both instances sent texts");
    assert_eq!(
        by_a + by_b,
        created.len(),
        "each text was sent by one instance, once"
    );
    provider.all_requests_valid().await;
}

/// The release step of a deploy: `hotline migrate`, run twice at once (two deploys racing),
/// brings a fresh database up to date and exits; both succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_brings_a_fresh_database_up_to_date_and_exits() {
    let database = TestDatabase::postgres().await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let release = || {
        let mut command = hotline(dir.path());
        command
            .env("HOTLINE_DATABASE_URL", &database.url)
            .arg("migrate")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command.spawn().expect("hotline migrate starts")
    };
    let (first, second) = (release(), release());
    for run in [first, second] {
        let output = run.wait_with_output().expect("it exits");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("up to date"), "{stdout}");
    }
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .expect("the migrations")
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    let records = Records::connect(&database.url).await;
    let applied = records
        .count("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .await;
    assert_eq!(usize::try_from(applied).expect("a count"), migrations);
}
