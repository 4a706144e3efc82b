//! Active windows ("weekdays 09:00–18:00", "nights 18:00–09:00") as occurrences in wall-clock
//! time, and the arithmetic that numbers those occurrences without walking from a rotation's
//! start. Works only in wall-clock time: turning it into instants is `wall_clock`'s job.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::model::ActiveWindow;

const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// One occurrence of a window: it starts on `start`'s day, at the window's `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// The occurrence whose wall-clock span `[start, end)` holds `reached`, if any. A window lasts at
/// most 24 hours, so only occurrences starting that day or the day before can hold it. Windows
/// of a valid rotation never overlap; if they do, the later start wins so the answer is still
/// one occurrence, whatever the order of the windows.
pub(crate) fn containing(windows: &[ActiveWindow], reached: NaiveDateTime) -> Option<Occurrence> {
    let today = reached.date();
    let mut best: Option<Occurrence> = None;
    for day in [today.pred_opt(), Some(today)].into_iter().flatten() {
        for window in windows {
            if !window.days.contains(day.weekday()) {
                continue;
            }
            let start = day.and_time(window.from);
            let Some(end) = start.checked_add_signed(window.length()) else {
                continue;
            };
            if start <= reached && reached < end && best.is_none_or(|b| b.start < start) {
                best = Some(Occurrence { start, end });
            }
        }
    }
    best
}

/// Every occurrence starting on a day in `first..=last`, in no particular order.
pub(crate) fn starting_between(
    windows: &[ActiveWindow],
    first: NaiveDate,
    last: NaiveDate,
    mut each: impl FnMut(Occurrence),
) {
    for day in first.iter_days().take_while(|day| *day <= last) {
        for window in windows {
            if !window.days.contains(day.weekday()) {
                continue;
            }
            let start = day.and_time(window.from);
            if let Some(end) = start.checked_add_signed(window.length()) {
                each(Occurrence { start, end });
            }
        }
    }
}

/// Where in the week each occurrence starts, so that "how many occurrences started before this
/// wall-clock time" is whole weeks times occurrences per week, plus a count within the week.
#[derive(Debug, Clone)]
pub(crate) struct WeekPattern {
    /// Nanoseconds since Monday 00:00, sorted.
    starts: Vec<i64>,
}

impl WeekPattern {
    pub fn new(windows: &[ActiveWindow]) -> Self {
        let mut starts = Vec::new();
        for window in windows {
            for day in 0..7 {
                if window.days.0 & (1 << day) != 0 {
                    starts.push(day * NANOS_PER_DAY + nanos_of_day(window));
                }
            }
        }
        starts.sort_unstable();
        Self { starts }
    }

    /// How many occurrences start strictly before `local`, counted from a fixed Monday; only
    /// differences between two counts mean anything.
    pub fn count_before(&self, local: NaiveDateTime) -> i64 {
        let days = (local.date() - monday()).num_days();
        let weeks = days.div_euclid(7);
        let into_week = days.rem_euclid(7) * NANOS_PER_DAY
            + i64::from(local.num_seconds_from_midnight()) * 1_000_000_000
            + i64::from(local.nanosecond());
        let within = self.starts.partition_point(|start| *start < into_week);
        weeks * self.starts.len() as i64 + within as i64
    }
}

fn nanos_of_day(window: &ActiveWindow) -> i64 {
    i64::from(window.from.num_seconds_from_midnight()) * 1_000_000_000
        + i64::from(window.from.nanosecond())
}

/// Any Monday will do as the origin of the week count; this one is 2001-01-01.
fn monday() -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(730_486).unwrap_or_default()
}

/// Whether any two occurrences of these windows overlap in wall-clock time: the weekly pattern
/// repeats, so checking one week (and the wrap from Sunday into Monday) is enough.
pub(crate) fn first_overlap(windows: &[ActiveWindow]) -> Option<(usize, usize)> {
    let week = 7 * NANOS_PER_DAY;
    let mut spans: Vec<(i64, i64, usize)> = Vec::new();
    for (index, window) in windows.iter().enumerate() {
        let length = window.length().num_nanoseconds().unwrap_or(NANOS_PER_DAY);
        for day in 0..7 {
            if window.days.0 & (1 << day) != 0 {
                let start = day * NANOS_PER_DAY + nanos_of_day(window);
                spans.push((start, start + length, index));
                // The same occurrence seen from the previous week, for the Sunday-night wrap.
                spans.push((start - week, start - week + length, index));
            }
        }
    }
    spans.sort_unstable();
    // Sorted by start: if a span overlaps any later one, it overlaps the very next.
    spans
        .windows(2)
        .find(|pair| pair[1].0 < pair[0].1)
        .map(|pair| (pair[0].2.min(pair[1].2), pair[0].2.max(pair[1].2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Weekdays;
    use chrono::NaiveTime;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    fn day(d: u32) -> NaiveDate {
        // 2024-07-01 is a Monday.
        NaiveDate::from_ymd_opt(2024, 7, d).expect("valid day")
    }

    #[test]
    fn counts_weekday_occurrences_across_weekends_without_iterating() {
        let weekdays = [ActiveWindow {
            days: Weekdays::MONDAY_TO_FRIDAY,
            from: at(9, 0),
            to: at(18, 0),
        }];
        let pattern = WeekPattern::new(&weekdays);
        let origin = pattern.count_before(day(1).and_time(at(9, 0)));
        let count = |d, h| pattern.count_before(day(d).and_time(at(h, 0))) - origin;
        assert_eq!(count(1, 10), 1);
        assert_eq!(count(5, 9), 4);
        assert_eq!(count(6, 12), 5);
        assert_eq!(count(8, 9), 5);
        assert_eq!(count(29, 9), 20);
    }

    #[test]
    fn a_night_window_holds_the_small_hours_of_the_next_day() {
        let nights = [ActiveWindow {
            days: Weekdays(0b000_0001), // Monday nights only
            from: at(18, 0),
            to: at(9, 0),
        }];
        let found = containing(&nights, day(2).and_time(at(3, 0))).expect("inside");
        assert_eq!(found.start, day(1).and_time(at(18, 0)));
        assert_eq!(found.end, day(2).and_time(at(9, 0)));
        assert_eq!(containing(&nights, day(2).and_time(at(9, 0))), None);
        assert_eq!(containing(&nights, day(2).and_time(at(18, 0))), None);
    }

    #[test]
    fn overlapping_windows_are_found_even_across_sunday_night() {
        let sunday_night = ActiveWindow {
            days: Weekdays(0b100_0000),
            from: at(20, 0),
            to: at(8, 0),
        };
        let monday_morning = ActiveWindow {
            days: Weekdays(0b000_0001),
            from: at(7, 0),
            to: at(12, 0),
        };
        assert_eq!(first_overlap(&[sunday_night, monday_morning]), Some((0, 1)));
        let round_the_clock = ActiveWindow {
            days: Weekdays::ALL,
            from: at(9, 0),
            to: at(9, 0),
        };
        assert_eq!(first_overlap(&[round_the_clock]), None);
    }
}
