//! The rota page: a week of one service as bars (names on duties, gaps in red with their
//! times), a month as a list, and the coordinator's changes through the same audited editor as
//! the JSON API — a refused change shows the editor's message, keeps what was typed and changes
//! nothing. Staff see their own services' rota, read-only.

use chrono::{DateTime, TimeZone, Utc};
use hotline::rota::spec::ShiftSpec;
use hotline::store::{PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::{TestApp, audit, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};

/// Monday 23 November 2026, 08:00 in Almaty (UTC+5): week 2026-W48 runs to Sunday the 29th.
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0)
        .single()
        .expect("valid")
}

/// An Almaty wall-clock time on a November day, as an instant.
fn almaty(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("valid")
        - chrono::Duration::hours(5)
}

const WEEK: &str = "/rota?service=legal&week=2026-W48";

/// A one-off shift kept straight in the store, in force since before the clock.
async fn shift(
    app: &TestApp,
    staff_id: i64,
    service: Service,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) {
    let spec = ShiftSpec {
        staff_id,
        service,
        position: 0,
        starts_at: from,
        ends_at: to,
    };
    app.store
        .create_rules(
            &[spec.to_rule(monday_morning() - chrono::Duration::days(1))],
            &audit(),
        )
        .await
        .expect("kept");
}

async fn rules_in_force(app: &TestApp) -> usize {
    let now = app.clock_now();
    app.store
        .rules_between(now, now + chrono::Duration::days(365))
        .await
        .expect("read")
        .iter()
        .filter(|rule| rule.valid_until.is_none())
        .count()
}

async fn setup() -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    app.clock.set(monday_morning());
    let aigerim = app
        .add_staff("Айгерим", "+77011110001", vec![Service::Legal], false)
        .await;
    let saule = app
        .add_staff("Сауле", "+77011110002", vec![Service::Legal], false)
        .await;
    // Wednesday 09:00–18:00 Aigerim; Thursday 09:00–18:00 Saule.
    shift(&app, aigerim, Service::Legal, almaty(25, 9), almaty(25, 18)).await;
    shift(&app, saule, Service::Legal, almaty(26, 9), almaty(26, 18)).await;
    (app, aigerim, saule)
}

#[tokio::test]
async fn a_week_draws_each_duty_as_a_named_bar_and_each_gap_in_red_with_its_times() {
    let (app, _, _) = setup().await;
    let browser = coordinator(&app).await;
    let week = browser.get(WEEK).await;
    assert_eq!(week.status, 200);
    let body = &week.body;
    assert!(body.contains("<h1>График дежурств</h1>"), "{body}");
    assert!(
        body.contains("href=\"/rota\""),
        "linked from the navigation"
    );
    assert!(body.contains("Ср 25.11"));
    // 09:00 is 37.5% of the day, 18:00 is 75%: a bar from 37% that is 38% wide.
    assert!(
        body.contains("class=\"bar at37 w38\">Айгерим</span>"),
        "{body}"
    );
    assert!(body.contains("09:00–18:00 · Айгерим"));
    assert!(body.contains("09:00–18:00 · Сауле"));
    // Wednesday: nobody before 09:00 and after 18:00, in red.
    assert!(body.contains("class=\"bar at0 w38 gap\">Нет дежурного</span>"));
    assert!(body.contains("class=\"caption gap\">00:00–09:00 · Нет дежурного"));
    assert!(body.contains("class=\"caption gap\">18:00–24:00 · Нет дежурного"));
    // Monday has nobody at all: one red bar across the day.
    assert!(body.contains("class=\"caption gap\">00:00–24:00 · Нет дежурного"));
    let css = browser.get("/static/rota.css").await;
    assert!(css.body.contains(".at37{margin-left:37%}"));
    assert!(css.body.contains(".w38{width:38%}"));

    // Another service has nobody all week; this one's people are not on it.
    let psychological = browser
        .get("/rota?service=psychological&week=2026-W48")
        .await;
    assert_eq!(psychological.status, 200);
    assert!(!psychological.body.contains("· Айгерим"));
    assert!(
        psychological
            .body
            .contains("class=\"caption gap\">00:00–24:00 · Нет дежурного")
    );

    let month = browser.get(&format!("{WEEK}&view=month")).await;
    assert_eq!(month.status, 200);
    assert!(month.body.contains("Ср 25.11: Айгерим"), "{}", month.body);
    assert!(month.body.contains("Чт 26.11: Сауле"));
    assert!(month.body.contains("Пн 30.11: —"), "the whole of November");
    assert!(
        month
            .body
            .contains("<span class=\"gap-mark\">Нет дежурного 18:00–24:00</span>")
    );
}

