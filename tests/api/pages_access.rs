//! Who sees what: a staff member sees the follow-ups of the services she serves and no other
//! (another's is "not found", as one that does not exist), no coordinator-only page; the Now
//! page shows who is on duty, the calls under way and the open follow-ups oldest first with
//! their age; a caller's number is on no page but masked; every page carries its guards.

use hotline::store::{NewCall, NewOutboxMessage, OutboxFailure, OutboxStatus, PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::{CALLER, HOTLINE_NUMBER, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator, follow_up};

#[tokio::test]
async fn a_staff_member_opens_only_her_services_follow_ups_and_no_coordinator_page() {
    let app = spawn_app().await;
    let lawyer = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("aigerim", PASSWORD).await.status, 303);
    let hers = follow_up(&app, "CA01", Some(Service::Legal), 20).await;
    let psychologists = follow_up(&app, "CA02", Some(Service::Psychological), 10).await;
    let unchosen = follow_up(&app, "CA03", None, 5).await;

    assert_eq!(
        browser.get(&format!("/follow-ups/{hers}")).await.status,
        200
    );
    let missing = browser.get("/follow-ups/9999").await;
    assert_eq!(missing.status, 404);
    for other in [psychologists, unchosen] {
        let page = browser.get(&format!("/follow-ups/{other}")).await;
        assert_eq!(
            page.status, 404,
            "not hers: not found, so ids are not probed"
        );
        // The same page but for the path she asked for, which the page echoes back.
        assert_eq!(
            page.body
                .replace(&format!("/follow-ups/{other}\""), "/follow-ups/9999\""),
            missing.body,
            "indistinguishable from one that does not exist"
        );
    }
    let csrf = browser.get("/").await.csrf();
    let answered = browser
        .post(
            &format!("/follow-ups/{psychologists}/answered"),
            &[("csrf", &csrf), ("note", "x")],
        )
        .await;
    assert_eq!(answered.status, 404);
    let still = app
        .store
        .follow_up(psychologists)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(still.status, "open", "nothing changed");

    let list = browser.get("/follow-ups").await;
    assert!(list.body.contains(&format!("/follow-ups/{hers}\"")));
    assert!(
        !list
            .body
            .contains(&format!("/follow-ups/{psychologists}\""))
    );
    assert!(!list.body.contains(&format!("/follow-ups/{unchosen}\"")));

    let users = browser.get("/users").await;
    assert_eq!(users.status, 403);
    assert!(users.body.contains("Эта страница только для координатора."));
    assert!(
        !browser.get("/").await.body.contains("href=\"/users\""),
        "not offered either"
    );

    // Her own follow-up she may answer; it is recorded as answered by her.
    let answered = browser
        .post(
            &format!("/follow-ups/{hers}/answered"),
            &[("csrf", &csrf), ("note", "")],
        )
        .await;
    assert_eq!(answered.status, 303);
    let done = app
        .store
        .follow_up(hers)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (done.status.as_str(), done.answered_by),
        ("answered", Some(lawyer))
    );

    let coordinator = coordinator(&app).await;
    for id in [psychologists, unchosen] {
        assert_eq!(
            coordinator.get(&format!("/follow-ups/{id}")).await.status,
            200
        );
    }
    let users = coordinator.get("/users").await;
    assert_eq!(users.status, 200);
    assert!(users.body.contains("aigerim") && users.body.contains("сотрудник"));
}

#[tokio::test]
async fn now_shows_who_is_on_duty_the_calls_under_way_and_open_follow_ups_oldest_first() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим Омарова", "+77015550001", Service::Legal)
        .await;
    let newer = follow_up(&app, "CA01", Some(Service::Legal), 5).await;
    let older = follow_up(&app, "CA02", Some(Service::Psychological), 125).await;
    app.store
        .record_call(&NewCall {
            call_sid: "CA03".to_owned(),
            line_number: HOTLINE_NUMBER.to_owned(),
            caller_sealed: app.data_key.seal(CALLER),
            caller_hash: app.data_key.hash(CALLER),
            status: "in-progress".to_owned(),
            started_at: app.clock_now() - chrono::Duration::minutes(3),
        })
        .await
        .expect("recorded");
    let browser = coordinator(&app).await;
    let now = browser.get("/").await;
    assert_eq!(now.status, 200);
    let body = &now.body;
    assert!(
        body.contains("Дежурят сейчас: <strong>Айгерим Омарова</strong>"),
        "{body}"
    );
    assert!(body.contains("in-progress · 3 мин"), "{body}");
    let older_at = body
        .find(&format!("/follow-ups/{older}\""))
        .expect("listed");
    let newer_at = body
        .find(&format!("/follow-ups/{newer}\""))
        .expect("listed");
    assert!(older_at < newer_at, "oldest first");
    assert!(body.contains("Ждёт 2 ч 5 мин"), "with its age: {body}");
}

