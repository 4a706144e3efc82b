//! The report's figures on small months worked by hand, and a property: every breakdown adds up.

use chrono::{Duration, TimeZone, Utc};
use hotline_schedules::{HOTLINE_ZONE, Language, Service};
use proptest::prelude::*;

use super::*;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 10, 0, 0)
        .single()
        .expect("valid")
        + Duration::minutes(minute)
}

fn november() -> Month {
    Month::parse("2026-11").expect("a month")
}

fn call(caller: &str, service: Option<Service>, outcome: Option<CallOutcome>) -> CallFact {
    CallFact {
        service,
        language: service.map(|_| Language::Ru),
        outcome,
        started_at: at(0),
        answered_at: None,
        caller: caller.to_owned(),
        known_before: false,
    }
}

#[test]
fn nearest_rank_takes_a_value_that_was_seen_never_an_average() {
    let ten: Vec<i64> = (1..=10).map(|n| n * 10).collect();
    assert_eq!(nearest_rank(&ten, 50), Some(50), "rank ⌈5⌉ = 5");
    assert_eq!(nearest_rank(&ten, 90), Some(90), "rank ⌈9⌉ = 9");
    assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2), "rank 2, not 2.5");
    assert_eq!(nearest_rank(&[7, 8, 9], 50), Some(8), "rank ⌈1.5⌉ = 2");
    assert_eq!(nearest_rank(&[7, 8, 9], 90), Some(9), "rank ⌈2.7⌉ = 3");
    assert_eq!(nearest_rank(&[42], 90), Some(42));
    assert_eq!(nearest_rank(&[3, 5], 0), Some(3), "rank at least 1");
    assert_eq!(nearest_rank(&[], 50), None);
    let eleven: Vec<i64> = (1..=11).collect();
    assert_eq!(nearest_rank(&eleven, 90), Some(10), "rank ⌈9.9⌉ = 10");
    assert_eq!(
        Spread::of_seconds(vec![30, 10, 20]),
        Spread {
            count: 3,
            median_secs: Some(20),
            p90_secs: Some(30)
        },
        "sorted first"
    );
}

