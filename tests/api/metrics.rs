//! `/metrics` as Prometheus scrapes it, on both stores: a call a lawyer answered, a call nobody
//! answered (a follow-up and its reminder), texts waiting and one failed, a rota with a gap; the
//! page is parsed and each value checked against what happened. No label is ever anything but
//! the hotline's own fixed words: her number, sent in a request, never shows.

use std::collections::BTreeMap;

use chrono::Duration;
use hotline::clock::Clock;
use hotline::simulate::{Behaviour, CallScript};
use hotline::store::{CallOutcome, NewOutboxMessage, OutboxFailure, OutboxStatus};
use hotline_schedules::Service;

use crate::call_flow::LAWYER;
use crate::databases::TestDatabase;
use crate::helpers::{CALLER, TestApp, incoming_call, spawn_app, spawn_app_on};

/// One line of the page: a sample's name, labels and value.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The page, parsed; fails on any line that is not a comment, a family's HELP or TYPE, or a
/// sample of a family already announced by both.
struct Page {
    text: String,
    samples: Vec<Sample>,
}

impl Page {
    fn parse(text: String) -> Self {
        let mut helped = Vec::new();
        let mut typed: BTreeMap<String, String> = BTreeMap::new();
        let mut samples = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("a help text");
                assert!(!help.is_empty(), "{line}");
                helped.push(name.to_owned());
                continue;
            }
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("a type");
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                assert!(
                    helped.last().is_some_and(|h| h == name),
                    "HELP before TYPE: {line}"
                );
                assert!(
                    typed.insert(name.to_owned(), kind.to_owned()).is_none(),
                    "twice: {line}"
                );
                continue;
            }
            let sample = parse_sample(line);
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| {
                    sample
                        .name
                        .strip_suffix(suffix)
                        .filter(|base| typed.get(*base).is_some_and(|k| k == "histogram"))
                })
                .unwrap_or(&sample.name);
            assert!(typed.contains_key(family), "a sample of no family: {line}");
            samples.push(sample);
        }
        Self { text, samples }
    }

    /// The value of the one sample named `name` with exactly `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.find(name, labels)
            .unwrap_or_else(|| panic!("{name}{labels:?} in\n{}", self.text))
    }

    fn find(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let found: Vec<f64> = self
            .samples
            .iter()
            .filter(|s| s.name == name && s.labels == labels)
            .map(|s| s.value)
            .collect();
        assert!(found.len() <= 1, "{name}{labels:?} twice");
        found.first().copied()
    }

    fn has_family(&self, name: &str) -> bool {
        self.text.contains(&format!("# TYPE {name} "))
    }
}

fn parse_sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').expect("a value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        value => value.parse().unwrap_or_else(|_| panic!("a number: {line}")),
    };
    let (name, labels) = match series.split_once('{') {
        None => (series, BTreeMap::new()),
        Some((name, rest)) => {
            let rest = rest.strip_suffix('}').expect("labels end");
            let labels = rest
                .split(',')
                .map(|pair| {
                    let (key, value) = pair.split_once('=').expect("label=value");
                    let value = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .expect("a quoted value");
                    (key.to_owned(), value.to_owned())
                })
                .collect();
            (name, labels)
        }
    };
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

/// Every label value on the page is one of the hotline's own words for that label.
fn labels_are_fixed_words(page: &Page) {
    let words: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        (
            "outcome",
            vec![
                "answered",
                "voicemail",
                "missed",
                "abandoned",
                "blocked",
                "closed",
            ],
        ),
        ("channel", vec!["sms", "whatsapp", "callback"]),
        ("kind", vec!["follow_up", "planned"]),
        ("service", vec!["legal", "psychological", "mens"]),
        (
            "group",
            vec!["calls", "waits", "outbox", "reminders", "rota"],
        ),
    ]);
    for sample in &page.samples {
        for (label, value) in &sample.labels {
            let fixed = match label.as_str() {
                "le" => value == "+Inf" || value.parse::<f64>().is_ok(),
                "route" => {
                    value.starts_with("/webhooks/")
                        && value.chars().all(|c| c.is_ascii_lowercase() || c == '/')
                }
                // The process's own counters: a word of its code.
                "event" | "reason" | "step" => value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-'),
                label => words
                    .get(label)
                    .is_some_and(|w| w.contains(&value.as_str())),
            };
            assert!(
                fixed,
                "{}{{{label}={value:?}}} is not a fixed word",
                sample.name
            );
        }
    }
}

