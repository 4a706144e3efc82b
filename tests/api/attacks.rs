//! The attack table: each row is an attack on the hotline and the test that fails if it works.
//! Rows whose test lives with its feature name it; the rest are here.
//!
//! | attack | test |
//! | --- | --- |
//! | a forged, missing or wrong-token signature; a value changed after signing | `signatures::a_changed_value_a_missing_or_forged_signature_or_another_token_is_refused` |
//! | a signature replayed to another webhook or another query | `attacks::a_signature_replayed_to_another_webhook_or_query_is_refused` |
//! | an oversized body | `signatures::an_oversized_body_is_refused_before_it_is_read` |
//! | a malformed body, signed or not | `attacks::malformed_bodies_get_a_clear_answer_and_the_server_stays_up` |
//! | SQL and script injection in names, texts, notes, rotation names | `attacks::injection_strings_are_kept_as_written_and_shown_as_text` |
//! | a form without its CSRF token | `pages_forms`, `pages_rota`, `pages_rotations`, `pages_users`, `pages_lines` (each: "forged") |
//! | session fixation: a session id planted before sign-in | `pages_sign_in` (a new session id at every sign-in; a planted one is never signed in) |
//! | brute-force sign-in | `pages_sign_in` (throttled per login and per address), `pages_account` (the current-password form counts too) |
//! | a spoofed client address to dodge the throttle | `pages_proxy` |
//! | a staff account reaching another's follow-up, another service's contacts, or the coordinator's pages by URL | `pages_follow_ups`, `pages_access`, `pages_log`, `attacks::a_staff_account_gets_nothing_of_the_coordinators_by_url` |
//! | an old or stolen calendar link; a deactivated staff member's | `attacks::a_renewed_or_deactivated_calendar_link_opens_nothing` |
//! | a one-time sign-in or set-password link used twice or late | `pages_users`, `pages_cli` |
//! | someone with the database file rewriting the audit log | `store::audit` (triggers refuse it; `verify` names the entry), `attacks::someone_rewriting_the_audit_log_behind_the_server_is_reported_to_the_coordinators` (checked nightly) |
//! | her number or words read from the database files or logs | `privacy`, `messages::privacy` |

use reqwest::Method;
use serde_json::json;

use hotline::store::{PageLanguage, Role};
use hotline::telephony::signature::{Algorithm, compute};
use hotline_schedules::Service;

use crate::helpers::{AUTH_TOKEN, PUBLIC_URL, TestApp, incoming_call, params, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};
use crate::signer::TwilioSigner;

fn sign(path: &str, pairs: &[(String, String)]) -> String {
    TwilioSigner::shared().sign(AUTH_TOKEN, &format!("{PUBLIC_URL}{path}"), pairs)
}

#[tokio::test]
async fn a_signature_replayed_to_another_webhook_or_query_is_refused() {
    let app = spawn_app().await;
    let pairs = incoming_call("CA-REPLAY");
    let for_status = sign("/webhooks/voice/status", &pairs);
    let replayed = app
        .post_with_signature("/webhooks/voice", &pairs, Some(&for_status))
        .await;
    assert_eq!(replayed.status(), 403);
    let dial = params(&[("CallSid", "CA-REPLAY"), ("DialCallStatus", "no-answer")]);
    let first_attempt = sign("/webhooks/voice/dial?attempt=0", &dial);
    let other_attempt = app
        .post_with_signature(
            "/webhooks/voice/dial?attempt=1",
            &dial,
            Some(&first_attempt),
        )
        .await;
    assert_eq!(other_attempt.status(), 403);
    assert!(
        app.store
            .call_by_sid("CA-REPLAY")
            .await
            .expect("read")
            .is_none(),
        "nothing was recorded"
    );
}

