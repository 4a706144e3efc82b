//! The staff page: a coordinator adds a lawyer with a number the hotline cannot ring and is told
//! so next to the field, then with a good one; edits her, is refused a number another person has,
//! deactivates and reactivates her — each change in the audit log as the API writes it. A staff
//! member sees only her own entry, her number masked, and the calendar address she subscribes
//! to (which serves her duties); she changes nothing.

use hotline::store::{PageLanguage, Role};
use hotline_schedules::{Gender, Language, Service};

use crate::helpers::{PUBLIC_URL, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};

#[tokio::test]
async fn a_coordinator_adds_a_lawyer_and_a_number_the_hotline_cannot_ring_is_refused_by_its_field()
{
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let form = browser.get("/staff/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("name=\"service-legal\""),
        "services as checkboxes"
    );
    assert!(form.body.contains("name=\"language-kk\""));
    let csrf = form.csrf();

    let bad_phone = browser
        .post(
            "/staff",
            &[
                ("csrf", &csrf),
                ("name", "Айгерим Омарова"),
                ("phone", "8 701 555 00 01"),
                ("service-legal", "on"),
                ("language-kk", "on"),
            ],
        )
        .await;
    assert_eq!(bad_phone.status, 422);
    assert!(
        bad_phone.body.contains(
            "id=\"phone-problem\">Номер с + и кодом страны, только цифры, например +77011234567."
        ),
        "{}",
        bad_phone.body
    );
    assert!(
        bad_phone.body.contains("value=\"Айгерим Омарова\"")
            && bad_phone.body.contains("name=\"service-legal\" checked"),
        "what she typed is kept"
    );
    let no_name = browser
        .post(
            "/staff",
            &[("csrf", &csrf), ("name", "  "), ("phone", "+77015550001")],
        )
        .await;
    assert_eq!(no_name.status, 422);
    assert!(no_name.body.contains("Укажите имя."));
    assert!(
        app.store.staff().await.expect("read").is_empty(),
        "nobody added"
    );

    let forged = browser
        .post("/staff", &[("name", "Айгерим"), ("phone", "+77015550001")])
        .await;
    assert_eq!(forged.status, 403);

    let added = browser
        .post(
            "/staff",
            &[
                ("csrf", &csrf),
                ("name", "Айгерим Омарова"),
                ("phone", "+7 701 555-00-01"),
                ("service-legal", "on"),
                ("service-mens", "on"),
                ("language-kk", "on"),
                ("language-ru", "on"),
                ("gender", "female"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    let staff = app.store.staff().await.expect("read");
    assert_eq!(staff.len(), 1);
    let aigerim = &staff[0];
    assert_eq!(added.location, Some(format!("/staff/{}", aigerim.id)));
    assert_eq!(aigerim.name, "Айгерим Омарова");
    assert_eq!(aigerim.phone.as_e164(), "+77015550001");
    assert_eq!(aigerim.services, vec![Service::Legal, Service::Mens]);
    assert_eq!(aigerim.languages, vec![Language::Kk, Language::Ru]);
    assert_eq!(aigerim.gender, Some(Gender::Female));
    assert!(aigerim.active && !aigerim.is_coordinator);

    let log = app.store.audit_log(1).await.expect("read");
    assert_eq!(
        (log[0].entry.actor.as_str(), log[0].entry.action.as_str()),
        ("user:dinara", "create")
    );

    let list = browser.get("/staff").await;
    assert!(list.body.contains("Айгерим Омарова"));
    assert!(
        list.body.contains("+77015550001"),
        "a coordinator sees staff numbers whole"
    );
}

#[tokio::test]
async fn a_coordinator_edits_deactivates_and_reactivates_a_person_and_each_change_is_audited() {
    let app = spawn_app().await;
    let aigerim = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    app.add_staff("Сауле", "+77015550002", vec![Service::Psychological], false)
        .await;
    let browser = coordinator(&app).await;
    let path = format!("/staff/{aigerim}");
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"+77015550001\""));
    assert!(page.body.contains("name=\"service-legal\" checked"));
    assert!(!page.body.contains("name=\"service-mens\" checked"));
    let csrf = page.csrf();

    let taken = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Айгерим"),
                ("phone", "+77015550002"),
                ("service-legal", "on"),
            ],
        )
        .await;
    assert_eq!(taken.status, 409);
    assert!(taken.body.contains("Этот номер уже у другого сотрудника."));

    let edited = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Айгерим Омарова"),
                ("phone", "+77015550009"),
                ("service-psychological", "on"),
                ("language-ru", "on"),
                ("gender", ""),
                ("coordinator", "on"),
            ],
        )
        .await;
    assert_eq!(
        (edited.status, edited.location.as_deref()),
        (303, Some(path.as_str()))
    );
    let person = app
        .store
        .staff_member(aigerim)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(person.name, "Айгерим Омарова");
    assert_eq!(person.phone.as_e164(), "+77015550009");
    assert_eq!(person.services, vec![Service::Psychological]);
    assert_eq!(person.languages, vec![Language::Ru]);
    assert_eq!(person.gender, None);
    assert!(person.is_coordinator && person.active);

    let deactivated = browser
        .post(
            &format!("{path}/active"),
            &[("csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(deactivated.status, 303);
    let off = app
        .store
        .staff_member(aigerim)
        .await
        .expect("read")
        .expect("there");
    assert!(!off.active);
    assert!(browser.get(&path).await.body.contains("Включить снова"));
    assert!(browser.get("/staff").await.body.contains("не работает"));

    let reactivated = browser
        .post(
            &format!("{path}/active"),
            &[("csrf", &csrf), ("active", "true")],
        )
        .await;
    assert_eq!(reactivated.status, 303);
    assert!(
        app.store
            .staff_member(aigerim)
            .await
            .expect("read")
            .expect("there")
            .active
    );

    let log = app.store.audit_log(3).await.expect("read");
    let subject = format!("staff/{aigerim}");
    assert_eq!(
        log.iter()
            .map(|e| (
                e.entry.action.as_str(),
                e.entry.subject.as_str(),
                e.entry.actor.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            ("reactivate", subject.as_str(), "user:dinara"),
            ("deactivate", subject.as_str(), "user:dinara"),
            ("update", subject.as_str(), "user:dinara"),
        ]
    );
    assert!(
        log[2]
            .entry
            .before
            .as_deref()
            .unwrap_or_default()
            .contains("+77015550001")
            && log[2]
                .entry
                .after
                .as_deref()
                .unwrap_or_default()
                .contains("+77015550009"),
        "before and after, as the API writes them"
    );
}

#[tokio::test]
async fn a_staff_member_sees_only_her_own_entry_masked_with_her_calendar_and_changes_nothing() {
    let app = spawn_app().await;
    let aigerim = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    let saule = app
        .add_staff("Сауле", "+77015550002", vec![Service::Psychological], false)
        .await;
    add_user(
        &app,
        "aigerim",
        Role::Staff,
        Some(aigerim),
        PageLanguage::Ru,
    )
    .await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("aigerim", PASSWORD).await.status, 303);

    let list = browser.get("/staff").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Айгерим"));
    assert!(!list.body.contains("Сауле"), "only her own entry");
    assert!(!list.body.contains("+77015550001"), "her number masked");
    assert!(list.body.contains("+7••••••••01"), "{}", list.body);
    assert!(!list.body.contains("href=\"/staff/new\""));
    assert!(
        !list.body.contains("href=\"/audit\""),
        "the audit log is not offered"
    );

    let own = browser.get(&format!("/staff/{aigerim}")).await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains("+77015550001"));
    assert!(
        !own.body.contains("action=\"/staff/"),
        "no form to change it"
    );
    let marker = format!("href=\"{PUBLIC_URL}/calendar/");
    let start = own.body.find(&marker).expect("her calendar address") + "href=\"".len();
    let end = own.body[start..].find('"').expect("closed") + start;
    let feed_path = own.body[start..end]
        .strip_prefix(PUBLIC_URL)
        .expect("on the public URL")
        .to_owned();
    let feed = app.get(&feed_path).await;
    assert_eq!(feed.status(), 200, "the address serves her feed");
    assert!(
        feed.text()
            .await
            .expect("a body")
            .contains("BEGIN:VCALENDAR")
    );

    assert_eq!(browser.get(&format!("/staff/{saule}")).await.status, 404);
    assert_eq!(browser.get("/staff/new").await.status, 403);
    let csrf = own.csrf();
    let create = browser
        .post(
            "/staff",
            &[
                ("csrf", &csrf),
                ("name", "Новая"),
                ("phone", "+77015550003"),
            ],
        )
        .await;
    assert_eq!(create.status, 403);
    let edit = browser
        .post(
            &format!("/staff/{aigerim}"),
            &[
                ("csrf", &csrf),
                ("name", "Другая"),
                ("phone", "+77015550001"),
            ],
        )
        .await;
    assert_eq!(edit.status, 403);
    let deactivate = browser
        .post(
            &format!("/staff/{saule}/active"),
            &[("csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(deactivate.status, 403);
    let staff = app.store.staff().await.expect("read");
    assert_eq!(staff.len(), 2, "nobody added");
    assert!(
        staff
            .iter()
            .all(|p| p.active && (p.name == "Айгерим" || p.name == "Сауле")),
        "nothing changed"
    );
}
