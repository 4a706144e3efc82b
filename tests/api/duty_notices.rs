//! Each person hears of their own duty, fast-forwarded with the manual clock: a reminder before
//! a stretch starts, and a notice when an edit adds, moves or removes one of theirs ahead.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hotline::jobs::Jobs;
use hotline::jobs::runner::JobSettings;
use hotline::rota::spec::ShiftSpec;
use hotline_schedules::Service;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, audit, spawn_app};
use crate::voice::LAWYER;

/// 10:00 in Shymkent (UTC+5) on Wednesday 25 November.
fn wednesday_ten() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0)
        .single()
        .expect("valid")
}

/// Texts queued under keys that start with `prefix`, as (to, body), oldest first.
async fn texts(app: &TestApp, prefix: &str) -> Vec<(String, String)> {
    app.store
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
        .collect()
}

async fn watch_at(app: &TestApp, jobs: &Jobs, at: DateTime<Utc>) {
    app.clock.set(at);
    jobs.runner.run_due().await.expect("ran");
}

#[tokio::test]
async fn a_lawyer_is_reminded_twelve_hours_before_her_duty_starts_once() {
    let app = spawn_app().await;
    let now = wednesday_ten();
    app.clock.set(now);
    let lawyer = app
        .add_staff("Айгерим", LAWYER, vec![Service::Legal], false)
        .await;
    // Thursday 08:00–20:00 local.
    let starts = now + Duration::hours(22);
    let rule = ShiftSpec {
        staff_id: lawyer,
        service: Service::Legal,
        position: 0,
        starts_at: starts,
        ends_at: starts + Duration::hours(12),
    }
    .to_rule(now - Duration::minutes(1));
    app.store
        .create_rules(&[rule], &audit())
        .await
        .expect("shift added");
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");

    watch_at(&app, &jobs, now + Duration::minutes(5)).await;
    let due = starts - Duration::hours(12);
    watch_at(&app, &jobs, due - Duration::minutes(1)).await;
    assert!(texts(&app, "shift-reminder:").await.is_empty(), "not early");
    watch_at(&app, &jobs, due + Duration::minutes(4)).await;
    let expected = vec![(
        LAWYER.to_owned(),
        "Напоминание: ваше дежурство (юрист) начинается завтра 26.11 в 08:00 и идёт до 20:00."
            .to_owned(),
    )];
    assert_eq!(texts(&app, "shift-reminder:").await, expected);
    for minutes in [9, 14, 60] {
        watch_at(&app, &jobs, due + Duration::minutes(minutes)).await;
    }
    assert_eq!(texts(&app, "shift-reminder:").await, expected, "once");
}

#[tokio::test]
async fn a_reminder_due_while_the_server_was_down_comes_when_it_is_back() {
    let app = spawn_app().await;
    let now = wednesday_ten();
    app.clock.set(now);
    let lawyer = app
        .add_staff("Айгерим", LAWYER, vec![Service::Legal], false)
        .await;
    let starts = now + Duration::hours(14);
    let rule = ShiftSpec {
        staff_id: lawyer,
        service: Service::Legal,
        position: 0,
        starts_at: starts,
        ends_at: starts + Duration::hours(10),
    }
    .to_rule(now - Duration::minutes(1));
    app.store
        .create_rules(&[rule], &audit())
        .await
        .expect("shift added");
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");
    watch_at(&app, &jobs, now + Duration::minutes(5)).await;
    // Down from 10:05 until 13:00; the reminder was due at 12:00.
    watch_at(&app, &jobs, now + Duration::hours(3)).await;
    assert_eq!(
        texts(&app, "shift-reminder:").await,
        vec![(
            LAWYER.to_owned(),
            "Напоминание: ваше дежурство (юрист) начинается завтра 26.11 в 00:00 и идёт до 10:00."
                .to_owned()
        )]
    );
}

#[tokio::test]
async fn a_shift_added_moved_and_removed_through_the_api_is_told_to_its_person() {
    let app = spawn_app().await;
    let now = wednesday_ten();
    app.clock.set(now);
    let lawyer = app
        .add_staff("Айгерим", LAWYER, vec![Service::Legal], false)
        .await;
    let token = app.api_token().await;
    let jobs = Jobs::new(&app.state, JobSettings::default());
    jobs.start().await.expect("started");
    watch_at(&app, &jobs, now + Duration::minutes(5)).await;
    assert!(texts(&app, "shift-change:").await.is_empty());

    // Friday 09:00–18:00 local.
    let shift = json!({ "staff_id": lawyer, "service": "legal",
        "starts_at": "2026-11-27T04:00:00Z", "ends_at": "2026-11-27T13:00:00Z" });
    let (status, created) = app
        .api(Method::POST, "/api/v1/shifts", &token, Some(shift))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("an id");
    watch_at(&app, &jobs, now + Duration::minutes(10)).await;

    let moved = json!({ "staff_id": lawyer, "service": "legal",
        "starts_at": "2026-11-27T05:00:00Z", "ends_at": "2026-11-27T13:00:00Z" });
    let (status, replaced) = app
        .api(
            Method::PUT,
            &format!("/api/v1/shifts/{id}"),
            &token,
            Some(moved),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    let id = replaced["id"].as_i64().expect("the new version's id");
    watch_at(&app, &jobs, now + Duration::minutes(15)).await;

    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/shifts/{id}"),
            &token,
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");
    watch_at(&app, &jobs, now + Duration::minutes(20)).await;
    watch_at(&app, &jobs, now + Duration::minutes(25)).await;

    let told: Vec<String> = texts(&app, "shift-change:")
        .await
        .into_iter()
        .map(|(to, body)| {
            assert_eq!(to, LAWYER);
            body
        })
        .collect();
    assert_eq!(
        told,
        vec![
            "Вам назначено дежурство (юрист): 27.11 09:00–18:00.",
            "Ваше дежурство (юрист) изменено: было 27.11 09:00–18:00, теперь 27.11 10:00–18:00.",
            "Ваше дежурство (юрист) 27.11 10:00–18:00 отменено.",
        ]
    );
}
