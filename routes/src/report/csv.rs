//! The report as CSV for donors' spreadsheets: totals only, one row per total, under the header
//! `month,measure,group,value`. Every cell but the value is a fixed key from this file and the
//! value is a count, a percent or seconds: no phone number, hash, code or text of anyone's can
//! reach it. UTF-8, lines ended by CRLF as RFC 4180 says.

use super::{Group, MonthlyReport, Spread};

pub const HEADER: &str = "month,measure,group,value";

/// The rows, each `(measure, group, value)`; an empty value is a figure with nothing to measure
/// (a median of no waits).
pub fn rows(report: &MonthlyReport) -> Vec<(&'static str, &'static str, Option<i64>)> {
    let mut rows = Vec::new();
    let count = |n: u32| Some(i64::from(n));
    rows.push(("contacts", "all", count(report.contacts.total)));
    rows.push(("contacts", "calls", count(report.contacts.calls)));
    rows.push(("contacts", "texts", count(report.contacts.texts)));
    let mut breakdown = |measure: &'static str, groups: &[Group]| {
        for group in groups {
            rows.push((measure, group.group, count(group.tally.total)));
        }
    };
    breakdown("service", &report.by_service);
    breakdown("outcome", &report.by_outcome);
    breakdown("language", &report.by_language);
    breakdown("channel", &report.by_channel);
    rows.push(("callers", "people", count(report.callers.people)));
    rows.push(("callers", "new", count(report.callers.new)));
    rows.push(("callers", "repeat", count(report.callers.repeat)));
    let rate = &report.answer_rate;
    rows.push(("answer_rate", "answered", count(rate.answered)));
    rows.push((
        "answer_rate",
        "reached_service",
        count(rate.reached_service),
    ));
    rows.push(("answer_rate", "percent", rate.percent.map(i64::from)));
    let mut spread = |measure: &'static str, spread: &Spread| {
        rows.push((measure, "count", count(spread.count)));
        rows.push((measure, "median_seconds", spread.median_secs));
        rows.push((measure, "p90_seconds", spread.p90_secs));
    };
    spread("time_to_person_calls", &report.time_to_person.calls);
    spread("time_to_person_texts", &report.time_to_person.texts);
    rows.push(("follow_ups", "opened", count(report.follow_ups.opened)));
    rows.push(("follow_ups", "answered", count(report.follow_ups.answered)));
    let answer = &report.follow_ups.time_to_answer;
    rows.push(("follow_ups", "median_seconds_to_answer", answer.median_secs));
    rows.push(("follow_ups", "p90_seconds_to_answer", answer.p90_secs));
    rows
}

/// The whole CSV document, header first.
pub fn monthly_csv(report: &MonthlyReport) -> String {
    let mut csv = format!("{HEADER}\r\n");
    for (measure, group, value) in rows(report) {
        let value = value.map(|v| v.to_string()).unwrap_or_default();
        csv.push_str(&format!("{},{measure},{group},{value}\r\n", report.month));
    }
    csv
}