/// Her number in none of the ways it may be written.
fn her_number_is_nowhere(page: &Page) {
    let digits = CALLER.trim_start_matches('+');
    for form in [CALLER, digits, &digits[1..], "%2B77071234567"] {
        assert!(
            !page.text.contains(form),
            "the page shows her number ({form})"
        );
    }
}

async fn scrape(app: &TestApp) -> Page {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    Page::parse(response.text().await.expect("a page"))
}

/// A text to the lawyer written now, waiting in the outbox.
async fn text_waiting(app: &TestApp, key: &str) {
    let message = NewOutboxMessage {
        idempotency_key: key.to_owned(),
        channel: "sms".into(),
        to_sealed: app.data_key.seal(LAWYER),
        body_sealed: app.data_key.seal("Пропущенный звонок"),
        created_at: app.clock.now(),
        contact_hash: None,
    };
    assert!(app.store.enqueue_outbox(&message).await.expect("queued"));
}

/// A text that was tried and failed for good now.
async fn text_failed(app: &TestApp, key: &str) {
    text_waiting(app, key).await;
    let now = app.clock.now();
    let id = app
        .store
        .pending_outbox(100)
        .await
        .expect("read")
        .into_iter()
        .find(|m| m.idempotency_key == key)
        .expect("waiting")
        .id;
    let claimed = app
        .store
        .claim_outbox(id, now, now + Duration::minutes(2))
        .await
        .expect("claimed")
        .expect("due");
    let failure = OutboxFailure {
        status: OutboxStatus::Failed,
        error_code: Some(30003),
        error_message: "unreachable".into(),
        at: now,
    };
    assert!(
        app.store
            .fail_outbox(id, claimed.attempts, &failure)
            .await
            .expect("failed")
    );
}

