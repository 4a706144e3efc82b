//! A calendar month in the hotline's zone, written `2026-11`, and the real instants it spans.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use hotline_schedules::day_start;

/// A calendar month, read in whatever zone its bounds are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a month is written YYYY-MM, like 2026-11")]
pub struct MonthError;

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|first| Month { first })
    }

    /// `2026-11`; nothing else (no day, no spaces).
    pub fn parse(text: &str) -> Result<Self, MonthError> {
        let (year, month) = text.split_once('-').ok_or(MonthError)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(MonthError);
        }
        let year = year.parse().map_err(|_| MonthError)?;
        let month = month.parse().map_err(|_| MonthError)?;
        Month::new(year, month).ok_or(MonthError)
    }

    /// The month in which `at` falls on the wall clocks of `zone`.
    pub fn containing(at: DateTime<Utc>, zone: Tz) -> Self {
        let local = at.with_timezone(&zone).date_naive();
        Month {
            first: local.with_day(1).unwrap_or(local),
        }
    }

    pub fn next(self) -> Self {
        Month {
            first: self
                .first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.first),
        }
    }

    /// `[start, end)`: from local midnight on the 1st to local midnight on the 1st of the next
    /// month, in `zone`.
    pub fn bounds(self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            day_start(zone, self.first),
            day_start(zone, self.next().first),
        )
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
