//! The server's own recurring work, fast-forwarded with the manual clock: gaps in the rota ahead
//! told to the coordinators once each, and the coordinators' morning digest.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hotline::clock::Clock;
use hotline::jobs::Jobs;
use hotline::jobs::runner::JobSettings;
use hotline::rota::spec::ShiftSpec;
use hotline_schedules::Service;

use crate::helpers::{TestApp, audit, spawn_app};
use crate::voice::{COORDINATOR, LAWYER, dialled};

/// 10:00 in Shymkent (UTC+5) on a Wednesday.
fn wednesday_ten() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0)
        .single()
        .expect("valid")
}

async fn shift(app: &TestApp, staff_id: i64, from: DateTime<Utc>, to: DateTime<Utc>) {
    let rule = ShiftSpec {
        staff_id,
        service: Service::Legal,
        position: 0,
        starts_at: from,
        ends_at: to,
    }
    .to_rule(app.clock.now() - Duration::minutes(1));
    app.store
        .create_rules(&[rule], &audit())
        .await
        .expect("shift added");
}

/// Texts queued under keys that start with `prefix`, as (to, body).
async fn texts(app: &TestApp, prefix: &str) -> Vec<(String, String)> {
    let mut texts: Vec<(String, String)> = app
        .store
        .pending_outbox(1000)
        .await
        .expect("read")
        .into_iter()
        .filter(|m| m.idempotency_key.starts_with(prefix))
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

/// A hotline with one line, for legal help only, always open.
async fn legal_only(app: &TestApp) {
    app.store
        .put_line("default", r#"{"services":["legal"]}"#, &audit())
        .await
        .expect("line kept");
}

#[tokio::test]
async fn a_gap_in_the_next_two_days_is_told_to_the_coordinators_once() {
    let app = spawn_app().await;
    app.clock.set(wednesday_ten());
    legal_only(&app).await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let lawyer = app
        .add_staff("Айгерим", LAWYER, vec![Service::Legal], false)
        .await;
    let now = app.clock.now();
    // On until 18:00 today, again from 08:00 tomorrow until 08:00 on Friday; nobody after.
    shift(
        &app,
        lawyer,
        now - Duration::hours(1),
        now + Duration::hours(8),
    )
    .await;
    shift(
        &app,
        lawyer,
        now + Duration::hours(22),
        now + Duration::hours(46),
    )
    .await;
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");

    assert!(
        texts(&app, "rota-gap:").await.is_empty(),
        "nothing before the watch runs"
    );
    app.clock.set(now + Duration::minutes(15));
    jobs.runner.run_due().await.expect("ran");
    assert_eq!(
        texts(&app, "rota-gap:").await,
        vec![
            (
                COORDINATOR.to_owned(),
                "Пробел в графике: юридическая помощь — никто не дежурит с 25.11 18:00 до 26.11 08:00. \
                 Звонки в это время пойдут координатору. Поставьте дежурного."
                    .to_owned()
            ),
            (
                COORDINATOR.to_owned(),
                "Пробел в графике: юридическая помощь — никто не дежурит с 27.11 08:00 и дальше по графику. \
                 Звонки в это время пойдут координатору. Поставьте дежурного."
                    .to_owned()
            ),
        ]
    );

    // The watch looks again every quarter of an hour, and tells each gap once.
    for quarter in 2..=8 {
        app.clock.set(now + Duration::minutes(15 * quarter));
        jobs.runner.run_due().await.expect("ran");
    }
    assert_eq!(texts(&app, "rota-gap:").await.len(), 2);

    // Filling tonight's gap halfway leaves a new, shorter one: told too.
    let backup = app
        .add_staff("Сауле", "+77015550303", vec![Service::Legal], false)
        .await;
    shift(
        &app,
        backup,
        now + Duration::hours(8),
        now + Duration::hours(14),
    )
    .await;
    app.clock.set(now + Duration::minutes(15 * 9));
    jobs.runner.run_due().await.expect("ran");
    let told = texts(&app, "rota-gap:").await;
    assert_eq!(told.len(), 3);
    assert!(
        told.iter()
            .any(|(_, body)| body.contains("с 26.11 00:00 до 26.11 08:00")),
        "{told:?}"
    );
}

#[tokio::test]
async fn a_line_closed_at_night_has_no_gap_at_night() {
    let app = spawn_app().await;
    app.clock.set(wednesday_ten());
    app.store
        .put_line(
            "default",
            r#"{"services":["legal"],"hours":{"windows":[{"days":"mon-sun","from":"09:00","to":"18:00"}]}}"#,
            &audit(),
        )
        .await
        .expect("line kept");
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let lawyer = app
        .add_staff("Айгерим", LAWYER, vec![Service::Legal], false)
        .await;
    let now = app.clock.now();
    // Every day's open hours are covered for the next three days.
    for day in 0..3 {
        let nine = now - Duration::hours(1) + Duration::days(day);
        shift(&app, lawyer, nine, nine + Duration::hours(9)).await;
    }
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");
    app.clock.set(now + Duration::minutes(15));
    jobs.runner.run_due().await.expect("ran");
    assert!(texts(&app, "rota-gap:").await.is_empty());
}

#[tokio::test]
async fn the_coordinators_get_yesterdays_digest_at_nine() {
    let app = spawn_app().await;
    // Tuesday 12:00 in Shymkent.
    let tuesday_noon = wednesday_ten() - Duration::hours(22);
    app.clock.set(tuesday_noon);
    legal_only(&app).await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let lawyer = app
        .add_staff("Айгерим", LAWYER, vec![Service::Legal], false)
        .await;
    shift(
        &app,
        lawyer,
        tuesday_noon - Duration::hours(1),
        tuesday_noon + Duration::days(7),
    )
    .await;
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");

    // Tuesday: one call answered, one she hung up on while it rang (its follow-up stays open).
    // A line with one service asks only for her language.
    let answered = app.call("CA-DIGEST-1");
    let ringing = answered.presses(&answered.dials().await, "2").await;
    let (numbers, action) = dialled(&ringing).expect("the lawyer is rung");
    answered.person_presses(&numbers[0], "1").await;
    answered.dial_ends(&action, "completed", "120").await;
    answered.ends("3").await;
    let missed = app.call("CA-DIGEST-2");
    missed.presses(&missed.dials().await, "2").await;
    missed.ends("2").await;

    // Wednesday 08:59 nothing; 09:00 the digest of Tuesday.
    let nine = wednesday_ten() - Duration::hours(1);
    app.clock.set(nine - Duration::minutes(1));
    jobs.runner.run_due().await.expect("ran");
    assert!(texts(&app, "digest:").await.is_empty());
    app.clock.set(nine);
    jobs.runner.run_due().await.expect("ran");
    // It ends with the audit log's anchor: its newest entry (the shift added) and that hash.
    let (head_id, head_hash) = app.state.store.audit_head().await.expect("the head");
    assert!(head_id > 0);
    assert_eq!(
        texts(&app, "digest:").await,
        vec![(
            COORDINATOR.to_owned(),
            format!(
                "Сводка за 24.11.2026.\nЗвонков: 2.\n\
                 — юридическая помощь: отвечено 1, сброшено 1.\n\
                 Переписок не было.\n\
                 Ждут ответа: 1, самое давнее — 21 ч 00 мин.\n\
                 Пробелы в графике: юридическая помощь 01.12 12:00–….\n\
                 Отпечаток журнала: {head_id}:{}.",
                &head_hash[..16]
            )
        )]
    );
    // One digest a day, and Thursday's follows at Thursday's nine.
    app.clock.set(nine + Duration::hours(23));
    jobs.runner.run_due().await.expect("ran");
    assert_eq!(texts(&app, "digest:").await.len(), 1);
    app.clock.set(nine + Duration::days(1));
    jobs.runner.run_due().await.expect("ran");
    assert_eq!(texts(&app, "digest:").await.len(), 2);
}
