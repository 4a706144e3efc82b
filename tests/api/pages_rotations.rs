//! The rotations page: the coordinator makes a rotation from a form (people in turn order, a
//! weekly handoff, working hours), changes it from now on, ends it — each through the audited
//! editor, each visible on the rota — and a refused one says why in her language, keeps what
//! she typed, and keeps nothing. Staff may not change rotations, nor may a forged form.

use chrono::{DateTime, TimeZone, Utc};
use hotline::store::{PageLanguage, Role, RuleKind};
use hotline_schedules::Service;

use crate::helpers::{TestApp, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};

/// Monday 23 November 2026, 08:00 in Almaty (UTC+5).
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0)
        .single()
        .expect("valid")
}

const PAGE: &str = "/rota/rotations?service=legal";
/// The week the rotation starts: Monday 30 November to Sunday 6 December.
const NEXT_WEEK: &str = "/rota?service=legal&week=2026-W49";

async fn setup() -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    app.clock.set(monday_morning());
    let aigerim = app
        .add_staff("Айгерим", "+77011110001", vec![Service::Legal], false)
        .await;
    let saule = app
        .add_staff("Сауле", "+77011110002", vec![Service::Legal], false)
        .await;
    (app, aigerim, saule)
}

async fn rotations_in_force(app: &TestApp) -> Vec<(i64, String)> {
    let now = app.clock_now();
    app.store
        .rules_between(now, now + chrono::Duration::days(1))
        .await
        .expect("read")
        .into_iter()
        .filter(|rule| rule.kind == RuleKind::Rotation && rule.valid_until.is_none())
        .map(|rule| (rule.id, rule.body))
        .collect()
}

/// Weekdays 09:00–18:00, a week each, Aigerim first from Monday the 30th.
fn weekdays<'a>(csrf: &'a str, first: &'a str, second: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("service", "legal"),
        ("name", "Юристы, будни"),
        ("position", "0"),
        ("member", first),
        ("member", second),
        ("member", ""),
        ("start_date", "2026-11-30"),
        ("start_time", "09:00"),
        ("every", "1"),
        ("unit", "weeks"),
        ("w0_from", "09:00"),
        ("w0_to", "18:00"),
        ("w1_from", ""),
        ("w1_to", ""),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        form.push(("w0_day", day));
    }
    form
}