/// Each value on the page, against a day that had an answered call, a missed one, texts and
/// a rota with a gap.
async fn the_page_says_what_happened(app: TestApp) {
    let t0 = app.clock.now();
    // The lawyer is on duty from an hour ago to an hour from now: after that, nobody.
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;

    let empty = scrape(&app).await;
    assert_eq!(
        empty.value("hotline_calls_total", &[("outcome", "answered")]),
        0.0
    );
    assert_eq!(
        empty.value("hotline_time_to_a_person_seconds_count", &[]),
        0.0
    );
    assert_eq!(
        empty.value("hotline_outbox_pending", &[("channel", "sms")]),
        0.0
    );

    let answered = app
        .she_calls(
            CallScript::default()
                .digits(["2", "1"])
                .phone(LAWYER, Behaviour::Accept),
        )
        .await;
    assert_eq!(answered.record.outcome, Some(CallOutcome::Answered));
    let missed = app
        .she_calls(CallScript {
            leave_voicemail: false,
            ..CallScript::default()
                .digits(["2", "1"])
                .phone(LAWYER, Behaviour::NoAnswer)
        })
        .await;
    assert_eq!(missed.record.outcome, Some(CallOutcome::Missed));
    let follow_up = missed.follow_ups.first().expect("she is owed a call").id;
    let reminder = app
        .store
        .job_by_key(&format!("follow-up:{follow_up}:reminder:1"))
        .await
        .expect("read")
        .expect("the first reminder is planned");

    // A minute after the reminder was due: due, not late.
    app.clock.set(reminder.due_at + Duration::minutes(1));
    text_waiting(&app, "metrics-test:first").await;
    text_failed(&app, "metrics-test:failed").await;
    app.clock.set(reminder.due_at + Duration::minutes(2));
    text_waiting(&app, "metrics-test:second").await;
    // A request with her number in its query is timed by its route, never by what it sent.
    app.post_signed(
        "/webhooks/voice/status?From=%2B77071234567",
        &incoming_call("CA0000000000000000000000000000ffff"),
    )
    .await;
    app.clock.set(reminder.due_at + Duration::minutes(3));
    let page = scrape(&app).await;

    for (outcome, count) in [
        ("answered", 1.0),
        ("missed", 1.0),
        ("voicemail", 0.0),
        ("abandoned", 0.0),
        ("blocked", 0.0),
        ("closed", 0.0),
    ] {
        assert_eq!(
            page.value("hotline_calls_total", &[("outcome", outcome)]),
            count,
            "{outcome}"
        );
    }

    // Time to a person: the one answered call, in the first bucket at or over its wait.
    let record = &answered.record;
    let wait = (record.answered_at.expect("answered") - record.started_at).num_milliseconds()
        as f64
        / 1000.0;
    assert!(wait > 0.0, "the call waited {wait} s");
    for le in [
        1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0,
    ] {
        let expected = if wait <= le { 1.0 } else { 0.0 };
        assert_eq!(
            page.value(
                "hotline_time_to_a_person_seconds_bucket",
                &[("le", &format!("{le}"))]
            ),
            expected,
            "le={le}, waited {wait}"
        );
    }
    assert_eq!(
        page.value("hotline_time_to_a_person_seconds_bucket", &[("le", "+Inf")]),
        1.0
    );
    assert_eq!(
        page.value("hotline_time_to_a_person_seconds_count", &[]),
        1.0
    );
    let sum = page.value("hotline_time_to_a_person_seconds_sum", &[]);
    assert!((sum - wait).abs() < 0.002, "sum {sum}, waited {wait}");

    // The outbox: what waits as the store lists it, the oldest written two minutes ago.
    let waiting = app.store.pending_outbox(1000).await.expect("read");
    let sms = waiting.iter().filter(|m| m.channel == "sms").count();
    assert!(sms >= 2, "the two texts wait");
    assert_eq!(
        page.value("hotline_outbox_pending", &[("channel", "sms")]),
        sms as f64
    );
    let oldest = waiting.iter().map(|m| m.created_at).min().expect("one");
    let age = (app.clock.now() - oldest).num_milliseconds() as f64 / 1000.0;
    assert!(age >= 120.0, "the first text waits since two minutes ago");
    assert_eq!(
        page.value(
            "hotline_outbox_oldest_pending_age_seconds",
            &[("channel", "sms")]
        ),
        age
    );
    assert_eq!(
        page.value("hotline_outbox_pending", &[("channel", "whatsapp")]),
        0.0
    );
    assert_eq!(
        page.value(
            "hotline_outbox_oldest_pending_age_seconds",
            &[("channel", "whatsapp")]
        ),
        0.0
    );
    assert_eq!(
        page.value("hotline_outbox_failed_last_day", &[("channel", "sms")]),
        1.0
    );

    // The missed call's reminder: due three minutes ago, not yet late.
    assert_eq!(
        page.value("hotline_reminders_due", &[("kind", "follow_up")]),
        1.0
    );
    assert_eq!(
        page.value("hotline_reminders_late", &[("kind", "follow_up")]),
        0.0
    );
    assert_eq!(
        page.value("hotline_reminders_due", &[("kind", "planned")]),
        0.0
    );

    // The rota: legal is covered until an hour after the start, then nobody for the rest of
    // the week; the other services have nobody at all.
    let now = app.clock.now();
    let legal_gap = (now + Duration::days(7) - (t0 + Duration::hours(1))).num_seconds();
    let legal = [("service", "legal")];
    assert_eq!(
        page.value("hotline_rota_gap_seconds_ahead", &legal),
        legal_gap as f64
    );
    assert_eq!(page.value("hotline_rota_gaps_ahead", &legal), 1.0);
    assert_eq!(
        page.value("hotline_rota_next_gap_seconds", &legal),
        (t0 + Duration::hours(1) - now).num_seconds() as f64
    );
    let mens = [("service", "mens")];
    assert_eq!(
        page.value("hotline_rota_gap_seconds_ahead", &mens),
        7.0 * 86400.0
    );
    assert_eq!(page.value("hotline_rota_next_gap_seconds", &mens), 0.0);

    // Webhooks, timed by route: the two calls came in, and the status callback sent with her
    // number is counted under its route alone.
    let voice = [("route", "/webhooks/voice")];
    assert_eq!(
        page.value("hotline_webhook_duration_seconds_count", &voice),
        2.0
    );
    assert_eq!(
        page.value(
            "hotline_webhook_duration_seconds_bucket",
            &[("route", "/webhooks/voice"), ("le", "+Inf")]
        ),
        2.0
    );
    assert!(page.value("hotline_webhook_duration_seconds_sum", &voice) > 0.0);
    assert!(
        page.find(
            "hotline_webhook_duration_seconds_count",
            &[("route", "/webhooks/voice/status")]
        )
        .is_some()
    );
    let mut last = 0.0;
    for le in [
        "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
        "10", "+Inf",
    ] {
        let count = page.value(
            "hotline_webhook_duration_seconds_bucket",
            &[("route", "/webhooks/voice"), ("le", le)],
        );
        assert!(count >= last, "buckets are cumulative at le={le}");
        last = count;
    }
    for group in ["calls", "waits", "outbox", "reminders", "rota"] {
        assert_eq!(
            page.value("hotline_metrics_errors_total", &[("group", group)]),
            0.0
        );
    }
    labels_are_fixed_words(&page);
    her_number_is_nowhere(&page);
    for call in [&answered, &missed] {
        assert!(
            !page.text.contains(&call.record.call_sid),
            "a CallSid on the page"
        );
    }

    // Six minutes after it was due the reminder is late.
    app.clock.set(reminder.due_at + Duration::minutes(6));
    let later = scrape(&app).await;
    assert_eq!(
        later.value("hotline_reminders_late", &[("kind", "follow_up")]),
        1.0
    );
    assert_eq!(
        later.value("hotline_reminders_due", &[("kind", "follow_up")]),
        1.0
    );

    // Hours on, the answered call's wait is settled and kept by the process: read once, it
    // is neither lost nor counted again, however often the page is scraped.
    for hours in [3, 3, 4] {
        app.clock.set(reminder.due_at + Duration::hours(hours));
        let settled = scrape(&app).await;
        assert_eq!(
            settled.value("hotline_time_to_a_person_seconds_count", &[]),
            1.0,
            "{hours} hours on"
        );
        let sum = settled.value("hotline_time_to_a_person_seconds_sum", &[]);
        assert!((sum - wait).abs() < 0.002, "sum {sum}, waited {wait}");
        assert_eq!(
            settled.value("hotline_time_to_a_person_seconds_bucket", &[("le", "+Inf")]),
            1.0
        );
    }
}

