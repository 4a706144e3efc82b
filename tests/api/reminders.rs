//! Missed contacts are reminded of until someone answers, fast-forwarded with the server's
//! manual clock: the durable job runner, the reminders and their escalation, the follow-ups API,
//! and jobs that fail until they are given up.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hotline::clock::Clock;
use hotline::jobs::reminders::{self, Reminders};
use hotline::jobs::runner::{JobError, JobHandler, JobSettings, Runner};
use hotline::rota::spec::ShiftSpec;
use hotline::store::{Job, JobStatus, NewJob};
use hotline_schedules::Service;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{HOTLINE_NUMBER, TestApp, audit, spawn_app};
use crate::voice::{BACKUP, COORDINATOR, LAWYER, PSYCHOLOGIST};

fn runner(app: &TestApp) -> Runner {
    Runner::new(app.store.clone(), app.clock.clone(), JobSettings::default())
        .with(reminders::KIND, Arc::new(Reminders::new(app.state.clone())))
}

/// Puts a person at `position` for legal help all day around now.
async fn on_duty_all_day(app: &TestApp, name: &str, phone: &str, position: u8) -> i64 {
    let staff_id = app
        .add_staff(name, phone, vec![Service::Legal], false)
        .await;
    let now = app.clock.now();
    let shift = ShiftSpec {
        staff_id,
        service: Service::Legal,
        position,
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::hours(12),
    };
    let rule = shift.to_rule(now - Duration::minutes(1));
    app.store
        .create_rules(&[rule], &audit())
        .await
        .expect("shift added");
    staff_id
}

/// The texts of reminder `n` about `follow_up`, as (to, body), by number.
async fn reminded(app: &TestApp, follow_up: i64, n: u32) -> Vec<(String, String)> {
    let prefix = format!("follow-up:{follow_up}:reminder:{n}:");
    let mut texts: Vec<(String, String)> = app
        .store
        .pending_outbox(1000)
        .await
        .expect("read")
        .into_iter()
        .filter(|m| m.idempotency_key.starts_with(&prefix))
        .map(|m| {
            (
                app.data_key.open(&m.to_sealed).expect("opens"),
                app.data_key.open(&m.body_sealed).expect("opens"),
            )
        })
        .collect();
    texts.sort();
    texts
}

