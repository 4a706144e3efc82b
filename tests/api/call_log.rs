//! The call log as the coordinator filters it (line, service, outcome, language), with callers'
//! numbers masked; a number revealed to a coordinator, which is audited before it is shown; and
//! the audit log read over the API.

use chrono::Duration;
use hotline::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{CALLER, TestApp, spawn_app};

/// The server's now moved by `hours`, ready for a query string.
fn around(app: &TestApp, hours: i64) -> String {
    (app.clock.now() + Duration::hours(hours))
        .to_rfc3339()
        .replace('+', "%2B")
}

fn ids(calls: &Value) -> Vec<i64> {
    calls
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn the_log_filters_by_service_outcome_and_language_and_reveals_a_number_with_an_audit() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let from = around(&app, -1);
    // Russian, legal, she hangs up while it rings; Kazakh, psychological, the same.
    let legal = app.call("CA-LOG-1");
    legal.chooses("2", "1").await;
    legal.ends("2").await;
    let psych = app.call("CA-LOG-2");
    psych.chooses("1", "2").await;
    psych.ends("2").await;
    let (legal, psych) = (legal.record().await.id, psych.record().await.id);
    let to = around(&app, 1);
    let token = app.api_token().await;
    let get = |query: &str| {
        let path = format!("/api/v1/calls?from={from}&to={to}{query}");
        let (app, token) = (&app, token.clone());
        async move { app.api(Method::GET, &path, &token, None).await }
    };
    let (status, all) = get("").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(ids(&all), vec![legal, psych]);
    for call in all.as_array().expect("a list") {
        let shown = call["caller"].as_str().expect("masked");
        assert!(
            shown.contains('•') && !shown.contains(&CALLER[3..9]),
            "{shown}"
        );
    }
    assert_eq!(ids(&get("&service=legal").await.1), vec![legal]);
    assert_eq!(ids(&get("&language=kk").await.1), vec![psych]);
    assert_eq!(ids(&get("&outcome=abandoned").await.1), vec![legal, psych]);
    assert_eq!(ids(&get("&outcome=answered").await.1), Vec::<i64>::new());
    assert_eq!(ids(&get("&line=%2B70000000000").await.1), Vec::<i64>::new());
    let (status, refused) = get("&outcome=lost").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "outcome");

    let (status, revealed) = app
        .api(
            Method::POST,
            &format!("/api/v1/calls/{legal}/reveal"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revealed}");
    assert_eq!(revealed["caller"], CALLER);
    let audit = app.store.audit_log(5).await.expect("read");
    let reveal = audit
        .iter()
        .find(|e| e.entry.action == "reveal-number")
        .expect("the reveal is audited");
    assert_eq!(reveal.entry.subject, format!("call/{legal}"));
    assert!(
        reveal.entry.actor.contains("coordinator-script"),
        "{:?}",
        reveal.entry
    );
    let (status, _) = app
        .api(Method::POST, "/api/v1/calls/999999/reveal", &token, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The audit log over the API: the reveal is its newest entry.
    let (status, newest) = app
        .api(Method::GET, "/api/v1/audit?limit=1", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{newest}");
    assert_eq!(newest[0]["action"], "reveal-number");
    assert_eq!(newest[0]["subject"], format!("call/{legal}"));
    let (status, refused) = app
        .api(Method::GET, "/api/v1/audit?limit=0", &token, None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "limit");
}

#[tokio::test]
async fn the_message_log_lists_conversations_by_channel_service_and_status_with_numbers_masked() {
    use crate::messages::{HER, LAWYER, PSYCHOLOGIST, code_in};
    use hotline_schedules::Service;

    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;
    let from = around(&app, -1);
    let other = "+77079998877";
    app.text("SM01", HER, "Нужен юрист").await;
    let code = code_in(&app.last_text_to(LAWYER).await.body);
    app.text("SM02", &format!("whatsapp:{other}"), "психолог, пожалуйста")
        .await;
    app.text("SM03", LAWYER, &format!("DONE {code}")).await;
    let to = around(&app, 1);
    let token = app.api_token().await;
    let get = |query: &str| {
        let path = format!("/api/v1/conversations?from={from}&to={to}{query}");
        let (app, token) = (&app, token.clone());
        async move { app.api(Method::GET, &path, &token, None).await }
    };
    let codes = |log: &Value| -> Vec<String> {
        log.as_array()
            .expect("a list")
            .iter()
            .map(|c| c["code"].as_str().expect("a code").to_owned())
            .collect()
    };

    let (status, all) = get("").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    for conversation in all.as_array().expect("a list") {
        let shown = conversation["contact"].as_str().expect("masked");
        assert!(shown.contains('•'), "{shown}");
        assert!(
            !shown.contains("123456") && !shown.contains("999887"),
            "{shown}"
        );
    }
    assert!(!all.to_string().contains("Нужен юрист"), "never her words");
    let whatsapp = get("&channel=whatsapp").await.1;
    assert_eq!(whatsapp[0]["service"], "psychological");
    assert_eq!(codes(&get("&service=legal").await.1), vec![code.clone()]);
    assert_eq!(codes(&get("&status=closed").await.1), vec![code]);
    assert_eq!(
        get("&status=open").await.1.as_array().map(Vec::len),
        Some(1)
    );
    let (status, refused) = get("&channel=fax").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "channel");
}
