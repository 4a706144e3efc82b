//! `/rota?service=legal&week=2026-W48` (and `&view=month`): one service's rota for a week, each
//! local day a stack of bars placed by `hotline_schedules::days_view` (gaps in red, with their
//! times), or for a month as a short list per day. A coordinator also gets the forms that change
//! it (`rota_changes.rs`); a staff user sees the rota of their own services, read-only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, IsoWeek, NaiveDate, Utc, Weekday};
use hotline_schedules::model::Slot;
use hotline_schedules::{BarKind, Service, day_start, days_view};
use serde::Deserialize;
use std::sync::LazyLock;

use super::access::Sight;
use super::layout::{self, Layout};
use super::rota_changes::{Editing, Typed};
use super::session::SignedIn;
use super::words::Text;
use crate::web::AppState;

/// Where the page is: which service, which week, week or month.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RotaQuery {
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub week: Option<String>,
    #[serde(default)]
    pub view: Option<String>,
}

/// A query made sense of: unknown or missing parts fall back to this week of the first service.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub service: Service,
    pub week: IsoWeek,
    pub month: bool,
}

impl Place {
    /// The page's address: where a change comes back to.
    pub fn href(&self) -> String {
        href(self.service, self.week, self.month)
    }

    /// The local days shown: the ISO week, or the month its Monday falls in.
    pub fn days(&self) -> (NaiveDate, u32) {
        let monday = monday(self.week);
        if self.month {
            let first = monday.with_day(1).unwrap_or(monday);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first + Duration::days(31));
            (
                first,
                u32::try_from((next - first).num_days()).unwrap_or(31),
            )
        } else {
            (monday, 7)
        }
    }
}

fn monday(week: IsoWeek) -> NaiveDate {
    NaiveDate::from_isoywd_opt(week.year(), week.week(), Weekday::Mon).unwrap_or_default()
}

fn week_name(week: IsoWeek) -> String {
    format!("{}-W{:02}", week.year(), week.week())
}

fn href(service: Service, week: IsoWeek, month: bool) -> String {
    let view = if month { "&view=month" } else { "" };
    format!(
        "/rota?service={}&week={}{view}",
        service.as_str(),
        week_name(week)
    )
}

fn parse_week(text: &str) -> Option<IsoWeek> {
    let (year, week) = text.split_once("-W")?;
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
        .map(|monday| monday.iso_week())
}

/// The services this user may look at, in the hotline's order.
fn services_in(sight: &Sight) -> Vec<Service> {
    Service::ALL
        .into_iter()
        .filter(|service| sight.sees(Some(*service)))
        .collect()
}

/// Where the query asks to be, if this user may see it.
pub fn place(state: &AppState, sight: &Sight, query: &RotaQuery) -> Option<Place> {
    let services = services_in(sight);
    let service = match query.service.as_deref() {
        Some(name) => *services.iter().find(|s| s.as_str() == name)?,
        None => *services.first()?,
    };
    let today = state
        .clock
        .now()
        .with_timezone(&state.schedule.zone)
        .date_naive();
    let week = query
        .week
        .as_deref()
        .and_then(parse_week)
        .unwrap_or_else(|| today.iso_week());
    Some(Place {
        service,
        week,
        month: query.view.as_deref() == Some("month"),
    })
}

#[derive(Debug)]
pub struct Tab {
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(Debug)]
pub struct BarLine {
    pub gap: bool,
    pub name: String,
    pub times: String,
    /// Where the bar starts and how wide it is, in percent of the day (classes in `rota.css`).
    pub at: u32,
    pub width: u32,
}

#[derive(Debug)]
pub struct DayRow {
    pub label: String,
    /// The hours in a day the clocks change (23 or 25); none on an ordinary day.
    pub hours: Option<u32>,
    pub bars: Vec<BarLine>,
}

#[derive(Debug)]
pub struct MonthDay {
    pub label: String,
    pub on_duty: Vec<String>,
    pub gaps: Vec<String>,
}

#[derive(Debug, Template)]
#[template(path = "rota.html")]
pub struct RotaPage {
    pub page: Layout,
    pub tabs: Vec<Tab>,
    pub heading: String,
    pub earlier: String,
    pub later: String,
    pub week_view: String,
    pub month_view: String,
    pub month: bool,
    pub days: Vec<DayRow>,
    pub month_days: Vec<MonthDay>,
    /// What a refused change was refused for: the editor's own message.
    pub problem: Option<String>,
    /// The forms, for a coordinator.
    pub editing: Option<Editing>,
    /// Where the forms post back to.
    pub here: String,
}

/// `GET /rota`
pub async fn page(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<RotaQuery>,
) -> Response {
    match build(&state, &user, &query, None, Typed::default()).await {
        Ok(page) => layout::render(&page),
        Err(response) => response,
    }
}

