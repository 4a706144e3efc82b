//! Her own account: changing her password needs the right current one (a wrong one counts
//! towards the sign-in throttle), ends her other sessions and gives this browser a new session
//! id; the new password works and the old one does not. A form without its token is refused.

use hotline::store::{PageLanguage, Role};

use crate::helpers::spawn_app;
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};

const NEW_PASSWORD: &str = "eleven geese over the river";

#[tokio::test]
async fn a_password_change_needs_her_current_password_and_ends_her_other_sessions() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let phone = Browser::new(&app);
    assert_eq!(phone.sign_in("dinara", PASSWORD).await.status, 303);
    let account = browser.get("/account").await;
    assert_eq!(account.status, 200, "{}", account.body);
    assert!(account.body.contains("action=\"/account/password\""));
    assert!(
        account.body.contains("href=\"/account\""),
        "linked from the layout"
    );

    let forged = browser
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);

    let wrong = browser
        .post(
            "/account/password",
            &[
                ("csrf", &account.csrf()),
                ("current", "not her password"),
                ("password", NEW_PASSWORD),
                ("repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("Текущий пароль неверен."),
        "{}",
        wrong.body
    );
    let differ = browser
        .post(
            "/account/password",
            &[
                ("csrf", &account.csrf()),
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("repeat", "eleven geese over the rive"),
            ],
        )
        .await;
    assert_eq!(differ.status, 422);
    assert!(differ.body.contains("Новые пароли не совпадают."));
    assert_eq!(phone.get("/").await.status, 200, "nothing changed yet");

    let before = browser.session().expect("a session");
    let changed = browser
        .post(
            "/account/password",
            &[
                ("csrf", &account.csrf()),
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (changed.status, changed.location.as_deref()),
        (303, Some("/account?changed=1")),
        "{}",
        changed.body
    );
    let after = browser.session().expect("a new session");
    assert_ne!(before, after, "a fresh session id");
    let landed = browser.get("/account?changed=1").await;
    assert_eq!(landed.status, 200);
    assert!(landed.body.contains("Пароль изменён."));
    let stale = phone.get("/").await;
    assert_eq!(
        (stale.status, stale.location.as_deref()),
        (303, Some("/sign-in")),
        "her other session ended"
    );
    let old = Browser::new(&app);
    old.plant_session(&before);
    assert_eq!(old.get("/").await.status, 303, "the old id is dead too");

    assert_eq!(phone.sign_in("dinara", PASSWORD).await.status, 401);
    assert_eq!(phone.sign_in("dinara", NEW_PASSWORD).await.status, 303);
    let audit = app.store.audit_log(50).await.expect("read");
    let entry = audit
        .iter()
        .find(|e| e.entry.action == "change-password")
        .expect("audited");
    assert_eq!(entry.entry.actor, "user:dinara");
    assert_eq!(
        (entry.entry.before.as_deref(), entry.entry.after.as_deref()),
        (None, None)
    );
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_sign_in_throttle() {
    let app = spawn_app().await;
    add_user(&app, "aigerim", Role::Staff, None, PageLanguage::En).await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("aigerim", PASSWORD).await.status, 303);
    let account = browser.get("/account").await;
    assert_eq!(account.status, 200);
    assert!(account.body.contains("Change password"), "in her language");
    for _ in 0..5 {
        let wrong = browser
            .post(
                "/account/password",
                &[
                    ("csrf", &account.csrf()),
                    ("current", "a guess at her password"),
                    ("password", NEW_PASSWORD),
                    ("repeat", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(wrong.status, 401);
    }
    let refused = browser
        .post(
            "/account/password",
            &[
                ("csrf", &account.csrf()),
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 429, "even with the right password, for now");
    assert!(refused.body.contains("Too many failed sign-ins"));
    assert_eq!(
        Browser::new(&app).sign_in("aigerim", PASSWORD).await.status,
        429,
        "and sign-in for her login is locked too"
    );
}
