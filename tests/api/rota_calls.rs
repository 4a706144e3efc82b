//! The rota over HTTP and the calls it routes: what `/on-duty` names at an instant is whom a call
//! placed at that instant rings, across handoffs, edits, swaps and gaps.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

impl TestApp {
    async fn add_person(&self, token: &str, name: &str, phone: &str, languages: Value) -> i64 {
        let body = json!({ "name": name, "phone": phone, "services": ["legal"], "languages": languages, "gender": "female" });
        let (status, person) = self
            .api(Method::POST, "/api/v1/staff", token, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{person}");
        person["id"].as_i64().expect("an id")
    }

    /// The phones `/on-duty` names for legal help at `instant`, in order.
    async fn named_on_duty(&self, token: &str, instant: &str) -> Vec<String> {
        let path = format!(
            "/api/v1/on-duty?service=legal&at={}",
            instant.replace('+', "%2B")
        );
        let (status, people) = self.api(Method::GET, &path, token, None).await;
        assert_eq!(status, StatusCode::OK, "{people}");
        people
            .as_array()
            .expect("a list")
            .iter()
            .map(|p| p["phone"].as_str().expect("a phone").to_owned())
            .collect()
    }

    /// Places a signed call with the server's clock at `instant`; returns the number it rings.
    async fn call_rings_at(&self, instant: &str, call_sid: &str) -> Option<String> {
        self.clock.set(at(instant));
        // Russian, then legal help.
        let call = self.call(call_sid);
        let ringing = call.chooses("2", "1").await;
        // She hangs up, so the person rung is free for the next call.
        call.ends("9").await;
        crate::voice::numbers_rung(&ringing).into_iter().next()
    }
}

const AIGERIM: &str = "+77015550101";
const DANA: &str = "+77015550102";

/// Two lawyers taking daily turns at 09:00 Almaty time (04:00Z), from 1 December 2026.
async fn daily_rotation(app: &TestApp, token: &str) -> (i64, i64, i64) {
    app.clock.set(at("2026-11-30T12:00:00Z"));
    let aigerim = app
        .add_person(token, "Айгерим", AIGERIM, json!(["kk", "ru"]))
        .await;
    let dana = app.add_person(token, "Дана", DANA, json!(["ru"])).await;
    let rotation = json!({ "name": "Юристы", "service": "legal", "members": [aigerim, dana],
        "zone": "Asia/Almaty", "start": "2026-12-01T09:00:00", "handoff": { "every": 1, "unit": "days" } });
    let (status, created) = app
        .api(Method::POST, "/api/v1/rotations", token, Some(rotation))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (aigerim, dana, created["id"].as_i64().expect("an id"))
}

#[tokio::test]
async fn a_call_at_each_instant_rings_the_person_on_duty_names_across_a_handoff() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    daily_rotation(&app, &token).await;

    let instants = [
        ("2026-12-01T10:00:00Z", AIGERIM),
        ("2026-12-02T03:59:59Z", AIGERIM),
        ("2026-12-02T04:00:00Z", DANA),
        ("2026-12-02T20:00:00Z", DANA),
        ("2026-12-03T04:00:00Z", AIGERIM),
    ];
    for (index, (instant, expected)) in instants.into_iter().enumerate() {
        let named = app.named_on_duty(&token, instant).await;
        assert_eq!(named, vec![expected.to_owned()], "at {instant}");
        let rung = app.call_rings_at(instant, &format!("CA{index:032}")).await;
        assert_eq!(
            rung.as_deref(),
            Some(expected),
            "a call at {instant} rings whom /on-duty named"
        );
    }
    assert!(
        app.named_on_duty(&token, "2026-12-01T03:59:59Z")
            .await
            .is_empty(),
        "nobody before the first handoff"
    );
}

#[tokio::test]
async fn the_caller_language_orders_the_people_on_duty() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (_, dana, _) = daily_rotation(&app, &token).await;
    let add = json!({ "service": "legal", "kind": "add", "staff_id": dana, "starts_at": "2026-12-01T04:00:00Z", "ends_at": "2026-12-02T04:00:00Z" });
    let (status, _) = app
        .api(Method::POST, "/api/v1/overrides", &token, Some(add))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, russian) = app
        .api(
            Method::GET,
            "/api/v1/on-duty?service=legal&language=ru&at=2026-12-01T10:00:00Z",
            &token,
            None,
        )
        .await;
    let positions: Vec<_> = russian
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| (p["phone"].clone(), p["position"].clone()))
        .collect();
    assert_eq!(
        positions,
        vec![
            (json!(AIGERIM), json!("primary")),
            (json!(DANA), json!("added"))
        ]
    );
    let (_, kazakh) = app
        .api(
            Method::GET,
            "/api/v1/on-duty?service=legal&language=kk&at=2026-12-01T10:00:00Z",
            &token,
            None,
        )
        .await;
    assert_eq!(kazakh[0]["speaks_language"], true);
    assert_eq!(kazakh[1]["speaks_language"], false);
}