#[tokio::test]
async fn no_page_shows_a_callers_number_but_masked() {
    let app = spawn_app().await;
    let lawyer = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::En).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    let id = follow_up(&app, "CA01", Some(Service::Legal), 20).await;
    app.store
        .record_call(&NewCall {
            call_sid: "CA02".to_owned(),
            line_number: HOTLINE_NUMBER.to_owned(),
            caller_sealed: app.data_key.seal(CALLER),
            caller_hash: app.data_key.hash(CALLER),
            status: "ringing".to_owned(),
            started_at: app.clock_now(),
        })
        .await
        .expect("recorded");
    app.store
        .set_call_choice(
            app.store
                .call_by_sid("CA02")
                .await
                .expect("read")
                .expect("there")
                .id,
            hotline_schedules::Language::Ru,
            Some(Service::Legal),
        )
        .await
        .expect("chosen");
    let coordinator = coordinator(&app).await;
    let masked = "+7 7•• ••• •• 67";
    let digits = CALLER.trim_start_matches('+');
    for browser in [&staff, &coordinator] {
        for path in [
            "/".to_owned(),
            "/follow-ups".to_owned(),
            format!("/follow-ups/{id}"),
        ] {
            let page = browser.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(!page.body.contains(digits), "{path} shows her number");
            assert!(
                !page.body.contains(&digits[digits.len() - 7..]),
                "{path} shows most of it"
            );
        }
        assert!(
            browser
                .get(&format!("/follow-ups/{id}"))
                .await
                .body
                .contains(masked)
        );
        assert!(
            browser.get("/").await.body.contains(masked),
            "the call ringing, masked"
        );
    }
}

#[tokio::test]
async fn every_page_carries_its_security_headers() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    for path in ["/", "/sign-in", "/follow-ups", "/follow-ups/9999"] {
        let page = browser.get(path).await;
        let header = |name: &str| {
            page.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            header("content-security-policy"),
            "default-src 'self'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
    }
    let css = browser.get("/static/hotline.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("text/css")
    );
}

/// Queues a text and ends it as `status` at `minutes` ago, as the sender does when it gives up.
async fn ended_text(
    app: &crate::helpers::TestApp,
    key: &str,
    to: &str,
    her: bool,
    failure: (OutboxStatus, Option<i64>, &str),
    minutes: i64,
) {
    let at = app.clock_now() - chrono::Duration::minutes(minutes);
    let message = NewOutboxMessage {
        idempotency_key: key.to_owned(),
        channel: "sms".to_owned(),
        to_sealed: app.data_key.seal(to),
        body_sealed: app.data_key.seal("Перезвоните ей"),
        created_at: at,
        contact_hash: her.then(|| app.data_key.hash(to)),
    };
    assert!(app.store.enqueue_outbox(&message).await.expect("queued"));
    let id = app
        .store
        .due_outbox(at, 100)
        .await
        .expect("read")
        .into_iter()
        .find(|m| m.idempotency_key == key)
        .expect("due")
        .id;
    let claimed = app
        .store
        .claim_outbox(id, at, at + chrono::Duration::minutes(1))
        .await
        .expect("claimed")
        .expect("ours");
    let (status, error_code, error_message) = failure;
    let failure = OutboxFailure {
        status,
        error_code,
        error_message: error_message.to_owned(),
        at,
    };
    assert!(
        app.store
            .fail_outbox(id, claimed.attempts, &failure)
            .await
            .expect("ended")
    );
}

#[tokio::test]
async fn the_coordinator_sees_the_weeks_texts_that_did_not_get_through_and_never_their_words() {
    let app = spawn_app().await;
    let lawyer = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    let failed = (OutboxStatus::Failed, Some(30003), "unreachable handset");
    ended_text(&app, "reminder-1", "+77015550001", false, failed, 30).await;
    let withheld = (OutboxStatus::Withheld, None, "no consent");
    ended_text(&app, "reply-1", CALLER, true, withheld, 10).await;
    let old = (OutboxStatus::Undeliverable, Some(21610), "opted out");
    ended_text(&app, "reminder-0", "+77015550001", false, old, 8 * 24 * 60).await;

    let body = coordinator(&app).await.get("/").await.body;
    assert!(body.contains("Сообщения, которые не дошли"), "{body}");
    assert!(
        body.contains(
            "Айгерим · <strong>не отправлено</strong> · <small>30003: unreachable handset</small>"
        ),
        "to a staff member, by name: {body}"
    );
    assert!(
        body.contains(&format!(
            "ей +7 7•• ••• •• {} · <strong>не отправлено: нет её согласия</strong>",
            &CALLER[CALLER.len() - 2..]
        )),
        "to her, masked: {body}"
    );
    assert!(!body.contains("21610"), "older than a week");
    assert!(!body.contains("Перезвоните ей"), "never the words");

    // A staff member's Now has no such list.
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    assert!(!staff.get("/").await.body.contains("не дошли"));
}
