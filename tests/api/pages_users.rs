//! The users page: a coordinator adds a user, who sets her own password with a one-time link
//! (once); deactivating her ends her open session at once and keeps her out; the last active
//! coordinator cannot deactivate or demote herself; a password reset is a new link that ends
//! her sessions; staff get 403; forged forms change nothing.

use hotline::store::{PageLanguage, Role};

use crate::helpers::{TestApp, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, Page, add_user, coordinator};

const HER_PASSWORD: &str = "a river in the steppe";

/// The one-time link the page shows, as a path on this server.
fn link_in(page: &Page) -> String {
    let marker = "id=\"password-link\">";
    let start = page.body.find(marker).expect("a link shown") + marker.len();
    let end = page.body[start..].find('<').expect("closed");
    let url = &page.body[start..start + end];
    let path = url
        .find("/set-password/")
        .map(|at| &url[at..])
        .expect("a set-password link");
    path.to_owned()
}

async fn lawyer(app: &TestApp) -> i64 {
    app.on_duty_now(
        "Айгерим",
        crate::voice::LAWYER,
        hotline_schedules::Service::Legal,
    )
    .await
}

/// She opens her link in her own browser and sets her password.
async fn set_password(app: &TestApp, link: &str, password: &str) -> Page {
    let her = Browser::new(app);
    let form = her.get(link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    her.post(
        link,
        &[
            ("csrf", &form.csrf()),
            ("password", password),
            ("repeat", password),
        ],
    )
    .await
}

async fn actions(app: &TestApp) -> Vec<(String, String)> {
    app.store
        .audit_log(50)
        .await
        .expect("read")
        .into_iter()
        .map(|e| (e.entry.action, e.entry.subject))
        .collect()
}

/// The coordinator adds Aigerim as a staff user linked to her staff entry; the page with the link.
async fn add_aigerim(browser: &Browser, staff_id: i64) -> Page {
    let users = browser.get("/users").await;
    assert_eq!(users.status, 200, "{}", users.body);
    browser
        .post(
            "/users",
            &[
                ("csrf", &users.csrf()),
                ("name", "Айгерим Омарова"),
                ("login", "Aigerim"),
                ("role", "staff"),
                ("staff_id", &staff_id.to_string()),
            ],
        )
        .await
}

#[tokio::test]
async fn a_user_added_on_the_page_sets_her_own_password_once_with_her_link() {
    let app = spawn_app().await;
    let staff_id = lawyer(&app).await;
    let browser = coordinator(&app).await;

    let added = add_aigerim(&browser, staff_id).await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert!(added.body.contains("Айгерим Омарова"));
    let link = link_in(&added);
    let listed = browser.get("/users").await;
    assert!(listed.body.contains("aigerim"), "listed by her login");
    assert!(!listed.body.contains(&link), "the link is shown once");

    let user = app
        .store
        .user_by_login("aigerim")
        .await
        .expect("read")
        .expect("added");
    assert_eq!((user.role, user.staff_id), (Role::Staff, Some(staff_id)));
    let her = Browser::new(&app);
    assert_eq!(
        her.sign_in("aigerim", "").await.status,
        401,
        "no password before she sets one"
    );

    let short = {
        let her = Browser::new(&app);
        let form = her.get(&link).await;
        her.post(
            &link,
            &[
                ("csrf", &form.csrf()),
                ("password", "short"),
                ("repeat", "short"),
            ],
        )
        .await
    };
    assert_eq!(short.status, 422, "too short, and the link still works");
    let set = set_password(&app, &link, HER_PASSWORD).await;
    assert_eq!(
        (set.status, set.location.as_deref()),
        (303, Some("/sign-in"))
    );
    assert_eq!(her.sign_in("aigerim", HER_PASSWORD).await.status, 303);
    assert_eq!(her.get("/").await.status, 200);

    assert_eq!(her.get(&link).await.status, 410, "used once");
    let thief = Browser::new(&app);
    let form = thief.get("/sign-in").await;
    let again = thief
        .post(
            &link,
            &[
                ("csrf", &form.csrf()),
                ("password", "a thief's password"),
                ("repeat", "a thief's password"),
            ],
        )
        .await;
    assert_eq!(again.status, 410);
    assert_eq!(
        Browser::new(&app)
            .sign_in("aigerim", HER_PASSWORD)
            .await
            .status,
        303,
        "her password stands"
    );
    // Her link cannot be used as the first coordinator's welcome link either.
    let welcome = link.replace("/set-password/", "/welcome/");
    assert_eq!(Browser::new(&app).get(&welcome).await.status, 410);

    let audit = actions(&app).await;
    let subject = format!("user/{}", user.id);
    assert!(audit.contains(&("create-user".to_owned(), subject.clone())));
    assert!(audit.contains(&("set-password".to_owned(), subject)));
    let entries = app.store.audit_log(50).await.expect("read");
    for entry in entries {
        let text = format!("{:?}", entry.entry);
        assert!(!text.contains("argon2"), "no hash in the audit log: {text}");
        assert!(!text.contains(&link[14..]), "no token in the audit log");
    }
}

#[tokio::test]
async fn deactivating_a_user_ends_her_open_session_at_once_and_keeps_her_out() {
    let app = spawn_app().await;
    let staff_id = lawyer(&app).await;
    let browser = coordinator(&app).await;
    let id = add_user(
        &app,
        "aigerim",
        Role::Staff,
        Some(staff_id),
        PageLanguage::Ru,
    )
    .await;
    let her = Browser::new(&app);
    assert_eq!(her.sign_in("aigerim", PASSWORD).await.status, 303);
    assert_eq!(her.get("/").await.status, 200);

    let page = browser.get(&format!("/users/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let forged = browser
        .post(&format!("/users/{id}/active"), &[("active", "false")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        her.get("/").await.status,
        200,
        "a forged form changes nothing"
    );

    let done = browser
        .post(
            &format!("/users/{id}/active"),
            &[("csrf", &page.csrf()), ("active", "false")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let next = her.get("/follow-ups").await;
    assert_eq!(
        (next.status, next.location.as_deref()),
        (303, Some("/sign-in")),
        "her next page load goes to sign-in"
    );
    assert_eq!(her.sign_in("aigerim", PASSWORD).await.status, 401);
    assert!(
        actions(&app)
            .await
            .contains(&("deactivate-user".to_owned(), format!("user/{id}")))
    );

    let page = browser.get(&format!("/users/{id}")).await;
    let back = browser
        .post(
            &format!("/users/{id}/active"),
            &[("csrf", &page.csrf()), ("active", "true")],
        )
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(her.sign_in("aigerim", PASSWORD).await.status, 303);
}

#[tokio::test]
async fn the_last_active_coordinator_cannot_deactivate_or_demote_herself() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let me = app
        .store
        .user_by_login("dinara")
        .await
        .expect("read")
        .expect("her")
        .id;
    let page = browser.get(&format!("/users/{me}")).await;
    let off = browser
        .post(
            &format!("/users/{me}/active"),
            &[("csrf", &page.csrf()), ("active", "false")],
        )
        .await;
    assert_eq!(off.status, 409);
    assert!(
        off.body
            .contains("Нельзя: не останется ни одного активного координатора."),
        "{}",
        off.body
    );
    let staff_id = lawyer(&app).await;
    let demoted = browser
        .post(
            &format!("/users/{me}"),
            &[
                ("csrf", &page.csrf()),
                ("role", "staff"),
                ("staff_id", &staff_id.to_string()),
            ],
        )
        .await;
    assert_eq!(demoted.status, 409);
    assert_eq!(
        browser.get("/users").await.status,
        200,
        "still a coordinator"
    );
    let user = app.store.user(me).await.expect("read").expect("her");
    assert_eq!((user.role, user.active), (Role::Coordinator, true));

    // With a second coordinator she may step down.
    add_user(&app, "saule", Role::Coordinator, None, PageLanguage::Ru).await;
    let demoted = browser
        .post(
            &format!("/users/{me}"),
            &[
                ("csrf", &page.csrf()),
                ("role", "staff"),
                ("staff_id", &staff_id.to_string()),
            ],
        )
        .await;
    assert_eq!(demoted.status, 303, "{}", demoted.body);
    assert_eq!(browser.get("/users").await.status, 403);
}

#[tokio::test]
async fn a_password_reset_is_a_new_link_that_ends_her_sessions() {
    let app = spawn_app().await;
    let staff_id = lawyer(&app).await;
    let browser = coordinator(&app).await;
    let added = add_aigerim(&browser, staff_id).await;
    let first = link_in(&added);
    assert_eq!(set_password(&app, &first, HER_PASSWORD).await.status, 303);
    let her = Browser::new(&app);
    assert_eq!(her.sign_in("aigerim", HER_PASSWORD).await.status, 303);
    let id = app
        .store
        .user_by_login("aigerim")
        .await
        .expect("read")
        .expect("her")
        .id;

    let page = browser.get(&format!("/users/{id}")).await;
    let reset = browser
        .post(
            &format!("/users/{id}/password-link"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    let second = link_in(&reset);
    assert_ne!(first, second);
    assert_eq!(her.get("/").await.status, 303, "her session ended");
    assert_eq!(
        set_password(&app, &second, "a new start for her")
            .await
            .status,
        303
    );
    assert_eq!(her.sign_in("aigerim", HER_PASSWORD).await.status, 401);
    assert_eq!(
        her.sign_in("aigerim", "a new start for her").await.status,
        303
    );
    assert!(
        actions(&app)
            .await
            .contains(&("reset-password".to_owned(), format!("user/{id}")))
    );
}

#[tokio::test]
async fn staff_get_403_on_the_users_pages_and_forged_forms_add_no_one() {
    let app = spawn_app().await;
    let staff_id = lawyer(&app).await;
    let browser = coordinator(&app).await;
    let dinara = app
        .store
        .user_by_login("dinara")
        .await
        .expect("read")
        .expect("her")
        .id;
    add_user(
        &app,
        "aigerim",
        Role::Staff,
        Some(staff_id),
        PageLanguage::Ru,
    )
    .await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    assert_eq!(staff.get("/users").await.status, 403);
    assert_eq!(staff.get(&format!("/users/{dinara}")).await.status, 403);
    let own = staff.get("/account").await;
    assert_eq!(own.status, 200);
    for (path, form) in [
        (
            "/users".to_owned(),
            vec![("login", "mallory"), ("role", "coordinator")],
        ),
        (format!("/users/{dinara}/active"), vec![("active", "false")]),
        (format!("/users/{dinara}/password-link"), vec![]),
    ] {
        let mut with_token = form.clone();
        let csrf = own.csrf();
        with_token.push(("csrf", &csrf));
        assert_eq!(staff.post(&path, &with_token).await.status, 403, "{path}");
        assert_eq!(
            browser.post(&path, &form).await.status,
            403,
            "forged {path}"
        );
    }
    assert_eq!(app.store.count_users().await.expect("counted"), 2);
    assert_eq!(browser.get("/users").await.status, 200, "dinara still in");
}

#[tokio::test]
async fn the_add_form_says_what_is_wrong_and_adds_no_one() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let users = browser.get("/users").await;
    let add = |login: &'static str, role: &'static str| {
        let (browser, csrf) = (&browser, users.csrf());
        async move {
            browser
                .post(
                    "/users",
                    &[("csrf", &csrf), ("login", login), ("role", role)],
                )
                .await
        }
    };
    let no_member = add("aigerim", "staff").await;
    assert_eq!(no_member.status, 422);
    assert!(
        no_member
            .body
            .contains("Для роли «сотрудник» выберите, кто это из сотрудников."),
        "{}",
        no_member.body
    );
    assert!(
        no_member.body.contains("value=\"aigerim\""),
        "kept as typed"
    );
    let spaced = add("ai gerim", "coordinator").await;
    assert_eq!(spaced.status, 422);
    assert!(spaced.body.contains("Укажите логин, без пробелов."));
    let taken = add("dinara", "coordinator").await;
    assert_eq!(taken.status, 409);
    assert!(taken.body.contains("Этот логин занят."));
    assert!(!taken.body.contains("password-link"));
    assert_eq!(app.store.count_users().await.expect("counted"), 1);
    let saule = add("saule", "coordinator").await;
    assert_eq!(saule.status, 200, "a coordinator needs no staff member");
    assert_eq!(app.store.count_users().await.expect("counted"), 2);
}
