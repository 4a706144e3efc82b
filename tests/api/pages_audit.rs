//! The audit log page: for the coordinator only, newest first in local time, a hundred to a page
//! with a link to the older ones; the subject before and after as readable JSON; a revealed
//! number shown as the call it belongs to, never as the number.

use chrono::TimeZone;
use hotline::store::{AuditEntry, PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::{CALLER, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};

fn entry(n: usize) -> AuditEntry {
    AuditEntry {
        at: chrono::Utc.with_ymd_and_hms(2026, 3, 8, 10, 0, 0).unwrap()
            + chrono::Duration::minutes(n as i64),
        actor: format!("user:coordinator{n}"),
        action: "update".to_owned(),
        subject: format!("staff/{n}"),
        before: Some(format!(r#"{{"name":"Before{n}","active":true}}"#)),
        after: Some(format!(r#"{{"name":"After{n}","active":false}}"#)),
    }
}

/// The subjects on a page, top to bottom.
fn subjects(body: &str) -> Vec<String> {
    body.split("staff/")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then(|| format!("staff/{digits}"))
        })
        .collect()
}

#[tokio::test]
async fn the_audit_log_reads_newest_first_a_hundred_to_a_page_in_local_time() {
    let app = spawn_app().await;
    for n in 1..=150 {
        app.store.record_audit(&entry(n)).await.expect("kept");
    }
    let browser = coordinator(&app).await;
    let first = browser.get("/audit").await;
    assert_eq!(first.status, 200);
    let shown = subjects(&first.body);
    assert_eq!(shown.len(), 100, "a hundred to a page");
    assert_eq!(shown[0], "staff/150", "newest first");
    assert_eq!(shown[99], "staff/51");
    // 10:00 UTC and 150 minutes is 12:30 UTC, 17:30 in Asia/Almaty (UTC+5).
    assert!(first.body.contains("08.03.2026 17:30:00"), "{}", first.body);
    assert!(first.body.contains("user:coordinator150"));
    // Keys in order, each on its own line; askama escapes the quotes.
    assert!(
        first.body.contains(
            "<pre>{\n  &#34;active&#34;: false,\n  &#34;name&#34;: &#34;After150&#34;\n}</pre>"
        ),
        "after, as indented JSON"
    );
    assert!(first.body.contains("<details><summary>Было</summary>"));

    let marker = "href=\"/audit?before=";
    let start = first.body.find(marker).expect("a link to older entries") + "href=\"".len();
    let end = first.body[start..].find('"').expect("closed") + start;
    let older = browser.get(&first.body[start..end]).await;
    assert_eq!(older.status, 200);
    let shown = subjects(&older.body);
    assert_eq!(shown.len(), 50);
    assert_eq!(
        (shown[0].as_str(), shown[49].as_str()),
        ("staff/50", "staff/1")
    );
    assert!(!older.body.contains(marker), "nothing older than the first");
    assert!(older.body.contains("href=\"/audit\""), "back to the newest");
}

#[tokio::test]
async fn a_revealed_number_is_logged_as_its_call_and_only_a_coordinator_reads_the_log() {
    let app = spawn_app().await;
    app.store
        .record_audit(&AuditEntry {
            at: chrono::Utc::now(),
            actor: "user:dinara".to_owned(),
            action: "reveal-number".to_owned(),
            subject: "call/7".to_owned(),
            before: None,
            after: None,
        })
        .await
        .expect("kept");
    let browser = coordinator(&app).await;
    let log = browser.get("/audit").await;
    assert_eq!(log.status, 200);
    assert!(log.body.contains("reveal-number · call/7"));
    assert!(!log.body.contains(&CALLER[1..]), "never her number");
    assert!(browser.get("/").await.body.contains("href=\"/audit\""));

    let lawyer = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    let refused = staff.get("/audit").await;
    assert_eq!(refused.status, 403);
    assert!(!refused.body.contains("call/7"));
    assert!(!staff.get("/").await.body.contains("href=\"/audit\""));
    assert_eq!(Browser::new(&app).get("/audit").await.status, 303);
}
