//! `/reports?month=2026-11` — the donors' monthly report for the coordinator, from
//! `crate::reports::monthly` as the API serves it: totals by service, outcome, language and
//! channel, new and repeat callers, the answer rate, times to a person and to a follow-up's
//! answer, as tables and inline SVG bar charts (no script in them); a month picker; and
//! `/reports/monthly.csv`, the totals-only CSV, for the signed-in coordinator. Counts only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline_routes::report::svg::bar_chart;
use hotline_routes::report::{Group, Month, MonthlyReport, Spread, csv};
use serde::Deserialize;

use super::groups;
use super::layout::{self, Layout, Notice, render_with};
use super::session::Coordinator;
use super::words::{Text, Words};
use crate::reports;
use crate::web::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

#[derive(Debug)]
pub struct Row {
    pub name: &'static str,
    pub calls: u32,
    pub texts: u32,
    pub total: u32,
}

#[derive(Debug)]
pub struct Breakdown {
    pub title: &'static str,
    pub rows: Vec<Row>,
}

/// A spread of waits as read: `—` where there was nothing to measure.
#[derive(Debug)]
pub struct Waits {
    pub title: &'static str,
    pub count: u32,
    pub median: String,
    pub p90: String,
}

#[derive(Debug)]
pub struct ReportView {
    pub contacts: Row,
    pub breakdowns: Vec<Breakdown>,
    pub people: u32,
    pub new: u32,
    pub repeat: u32,
    pub answered: u32,
    pub reached_service: u32,
    pub percent: String,
    pub waits: Vec<Waits>,
    pub follow_ups_opened: u32,
    pub follow_ups_answered: u32,
    /// From a follow-up's opening to its answer.
    pub answer_waits: Waits,
    /// Inline SVG documents from `bar_chart`, which escapes every text it is given.
    pub charts: Vec<String>,
}

#[derive(Debug, Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub page: Layout,
    /// The month as asked, to show it again in the picker.
    pub month: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub problem: Option<&'static str>,
    pub report: Option<ReportView>,
}

/// The month asked for, or this month in the hotline's zone when none was.
fn month_of(state: &AppState, query: &MonthQuery) -> Option<Month> {
    match query
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(text) => Month::parse(text).ok(),
        None => Some(Month::containing(state.clock.now(), state.schedule.zone)),
    }
}

fn previous(month: Month) -> Option<Month> {
    let text = month.to_string();
    let (year, number) = text.split_once('-')?;
    let (year, number): (i32, u32) = (year.parse().ok()?, number.parse().ok()?);
    match number {
        1 => Month::new(year - 1, 12),
        _ => Month::new(year, number - 1),
    }
}

/// `GET /reports?month=2026-11`
pub async fn page(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Query(query): Query<MonthQuery>,
) -> Response {
    let t = user.words();
    let mut page = ReportsPage {
        page: Layout::new(&user, Text::Reports),
        month: query.month.clone().unwrap_or_default(),
        previous: None,
        next: None,
        problem: None,
        report: None,
    };
    let Some(month) = month_of(&state, &query) else {
        page.problem = Some(t.say(Text::BadMonth));
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let report = match reports::monthly(state.store.as_ref(), month, state.schedule.zone).await {
        Ok(report) => report,
        Err(error) => return layout::server_error(error),
    };
    page.month = month.to_string();
    page.previous = previous(month).map(|m| m.to_string());
    page.next = Some(month.next().to_string());
    page.report = Some(view(t, &report));
    render_with(StatusCode::OK, &page)
}

fn rows(t: Words, groups: &[Group]) -> Vec<Row> {
    groups
        .iter()
        .map(|g| Row {
            name: groups::name(t, g.group),
            calls: g.tally.calls,
            texts: g.tally.texts,
            total: g.tally.total,
        })
        .collect()
}

fn waits(t: Words, title: Text, spread: &Spread) -> Waits {
    let read = |secs: Option<i64>| secs.map_or_else(|| "—".to_owned(), |s| groups::span(t, s));
    Waits {
        title: t.say(title),
        count: spread.count,
        median: read(spread.median_secs),
        p90: read(spread.p90_secs),
    }
}

fn view(t: Words, report: &MonthlyReport) -> ReportView {
    let breakdowns = vec![
        Breakdown {
            title: t.say(Text::ByService),
            rows: rows(t, &report.by_service),
        },
        Breakdown {
            title: t.say(Text::ByOutcome),
            rows: rows(t, &report.by_outcome),
        },
        Breakdown {
            title: t.say(Text::ByLanguage),
            rows: rows(t, &report.by_language),
        },
        Breakdown {
            title: t.say(Text::ByChannel),
            rows: rows(t, &report.by_channel),
        },
    ];
    let mut charts: Vec<String> = ["services", "outcomes", "languages", "channels"]
        .iter()
        .zip(&breakdowns)
        .map(|(id, breakdown)| {
            let bars: Vec<(&str, u32)> = breakdown.rows.iter().map(|r| (r.name, r.total)).collect();
            bar_chart(
                &format!("chart-{id}"),
                &format!("{}, {}", breakdown.title, report.month),
                &bars,
            )
        })
        .collect();
    charts.push(bar_chart(
        "chart-callers",
        &format!("{}, {}", t.say(Text::People), report.month),
        &[
            (groups::name(t, "new"), report.callers.new),
            (groups::name(t, "repeat"), report.callers.repeat),
        ],
    ));
    let rate = &report.answer_rate;
    ReportView {
        contacts: Row {
            name: t.say(Text::Contacts),
            calls: report.contacts.calls,
            texts: report.contacts.texts,
            total: report.contacts.total,
        },
        breakdowns,
        people: report.callers.people,
        new: report.callers.new,
        repeat: report.callers.repeat,
        answered: rate.answered,
        reached_service: rate.reached_service,
        percent: rate
            .percent
            .map_or_else(|| "—".to_owned(), |p| format!("{p}%")),
        waits: vec![
            waits(t, Text::Calls, &report.time_to_person.calls),
            waits(t, Text::Texts, &report.time_to_person.texts),
        ],
        answer_waits: waits(t, Text::TimeToAnswer, &report.follow_ups.time_to_answer),
        follow_ups_opened: report.follow_ups.opened,
        follow_ups_answered: report.follow_ups.answered,
        charts,
    }
}

/// `GET /reports/monthly.csv?month=2026-11`: the totals-only CSV, as the API's, for the
/// signed-in coordinator (the API's needs a bearer token a browser does not hold).
pub async fn monthly_csv(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Query(query): Query<MonthQuery>,
) -> Response {
    let Some(month) = month_of(&state, &query) else {
        return layout::notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Notice::for_user(&user, Text::BadMonth),
        );
    };
    match reports::monthly(state.store.as_ref(), month, state.schedule.zone).await {
        Ok(report) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"hotline-{}.csv\"", report.month),
                ),
            ],
            csv::monthly_csv(&report),
        )
            .into_response(),
        Err(error) => layout::server_error(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_before_january_is_last_december() {
        let january = Month::parse("2027-01").expect("a month");
        assert_eq!(
            previous(january).map(|m| m.to_string()).as_deref(),
            Some("2026-12")
        );
        let november = Month::parse("2026-11").expect("a month");
        assert_eq!(
            previous(november).map(|m| m.to_string()).as_deref(),
            Some("2026-10")
        );
    }
}
