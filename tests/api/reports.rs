//! The donors' monthly report over HTTP: real calls and texts in October and November, through
//! signed webhooks with the clock moved between them, then the month's JSON has the exact counts
//! and times, the CSV exactly its lines and nothing of hers, and each chart is well-formed SVG
//! with no script.

use chrono::{Duration, TimeZone, Utc};
use hotline::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, incoming_call, spawn_app};
use crate::messages::code_in;
use crate::voice::{Call, LAWYER, PSYCHOLOGIST, dialled, records_voicemail, twiml};

/// The women who reach the hotline in the story (each a number of her own).
const AIGUL: &str = "+77071110001";
const BOTA: &str = "+77072220002";
const DINA: &str = "+77073330003";
const ZHANAR: &str = "+77074440004";
const ELENA: &str = "+77075550005";
const FARIDA: &str = "+77076660006";
const HERS: [&str; 6] = [AIGUL, BOTA, DINA, ZHANAR, ELENA, FARIDA];

impl Call<'_> {
    /// She (`from`) dials the hotline and chooses a language and a service by keypad.
    async fn placed_by_choosing(&self, from: &str, language: &str, service: &str) {
        let languages = self.placed_by(from).await;
        let services = self.presses(&languages, language).await;
        self.presses(&services, service).await;
    }

    /// She (`from`) dials the hotline: what she hears first, the language menu.
    async fn placed_by(&self, from: &str) -> hotline_routes::twiml::VoiceResponse {
        let mut params = incoming_call(&self.sid);
        for (name, value) in &mut params {
            if name == "From" || name == "Caller" {
                *value = from.to_owned();
            }
        }
        twiml(self.app.post_signed("/webhooks/voice", &params).await).await
    }
}

impl TestApp {
    /// Sets the server's clock to a wall-clock time of 2026 in Almaty (UTC+5).
    fn set_local(&self, month: u32, day: u32, hour: u32, minute: u32) {
        let local = Utc
            .with_ymd_and_hms(2026, month, day, hour, minute, 0)
            .single()
            .expect("a real time");
        self.clock.set(local - Duration::hours(5));
    }
}

/// The person rung for `call` (the first number of the dial) accepts after `wait` seconds.
async fn accepted_after(
    app: &TestApp,
    call: &Call<'_>,
    ringing: &hotline_routes::twiml::VoiceResponse,
    wait: i64,
) {
    let (numbers, action) = dialled(ringing).expect("someone is rung");
    app.clock.advance(Duration::seconds(wait));
    call.person_presses(&numbers[0], "1").await;
    app.clock.advance(Duration::seconds(60));
    call.dial_ends(&action, "completed", "60").await;
}

/// October: Aigul calls and is answered; Bota writes by SMS and is not answered.
async fn october(app: &TestApp) {
    app.set_local(10, 20, 9, 0);
    app.usual_rota().await;
    let call = app.call("CA01");
    let languages = call.placed_by(AIGUL).await;
    let services = call.presses(&languages, "2").await;
    let ringing = call.presses(&services, "1").await;
    accepted_after(app, &call, &ringing, 20).await;
    call.ends("1").await;
    app.text("SM01", BOTA, "юрист, помогите").await;
}