#[tokio::test]
async fn a_coordinator_adds_moves_and_removes_a_shift_each_audited() {
    let (app, aigerim, _) = setup().await;
    let browser = coordinator(&app).await;
    let csrf = browser.get(WEEK).await.csrf();
    let id = aigerim.to_string();
    let added = browser
        .post(
            "/rota/shifts?service=legal&week=2026-W48",
            &[
                ("csrf", &csrf),
                ("staff_id", &id),
                ("service", "legal"),
                ("position", "0"),
                ("start_date", "2026-11-27"),
                ("start_time", "10:00"),
                ("end_date", "2026-11-27"),
                ("end_time", "14:00"),
            ],
        )
        .await;
    assert_eq!((added.status, added.location.as_deref()), (303, Some(WEEK)));
    let week = browser.get(WEEK).await;
    assert!(week.body.contains("10:00–14:00 · Айгерим"), "{}", week.body);
    let log = app.store.audit_log(10).await.expect("read");
    assert!(
        log.iter()
            .any(|a| a.entry.action == "create" && a.entry.actor == "user:dinara"),
        "{log:?}"
    );

    // The new shift is listed with its own move form; move it to 15:00–19:00.
    let new_id = app
        .store
        .rules_between(almaty(27, 0), almaty(28, 0))
        .await
        .expect("read")
        .into_iter()
        .find(|rule| {
            rule.valid_until.is_none()
                && rule
                    .body
                    .contains(&almaty(27, 10).to_rfc3339().replace("+00:00", "Z"))
        })
        .map(|rule| rule.id)
        .expect("the new shift");
    assert!(
        week.body
            .contains(&format!("action=\"/rota/shifts/{new_id}?"))
    );
    let moved = browser
        .post(
            &format!("/rota/shifts/{new_id}?service=legal&week=2026-W48"),
            &[
                ("csrf", &csrf),
                ("staff_id", &id),
                ("service", "legal"),
                ("position", "0"),
                ("start_date", "2026-11-27"),
                ("start_time", "15:00"),
                ("end_date", "2026-11-27"),
                ("end_time", "19:00"),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let week = browser.get(WEEK).await;
    assert!(!week.body.contains("10:00–14:00 · Айгерим"));
    assert!(week.body.contains("15:00–19:00 · Айгерим"));
    let log = app.store.audit_log(10).await.expect("read");
    assert!(log.iter().any(|a| a.entry.action == "update"));

    let newest = app
        .store
        .rule(new_id)
        .await
        .expect("read")
        .and_then(|rule| rule.replaced_by)
        .expect("replaced");
    let removed = browser
        .post(
            &format!("/rota/shifts/{newest}/remove?service=legal&week=2026-W48"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert!(
        !browser
            .get(WEEK)
            .await
            .body
            .contains("15:00–19:00 · Айгерим")
    );
    let log = app.store.audit_log(10).await.expect("read");
    assert!(
        log.iter()
            .any(|a| a.entry.action == "close" && a.entry.subject == format!("rule/{newest}"))
    );
}

#[tokio::test]
async fn a_refused_change_shows_the_editors_message_keeps_what_was_typed_and_changes_nothing() {
    let (app, aigerim, saule) = setup().await;
    let browser = coordinator(&app).await;
    let csrf = browser.get(WEEK).await.csrf();
    let before = rules_in_force(&app).await;
    let id = saule.to_string();
    // Saule over Aigerim's Wednesday shift, at the same position: the editor's conflict.
    let clash = browser
        .post(
            "/rota/shifts?service=legal&week=2026-W48",
            &[
                ("csrf", &csrf),
                ("staff_id", &id),
                ("service", "legal"),
                ("position", "0"),
                ("start_date", "2026-11-25"),
                ("start_time", "12:00"),
                ("end_date", "2026-11-25"),
                ("end_time", "20:00"),
            ],
        )
        .await;
    assert_eq!(clash.status, 409);
    assert!(
        clash.body.contains(
            "С 25.11.2026 12:00 это место уже занято: смена: Айгерим 25.11.2026 09:00–18:00."
        ),
        "{}",
        clash.body
    );
    assert!(clash.body.contains("class=\"problem\""));
    assert!(
        clash
            .body
            .contains("name=\"start_date\" value=\"2026-11-25\"")
    );
    assert!(clash.body.contains("name=\"end_time\" value=\"20:00\""));
    assert!(
        clash
            .body
            .contains(&format!("<option value=\"{id}\" selected>Сауле</option>"))
    );
    assert_eq!(rules_in_force(&app).await, before, "nothing kept");

    let backwards = browser
        .post(
            "/rota/shifts?service=legal&week=2026-W48",
            &[
                ("csrf", &csrf),
                ("staff_id", &id),
                ("service", "legal"),
                ("start_date", "2026-11-28"),
                ("start_time", "18:00"),
                ("end_date", "2026-11-28"),
                ("end_time", "09:00"),
            ],
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert!(backwards.body.contains("Конец должен быть позже начала."));
    assert!(
        backwards
            .body
            .contains("name=\"start_time\" value=\"18:00\"")
    );

    // A move refused keeps the times typed in that shift's own form.
    let wednesday = app
        .store
        .rules_between(almaty(25, 0), almaty(26, 0))
        .await
        .expect("read")
        .into_iter()
        .find(|rule| {
            rule.valid_until.is_none() && rule.body.contains(&format!("\"staff_id\":{aigerim},"))
        })
        .map(|rule| rule.id)
        .expect("Aigerim's Wednesday");
    let moved = browser
        .post(
            &format!("/rota/shifts/{wednesday}?service=legal&week=2026-W48"),
            &[
                ("csrf", &csrf),
                ("staff_id", &aigerim.to_string()),
                ("service", "legal"),
                ("position", "0"),
                ("start_date", "2026-11-26"),
                ("start_time", "08:00"),
                ("end_date", "2026-11-26"),
                ("end_time", "10:00"),
            ],
        )
        .await;
    assert_eq!(moved.status, 409, "onto Saule's Thursday");
    assert!(
        moved
            .body
            .contains("С 26.11.2026 09:00 это место уже занято: смена: Сауле"),
        "{}",
        moved.body
    );
    let form = &moved.body[moved
        .body
        .find(&format!("action=\"/rota/shifts/{wednesday}?"))
        .expect("its move form")..];
    assert!(
        form.contains("name=\"start_time\" value=\"08:00\""),
        "{form}"
    );
    assert!(form.contains("name=\"end_date\" value=\"2026-11-26\""));
    assert!(
        browser
            .get(WEEK)
            .await
            .body
            .contains("09:00–18:00 · Айгерим"),
        "not moved"
    );

    let garbled = browser
        .post(
            "/rota/overrides?service=legal&week=2026-W48",
            &[
                ("csrf", &csrf),
                ("kind", "replace"),
                ("person", &id),
                ("present", &id),
                ("service", "legal"),
                ("start_date", "2026-11-26"),
                ("start_time", "09:00"),
                ("end_date", "2026-11-26"),
                ("end_time", "12:00"),
            ],
        )
        .await;
    assert_eq!(garbled.status, 422);
    assert!(garbled.body.contains("Человек не может заменить сам себя."));
    assert_eq!(rules_in_force(&app).await, before, "still nothing kept");
}

#[tokio::test]
async fn an_override_and_a_swap_change_who_is_on_duty() {
    let (app, aigerim, saule) = setup().await;
    let dana = app
        .add_staff("Дана", "+77011110003", vec![Service::Legal], false)
        .await;
    let browser = coordinator(&app).await;
    let week = browser.get(WEEK).await;
    let csrf = week.csrf();

    // Dana stands in for Saule on Thursday morning.
    let replaced = browser
        .post(
            "/rota/overrides?service=legal&week=2026-W48",
            &[
                ("csrf", &csrf),
                ("kind", "replace"),
                ("person", &saule.to_string()),
                ("present", &dana.to_string()),
                ("service", "legal"),
                ("start_date", "2026-11-26"),
                ("start_time", "09:00"),
                ("end_date", "2026-11-26"),
                ("end_time", "12:00"),
            ],
        )
        .await;
    assert_eq!(replaced.status, 303, "{}", replaced.body);
    let week = browser.get(WEEK).await;
    assert!(week.body.contains("09:00–12:00 · Дана"), "{}", week.body);
    assert!(week.body.contains("12:00–18:00 · Сауле"));

    // Aigerim's Wednesday and Saule's Thursday afternoon swapped, as the page lists them.
    let first = format!("{aigerim}@{}", almaty(25, 9).to_rfc3339());
    let second = format!("{saule}@{}", almaty(26, 12).to_rfc3339());
    assert!(
        week.body.contains(&format!("value=\"{first}\"")),
        "{}",
        week.body
    );
    assert!(week.body.contains(&format!("value=\"{second}\"")));
    let alone = browser
        .post(
            "/rota/swaps?service=legal&week=2026-W48",
            &[("csrf", &csrf), ("first", &first), ("second", &first)],
        )
        .await;
    assert_eq!(alone.status, 422);
    assert!(alone.body.contains("a swap needs two people"));
    assert_eq!(rules_in_force(&app).await, 3, "two shifts and the override");
    let swapped = browser
        .post(
            "/rota/swaps?service=legal&week=2026-W48",
            &[("csrf", &csrf), ("first", &first), ("second", &second)],
        )
        .await;
    assert_eq!(swapped.status, 303, "{}", swapped.body);
    let week = browser.get(WEEK).await;
    assert!(week.body.contains("09:00–18:00 · Сауле"), "{}", week.body);
    assert!(week.body.contains("12:00–18:00 · Айгерим"));
    let log = app.store.audit_log(10).await.expect("read");
    assert!(
        log.iter()
            .any(|a| a.entry.action == "swap" && a.entry.actor == "user:dinara")
    );
}

#[tokio::test]
async fn staff_see_their_own_services_rota_without_forms_and_cannot_change_it() {
    let (app, aigerim, _) = setup().await;
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
    let week = staff.get(WEEK).await;
    assert_eq!(week.status, 200);
    assert!(week.body.contains("09:00–18:00 · Сауле"));
    assert!(!week.body.contains("action=\"/rota/"), "read-only");
    assert_eq!(
        staff
            .get("/rota?service=psychological&week=2026-W48")
            .await
            .status,
        404,
        "not her service"
    );
    let before = rules_in_force(&app).await;
    let refused = staff
        .post(
            "/rota/shifts?service=legal&week=2026-W48",
            &[
                ("csrf", &week.csrf()),
                ("staff_id", &aigerim.to_string()),
                ("service", "legal"),
                ("start_date", "2026-11-28"),
                ("start_time", "09:00"),
                ("end_date", "2026-11-28"),
                ("end_time", "18:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(rules_in_force(&app).await, before);

    // A coordinator's form without its token is refused too.
    let browser = coordinator(&app).await;
    let forged = browser
        .post(
            "/rota/shifts?service=legal&week=2026-W48",
            &[
                ("staff_id", &aigerim.to_string()),
                ("service", "legal"),
                ("start_date", "2026-11-28"),
                ("start_time", "09:00"),
                ("end_date", "2026-11-28"),
                ("end_time", "18:00"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(rules_in_force(&app).await, before);
    assert_eq!(Browser::new(&app).get(WEEK).await.status, 303, "signed out");
}
