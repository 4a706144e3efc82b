//! Two server instances on one PostgreSQL database, each with its own connection pool, run a
//! thousand due reminders at once: each reminder is run by one of them, once, and its text is
//! queued once for each person it is for.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use hotline::clock::Clock;
use hotline::jobs::reminders::{self, Reminders};
use hotline::jobs::runner::{JobError, JobHandler, JobSettings, Pass, Runner};
use hotline::store::{CallOutcome, Job, JobStatus, NewCall, NewFollowUp, Store};
use hotline_schedules::Service;

use crate::databases::TestDatabase;
use crate::helpers::{HOTLINE_NUMBER, TestApp, spawn_app_on};
use crate::voice::{COORDINATOR, LAWYER};

const REMINDERS: usize = 1000;
const SECOND_COORDINATOR: &str = "+77015550102";

/// The real reminder handler, counting how often it runs each job, across both instances.
struct Counted {
    reminders: Reminders,
    runs: Arc<Mutex<HashMap<i64, usize>>>,
}

#[async_trait::async_trait]
impl JobHandler for Counted {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        *self
            .runs
            .lock()
            .expect("not poisoned")
            .entry(job.id)
            .or_default() += 1;
        self.reminders.run(job).await
    }
}

/// An instance's runner over its own store, as `hotline serve` starts one.
fn instance(
    app: &TestApp,
    store: Arc<dyn Store>,
    runs: &Arc<Mutex<HashMap<i64, usize>>>,
) -> Runner {
    let state = hotline::web::AppState {
        store: store.clone(),
        ..app.state.clone()
    };
    let handler = Counted {
        reminders: Reminders::new(state),
        runs: runs.clone(),
    };
    Runner::new(store, app.clock.clone(), JobSettings::default())
        .with(reminders::KIND, Arc::new(handler))
}

/// Passes until one finds nothing to claim; what they did, added up.
async fn until_nothing_is_due(runner: Runner) -> Pass {
    let mut total = Pass::default();
    loop {
        let pass = runner.run_due().await.expect("a pass");
        if pass == Pass::default() {
            return total;
        }
        total.done += pass.done;
        total.retried += pass.retried;
        total.dead += pass.dead;
        total.lost += pass.lost;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_run_a_thousand_reminders_each_once() {
    let database = TestDatabase::postgres().await;
    let url = database.url.clone();
    let app = spawn_app_on(database).await;
    // PostgreSQL keeps microseconds.
    app.clock
        .set(chrono::SubsecRound::trunc_subsecs(app.clock.now(), 0));
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let coordinators = [
        app.add_staff("Гульнара", COORDINATOR, vec![], true).await,
        app.add_staff("Жанар", SECOND_COORDINATOR, vec![], true)
            .await,
    ];
    let now = app.clock.now();
    // Missed legal calls remind the lawyer on duty; calls that hung up at the menu, both
    // coordinators.
    let mut owed: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for n in 0..REMINDERS {
        let call = app
            .store
            .record_call(&NewCall {
                call_sid: format!("CA{n:05}"),
                line_number: HOTLINE_NUMBER.to_owned(),
                caller_sealed: vec![1],
                caller_hash: format!("hash-{n}"),
                status: "ringing".to_owned(),
                started_at: now,
            })
            .await
            .expect("recorded");
        let service = (n % 2 == 0).then_some(Service::Legal);
        let id = app
            .store
            .open_follow_up(&NewFollowUp {
                call_id: call.id,
                kind: CallOutcome::Missed,
                service,
                line_number: HOTLINE_NUMBER.to_owned(),
                created_at: now,
            })
            .await
            .expect("opened")
            .expect("new");
        reminders::schedule(app.store.as_ref(), id, 1, now, now)
            .await
            .expect("scheduled");
        let people = match service {
            Some(_) => vec![lawyer],
            None => coordinators.to_vec(),
        };
        owed.insert(id, people);
    }

    let runs = Arc::new(Mutex::new(HashMap::new()));
    let first = instance(&app, app.store.clone(), &runs);
    let second = instance(
        &app,
        hotline::store::open(&url).await.expect("a second pool"),
        &runs,
    );
    let (a, b) = tokio::join!(
        tokio::spawn(until_nothing_is_due(first)),
        tokio::spawn(until_nothing_is_due(second))
    );
    let (a, b) = (a.expect("ran"), b.expect("ran"));

    assert_eq!(
        a.done + b.done,
        REMINDERS,
        "every reminder done: {a:?} {b:?}"
    );
    assert!(
        a.done > 0 && b.done > 0,
        "both instances took part: {a:?} {b:?}"
    );
    assert_eq!(
        (a.retried + b.retried, a.dead + b.dead, a.lost + b.lost),
        (0, 0, 0)
    );
    let runs = runs.lock().expect("not poisoned").clone();
    assert_eq!(runs.len(), REMINDERS, "every reminder ran");
    let twice: Vec<_> = runs.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "reminders run more than once: {twice:?}");

    // What the outbox will send: reminder 1 of each follow-up, once to each person it is for.
    let mut queued: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for message in app
        .store
        .pending_outbox(10 * REMINDERS as i64)
        .await
        .expect("read")
    {
        let key: Vec<&str> = message.idempotency_key.split(':').collect();
        let ["follow-up", follow_up, "reminder", "1", person] = key[..] else {
            panic!("an unexpected text: {}", message.idempotency_key);
        };
        let follow_up: i64 = follow_up.parse().expect("an id");
        let body = app.data_key.open(&message.body_sealed).expect("opens");
        assert!(body.contains(&format!("№{follow_up}")), "{body}");
        queued
            .entry(follow_up)
            .or_default()
            .push(person.parse().expect("an id"));
    }
    for people in queued.values_mut() {
        people.sort_unstable();
    }
    assert_eq!(
        queued, owed,
        "each reminder's text, once per person it is for"
    );

    for id in owed.keys() {
        let job = app
            .store
            .job_by_key(&format!("follow-up:{id}:reminder:1"))
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(
            (job.status, job.attempts),
            (JobStatus::Done, 1),
            "follow-up {id}: done at its first attempt"
        );
        let follow_up = app.store.follow_up(*id).await.expect("read").expect("kept");
        assert_eq!(follow_up.reminders_sent, 1);
    }
}