/// The page, with a refused change's `problem` and what was `typed`.
pub async fn build(
    state: &AppState,
    user: &SignedIn,
    query: &RotaQuery,
    problem: Option<String>,
    typed: Typed,
) -> Result<RotaPage, Response> {
    let t = user.words();
    let zone = state.schedule.zone;
    let sight = Sight::of(state, user).await?;
    let place = place(state, &sight, query).ok_or_else(|| layout::not_found(user))?;
    let (first, count) = place.days();
    let from = day_start(zone, first);
    let to = day_start(zone, first + Duration::days(i64::from(count)));
    let (staff, rota) = crate::rota::load(state.store.as_ref(), from, to)
        .await
        .map_err(layout::server_error)?;
    let duties = rota.duties_between(from, to);
    let gaps = rota.gaps(place.service, None, from, to);
    let view = days_view(&duties, &gaps, place.service, first, count, zone);
    let name = |id: i64| {
        rota.staff_member(id)
            .map_or_else(|| format!("#{id}"), |member| member.name.clone())
    };
    let clock = |at: DateTime<Utc>| at.with_timezone(&zone).format("%H:%M").to_string();
    let day_label =
        |date: NaiveDate| format!("{} {}", t.weekday(date.weekday()), date.format("%d.%m"));

    let mut days = Vec::new();
    let mut month_days = Vec::new();
    for day in &view {
        let minutes = day.minutes.max(1);
        let mut bars = Vec::new();
        let mut on_duty: Vec<String> = Vec::new();
        let mut gap_times = Vec::new();
        for bar in &day.bars {
            let ends = if bar.to >= day.minutes {
                "24:00".to_owned()
            } else {
                clock(bar.ends_at)
            };
            let times = format!("{}–{ends}", clock(bar.starts_at));
            let (gap, who) = match bar.kind {
                BarKind::Gap => (true, t.say(Text::RotaNobody).to_owned()),
                BarKind::Duty {
                    slot: Slot::Coordinator,
                    ..
                } => continue,
                BarKind::Duty { staff_id, slot, .. } => {
                    let mut who = name(staff_id);
                    if slot != Slot::Scheduled(hotline_schedules::model::Position::PRIMARY) {
                        who = format!("{who} ({})", t.say(Text::RotaBackup));
                    }
                    (false, who)
                }
            };
            if gap {
                gap_times.push(times.clone());
            } else if let BarKind::Duty { staff_id, .. } = bar.kind {
                let person = name(staff_id);
                if !on_duty.contains(&person) {
                    on_duty.push(person);
                }
            }
            let at = bar.from * 100 / minutes;
            let end = (bar.to * 100).div_ceil(minutes).min(100);
            bars.push(BarLine {
                gap,
                name: who,
                times,
                at: at.min(99),
                width: end.saturating_sub(at).max(1),
            });
        }
        let label = day_label(day.date);
        month_days.push(MonthDay {
            label: label.clone(),
            on_duty,
            gaps: gap_times,
        });
        days.push(DayRow {
            label,
            hours: (day.minutes != 1440).then_some(day.minutes / 60),
            bars,
        });
    }

    let services = services_in(&sight);
    let tabs = services
        .iter()
        .map(|&service| Tab {
            name: t.service(Some(service)),
            href: href(service, place.week, place.month),
            current: service == place.service,
        })
        .collect();
    let step = |weeks: i64| {
        let monday = monday(place.week);
        let moved = if place.month {
            let first = monday.with_day(1).unwrap_or(monday);
            if weeks < 0 {
                first - Duration::days(1)
            } else {
                first + Duration::days(i64::from(count))
            }
        } else {
            monday + Duration::weeks(weeks)
        };
        href(place.service, moved.iso_week(), place.month)
    };
    let last = first + Duration::days(i64::from(count) - 1);
    let heading = if place.month {
        format!(
            "{} · {}",
            t.service(Some(place.service)),
            first.format("%m.%Y")
        )
    } else {
        format!(
            "{} · {} – {}",
            t.service(Some(place.service)),
            first.format("%d.%m"),
            last.format("%d.%m.%Y")
        )
    };
    let editing = if user.is_coordinator() {
        let shifts = state
            .store
            .rules_between(from, to)
            .await
            .map_err(layout::server_error)?;
        Some(Editing::new(
            state, user, &place, &staff, &shifts, &duties, typed,
        ))
    } else {
        None
    };
    Ok(RotaPage {
        page: Layout::new(user, Text::Rota),
        tabs,
        heading,
        earlier: step(-1),
        later: step(1),
        week_view: href(place.service, place.week, false),
        month_view: href(place.service, place.week, true),
        month: place.month,
        days,
        month_days,
        problem,
        editing,
        here: place.href().replacen("/rota?", "", 1),
    })
}

/// Bar positions without inline styles (the pages' policy refuses them): a class per percent.
static BAR_CLASSES: LazyLock<String> = LazyLock::new(|| {
    (0..=100)
        .map(|n| format!(".at{n}{{margin-left:{n}%}}.w{n}{{width:{n}%}}\n"))
        .collect()
});

/// `GET /static/rota.css`
pub async fn stylesheet() -> impl IntoResponse {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        BAR_CLASSES.as_str(),
    )
}