/// Posts `body` as it is to `path`, signed as Twilio would sign what our parser reads from it.
async fn post_raw(app: &TestApp, path: &str, body: &[u8], signed: bool) -> u16 {
    let pairs = hotline::web::webhook::form_params(body);
    let mut request = app
        .client
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_vec());
    if signed {
        let signature = compute(
            AUTH_TOKEN,
            &format!("{PUBLIC_URL}{path}"),
            &pairs,
            Algorithm::HmacSha1,
        );
        request = request.header("x-twilio-signature", signature);
    }
    request
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_answer_and_the_server_stays_up() {
    let app = spawn_app().await;
    let bodies: Vec<Vec<u8>> = vec![
        b"%".to_vec(),
        b"=&=&&==".to_vec(),
        b"CallSid=%FF%FE&From=%C3".to_vec(),
        b"CallSid=CA1&CallSid=CA2&CallSid=CA3".to_vec(),
        b"CallSid=CA%00NUL&From=%2B7707%00".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x3d, 0x26],
        "From=\u{202e}+77071234567&Body=\u{feff}"
            .as_bytes()
            .to_vec(),
        format!("CallSid=CA-LONG&Digits={}", "9".repeat(5000)).into_bytes(),
    ];
    for path in [
        "/webhooks/voice",
        "/webhooks/voice/status",
        "/webhooks/voice/voicemail",
        "/webhooks/messages",
        "/webhooks/messages/status",
    ] {
        for body in &bodies {
            let unsigned = post_raw(&app, path, body, false).await;
            assert_eq!(unsigned, 403, "{path} {body:?} unsigned");
            let signed = post_raw(&app, path, body, true).await;
            assert!(
                matches!(signed, 200 | 204 | 400 | 404 | 422),
                "{path} {body:?} signed answered {signed}"
            );
        }
    }
    // Still answering, and a real call still goes through.
    let good = app
        .post_signed("/webhooks/voice", &incoming_call("CA-AFTER"))
        .await;
    assert_eq!(good.status(), 200);
}

const INJECTIONS: [&str; 4] = [
    "'; DROP TABLE staff; --",
    "Robert'); DELETE FROM calls WHERE ('1'='1",
    "<script>alert('hotline')</script>",
    "<img src=x onerror=alert(1)>\" onmouseover=\"alert(2)",
];

/// Whether a page shows `text` only as text: never as markup the browser would run.
fn shown_as_text(body: &str, text: &str) -> bool {
    let raw_markup = text.contains('<') && body.contains(text);
    !raw_markup && !body.contains("<script>alert") && !body.contains("<img src=x")
}

#[tokio::test]
async fn injection_strings_are_kept_as_written_and_shown_as_text() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let mut ids = Vec::new();
    for (n, name) in INJECTIONS.iter().enumerate() {
        let (status, body) = app
            .api(
                Method::POST,
                "/api/v1/staff",
                &token,
                Some(json!({
                    "name": name,
                    "phone": format!("+7701555{n:04}"),
                    "services": ["legal"],
                    "languages": ["ru"],
                })),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        ids.push(body["id"].as_i64().expect("an id"));
    }
    for (id, name) in ids.iter().zip(INJECTIONS) {
        let member = app
            .store
            .staff_member(*id)
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(member.name, name, "kept exactly as written");
    }
    assert_eq!(
        app.store.staff().await.expect("read").len(),
        INJECTIONS.len(),
        "no table dropped"
    );

    // Her texts carry the strings to the lawyer on duty, word for word.
    app.on_duty_now("Айгерим", "+77015559999", Service::Legal)
        .await;
    for (n, words) in INJECTIONS.iter().enumerate() {
        app.text(&format!("SM-INJ-{n}"), &format!("+7707555{n:04}"), words)
            .await;
    }
    let relayed = app.outbox().await;
    for words in INJECTIONS {
        assert!(
            relayed.iter().any(|sent| sent.body.contains(words)),
            "relayed as written: {words}"
        );
    }

    // A note and a rotation's name typed on the pages come back as text.
    let browser = coordinator(&app).await;
    let follow_up = crate::pages_browser::follow_up(&app, "CA-INJ", Some(Service::Legal), 5).await;
    let page = browser.get(&format!("/follow-ups/{follow_up}")).await;
    let answered = browser
        .post(
            &format!("/follow-ups/{follow_up}/answered"),
            &[("csrf", &page.csrf()), ("note", INJECTIONS[2])],
        )
        .await;
    assert_eq!(answered.status, 303);
    let shown = browser.get(&format!("/follow-ups/{follow_up}")).await.body;
    assert!(
        shown.contains("&#60;script&#62;alert"),
        "shown, escaped: {shown}"
    );
    assert!(shown_as_text(&shown, INJECTIONS[2]));
    let rotation = browser
        .post(
            "/rota/rotations?service=legal",
            &[
                ("csrf", &page.csrf()),
                ("service", "legal"),
                ("name", INJECTIONS[3]),
                ("position", "0"),
                ("member", &ids[0].to_string()),
                ("start_date", "2030-01-07"),
                ("start_time", "09:00"),
                ("every", "1"),
                ("unit", "weeks"),
            ],
        )
        .await;
    assert_eq!(rotation.status, 303, "{}", rotation.body);
    for page in [
        "/staff",
        "/rota/rotations?service=legal",
        "/audit",
        "/log?kind=texts",
    ] {
        let body = browser.get(page).await.body;
        for text in INJECTIONS {
            assert!(shown_as_text(&body, text), "{page} runs {text}");
        }
    }
    assert!(
        hotline::audit_chain::verify(app.store.as_ref())
            .await
            .expect("read")
            .is_ok()
    );
}