#[test]
fn a_month_is_its_local_midnights_in_almaty() {
    let (start, end) = november().bounds(HOTLINE_ZONE);
    // Almaty is UTC+5: local midnight on 1 November is 19:00 UTC on 31 October.
    assert_eq!(
        start,
        Utc.with_ymd_and_hms(2026, 10, 31, 19, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(
        end,
        Utc.with_ymd_and_hms(2026, 11, 30, 19, 0, 0)
            .single()
            .expect("valid")
    );
    let (_, new_year) = Month::parse("2026-12").expect("valid").bounds(HOTLINE_ZONE);
    assert_eq!(
        new_year,
        Utc.with_ymd_and_hms(2026, 12, 31, 19, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(Month::containing(start, HOTLINE_ZONE), november());
    assert_eq!(
        Month::containing(start - Duration::seconds(1), HOTLINE_ZONE).to_string(),
        "2026-10"
    );
    for bad in [
        "2026-13",
        "2026-1",
        "26-11",
        "2026-11-01",
        "2026 11",
        "",
        "abcd-ef",
    ] {
        assert_eq!(Month::parse(bad), Err(MonthError), "{bad:?}");
    }
}

#[test]
fn a_small_month_worked_by_hand() {
    let answered = |caller: &str, wait: i64| CallFact {
        answered_at: Some(at(0) + Duration::seconds(wait)),
        ..call(caller, Some(Service::Legal), Some(CallOutcome::Answered))
    };
    let facts = MonthFacts {
        calls: vec![
            answered("a", 40),
            answered("a", 10),
            answered("b", 25),
            call(
                "c",
                Some(Service::Psychological),
                Some(CallOutcome::Voicemail),
            ),
            // Hung up in the greeting: a contact, but not one there was anyone to ring for.
            call("d", None, Some(CallOutcome::Abandoned)),
            CallFact {
                known_before: true,
                ..call("e", Some(Service::Mens), None)
            },
        ],
        texts: vec![
            TextFact {
                service: Service::Legal,
                channel: TextChannel::Whatsapp,
                opened_at: at(0),
                first_reply_at: Some(at(7)),
                contact: "b".to_owned(),
                known_before: false,
            },
            TextFact {
                service: Service::Psychological,
                channel: TextChannel::Sms,
                opened_at: at(0),
                first_reply_at: None,
                contact: "f".to_owned(),
                known_before: true,
            },
        ],
        follow_ups: vec![
            FollowUpFact {
                opened_at: at(0),
                answered_at: Some(at(90)),
            },
            FollowUpFact {
                opened_at: at(0),
                answered_at: None,
            },
        ],
    };
    let report = monthly_report(november(), &facts);
    assert_eq!(
        report.contacts,
        Tally {
            calls: 6,
            texts: 2,
            total: 8
        }
    );
    let totals = |groups: &[Group]| -> Vec<(&str, u32, u32)> {
        groups
            .iter()
            .map(|g| (g.group, g.tally.calls, g.tally.texts))
            .collect()
    };
    assert_eq!(
        totals(&report.by_service),
        vec![
            ("legal", 3, 1),
            ("psychological", 1, 1),
            ("mens", 1, 0),
            ("none", 1, 0)
        ]
    );
    assert_eq!(
        totals(&report.by_outcome),
        vec![
            ("answered", 3, 1),
            ("voicemail", 1, 0),
            ("missed", 0, 0),
            ("abandoned", 1, 0),
            ("blocked", 0, 0),
            ("closed", 0, 0),
            ("in_progress", 1, 0),
            ("unanswered", 0, 1),
        ]
    );
    assert_eq!(
        totals(&report.by_language),
        vec![("kk", 0, 0), ("ru", 5, 0), ("none", 1, 2)]
    );
    assert_eq!(
        totals(&report.by_channel),
        vec![("voice", 6, 0), ("sms", 0, 1), ("whatsapp", 0, 1)]
    );
    assert_eq!(
        report.callers,
        Callers {
            people: 6,
            new: 4,
            repeat: 2
        },
        "a and b counted once each; e and f wrote or called before"
    );
    assert_eq!(
        report.answer_rate,
        AnswerRate {
            answered: 3,
            reached_service: 5,
            percent: Some(60)
        }
    );
    assert_eq!(
        report.time_to_person.calls,
        Spread {
            count: 3,
            median_secs: Some(25),
            p90_secs: Some(40)
        }
    );
    assert_eq!(
        report.time_to_person.texts,
        Spread {
            count: 1,
            median_secs: Some(420),
            p90_secs: Some(420)
        }
    );
    assert_eq!(
        report.follow_ups,
        FollowUps {
            opened: 2,
            answered: 1,
            time_to_answer: Spread {
                count: 1,
                median_secs: Some(5400),
                p90_secs: Some(5400)
            }
        }
    );
}

#[test]
fn an_empty_month_has_every_group_at_zero_and_no_times() {
    let report = monthly_report(november(), &MonthFacts::default());
    assert_eq!(report.by_service.len(), 4);
    assert_eq!(report.by_outcome.len(), OUTCOMES.len());
    assert_eq!(report.answer_rate.percent, None);
    assert_eq!(report.time_to_person.calls, Spread::default());
    let csv = csv::monthly_csv(&report);
    assert!(csv.starts_with("month,measure,group,value\r\n"));
    assert!(csv.contains("2026-11,time_to_person_calls,median_seconds,\r\n"));
}

#[test]
fn the_csv_has_one_total_a_row_and_only_fixed_keys() {
    let facts = MonthFacts {
        calls: vec![call(
            "+77071234567",
            Some(Service::Legal),
            Some(CallOutcome::Missed),
        )],
        ..MonthFacts::default()
    };
    let csv = csv::monthly_csv(&monthly_report(november(), &facts));
    assert!(!csv.contains("77071234567"), "never her number or hash");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], csv::HEADER);
    assert!(lines.contains(&"2026-11,contacts,all,1"));
    assert!(lines.contains(&"2026-11,outcome,missed,1"));
    assert!(lines.contains(&"2026-11,answer_rate,percent,0"));
    for line in &lines[1..] {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 4, "{line}");
        assert!(
            cells[3].is_empty() || cells[3].parse::<i64>().is_ok(),
            "{line}"
        );
    }
}

#[test]
fn a_chart_escapes_its_text_and_names_itself_for_screen_readers() {
    let svg = svg::bar_chart(
        "c",
        "<script>alert('x')</script> & co",
        &[("Men's", 3), ("Q\"", 0)],
    );
    assert!(!svg.contains("<script"), "{svg}");
    assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
    assert!(svg.contains("<title id=\"c-title\">"));
    assert!(svg.contains("aria-labelledby=\"c-title c-desc\""));
    assert!(svg.contains("Men&#39;s: 3; Q&quot;: 0"));
    assert!(svg.contains("viewBox=\"0 0 360 "), "fits a phone's width");
    let report = monthly_report(november(), &MonthFacts::default());
    for chart in svg::Chart::ALL {
        assert_eq!(svg::Chart::from_name(chart.as_str()), Some(chart));
        let drawn = svg::chart(&report, chart);
        assert!(drawn.contains("2026-11"), "{drawn}");
    }
}

fn any_call() -> impl Strategy<Value = CallFact> {
    (
        proptest::option::of(prop::sample::select(Service::ALL.to_vec())),
        proptest::option::of(prop::sample::select(Language::ALL.to_vec())),
        proptest::option::of(prop::sample::select(vec![
            CallOutcome::Answered,
            CallOutcome::Voicemail,
            CallOutcome::Missed,
            CallOutcome::Abandoned,
            CallOutcome::Blocked,
            CallOutcome::Closed,
        ])),
        0..5u8,
        any::<bool>(),
        proptest::option::of(0..3600i64),
    )
        .prop_map(
            |(service, language, outcome, who, known_before, wait)| CallFact {
                service,
                language,
                outcome,
                started_at: at(0),
                answered_at: wait.map(|s| at(0) + Duration::seconds(s)),
                caller: format!("h{who}"),
                known_before,
            },
        )
}

fn any_text() -> impl Strategy<Value = TextFact> {
    (
        prop::sample::select(Service::ALL.to_vec()),
        any::<bool>(),
        0..5u8,
        any::<bool>(),
        proptest::option::of(0..3600i64),
    )
        .prop_map(|(service, sms, who, known_before, wait)| TextFact {
            service,
            channel: if sms {
                TextChannel::Sms
            } else {
                TextChannel::Whatsapp
            },
            opened_at: at(0),
            first_reply_at: wait.map(|s| at(0) + Duration::seconds(s)),
            contact: format!("h{who}"),
            known_before,
        })
}

proptest! {
    #[test]
    fn every_breakdown_adds_up_to_the_contacts(
        calls in prop::collection::vec(any_call(), 0..40),
        texts in prop::collection::vec(any_text(), 0..40),
    ) {
        let facts = MonthFacts { calls, texts, follow_ups: vec![] };
        let report = monthly_report(november(), &facts);
        let all = report.contacts;
        prop_assert_eq!(all.total, all.calls + all.texts);
        prop_assert_eq!(all.calls as usize, facts.calls.len());
        prop_assert_eq!(all.texts as usize, facts.texts.len());
        for groups in [&report.by_service, &report.by_outcome, &report.by_language, &report.by_channel] {
            let sum = |f: fn(&Tally) -> u32| groups.iter().map(|g| f(&g.tally)).sum::<u32>();
            prop_assert_eq!(sum(|t| t.calls), all.calls);
            prop_assert_eq!(sum(|t| t.texts), all.texts);
            prop_assert_eq!(sum(|t| t.total), all.total);
        }
        let people: std::collections::BTreeSet<&str> = facts.calls.iter().map(|c| c.caller.as_str())
            .chain(facts.texts.iter().map(|t| t.contact.as_str())).collect();
        prop_assert_eq!(report.callers.people as usize, people.len());
        prop_assert_eq!(report.callers.new + report.callers.repeat, report.callers.people);
        prop_assert!(report.answer_rate.answered <= report.answer_rate.reached_service);
        prop_assert!(report.time_to_person.calls.median_secs <= report.time_to_person.calls.p90_secs);
        prop_assert!(report.time_to_person.texts.count <= all.texts);
    }
}