#[tokio::test]
async fn a_missed_call_is_reminded_every_fifteen_minutes_escalating_until_answered() {
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let lawyer = on_duty_all_day(&app, "Айгерим", LAWYER, 0).await;
    on_duty_all_day(&app, "Сауле", BACKUP, 1).await;
    let call = app.call("CA90");
    call.chooses("2", "1").await;
    call.ends("2").await;
    let opened = app.clock.now();
    let follow_ups = app.store.open_follow_ups().await.expect("read");
    assert_eq!(follow_ups.len(), 1);
    let id = follow_ups[0].id;
    let text = |n: u32, minutes: i64| {
        format!(
            "Напоминание {n}: пропущенный звонок №{id} (юридическая помощь, линия {HOTLINE_NUMBER}) \
             ждёт ответа {minutes} мин. Перезвоните ей, затем ответьте через API/страницу: обращение №{id} отвечено."
        )
    };
    let runner = runner(&app);
    let steps: [(u32, i64, Vec<&str>); 7] = [
        // The opening notice told them at once; reminders follow one interval on.
        (1, 15, vec![LAWYER]),
        (2, 30, vec![LAWYER]),
        (3, 45, vec![LAWYER]),
        (4, 60, vec![LAWYER, BACKUP]),
        (5, 75, vec![LAWYER, BACKUP]),
        (6, 90, vec![LAWYER, BACKUP]),
        (7, 105, vec![COORDINATOR, LAWYER, BACKUP]),
    ];
    for (n, minutes, people) in steps {
        let due = opened + Duration::minutes(minutes);
        app.clock.set(due - Duration::seconds(1));
        let early = runner.run_due().await.expect("ran");
        assert_eq!(early.done, 0, "reminder {n} not before its time");
        assert!(reminded(&app, id, n).await.is_empty());
        app.clock.set(due);
        let pass = runner.run_due().await.expect("ran");
        assert_eq!(pass.done, 1, "reminder {n} ran");
        let mut expected: Vec<(String, String)> = people
            .iter()
            .map(|p| ((*p).to_owned(), text(n, minutes)))
            .collect();
        expected.sort();
        assert_eq!(reminded(&app, id, n).await, expected, "reminder {n}");
    }
    let follow_up = app.store.follow_up(id).await.expect("read").expect("kept");
    assert_eq!(follow_up.reminders_sent, 7);

    // Answered through the API, with a note: audited, and the reminders stop.
    let token = app.api_token().await;
    let (status, listed) = app
        .api(Method::GET, "/api/v1/follow-ups", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["status"], "open");
    assert_eq!(listed[0]["age_secs"], 105 * 60);
    assert_eq!(listed[0]["reminders_sent"], 7);
    app.clock.set(opened + Duration::minutes(110));
    let path = format!("/api/v1/follow-ups/{id}/answered");
    let (status, refused) = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(json!({ "staff_id": 999_999 })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "staff_id");
    let (status, answered) = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(json!({ "note": "перезвонили, консультация назначена", "staff_id": lawyer })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["answered_by"], lawyer);
    assert_eq!(answered["age_secs"], 110 * 60, "time to answer");
    assert_eq!(answered["note"], "перезвонили, консультация назначена");
    let (status, _) = app.api(Method::POST, &path, &token, Some(json!({}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "answered once");
    let (status, _) = app
        .api(
            Method::POST,
            "/api/v1/follow-ups/999999/answered",
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.clock.set(opened + Duration::minutes(120));
    assert_eq!(
        runner.run_due().await.expect("ran").done,
        1,
        "the due reminder ends"
    );
    assert!(
        reminded(&app, id, 8).await.is_empty(),
        "no reminder once answered"
    );
    assert!(
        app.store
            .job_by_key(&format!("follow-up:{id}:reminder:9"))
            .await
            .expect("read")
            .is_none(),
        "and none scheduled"
    );
    app.clock.set(opened + Duration::hours(10));
    assert_eq!(runner.run_due().await.expect("ran").done, 0);
    assert!(app.store.open_follow_ups().await.expect("read").is_empty());
}

/// A lawyer who is not on the rota tonight, whom the coordinator gives a follow-up to.
const ASSIGNEE: &str = "+77015550177";

#[tokio::test]
async fn an_assigned_follow_up_reminds_its_assignee_escalating_as_before_until_she_leaves() {
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    on_duty_all_day(&app, "Айгерим", LAWYER, 0).await;
    on_duty_all_day(&app, "Сауле", BACKUP, 1).await;
    let dana = app
        .add_staff("Дана", ASSIGNEE, vec![Service::Legal], false)
        .await;
    let psychologist = app
        .add_staff("Мадина", PSYCHOLOGIST, vec![Service::Psychological], false)
        .await;
    let call = app.call("CA91");
    call.chooses("2", "1").await;
    call.ends("2").await;
    let opened = app.clock.now();
    let id = app.store.open_follow_ups().await.expect("read")[0].id;

    // The coordinator's script gives it to Dana through the API; a psychologist cannot have a
    // legal follow-up, nor can nobody's id, and a missing field is not "nobody".
    let token = app.api_token().await;
    let path = format!("/api/v1/follow-ups/{id}/assign");
    for (body, field) in [
        (json!({ "staff_id": psychologist }), "staff_id"),
        (json!({ "staff_id": 999_999 }), "staff_id"),
        (json!({}), "staff_id"),
        (json!({ "staff_id": "Дана" }), "staff_id"),
    ] {
        let (status, refused) = app.api(Method::POST, &path, &token, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["field"], field);
    }
    let (status, _) = app
        .api(
            Method::POST,
            "/api/v1/follow-ups/999999/assign",
            &token,
            Some(json!({ "staff_id": dana })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, assigned) = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(json!({ "staff_id": dana })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["assigned_to"], dana);
    assert_eq!(assigned["assigned_at"], json!(opened));
    let (status, listed) = app
        .api(Method::GET, "/api/v1/follow-ups", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["assigned_to"], dana);
    let entries = app.store.audit_log(10).await.expect("read");
    let entry = entries
        .iter()
        .find(|a| a.entry.action == "assign-follow-up")
        .expect("audited");
    assert_eq!(entry.entry.subject, format!("follow-up/{id}"));
    assert_eq!(
        entry.entry.before.as_deref(),
        Some(r#"{"assigned_to":null}"#)
    );
    assert_eq!(
        entry.entry.after.as_deref(),
        Some(format!(r#"{{"assigned_to":{dana}}}"#).as_str())
    );

    let text = |n: u32, minutes: i64| {
        format!(
            "Напоминание {n}: пропущенный звонок №{id} (юридическая помощь, линия {HOTLINE_NUMBER}) \
             ждёт ответа {minutes} мин. Перезвоните ей, затем ответьте через API/страницу: обращение №{id} отвечено."
        )
    };
    let runner = runner(&app);
    let steps: [(u32, i64, Vec<&str>); 7] = [
        // Hers now: the lawyer on duty is not reminded of it.
        (1, 15, vec![ASSIGNEE]),
        (2, 30, vec![ASSIGNEE]),
        (3, 45, vec![ASSIGNEE]),
        // Unanswered, it escalates as it would have: the backup, then the coordinator.
        (4, 60, vec![ASSIGNEE, BACKUP]),
        (5, 75, vec![ASSIGNEE, BACKUP]),
        (6, 90, vec![ASSIGNEE, BACKUP]),
        (7, 105, vec![ASSIGNEE, BACKUP, COORDINATOR]),
    ];
    for (n, minutes, people) in steps {
        app.clock.set(opened + Duration::minutes(minutes));
        assert_eq!(runner.run_due().await.expect("ran").done, 1, "reminder {n}");
        let mut expected: Vec<(String, String)> = people
            .iter()
            .map(|p| ((*p).to_owned(), text(n, minutes)))
            .collect();
        expected.sort();
        assert_eq!(reminded(&app, id, n).await, expected, "reminder {n}");
    }

    // Dana leaves: her follow-up is the people on duty's again, at the level it has reached.
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/staff/{dana}"),
            &token,
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");
    app.clock.set(opened + Duration::minutes(120));
    assert_eq!(runner.run_due().await.expect("ran").done, 1);
    let mut expected: Vec<(String, String)> = [LAWYER, BACKUP, COORDINATOR]
        .iter()
        .map(|p| ((*p).to_owned(), text(8, 120)))
        .collect();
    expected.sort();
    assert_eq!(reminded(&app, id, 8).await, expected);

    // Given to nobody through the API (`null`), audited too.
    let (status, cleared) = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(json!({ "staff_id": null })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["assigned_to"], json!(null));
    assert_eq!(
        app.store
            .audit_log(20)
            .await
            .expect("read")
            .iter()
            .filter(|a| a.entry.action == "assign-follow-up")
            .count(),
        2
    );
}

struct Failing;

#[async_trait::async_trait]
impl JobHandler for Failing {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        if job.payload.contains("fatal") {
            Err(JobError::Fatal("cannot be read".into()))
        } else {
            Err(JobError::Retry("the network is down".into()))
        }
    }
}

fn failing_job(key: &str, payload: &str, now: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: "fails".into(),
        payload: payload.into(),
        idempotency_key: key.into(),
        due_at: now,
        created_at: now,
    }
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_retried_with_backoff_then_given_up_for_the_coordinator() {
    let app = spawn_app().await;
    let runner = Runner::new(app.store.clone(), app.clock.clone(), JobSettings::default())
        .with("fails", Arc::new(Failing));
    let start = app.clock.now();
    assert!(
        app.store
            .enqueue_job(&failing_job("fails:1", "{}", start))
            .await
            .expect("queued")
    );
    assert!(
        app.store
            .enqueue_job(&failing_job("fails:fatal", r#"{"fatal":true}"#, start))
            .await
            .expect("queued")
    );
    let pass = runner.run_due().await.expect("ran");
    assert_eq!(
        (pass.retried, pass.dead),
        (1, 1),
        "a fatal error is given up at once"
    );
    let mut previous_due = start;
    for attempt in 2..=5 {
        let job = app
            .store
            .job_by_key("fails:1")
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(job.status, JobStatus::Queued);
        assert!(
            job.due_at > previous_due,
            "backoff: attempt {attempt} waits"
        );
        assert_eq!(job.last_error.as_deref(), Some("the network is down"));
        app.clock.set(job.due_at - Duration::milliseconds(1));
        assert_eq!(
            runner.run_due().await.expect("ran"),
            Default::default(),
            "not yet"
        );
        app.clock.set(job.due_at);
        previous_due = job.due_at;
        runner.run_due().await.expect("ran");
    }
    let job = app
        .store
        .job_by_key("fails:1")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!((job.status, job.attempts), (JobStatus::Dead, 5));
    let dead = app.store.dead_jobs(10).await.expect("read");
    let keys: Vec<&str> = dead.iter().map(|j| j.idempotency_key.as_str()).collect();
    assert_eq!(keys, vec!["fails:1", "fails:fatal"], "newest first");
    app.clock.set(start + Duration::days(2));
    assert_eq!(
        runner.run_due().await.expect("ran"),
        Default::default(),
        "dead stays dead"
    );
    let token = app.api_token().await;
    let (status, listed) = app
        .api(Method::GET, "/api/v1/jobs/dead", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["key"], "fails:1");
    assert_eq!(listed[0]["attempts"], 5);
    assert_eq!(listed[0]["last_error"], "the network is down");
}

#[tokio::test]
async fn an_unanswered_text_is_reminded_from_one_interval_on_with_its_code_until_done() {
    let app = spawn_app().await;
    on_duty_all_day(&app, "Айгерим", LAWYER, 0).await;
    let opened = app.clock.now();
    app.text(
        "SM90",
        crate::messages::HER,
        "Здравствуйте, мне нужен юрист",
    )
    .await;
    let code = crate::messages::code_in(&app.last_text_to(LAWYER).await.body);
    let id = app.store.open_follow_ups().await.expect("read")[0].id;
    let runner = runner(&app);
    assert_eq!(
        runner.run_due().await.expect("ran").done,
        0,
        "her first text, relayed with its code, is the first word to the lawyer"
    );
    app.clock.set(opened + Duration::minutes(15));
    assert_eq!(runner.run_due().await.expect("ran").done, 1);
    assert_eq!(
        reminded(&app, id, 1).await,
        vec![(
            LAWYER.to_owned(),
            format!(
                "Напоминание 1: обращение {code} (№{id}, юридическая помощь, линия {HOTLINE_NUMBER}) \
                 ждёт ответа 15 мин. Ответьте ей и отправьте «DONE {code}»."
            )
        )]
    );
    app.text("SM91", LAWYER, &format!("DONE {code}")).await;
    app.clock.set(opened + Duration::minutes(30));
    assert_eq!(runner.run_due().await.expect("ran").done, 1);
    assert!(reminded(&app, id, 2).await.is_empty(), "DONE stops them");
    let follow_up = app.store.follow_up(id).await.expect("read").expect("kept");
    assert_eq!(follow_up.status, "answered");
    assert_eq!(follow_up.answered_at, Some(opened + Duration::minutes(15)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_on_one_postgresql_send_each_reminder_once() {
    let app = crate::helpers::spawn_app_on(crate::databases::TestDatabase::postgres().await).await;
    // PostgreSQL keeps microseconds.
    app.clock
        .set(chrono::SubsecRound::trunc_subsecs(app.clock.now(), 0));
    on_duty_all_day(&app, "Айгерим", LAWYER, 0).await;
    let now = app.clock.now();
    let mut ids = Vec::new();
    for n in 0..40 {
        let call = app
            .store
            .record_call(&hotline::store::NewCall {
                call_sid: format!("CA{n:04}"),
                line_number: HOTLINE_NUMBER.to_owned(),
                caller_sealed: vec![1],
                caller_hash: format!("hash-{n}"),
                status: "ringing".to_owned(),
                started_at: now,
            })
            .await
            .expect("recorded");
        let follow_up = hotline::store::NewFollowUp {
            call_id: call.id,
            kind: hotline::store::CallOutcome::Missed,
            service: Some(Service::Legal),
            line_number: HOTLINE_NUMBER.to_owned(),
            created_at: now,
        };
        let id = app
            .store
            .open_follow_up(&follow_up)
            .await
            .expect("opened")
            .expect("new");
        reminders::schedule(app.store.as_ref(), id, 1, now, now)
            .await
            .expect("scheduled");
        ids.push(id);
    }
    let (first, second) = (Arc::new(runner(&app)), Arc::new(runner(&app)));
    let (a, b) = tokio::join!(
        tokio::spawn(async move { first.run_due().await }),
        tokio::spawn(async move { second.run_due().await })
    );
    let (a, b) = (a.expect("ran").expect("ran"), b.expect("ran").expect("ran"));
    assert_eq!(a.done + b.done, ids.len(), "each job run once: {a:?} {b:?}");
    assert_eq!(a.lost + b.lost, 0);
    for id in ids {
        assert_eq!(reminded(&app, id, 1).await.len(), 1, "follow-up {id}");
        let next = app
            .store
            .job_by_key(&format!("follow-up:{id}:reminder:2"))
            .await
            .expect("read")
            .expect("the next is scheduled once");
        assert_eq!(next.due_at, now + Duration::minutes(15));
    }
}
