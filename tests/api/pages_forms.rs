//! Forged forms: a post without its session's token, or with another, is refused with 403 and
//! changes nothing; with it, the follow-up is answered through the audited store call.

use hotline::store::{PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::spawn_app;
use crate::pages_browser::{Browser, coordinator, follow_up};

#[tokio::test]
async fn a_follow_up_form_without_its_token_or_with_a_wrong_one_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let id = follow_up(&app, "CA01", Some(Service::Legal), 30).await;
    let path = format!("/follow-ups/{id}/answered");

    let without = browser.post(&path, &[("note", "called her back")]).await;
    assert_eq!(without.status, 403);
    let wrong = browser
        .post(
            &path,
            &[
                ("csrf", "0".repeat(64).as_str()),
                ("note", "called her back"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 403);
    // Another session's token is no better.
    let other = Browser::new(&app);
    crate::pages_browser::add_user(&app, "aliya", Role::Coordinator, None, PageLanguage::Ru).await;
    assert_eq!(
        other
            .sign_in("aliya", crate::pages_browser::PASSWORD)
            .await
            .status,
        303
    );
    let others_token = other.get("/").await.csrf();
    let borrowed = browser
        .post(
            &path,
            &[("csrf", &others_token), ("note", "called her back")],
        )
        .await;
    assert_eq!(borrowed.status, 403);
    let still = app.store.follow_up(id).await.expect("read").expect("there");
    assert_eq!(
        (still.status.as_str(), still.answer_note_sealed),
        ("open", None),
        "nothing changed"
    );

    let page = browser.get(&format!("/follow-ups/{id}")).await;
    assert_eq!(page.status, 200);
    let answered = browser
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("note", "called her back, court on Friday"),
            ],
        )
        .await;
    assert_eq!(
        (answered.status, answered.location),
        (303, Some(format!("/follow-ups/{id}")))
    );
    let done = app.store.follow_up(id).await.expect("read").expect("there");
    assert_eq!(done.status, "answered");
    assert_eq!(
        hotline::log::follow_up_note(&app.data_key, &done).as_deref(),
        Some("called her back, court on Friday")
    );
    let sealed = done.answer_note_sealed.expect("kept");
    assert!(
        !sealed.windows(6).any(|w| w == b"called"),
        "the note is kept sealed"
    );
    let audited = app.store.audit_log(10).await.expect("read");
    let entry = audited
        .iter()
        .find(|a| a.entry.action == "answer-follow-up")
        .expect("audited");
    assert_eq!(
        entry.entry.after.as_deref(),
        Some(r#"{"note":true,"staff_id":null,"status":"answered"}"#),
        "the audit says a note was left, never its words"
    );
    let shown = browser.get(&format!("/follow-ups/{id}")).await;
    assert!(shown.body.contains("called her back, court on Friday"));
    assert!(
        !shown.body.contains(&format!("action=\"{path}\"")),
        "no form once answered"
    );

    let twice = browser
        .post(&path, &[("csrf", &page.csrf()), ("note", "again")])
        .await;
    assert_eq!(twice.status, 409, "answered once");
    assert!(twice.body.contains("На это обращение уже ответили."));
}

#[tokio::test]
async fn a_signed_out_form_without_its_cookies_token_is_refused() {
    let app = spawn_app().await;
    crate::pages_browser::add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Browser::new(&app);
    let forged = browser
        .post(
            "/sign-in",
            &[
                ("login", "dinara"),
                ("password", crate::pages_browser::PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let guessed = browser
        .post(
            "/sign-in",
            &[
                ("csrf", "guess"),
                ("login", "dinara"),
                ("password", crate::pages_browser::PASSWORD),
            ],
        )
        .await;
    assert_eq!(guessed.status, 403);
    assert_eq!(browser.session(), None);
}

#[tokio::test]
async fn pages_read_in_russian_kazakh_and_english_as_each_user_chooses() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let russian = browser.get("/").await;
    assert!(russian.body.contains("<h1>Сейчас</h1>"), "{}", russian.body);
    assert!(russian.body.contains("lang=\"ru\""));

    let refused = browser.post("/language", &[("language", "kk")]).await;
    assert_eq!(
        refused.status, 403,
        "a switch without its token is a forged form too"
    );
    assert!(browser.get("/").await.body.contains("<h1>Сейчас</h1>"));

    let csrf = russian.csrf();
    assert_eq!(
        browser
            .post("/language", &[("csrf", &csrf), ("language", "kk")])
            .await
            .status,
        303
    );
    let kazakh = browser.get("/").await;
    assert!(kazakh.body.contains("<h1>Қазір</h1>"));
    assert!(kazakh.body.contains("Жауап күтуде"));
    assert!(
        browser
            .get("/follow-ups")
            .await
            .body
            .contains("<h1>Жауапсыз өтініштер</h1>")
    );

    // The switch on a page comes back to it; a way off the site is not followed.
    let follow_ups = browser.get("/follow-ups").await;
    assert!(
        follow_ups
            .body
            .contains("name=\"back\" value=\"/follow-ups\"")
    );
    let switched = browser
        .post(
            "/language",
            &[("csrf", &csrf), ("language", "en"), ("back", "/follow-ups")],
        )
        .await;
    assert_eq!(
        (switched.status, switched.location.as_deref()),
        (303, Some("/follow-ups"))
    );
    let away = browser
        .post(
            "/language",
            &[
                ("csrf", &csrf),
                ("language", "en"),
                ("back", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(away.location.as_deref(), Some("/"));
    // Nor a line break, which no header may hold.
    let broken = browser
        .post(
            "/language",
            &[
                ("csrf", &csrf),
                ("language", "en"),
                ("back", "/follow-ups\r\nSet-Cookie: x"),
            ],
        )
        .await;
    assert_eq!(broken.location.as_deref(), Some("/"));
    let english = browser.get("/").await;
    assert!(english.body.contains("<h1>Now</h1>"));
    assert!(english.body.contains("On duty now"));
    assert!(
        browser
            .get("/follow-ups")
            .await
            .body
            .contains("<h1>Follow-ups</h1>")
    );
    let sign_in = Browser::new(&app).get("/sign-in?lang=kk").await;
    assert!(sign_in.body.contains("Құпиясөз"), "the sign-in page too");
}