#[tokio::test]
async fn an_edit_never_changes_who_was_on_duty_before_it() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (aigerim, dana, rotation) = daily_rotation(&app, &token).await;
    app.clock.set(at("2026-12-01T12:00:00Z"));
    let reversed = json!({ "name": "Юристы", "service": "legal", "members": [dana, aigerim],
        "zone": "Asia/Almaty", "start": "2026-12-01T09:00:00", "handoff": { "every": 1, "unit": "days" } });
    let (status, edited) = app
        .api(
            Method::PUT,
            &format!("/api/v1/rotations/{rotation}"),
            &token,
            Some(reversed),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        app.named_on_duty(&token, "2026-12-01T10:00:00Z").await,
        vec![AIGERIM],
        "before the edit: as it was"
    );
    assert_eq!(
        app.named_on_duty(&token, "2026-12-01T13:00:00Z").await,
        vec![DANA],
        "after the edit: the new order"
    );
}

#[tokio::test]
async fn a_second_rotation_at_the_same_position_is_refused_with_a_clear_conflict() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (aigerim, _, rotation) = daily_rotation(&app, &token).await;
    let clash = json!({ "name": "Ночные", "service": "legal", "members": [aigerim], "start": "2026-12-05T21:00:00",
        "handoff": { "every": 1, "unit": "weeks" }, "windows": [{ "days": ["sat", "sun"], "from": "21:00", "to": "09:00" }] });
    let (status, answer) = app
        .api(
            Method::POST,
            "/api/v1/rotations",
            &token,
            Some(clash.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .expect("a message")
            .contains(&format!("rotation {rotation}")),
        "{answer}"
    );
    let mut backup = clash;
    backup["position"] = json!(1);
    let (status, answer) = app
        .api(Method::POST, "/api/v1/rotations", &token, Some(backup))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the backup position is free: {answer}"
    );
}

#[tokio::test]
async fn gaps_show_where_nobody_is_on_duty() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    daily_rotation(&app, &token).await;
    let (status, gaps) = app
        .api(
            Method::GET,
            "/api/v1/gaps?service=legal&from=2026-11-30T00:00:00Z&to=2026-12-03T00:00:00Z",
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{gaps}");
    assert_eq!(
        gaps,
        json!([{ "starts_at": "2026-11-30T00:00:00Z", "ends_at": "2026-12-01T04:00:00Z" }])
    );
    let (status, answer) = app
        .api(
            Method::GET,
            "/api/v1/gaps?service=legal&from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("to")),
        "a range is bounded"
    );
    let (status, answer) = app
        .api(
            Method::GET,
            "/api/v1/gaps?service=legal&from=yesterday&to=2026-12-03T00:00:00Z",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
    );
}

#[tokio::test]
async fn two_lawyers_swap_two_days_in_one_step_and_calls_follow() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (aigerim, dana, _) = daily_rotation(&app, &token).await;
    let (_, rota) = app
        .api(
            Method::GET,
            "/api/v1/rota?from=2026-12-01T00:00:00Z&to=2026-12-03T00:00:00Z",
            &token,
            None,
        )
        .await;
    let starts: Vec<_> = rota
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| (d["staff_id"].as_i64(), d["starts_at"].clone()))
        .collect();
    assert_eq!(
        starts,
        vec![
            (Some(aigerim), json!("2026-12-01T04:00:00Z")),
            (Some(dana), json!("2026-12-02T04:00:00Z"))
        ]
    );

    let swap = json!({ "first": { "staff_id": aigerim, "service": "legal", "starts_at": "2026-12-01T04:00:00Z" },
                       "second": { "staff_id": dana, "service": "legal", "starts_at": "2026-12-02T04:00:00Z" } });
    let (status, overrides) = app
        .api(Method::POST, "/api/v1/swaps", &token, Some(swap))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{overrides}");
    assert_eq!(overrides.as_array().map(Vec::len), Some(2));

    assert_eq!(
        app.call_rings_at("2026-12-01T10:00:00Z", "CA01")
            .await
            .as_deref(),
        Some(DANA)
    );
    assert_eq!(
        app.call_rings_at("2026-12-02T03:59:00Z", "CA02")
            .await
            .as_deref(),
        Some(DANA),
        "for the whole day"
    );
    assert_eq!(
        app.call_rings_at("2026-12-02T10:00:00Z", "CA03")
            .await
            .as_deref(),
        Some(AIGERIM)
    );
    let audit = app.store.audit_log(1).await.expect("read");
    assert_eq!(audit[0].entry.action, "swap");
}

