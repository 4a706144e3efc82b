//! The monthly report as a page for the coordinator: real calls and a text through signed
//! webhooks, then the month's tables hold their counts, the charts are inline SVG with no
//! script, the month picker refuses a month that is not one, and the CSV of totals downloads
//! with the session; staff are kept out of both.

use chrono::Duration;
use hotline::reports::Month;
use hotline::store::{PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::{CALLER, TestApp, spawn_app};
use crate::messages::HER;
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};
use crate::voice::{LAWYER, PSYCHOLOGIST};

fn this_month(app: &TestApp) -> Month {
    Month::containing(app.clock_now(), app.state.schedule.zone)
}

/// One row of a report table: its name, calls, texts and total.
fn counts(name: &str, calls: u32, texts: u32, total: u32) -> String {
    format!(
        "<tr><td>{name}</td><td class=\"n\">{calls}</td><td class=\"n\">{texts}</td><td class=\"n\">{total}</td></tr>"
    )
}

/// Two calls she hangs up while they ring (legal in Russian, psychological in Kazakh) and one
/// SMS for legal help, all from the same woman.
async fn a_month(app: &TestApp) -> i64 {
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;
    let legal = app.call("CA-REP-1");
    legal.chooses("2", "1").await;
    legal.ends("2").await;
    let psych = app.call("CA-REP-2");
    psych.chooses("1", "2").await;
    psych.ends("2").await;
    app.clock.advance(Duration::minutes(1));
    app.text("SM-REP-1", HER, "Нужен юрист").await;
    lawyer
}

#[tokio::test]
async fn the_months_report_reads_as_tables_and_inline_charts_with_its_csv() {
    let app = spawn_app().await;
    a_month(&app).await;
    let month = this_month(&app);
    let browser = coordinator(&app).await;
    let nav = browser.get("/").await;
    assert!(nav.body.contains("href=\"/reports\"") && nav.body.contains("href=\"/log\""));

    let page = browser.get(&format!("/reports?month={month}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<h1>Отчёты</h1>"));
    assert!(body.contains(&counts("Обращения", 2, 1, 3)), "{body}");
    assert!(
        body.contains(&counts("Юридическая помощь", 1, 1, 2)),
        "{body}"
    );
    assert!(body.contains(&counts("Психологическая помощь", 1, 0, 1)));
    assert!(body.contains(&counts("Мужская линия", 0, 0, 0)));
    assert!(body.contains(&counts("положила трубку, не дождавшись", 2, 0, 2)));
    assert!(body.contains(&counts("без ответа", 0, 1, 1)));
    assert!(body.contains(&counts("казахский", 1, 0, 1)));
    assert!(body.contains(&counts("SMS", 0, 1, 1)));
    assert!(body.contains(&counts("звонок", 2, 0, 2)));
    // One woman, new this month; neither call answered of two that reached a service.
    assert!(body.contains("<tr><td>Всего</td><td class=\"n\">1</td></tr>"));
    assert!(body.contains("<tr><td>впервые</td><td class=\"n\">1</td></tr>"));
    assert!(body.contains("<strong>0%</strong>: 0 / 2"), "{body}");
    assert!(body.contains(&format!("href=\"/reports/monthly.csv?month={month}\"")));
    assert_eq!(body.matches("<svg ").count(), 5, "five charts");
    assert!(body.contains("<title id=\"chart-services-title\">По услугам, "));
    assert!(
        !body.contains("<script"),
        "no script, in a chart or anywhere"
    );
    assert!(!body.contains(&CALLER[2..]), "counts only");
    assert_eq!(
        page.headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok()),
        Some("default-src 'self'; frame-ancestors 'none'")
    );
    // With no month asked for: this month, and the picker links its neighbours.
    let unasked = browser.get("/reports").await;
    assert_eq!(unasked.status, 200);
    assert!(unasked.body.contains(&format!("value=\"{month}\"")));
    assert!(
        unasked
            .body
            .contains(&format!("/reports?month={}", month.next()))
    );
    let next = browser
        .get(&format!("/reports?month={}", month.next()))
        .await;
    assert!(
        next.body.contains(&counts("Обращения", 0, 0, 0)),
        "a month apart"
    );

    let csv = browser
        .get(&format!("/reports/monthly.csv?month={month}"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/csv"))
    );
    assert!(csv.body.starts_with("month,measure,group,value\r\n"));
    assert!(csv.body.contains(&format!("{month},contacts,all,3\r\n")));
    assert!(csv.body.contains(&format!("{month},service,legal,2\r\n")));
    assert!(!csv.body.contains(&CALLER[2..]));

    for path in ["/reports?month=2026-13", "/reports?month=ноябрь"] {
        let refused = browser.get(path).await;
        assert_eq!(refused.status, 422, "{path}");
        assert!(refused.body.contains("Месяц пишется так: 2026-11."));
        assert!(!refused.body.contains("<svg "));
    }
    assert_eq!(
        browser.get("/reports/monthly.csv?month=13").await.status,
        422
    );
}

#[tokio::test]
async fn staff_get_neither_the_report_nor_its_csv() {
    let app = spawn_app().await;
    let lawyer = a_month(&app).await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    let month = this_month(&app);
    for path in [
        format!("/reports?month={month}"),
        format!("/reports/monthly.csv?month={month}"),
    ] {
        let refused = staff.get(&path).await;
        assert_eq!(refused.status, 403, "{path}");
        assert!(
            refused
                .body
                .contains("Эта страница только для координатора.")
        );
        assert!(!refused.body.contains("contacts,all"));
    }
    let signed_out = Browser::new(&app).get("/reports/monthly.csv").await;
    assert_eq!(
        (signed_out.status, signed_out.location.as_deref()),
        (303, Some("/sign-in"))
    );
}
