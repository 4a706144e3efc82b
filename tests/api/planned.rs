//! "Call her back on the day of the court": a follow-up planned over the API on a conversation
//! or a call reaches its staff member at that time, once, with the note; a cancelled one never
//! does; the note is sealed and kept out of the audit log.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hotline::jobs::Jobs;
use hotline::jobs::runner::JobSettings;
use hotline_schedules::Service;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::messages::{HER, LAWYER, code_in};

/// 10:00 in Shymkent (UTC+5) on Wednesday 25 November.
fn wednesday_ten() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0)
        .single()
        .expect("valid")
}

async fn planned_texts(app: &TestApp) -> Vec<(String, String)> {
    app.outbox()
        .await
        .into_iter()
        .filter(|sent| sent.key.starts_with("planned-follow-up:"))
        .map(|sent| (sent.to, sent.body))
        .collect()
}

#[tokio::test]
async fn a_planned_call_back_reaches_its_lawyer_at_that_time_with_the_note() {
    let app = spawn_app().await;
    app.clock.set(wednesday_ten());
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", HER, "Мне нужна помощь с иском").await;
    let code = code_in(&app.last_text_to(LAWYER).await.body);
    let token = app.api_token().await;
    let jobs = Jobs::new(&app.state, JobSettings::default());

    // Thursday 10:00 local, the day before her court date.
    let plan = json!({ "code": code.to_lowercase(), "staff_id": lawyer,
        "at": "2026-11-26T05:00:00Z", "note": "суд в пятницу в 14:00" });
    let (status, created) = app
        .api(
            Method::POST,
            "/api/v1/planned-follow-ups",
            &token,
            Some(plan),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], code.as_str());
    assert_eq!(created["status"], "planned");
    assert_eq!(created["note"], "суд в пятницу в 14:00");
    let (_, listed) = app
        .api(Method::GET, "/api/v1/planned-follow-ups", &token, None)
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let audit = app.store.audit_log(5).await.expect("read");
    let entry = audit
        .iter()
        .find(|e| e.entry.action == "plan-follow-up")
        .expect("audited");
    assert!(
        !format!("{entry:?}").contains("суд"),
        "the note stays out of the audit log: {entry:?}"
    );

    let due = Utc
        .with_ymd_and_hms(2026, 11, 26, 5, 0, 0)
        .single()
        .expect("valid");
    app.clock.set(due - Duration::seconds(1));
    jobs.runner.run_due().await.expect("ran");
    assert!(planned_texts(&app).await.is_empty(), "not early");
    app.clock.set(due);
    jobs.runner.run_due().await.expect("ran");
    let expected = vec![(
        LAWYER.to_owned(),
        format!(
            "Запланировано на 26.11 10:00: связаться с ней по обращению {code}. \
             Заметка: суд в пятницу в 14:00. Ответ: «{code} текст», звонок ей: «CALL {code}»."
        ),
    )];
    assert_eq!(planned_texts(&app).await, expected);
    app.clock.set(due + Duration::hours(1));
    jobs.runner.run_due().await.expect("ran");
    assert_eq!(planned_texts(&app).await, expected, "once");
    let (_, listed) = app
        .api(Method::GET, "/api/v1/planned-follow-ups", &token, None)
        .await;
    assert_eq!(listed, json!([]), "done, no longer upcoming");
}

#[tokio::test]
async fn a_cancelled_plan_sends_nothing_and_bad_plans_are_refused_by_field() {
    let app = spawn_app().await;
    app.clock.set(wednesday_ten());
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let call = app.call("CA-PLAN");
    call.chooses("2", "1").await;
    call.ends("2").await;
    let call_id = call.record().await.id;
    let token = app.api_token().await;
    let jobs = Jobs::new(&app.state, JobSettings::default());

    let refused = [
        (
            json!({ "staff_id": lawyer, "at": "2026-11-26T05:00:00Z" }),
            "code",
        ),
        (
            json!({ "code": "K7Q", "call_id": call_id, "staff_id": lawyer, "at": "2026-11-26T05:00:00Z" }),
            "code",
        ),
        (
            json!({ "code": "ZZZ", "staff_id": lawyer, "at": "2026-11-26T05:00:00Z" }),
            "code",
        ),
        (
            json!({ "call_id": 999_999, "staff_id": lawyer, "at": "2026-11-26T05:00:00Z" }),
            "call_id",
        ),
        (
            json!({ "call_id": call_id, "staff_id": 999_999, "at": "2026-11-26T05:00:00Z" }),
            "staff_id",
        ),
        (
            json!({ "call_id": call_id, "staff_id": lawyer, "at": "2026-11-24T05:00:00Z" }),
            "at",
        ),
        (
            json!({ "call_id": call_id, "staff_id": lawyer, "at": "2026-11-26T05:00:00Z", "note": "я".repeat(501) }),
            "note",
        ),
    ];
    for (plan, field) in refused {
        let (status, answer) = app
            .api(
                Method::POST,
                "/api/v1/planned-follow-ups",
                &token,
                Some(plan.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{plan}: {answer}");
        assert_eq!(answer["field"], field, "{plan}: {answer}");
    }

    let plan = json!({ "call_id": call_id, "staff_id": lawyer, "at": "2026-11-26T05:00:00Z" });
    let (status, created) = app
        .api(
            Method::POST,
            "/api/v1/planned-follow-ups",
            &token,
            Some(plan),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let path = format!("/api/v1/planned-follow-ups/{}", created["id"]);
    let (status, _) = app.api(Method::DELETE, &path, &token, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.api(Method::DELETE, &path, &token, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "cancelled already");
    let (status, _) = app
        .api(
            Method::DELETE,
            "/api/v1/planned-follow-ups/999999",
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.clock.set(wednesday_ten() + Duration::days(2));
    jobs.runner.run_due().await.expect("ran");
    assert!(planned_texts(&app).await.is_empty());
}