#[tokio::test]
async fn each_lawyer_subscribes_to_her_own_duties_by_a_secret_link() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (aigerim, _, _) = daily_rotation(&app, &token).await;
    let (status, link) = app
        .api(
            Method::GET,
            &format!("/api/v1/staff/{aigerim}/calendar"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let url = link["url"].as_str().expect("a URL");
    assert!(
        url.starts_with("https://hotline.example.org/calendar/") && url.ends_with(".ics"),
        "{url}"
    );
    let path = url.trim_start_matches("https://hotline.example.org");

    let feed = app.get(path).await;
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/calendar")
    );
    let text = feed.text().await.expect("a body");
    assert!(
        text.contains("DTSTART:20261201T040000Z\r\nDTEND:20261202T040000Z"),
        "{text}"
    );
    assert!(
        !text.contains("DTSTART:20261202T040000Z"),
        "Dana's turn is not in Aigerim's feed"
    );

    let (_, again) = app
        .api(
            Method::GET,
            &format!("/api/v1/staff/{aigerim}/calendar"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        again["url"], link["url"],
        "the link stays the same until renewed"
    );
    let (_, renewed) = app
        .api(
            Method::POST,
            &format!("/api/v1/staff/{aigerim}/calendar"),
            &token,
            None,
        )
        .await;
    assert_ne!(renewed["url"], link["url"]);
    assert_eq!(
        app.get(path).await.status(),
        StatusCode::NOT_FOUND,
        "the old link stops working"
    );
    assert_eq!(
        app.get("/calendar/0123456789abcdef.ics").await.status(),
        StatusCode::NOT_FOUND
    );
    let service_feed = path.replace(".ics", "/legal.ics");
    assert_eq!(
        app.get(&service_feed).await.status(),
        StatusCode::NOT_FOUND,
        "only a coordinator sees a whole service"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let document: Value = app
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(document["openapi"], "3.0.3");
    for path in [
        "/api/v1/staff",
        "/api/v1/staff/{id}",
        "/api/v1/staff/{id}/calendar",
        "/api/v1/rotations",
        "/api/v1/rotations/{id}",
        "/api/v1/shifts",
        "/api/v1/shifts/{id}",
        "/api/v1/overrides",
        "/api/v1/overrides/{id}",
        "/api/v1/swaps",
        "/api/v1/on-duty",
        "/api/v1/rota",
        "/api/v1/gaps",
        "/api/v1/staff/{id}/pause",
        "/api/v1/staff/{id}/resume",
        "/api/v1/calls",
        "/api/v1/follow-ups",
        "/api/v1/follow-ups/{id}/answered",
        "/api/v1/jobs/dead",
        "/api/v1/lines",
        "/api/v1/lines/{number}",
        "/api/v1/blocklist",
        "/api/v1/blocklist/{id}",
    ] {
        assert!(document["paths"][path].is_object(), "{path} is described");
    }
}

#[tokio::test]
async fn a_lawyer_on_a_break_is_not_rung_until_it_ends_or_she_resumes() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (aigerim, _, _) = daily_rotation(&app, &token).await;
    app.clock.set(at("2026-12-01T10:00:00Z"));
    let (status, pause) = app
        .api(
            Method::POST,
            &format!("/api/v1/staff/{aigerim}/pause"),
            &token,
            Some(json!({ "until": "2026-12-01T11:00:00Z" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pause}");
    assert_eq!(
        app.call_rings_at("2026-12-01T10:30:00Z", "CA01").await,
        None,
        "nobody else is on duty: voicemail"
    );
    assert_eq!(
        app.call_rings_at("2026-12-01T11:00:00Z", "CA02")
            .await
            .as_deref(),
        Some(AIGERIM),
        "the break is over"
    );

    app.clock.set(at("2026-12-01T12:00:00Z"));
    app.api(
        Method::POST,
        &format!("/api/v1/staff/{aigerim}/pause"),
        &token,
        Some(json!({ "until": "2026-12-01T15:00:00Z" })),
    )
    .await;
    app.clock.set(at("2026-12-01T12:10:00Z"));
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/staff/{aigerim}/resume"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call_rings_at("2026-12-01T12:20:00Z", "CA03")
            .await
            .as_deref(),
        Some(AIGERIM),
        "she is back early"
    );
    assert!(
        app.named_on_duty(&token, "2026-12-01T12:05:00Z")
            .await
            .is_empty(),
        "the past keeps her break"
    );
    let (status, answer) = app
        .api(
            Method::POST,
            &format!("/api/v1/staff/{aigerim}/pause"),
            &token,
            Some(json!({ "until": "2026-12-01T12:00:00Z" })),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("until"))
    );
}