#[tokio::test]
async fn a_rotation_is_made_changed_and_ended_from_its_page_and_the_rota_follows() {
    let (app, aigerim, saule) = setup().await;
    let browser = coordinator(&app).await;
    let page = browser.get(PAGE).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ротаций нет."));
    let csrf = page.csrf();
    let (aigerim_id, saule_id) = (aigerim.to_string(), saule.to_string());

    let made = browser
        .post(PAGE, &weekdays(&csrf, &aigerim_id, &saule_id))
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let kept = rotations_in_force(&app).await;
    assert_eq!(kept.len(), 1);
    let (first_id, body) = &kept[0];
    assert!(
        body.contains(&format!("\"members\":[{aigerim},{saule}]")),
        "{body}"
    );
    let listed = browser.get(PAGE).await.body;
    assert!(listed.contains("Юристы, будни"));
    assert!(listed.contains("Айгерим → Сауле"), "{listed}");
    assert!(
        listed.contains("Пн, Вт, Ср, Чт, Пт 09:00–18:00"),
        "{listed}"
    );
    let week = browser.get(NEXT_WEEK).await.body;
    assert!(week.contains("09:00–18:00 · Айгерим"), "{week}");
    assert!(!week.contains("· Сауле"), "her turn is the week after");
    let log = app.store.audit_log(10).await.expect("read");
    assert!(log.iter().any(|a| {
        a.entry.action == "create"
            && a.entry
                .after
                .as_deref()
                .is_some_and(|after| after.contains("Юристы, будни"))
    }));

    // Saule first instead: a new version from now on, the old one closed, not erased.
    let changed = browser
        .post(
            &format!("/rota/rotations/{first_id}?service=legal"),
            &weekdays(&csrf, &saule_id, &aigerim_id),
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let kept = rotations_in_force(&app).await;
    assert_eq!(kept.len(), 1);
    assert_ne!(&kept[0].0, first_id, "a new version");
    let old = app
        .store
        .rule(*first_id)
        .await
        .expect("read")
        .expect("kept");
    assert!(old.valid_until.is_some(), "the old version is closed");
    let week = browser.get(NEXT_WEEK).await.body;
    assert!(week.contains("09:00–18:00 · Сауле"), "{week}");
    assert!(!week.contains("· Айгерим"));

    // Ended: the week is a gap again.
    let ended = browser
        .post(
            &format!("/rota/rotations/{}/end?service=legal", kept[0].0),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(ended.status, 303);
    assert!(rotations_in_force(&app).await.is_empty());
    let week = browser.get(NEXT_WEEK).await.body;
    assert!(!week.contains("· Сауле") && !week.contains("· Айгерим"));
    let log = app.store.audit_log(10).await.expect("read");
    assert!(log.iter().any(|a| a.entry.action == "update"));
    assert!(log.iter().any(|a| a.entry.action == "close"));
}

#[tokio::test]
async fn a_refused_rotation_says_why_in_her_language_keeps_the_form_and_keeps_nothing() {
    let (app, aigerim, saule) = setup().await;
    let browser = coordinator(&app).await;
    let csrf = browser.get(PAGE).await.csrf();
    let (aigerim_id, saule_id) = (aigerim.to_string(), saule.to_string());
    assert_eq!(
        browser
            .post(PAGE, &weekdays(&csrf, &aigerim_id, &saule_id))
            .await
            .status,
        303
    );
    let before = rotations_in_force(&app).await;

    // A second primary rotation over the same hours: the first holds the place.
    let mut clash = weekdays(&csrf, &saule_id, &aigerim_id);
    clash[2] = ("name", "Вторая очередь");
    let refused = browser.post(PAGE, &clash).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .body
            .contains("это место уже занято: ротация «Юристы, будни»"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Вторая очередь\""),
        "typed name kept"
    );
    assert!(
        refused.body.contains("<details open>"),
        "its form shown open"
    );

    // Hours typed with no day ticked.
    let mut dayless = weekdays(&csrf, &aigerim_id, &saule_id);
    dayless.retain(|(key, _)| *key != "w0_day");
    let refused = browser.post(PAGE, &dayless).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Отметьте хотя бы один день для этих часов.")
    );

    // Nobody in the turn order.
    let mut empty = weekdays(&csrf, "", "");
    empty.retain(|(key, value)| *key != "member" || !value.is_empty());
    let refused = browser.post(PAGE, &empty).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("В очереди должен быть хотя бы один человек.")
    );
    assert_eq!(rotations_in_force(&app).await, before, "nothing kept");
}

#[tokio::test]
async fn staff_and_forged_forms_cannot_touch_rotations() {
    let (app, aigerim, saule) = setup().await;
    add_user(
        &app,
        "aigerim",
        Role::Staff,
        Some(aigerim),
        PageLanguage::Ru,
    )
    .await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    assert_eq!(staff.get(PAGE).await.status, 403);
    let csrf = staff.get("/rota").await.csrf();
    let (aigerim_id, saule_id) = (aigerim.to_string(), saule.to_string());
    let refused = staff
        .post(PAGE, &weekdays(&csrf, &aigerim_id, &saule_id))
        .await;
    assert_eq!(refused.status, 403);

    let browser = coordinator(&app).await;
    let mut forged = weekdays("", &aigerim_id, &saule_id);
    forged.remove(0);
    assert_eq!(browser.post(PAGE, &forged).await.status, 403);
    assert!(rotations_in_force(&app).await.is_empty());

    // A query that names no service (here a line break) sends her back to a page that exists.
    let csrf = browser.get(PAGE).await.csrf();
    let odd = browser
        .post(
            "/rota/rotations?service=legal%0D%0ASet-Cookie:%20x",
            &weekdays(&csrf, &aigerim_id, &saule_id),
        )
        .await;
    assert_eq!(odd.status, 303);
    assert_eq!(odd.location.as_deref(), Some("/rota/rotations"));
}
