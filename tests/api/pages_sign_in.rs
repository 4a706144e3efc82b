//! Signing in to the coordinator's pages: a password opens them and a wrong one does not; each
//! sign-in is a new session id; guessing is refused after five failures for fifteen minutes;
//! the first coordinator's one-time link works once; signing out ends the session.

use chrono::Duration;
use hotline::store::{PageLanguage, Role};

use crate::helpers::spawn_app;
use crate::pages_browser::{Browser, PASSWORD, add_user};

#[tokio::test]
async fn a_coordinator_signs_in_with_her_password_and_not_with_a_wrong_one() {
    let app = spawn_app().await;
    add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Browser::new(&app);

    let before = browser.get("/").await;
    assert_eq!(
        (before.status, before.location.as_deref()),
        (303, Some("/sign-in"))
    );

    let wrong = browser.sign_in("dinara", "not her password").await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("Неверный логин или пароль."),
        "{}",
        wrong.body
    );
    assert_eq!(browser.session(), None);
    assert_eq!(browser.get("/").await.status, 303, "still signed out");
    let nobody = browser.sign_in("nobody", PASSWORD).await;
    assert_eq!(nobody.status, 401, "an unknown login reads the same");
    assert!(nobody.body.contains("Неверный логин или пароль."));

    let right = browser.sign_in("  Dinara ", PASSWORD).await;
    assert_eq!((right.status, right.location.as_deref()), (303, Some("/")));
    let cookie = right
        .headers
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .expect("a session cookie")
        .to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let now = browser.get("/").await;
    assert_eq!(now.status, 200);
    assert!(
        now.body.contains("dinara (name)"),
        "her name is on the page"
    );
}

#[tokio::test]
async fn each_sign_in_is_a_new_session_id_and_the_old_one_ends() {
    let app = spawn_app().await;
    add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Browser::new(&app);
    // A session id someone planted in her browser before she signs in is never promoted.
    browser.plant_session("planted0planted0planted0planted0planted0planted0planted0planted0");
    assert_eq!(browser.sign_in("dinara", PASSWORD).await.status, 303);
    let first = browser.session().expect("signed in");
    assert_ne!(
        first,
        "planted0planted0planted0planted0planted0planted0planted0planted0"
    );

    assert_eq!(browser.sign_in("dinara", PASSWORD).await.status, 303);
    let second = browser.session().expect("signed in again");
    assert_ne!(first, second, "a new id at each sign-in");
    assert_eq!(browser.get("/").await.status, 200);

    let holder_of_the_old_id = Browser::new(&app);
    holder_of_the_old_id.plant_session(&first);
    assert_eq!(
        holder_of_the_old_id.get("/").await.location.as_deref(),
        Some("/sign-in"),
        "the session she had before signing in again has ended"
    );
}

#[tokio::test]
async fn five_failed_sign_ins_refuse_the_login_for_fifteen_minutes() {
    let app = spawn_app().await;
    add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(browser.sign_in("dinara", "a guess").await.status, 401);
        app.clock.advance(Duration::minutes(1));
    }
    let refused = browser.sign_in("dinara", PASSWORD).await;
    assert_eq!(refused.status, 429, "refused even with the right password");
    assert!(
        refused
            .body
            .contains("Слишком много неудачных попыток. Попробуйте снова после"),
        "{}",
        refused.body
    );
    assert_eq!(browser.session(), None);

    app.clock.advance(Duration::minutes(13));
    assert_eq!(
        browser.sign_in("dinara", PASSWORD).await.status,
        429,
        "14 minutes after the fifth"
    );
    app.clock.advance(Duration::minutes(2));
    assert_eq!(
        browser.sign_in("dinara", PASSWORD).await.status,
        303,
        "open again after 15"
    );
}

#[tokio::test]
async fn five_failed_sign_ins_from_one_address_refuse_every_login_from_it() {
    let app = spawn_app().await;
    add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Browser::new(&app);
    for guess in ["admin", "root", "test", "user", "coordinator"] {
        assert_eq!(browser.sign_in(guess, "a guess").await.status, 401);
    }
    assert_eq!(browser.sign_in("dinara", PASSWORD).await.status, 429);
}

#[tokio::test]
async fn the_first_coordinators_link_works_once() {
    let app = spawn_app().await;
    let base = url::Url::parse("https://hotline.example.org/").expect("a URL");
    let link =
        hotline::web::pages::first_coordinator_link(app.store.as_ref(), &base, app.clock_now())
            .await
            .expect("made")
            .expect("no users yet");
    let path = link
        .strip_prefix("https://hotline.example.org")
        .expect("under the public URL")
        .to_owned();
    assert!(path.starts_with("/welcome/"));

    let browser = Browser::new(&app);
    let form = browser.get(&path).await;
    assert_eq!(form.status, 200);
    let short = browser
        .post(
            &path,
            &[
                ("csrf", &form.csrf()),
                ("name", "Динара"),
                ("login", "dinara"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(
        short.status, 422,
        "a short password is refused and the link kept"
    );
    let made = browser
        .post(
            &path,
            &[
                ("csrf", &form.csrf()),
                ("name", "Динара"),
                ("login", "Dinara"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!((made.status, made.location.as_deref()), (303, Some("/")));
    let now = browser.get("/").await;
    assert_eq!(now.status, 200, "signed in by the link");
    assert!(now.body.contains("Динара"));
    assert!(now.body.contains("href=\"/users\""), "as a coordinator");

    let another = Browser::new(&app);
    assert_eq!(another.get(&path).await.status, 410, "the link is used");
    let csrf = another.get("/sign-in").await.csrf();
    let again = another
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "x"),
                ("login", "intruder"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, 410);
    assert_eq!(another.session(), None);
    assert!(
        app.store
            .user_by_login("intruder")
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(
        another.sign_in("dinara", PASSWORD).await.status,
        303,
        "her password works"
    );

    let none =
        hotline::web::pages::first_coordinator_link(app.store.as_ref(), &base, app.clock_now())
            .await
            .expect("asked");
    assert_eq!(none, None, "no link once someone can sign in");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let browser = crate::pages_browser::coordinator(&app).await;
    let token = browser.session().expect("signed in");
    let csrf = browser.get("/").await.csrf();
    let out = browser.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(
        (out.status, out.location.as_deref()),
        (303, Some("/sign-in"))
    );
    assert_eq!(browser.get("/").await.status, 303);
    let replay = Browser::new(&app);
    replay.plant_session(&token);
    assert_eq!(
        replay.get("/").await.status,
        303,
        "the old token opens nothing"
    );
}
