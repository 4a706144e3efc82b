//! A line's opening hours on the Lines page: weekly rows of day checkboxes and from/to times
//! (a row whose end is not after its start runs past midnight), holidays as dates one a line,
//! read back into `OpeningHours` windows, and the hours in words for the list. "Always open but
//! closed on holidays" is kept as one round-the-clock window with the holidays.

use chrono::{NaiveDate, NaiveTime, Timelike, Weekday};
use hotline_routes::hours::OpeningHours;
use hotline_schedules::model::{ActiveWindow, Weekdays};

use super::line_form::{LineForm, field};
use super::words::{Text, Words};

/// Blank rows offered below a line's hours, for a new window.
pub(super) const SPARE_ROWS: usize = 2;
/// Rows read from a posted form, at most.
pub(super) const MOST_ROWS: usize = 20;
pub(super) const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// A day's checkbox in a row of hours.
#[derive(Debug)]
pub struct DayBox {
    pub field: String,
    pub label: &'static str,
    pub checked: bool,
}

/// One weekly window of opening hours, as shown or typed.
#[derive(Debug)]
pub struct WindowRow {
    pub index: usize,
    pub days: Vec<DayBox>,
    pub from: String,
    pub to: String,
}

pub(super) fn day_field(row: usize, day: Weekday) -> String {
    format!("w{row}-{}", day.num_days_from_monday())
}

pub(super) fn time(at: NaiveTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// A window open every day round the clock: how "always open, but closed on holidays" is kept.
pub(super) fn round_the_clock() -> ActiveWindow {
    ActiveWindow {
        days: Weekdays::ALL,
        from: NaiveTime::MIN,
        to: NaiveTime::MIN,
    }
}

pub(super) fn row(t: Words, index: usize, window: Option<&ActiveWindow>) -> WindowRow {
    WindowRow {
        index,
        days: DAYS
            .into_iter()
            .map(|day| DayBox {
                field: day_field(index, day),
                label: t.weekday(day),
                checked: window.is_some_and(|w| w.days.contains(day)),
            })
            .collect(),
        from: window.map(|w| time(w.from)).unwrap_or_default(),
        to: window.map(|w| time(w.to)).unwrap_or_default(),
    }
}

pub(super) fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

/// The rows of hours posted, each as typed and as read (`None` if incomplete).
pub(super) fn posted_rows(form: &LineForm) -> Vec<(usize, Option<ActiveWindow>, bool)> {
    (0..MOST_ROWS)
        .filter(|&i| form.contains_key(&format!("w{i}-from")))
        .map(|i| {
            let mask = DAYS
                .into_iter()
                .filter(|d| form.contains_key(&day_field(i, *d)))
                .fold(0u8, |mask, d| mask | 1 << d.num_days_from_monday());
            let (from, to) = (
                field(form, &format!("w{i}-from")),
                field(form, &format!("w{i}-to")),
            );
            let empty = mask == 0 && from.is_empty() && to.is_empty();
            let window = match (mask, parse_time(from), parse_time(to)) {
                (1.., Some(from), Some(to)) => Some(ActiveWindow {
                    days: Weekdays(mask),
                    from,
                    to,
                }),
                _ => None,
            };
            (i, window, empty)
        })
        .collect()
}

pub(super) fn holidays(text: &str) -> Option<Vec<NaiveDate>> {
    let mut dates = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|d| !d.is_empty())
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect::<Option<Vec<_>>>()?;
    dates.sort();
    dates.dedup();
    Some(dates)
}

/// A line's hours in words, for the list: "Mon–Fri 09:00–18:00", days named in `t`.
pub fn describe_hours(t: Words, hours: Option<&OpeningHours>) -> String {
    let Some(hours) = hours else {
        return t.say(Text::AlwaysOpen).to_owned();
    };
    let mut parts: Vec<String> = if hours.windows == [round_the_clock()] {
        vec![t.say(Text::AlwaysOpen).to_owned()]
    } else {
        hours
            .windows
            .iter()
            .map(|w| {
                let days = if w.days == Weekdays::ALL {
                    t.say(Text::EveryDay).to_owned()
                } else {
                    let days: Vec<&str> = DAYS
                        .into_iter()
                        .filter(|d| w.days.contains(*d))
                        .map(|d| t.weekday(d))
                        .collect();
                    days.join(" ")
                };
                format!("{days} {}–{}", time(w.from), time(w.to))
            })
            .collect()
    };
    if !hours.holidays.is_empty() {
        let dates: Vec<String> = hours
            .holidays
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect();
        parts.push(format!("{}: {}", t.say(Text::ClosedOn), dates.join(", ")));
    }
    parts.join("; ")
}