#[tokio::test]
async fn a_staff_account_gets_nothing_of_the_coordinators_by_url() {
    let app = spawn_app().await;
    let lawyer = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    for page in [
        "/users",
        "/users/1",
        "/audit",
        "/reports",
        "/reports/monthly.csv",
        "/lines",
        "/lines/default",
        "/rota/rotations?service=legal",
        "/log/calls/1/reveal",
    ] {
        let status = staff.get(page).await.status;
        assert!(matches!(status, 403 | 404), "{page} answered {status}");
    }
    let csrf = staff.get("/").await.csrf();
    for (path, form) in [
        (
            "/users",
            vec![("login", "mallory"), ("role", "coordinator")],
        ),
        ("/log/calls/1/reveal", vec![]),
        ("/log/calls/1/erase", vec![("understood", "on")]),
        ("/lines/default", vec![("name", "mine")]),
        ("/rota/shifts?service=legal", vec![("staff_id", "1")]),
    ] {
        let mut form = form;
        form.push(("csrf", &csrf));
        let status = staff.post(path, &form).await.status;
        assert!(matches!(status, 403 | 404), "{path} answered {status}");
    }
    assert_eq!(
        app.store.users().await.expect("read").len(),
        1,
        "no user was made"
    );
    let (status, _) = app
        .api(Method::GET, "/api/v1/staff", "not-a-token", None)
        .await;
    assert_eq!(status.as_u16(), 401, "nor the JSON API without a token");
}

#[tokio::test]
async fn a_renewed_or_deactivated_calendar_link_opens_nothing() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let lawyer = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    let path = format!("/api/v1/staff/{lawyer}/calendar");
    let (_, first) = app.api(Method::GET, &path, &token, None).await;
    let first = first["url"].as_str().expect("a link").to_owned();
    let feed = |url: String| {
        let client = app.client.clone();
        let local = url.replacen(PUBLIC_URL, &app.address, 1);
        async move {
            client
                .get(local)
                .send()
                .await
                .expect("answers")
                .status()
                .as_u16()
        }
    };
    assert_eq!(feed(first.clone()).await, 200);
    let (_, renewed) = app.api(Method::POST, &path, &token, None).await;
    let renewed = renewed["url"].as_str().expect("a link").to_owned();
    assert_eq!(feed(first).await, 404, "the old link is dead once renewed");
    assert_eq!(feed(renewed.clone()).await, 200);
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/staff/{lawyer}"),
            &token,
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");
    assert_eq!(feed(renewed).await, 404, "nor a deactivated person's");
}

#[tokio::test]
async fn someone_rewriting_the_audit_log_behind_the_server_is_reported_to_the_coordinators() {
    let app = spawn_app().await;
    app.add_staff("Гульнара", "+77015550009", vec![Service::Legal], true)
        .await;
    app.add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    let now = app.clock_now();
    assert!(
        hotline::jobs::audit_watch::check(&app.state, now)
            .await
            .expect("checked"),
        "intact"
    );
    assert!(
        app.outbox().await.is_empty(),
        "nobody is told of an intact log"
    );

    let mut database = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        app.database_path()
    ))
    .await
    .expect("the file");
    sqlx::raw_sql("DROP TRIGGER audit_log_no_rewrite")
        .execute(&mut database)
        .await
        .expect("dropped");
    let (id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM audit_log")
        .fetch_one(&mut database)
        .await
        .expect("an entry");
    sqlx::query("UPDATE audit_log SET actor = 'nobody' WHERE id = $1")
        .bind(id)
        .execute(&mut database)
        .await
        .expect("rewritten");

    for _ in 0..2 {
        assert!(
            !hotline::jobs::audit_watch::check(&app.state, now)
                .await
                .expect("checked")
        );
    }
    let told = app.outbox().await;
    assert_eq!(told.len(), 1, "the coordinator, once a day: {told:?}");
    assert_eq!(told[0].to, "+77015550009");
    assert!(told[0].body.contains(&format!("№{id}")), "{}", told[0].body);
}