/// November, the month reported.
async fn november(app: &TestApp, token: &str) {
    // Local midnight on 1 November: the first instant of the month.
    app.set_local(11, 1, 0, 0);
    app.usual_rota().await;
    // Aigul again (a repeat caller), in Russian for legal help: the lawyer accepts after 30 s.
    let call = app.call("CA11");
    let languages = call.placed_by(AIGUL).await;
    let services = call.presses(&languages, "2").await;
    let ringing = call.presses(&services, "1").await;
    accepted_after(app, &call, &ringing, 30).await;
    call.ends("1").await;

    app.set_local(11, 10, 10, 0);
    app.usual_rota().await;
    // Dina, new, for psychological help: the psychologist accepts after 90 s.
    let call = app.call("CA12");
    let languages = call.placed_by(DINA).await;
    let services = call.presses(&languages, "2").await;
    let ringing = call.presses(&services, "2").await;
    accepted_after(app, &call, &ringing, 90).await;
    call.ends("1").await;
    // Zhanar hangs up at the greeting, before choosing anything: she is owed a call back too.
    let call = app.call("CA13");
    call.placed_by(ZHANAR).await;
    call.ends("1").await;
    // Elena asks for a lawyer; neither the lawyer nor the backup accepts; she leaves a voicemail.
    let call = app.call("CA14");
    let languages = call.placed_by(ELENA).await;
    let services = call.presses(&languages, "2").await;
    let mut next = call.presses(&services, "1").await;
    while let Some((_, action)) = dialled(&next) {
        next = call.dial_ends(&action, "no-answer", "0").await;
    }
    assert!(records_voicemail(&next), "she is offered voicemail");
    call.leaves_voicemail().await;
    call.ends("2").await;
    let voicemail = app
        .store
        .call_by_sid("CA14")
        .await
        .expect("read")
        .expect("kept");
    let follow_up = app
        .store
        .open_follow_ups()
        .await
        .expect("read")
        .into_iter()
        .find(|f| f.call_id == Some(voicemail.id))
        .expect("she is owed a call back");
    // An hour later the coordinator marks it answered.
    app.clock.advance(Duration::hours(1));
    let (status, answered) = app
        .api(
            Method::POST,
            &format!("/api/v1/follow-ups/{}/answered", follow_up.id),
            token,
            Some(json!({ "note": "called back" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");

    // Bota (who wrote in October) writes on WhatsApp; the lawyer replies 7 minutes later.
    app.set_local(11, 20, 22, 0);
    app.usual_rota().await;
    app.text("SM11", &format!("whatsapp:{BOTA}"), "нужен юрист")
        .await;
    let code = code_in(&app.last_text_to(LAWYER).await.body);
    app.clock.advance(Duration::minutes(7));
    app.text(
        "SM12",
        LAWYER,
        &format!("{code} Здравствуйте, я юрист. Чем помочь?"),
    )
    .await;
    assert_eq!(
        app.texts_to(BOTA).await.len(),
        1,
        "the reply is queued to her"
    );
    // Farida writes by SMS for a psychologist; nobody has replied yet.
    app.text("SM13", FARIDA, "психолог").await;
    assert!(!app.last_text_to(PSYCHOLOGIST).await.body.is_empty());

    // December's first instant (local midnight): the next month's.
    app.set_local(12, 1, 0, 0);
    app.usual_rota().await;
    let call = app.call("CA21");
    call.placed_by_choosing(FARIDA, "1", "1").await;
}

async fn get_text(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.expect("a body"))
}

#[tokio::test]
async fn the_monthly_report_counts_novembers_contacts_exactly() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    october(&app).await;
    november(&app, &token).await;

    let (status, report) = app
        .api(
            Method::GET,
            "/api/v1/reports/monthly?month=2026-11",
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let group = |name: &str, calls: u32, texts: u32| json!({ "group": name, "calls": calls, "texts": texts, "total": calls + texts });
    assert_eq!(
        report,
        json!({
            "month": "2026-11",
            "contacts": { "calls": 4, "texts": 2, "total": 6 },
            "by_service": [
                group("legal", 2, 1),
                group("psychological", 1, 1),
                group("mens", 0, 0),
                group("none", 1, 0),
            ],
            "by_outcome": [
                group("answered", 2, 1),
                group("voicemail", 1, 0),
                group("missed", 0, 0),
                group("abandoned", 1, 0),
                group("blocked", 0, 0),
                group("closed", 0, 0),
                group("in_progress", 0, 0),
                group("unanswered", 0, 1),
            ],
            "by_language": [group("kk", 0, 0), group("ru", 3, 0), group("none", 1, 2)],
            "by_channel": [group("voice", 4, 0), group("sms", 0, 1), group("whatsapp", 0, 1)],
            "callers": { "people": 6, "new": 4, "repeat": 2 },
            "answer_rate": { "answered": 2, "reached_service": 3, "percent": 67 },
            "time_to_person": {
                "calls": { "count": 2, "median_secs": 30, "p90_secs": 90 },
                "texts": { "count": 1, "median_secs": 420, "p90_secs": 420 },
            },
            "follow_ups": {
                // Zhanar's and Elena's calls, Bota's and Farida's texts.
                "opened": 4,
                "answered": 1,
                "time_to_answer": { "count": 1, "median_secs": 3600, "p90_secs": 3600 },
            },
        })
    );

    // Retention erases her number and words from closed contacts; the counts stay as they were.
    let long_after = app.clock.now() + Duration::days(400);
    let erased = app
        .store
        .erase_closed_contacts(long_after, long_after)
        .await
        .expect("erased");
    assert!(erased.calls >= 4, "{erased:?}");
    let (_, after_retention) = app
        .api(
            Method::GET,
            "/api/v1/reports/monthly?month=2026-11",
            &token,
            None,
        )
        .await;
    assert_eq!(after_retention, report);

    let (status, october) = app
        .api(
            Method::GET,
            "/api/v1/reports/monthly?month=2026-10",
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        october["contacts"],
        json!({ "calls": 1, "texts": 1, "total": 2 })
    );
    assert_eq!(
        october["callers"],
        json!({ "people": 2, "new": 2, "repeat": 0 })
    );
    assert_eq!(
        october["time_to_person"]["calls"],
        json!({ "count": 1, "median_secs": 20, "p90_secs": 20 })
    );
    assert_eq!(october["answer_rate"]["percent"], 100);

    // Without a month: the month the hotline's clocks are in (December, from local midnight).
    let (_, now) = app
        .api(Method::GET, "/api/v1/reports/monthly", &token, None)
        .await;
    assert_eq!(now["month"], "2026-12");
    assert_eq!(now["contacts"]["total"], 1);
    assert_eq!(
        now["callers"],
        json!({ "people": 1, "new": 0, "repeat": 1 })
    );
}

#[tokio::test]
async fn the_csv_is_totals_only_with_nothing_of_hers() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    october(&app).await;
    november(&app, &token).await;

    let (status, content_type, csv) =
        get_text(&app, "/api/v1/reports/monthly.csv?month=2026-11", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        vec![
            "month,measure,group,value",
            "2026-11,contacts,all,6",
            "2026-11,contacts,calls,4",
            "2026-11,contacts,texts,2",
            "2026-11,service,legal,3",
            "2026-11,service,psychological,2",
            "2026-11,service,mens,0",
            "2026-11,service,none,1",
            "2026-11,outcome,answered,3",
            "2026-11,outcome,voicemail,1",
            "2026-11,outcome,missed,0",
            "2026-11,outcome,abandoned,1",
            "2026-11,outcome,blocked,0",
            "2026-11,outcome,closed,0",
            "2026-11,outcome,in_progress,0",
            "2026-11,outcome,unanswered,1",
            "2026-11,language,kk,0",
            "2026-11,language,ru,3",
            "2026-11,language,none,3",
            "2026-11,channel,voice,4",
            "2026-11,channel,sms,1",
            "2026-11,channel,whatsapp,1",
            "2026-11,callers,people,6",
            "2026-11,callers,new,4",
            "2026-11,callers,repeat,2",
            "2026-11,answer_rate,answered,2",
            "2026-11,answer_rate,reached_service,3",
            "2026-11,answer_rate,percent,67",
            "2026-11,time_to_person_calls,count,2",
            "2026-11,time_to_person_calls,median_seconds,30",
            "2026-11,time_to_person_calls,p90_seconds,90",
            "2026-11,time_to_person_texts,count,1",
            "2026-11,time_to_person_texts,median_seconds,420",
            "2026-11,time_to_person_texts,p90_seconds,420",
            "2026-11,follow_ups,opened,4",
            "2026-11,follow_ups,answered,1",
            "2026-11,follow_ups,median_seconds_to_answer,3600",
            "2026-11,follow_ups,p90_seconds_to_answer,3600",
        ]
    );
    let digits_only: String = csv.chars().filter(char::is_ascii_digit).collect();
    for her in HERS {
        // Her number without the country code, even with the cells' digits run together.
        let local = &her[2..];
        assert!(!csv.contains(local), "{her} in the CSV");
        assert!(!digits_only.contains(local), "{her} in the CSV's digits");
    }
    let hash = app.data_key.hash(AIGUL);
    assert!(!csv.contains(&hash[..8]), "never her hash");
}

#[tokio::test]
async fn every_chart_is_well_formed_svg_with_a_title_and_no_script() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    october(&app).await;
    november(&app, &token).await;

    for chart in ["services", "outcomes", "languages", "channels", "callers"] {
        let (status, content_type, svg) = get_text(
            &app,
            &format!("/api/v1/reports/monthly.svg?month=2026-11&chart={chart}"),
            &token,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{svg}");
        assert!(content_type.starts_with("image/svg+xml"), "{content_type}");
        assert!(!svg.to_lowercase().contains("<script"), "{svg}");
        let mut reader = quick_xml::Reader::from_str(&svg);
        let (mut root, mut title, mut depth) = (None, String::new(), 0);
        let mut in_title = false;
        loop {
            match reader
                .read_event()
                .unwrap_or_else(|e| panic!("{chart}: {e}\n{svg}"))
            {
                quick_xml::events::Event::Start(tag) => {
                    let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
                    root.get_or_insert_with(|| name.clone());
                    in_title = depth == 1 && name == "title";
                    depth += 1;
                }
                quick_xml::events::Event::End(_) => {
                    depth -= 1;
                    in_title = false;
                }
                quick_xml::events::Event::Text(text) if in_title => {
                    title.push_str(&text.decode().expect("utf-8"));
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "{chart}: every element closed");
        assert_eq!(root.as_deref(), Some("svg"), "{chart}");
        assert!(
            title.contains("2026-11"),
            "{chart}: an accessible title: {title:?}"
        );
        for her in HERS {
            assert!(!svg.contains(&her[2..]), "{her} in the {chart} chart");
        }
    }
    let (status, _, answer) = get_text(
        &app,
        "/api/v1/reports/monthly.svg?month=2026-11&chart=pie",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.contains("services"), "{answer}");
}

#[tokio::test]
async fn a_report_needs_a_token_and_a_real_month() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    for path in [
        "/api/v1/reports/monthly?month=2026-11",
        "/api/v1/reports/monthly.csv?month=2026-11",
        "/api/v1/reports/monthly.svg?month=2026-11&chart=services",
    ] {
        let (status, _, _) = get_text(&app, path, "hl_wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    for month in ["2026-13", "2026-1", "november"] {
        let (status, body) = app
            .api(
                Method::GET,
                &format!("/api/v1/reports/monthly?month={month}"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{month}");
        assert_eq!(body["field"], "month", "{body}");
    }
    let document: serde_json::Value = app
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    for path in [
        "/api/v1/reports/monthly",
        "/api/v1/reports/monthly.csv",
        "/api/v1/reports/monthly.svg",
    ] {
        assert!(
            document["paths"][path]["get"].is_object(),
            "{path} is described"
        );
    }
    // An empty month is all zeros, with no times to show.
    let (status, empty) = app
        .api(
            Method::GET,
            "/api/v1/reports/monthly?month=2026-11",
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["contacts"]["total"], 0);
    assert_eq!(empty["answer_rate"]["percent"], serde_json::Value::Null);
}