#[tokio::test]
async fn the_metrics_page_says_what_happened_on_sqlite() {
    the_page_says_what_happened(spawn_app().await).await;
}

#[tokio::test]
async fn the_metrics_page_says_what_happened_on_postgres() {
    the_page_says_what_happened(spawn_app_on(TestDatabase::postgres().await).await).await;
}

#[tokio::test]
async fn a_group_that_cannot_be_read_is_left_out_and_counted_and_the_rest_is_served() {
    use sqlx::Connection;
    let app = spawn_app().await;
    let url = format!("sqlite://{}", app.database_path());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.expect("opens");
    // As if the jobs table were lost: its query fails, the others do not.
    sqlx::query("ALTER TABLE jobs RENAME TO jobs_elsewhere")
        .execute(&mut connection)
        .await
        .expect("renamed");
    for scrapes in 1..=2 {
        let page = scrape(&app).await;
        assert!(!page.has_family("hotline_reminders_due"), "{}", page.text);
        assert!(!page.has_family("hotline_reminders_late"));
        assert_eq!(
            page.value("hotline_metrics_errors_total", &[("group", "reminders")]),
            f64::from(scrapes)
        );
        assert_eq!(
            page.value("hotline_metrics_errors_total", &[("group", "calls")]),
            0.0
        );
        assert_eq!(
            page.value("hotline_calls_total", &[("outcome", "answered")]),
            0.0
        );
        assert!(page.has_family("hotline_outbox_pending"));
        assert!(page.has_family("hotline_rota_gap_seconds_ahead"));
    }
}
