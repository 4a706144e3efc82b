//! A recurrence written as a standard five-field cron expression ("0 9 * * *", "0 8 * * 1-5")
//! and read as wall-clock time in a zone: when it next fires, across clock changes. Never reads
//! the clock.
//!
//! The cron crate parses the fields and walks the calendar, but only ever in naive wall-clock
//! time (it is asked in UTC, which has no clock changes); turning a wall-clock time into an
//! instant is left to [`crate::wall_clock`], so a recurrence and the rota agree on what "09:00"
//! means on a day the clocks change: a skipped time fires once, at the first instant after the
//! gap; a repeated time fires once, at its first occurrence.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::wall_clock::{instant_of, wall_clock_reached};

/// A parsed five-field cron expression: minute, hour, day of month, month, day of week.
#[derive(Debug, Clone)]
pub struct Recurrence {
    expression: String,
    /// One schedule, or two when both day fields are restricted: standard cron fires on a day
    /// that matches either of them, while the cron crate wants both, so each is asked alone.
    schedules: Vec<cron::Schedule>,
}

/// Why an expression is not a recurrence, said so a coordinator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error(
        "a recurrence has five fields (minute hour day-of-month month day-of-week), \
         e.g. \"0 9 * * *\"; this one has {found}{}",
        if *found > 5 { ": seconds and years are not accepted" } else { "" }
    )]
    FieldCount { found: usize },
    #[error("the {field} field {value:?} is not valid: {reason}")]
    Field {
        field: &'static str,
        value: String,
        reason: String,
    },
}

const FIELDS: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];

/// The cron crate's calendar runs from 1970 to 2100: asked about an earlier time, a recurrence
/// answers with its first firing in 1970; after its last firing in 2100 it fires no more.
const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2100;

impl Recurrence {
    /// Parses a standard five-field cron expression. Days of the week are 0–7 from Sunday (0
    /// and 7 are both Sunday) or names (`mon`); when both day fields are restricted, a day that
    /// matches either fires, as in every Unix cron.
    pub fn parse(expression: &str) -> Result<Self, RecurrenceError> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let [minute, hour, day_of_month, month, day_of_week] = fields[..] else {
            return Err(RecurrenceError::FieldCount {
                found: fields.len(),
            });
        };
        for (i, value) in fields.iter().enumerate() {
            check_characters(FIELDS[i], value)?;
        }
        let weekdays = days_of_week(day_of_week).map_err(|reason| RecurrenceError::Field {
            field: "day-of-week",
            value: day_of_week.to_owned(),
            reason,
        })?;
        // Each field alone first, so an error names the field that is wrong. The crate's own
        // message quotes the probe rather than what was written: say what a field takes instead.
        let probes = [
            (0, format!("0 {minute} * * * *"), "0-59"),
            (1, format!("0 * {hour} * * *"), "0-23"),
            (2, format!("0 * * {day_of_month} * *"), "1-31"),
            (3, format!("0 * * * {month} *"), "1-12 or jan-dec"),
        ];
        for (i, probe, values) in probes {
            schedule(&probe).map_err(|_| RecurrenceError::Field {
                field: FIELDS[i],
                value: fields[i].to_owned(),
                reason: format!(
                    "use {values}, * for every one, lists (1,2), ranges (1-5) and steps (*/15)"
                ),
            })?;
        }
        // Vixie cron's rule: a day field is restricted unless it starts with '*'.
        let both_days_restricted = !day_of_month.starts_with('*') && !day_of_week.starts_with('*');
        let day_pairs = if both_days_restricted {
            vec![(day_of_month, "*"), ("*", weekdays.as_str())]
        } else {
            vec![(day_of_month, weekdays.as_str())]
        };
        let schedules = day_pairs
            .into_iter()
            .map(|(days, weekdays)| {
                schedule(&format!("0 {minute} {hour} {days} {month} {weekdays}"))
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|reason| RecurrenceError::Field {
                field: "day-of-month",
                value: day_of_month.to_owned(),
                reason,
            })?;
        Ok(Self {
            expression: fields.join(" "),
            schedules,
        })
    }

    /// The expression as parsed, fields separated by single spaces.
    pub fn as_str(&self) -> &str {
        &self.expression
    }

    /// The first instant strictly after `after` at which the expression, read as wall-clock time
    /// in `zone`, fires: a skipped wall-clock time fires at the first instant after the gap, a
    /// repeated one at its first occurrence, and never twice at one instant. `None` when it
    /// fires no more (the cron calendar ends with 2100) or never (30 February).
    pub fn next_after(&self, after: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        // Every wall-clock time up to `reached` has had its instant by `after`, and every later
        // one has its instant after it (wall_clock's exact inverse), so the next firing is the
        // next matching wall-clock time after `reached`. Several skipped times share the gap's
        // end, but once it has passed `reached` is past all of them: they fire only once.
        let reached = wall_clock_reached(zone, after);
        instant_of(zone, self.next_wall_clock_after(reached)?)
    }

    /// The first wall-clock time after `reached` that the expression names.
    fn next_wall_clock_after(&self, reached: NaiveDateTime) -> Option<NaiveDateTime> {
        if reached.year() > LAST_YEAR {
            return None; // also keeps the crate from adding a second past chrono's range
        }
        let before_calendar =
            NaiveDate::from_ymd_opt(FIRST_YEAR - 1, 12, 31)?.and_hms_opt(23, 59, 59)?;
        // Whole seconds: every time the expression names is one, so nothing between is lost.
        let from = reached.with_nanosecond(0)?.max(before_calendar).and_utc();
        self.schedules
            .iter()
            .filter_map(|schedule| schedule.after(&from).next())
            .min()
            .map(|at| at.naive_utc())
    }
}

impl FromStr for Recurrence {
    type Err = RecurrenceError;
    fn from_str(expression: &str) -> Result<Self, RecurrenceError> {
        Self::parse(expression)
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression)
    }
}

fn schedule(expression: &str) -> Result<cron::Schedule, String> {
    cron::Schedule::from_str(expression).map_err(|error| error.to_string())
}

/// Standard cron has digits and `* , - /` in every field, names only for months and days; the
/// cron crate also takes Quartz's `?` and names elsewhere, which a Unix cron would refuse.
fn check_characters(field: &'static str, value: &str) -> Result<(), RecurrenceError> {
    let names_allowed = matches!(field, "month" | "day-of-week");
    let allowed = |c: char| {
        c.is_ascii_digit()
            || matches!(c, '*' | ',' | '-' | '/')
            || names_allowed && c.is_ascii_alphabetic()
    };
    match value.chars().find(|c| !allowed(*c)) {
        None => Ok(()),
        Some(c) => Err(RecurrenceError::Field {
            field,
            value: value.to_owned(),
            reason: format!(
                "{c:?} is not allowed; use numbers, *, ',', '-' and '/'{}",
                if names_allowed { " or names" } else { "" }
            ),
        }),
    }
}

const DAY_NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// The day-of-week field as the cron crate's day names. Standard cron numbers days 0–7 from
/// Sunday (7 is Sunday again) and the cron crate 1–7 from Sunday: handing it names keeps
/// "1-5" meaning Monday to Friday.
fn days_of_week(field: &str) -> Result<String, String> {
    let mut days = [false; 7];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("step {step:?} is not a whole number above 0"))?;
                (range, Some(step))
            }
            None => (item, None),
        };
        let (first, last) = match range.split_once('-') {
            _ if range == "*" => (0, 6),
            Some((first, last)) => (day_number(first)?, day_number(last)?),
            None if step.is_some() => {
                return Err(format!("{item:?}: a step needs a range or *, e.g. 1-5/2"));
            }
            None => {
                let day = day_number(range)?;
                (day, day)
            }
        };
        if first > last {
            return Err(format!("{range:?} runs backwards; write it as two ranges"));
        }
        for day in (first..=last).step_by(step.unwrap_or(1) as usize) {
            days[day as usize % 7] = true;
        }
    }
    Ok(DAY_NAMES
        .iter()
        .zip(days)
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(","))
}

/// 0–7 (0 and 7 are Sunday) or a three-letter English name.
fn day_number(value: &str) -> Result<u32, String> {
    if let Ok(number) = value.parse::<u32>() {
        return if number <= 7 {
            Ok(number)
        } else {
            Err(format!(
                "{number} is not a day: days are 0-7 (0 and 7 are Sunday)"
            ))
        };
    }
    DAY_NAMES
        .iter()
        .position(|name| name.eq_ignore_ascii_case(value))
        .map(|i| i as u32)
        .ok_or_else(|| format!("{value:?} is not a day: use 0-7 or sun, mon, …, sat"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;

    use crate::HOTLINE_ZONE;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|day| day.and_hms_opt(h, min, 0))
            .expect("a valid time")
            .and_utc()
    }

    fn recurrence(expression: &str) -> Recurrence {
        Recurrence::parse(expression).expect("a valid recurrence")
    }

    /// The next `n` firings after `after`.
    fn firings(expression: &str, zone: Tz, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let recurrence = recurrence(expression);
        let mut at = after;
        (0..n)
            .map_while(|_| {
                at = recurrence.next_after(at, zone)?;
                Some(at)
            })
            .collect()
    }

    #[test]
    fn a_daily_time_the_clocks_skip_fires_once_at_the_end_of_the_gap() {
        // Berlin skipped 02:00–03:00 on 2024-03-31: 03:00 CEST is 01:00Z.
        assert_eq!(
            firings("30 2 * * *", Berlin, utc(2024, 3, 29, 12, 0), 3),
            vec![
                utc(2024, 3, 30, 1, 30),
                utc(2024, 3, 31, 1, 0),
                utc(2024, 4, 1, 0, 30)
            ]
        );
        // New York skipped 02:00–03:00 on 2024-03-10: 03:00 EDT is 07:00Z.
        assert_eq!(
            firings("30 2 * * *", New_York, utc(2024, 3, 8, 12, 0), 3),
            vec![
                utc(2024, 3, 9, 7, 30),
                utc(2024, 3, 10, 7, 0),
                utc(2024, 3, 11, 6, 30)
            ]
        );
    }

    #[test]
    fn a_daily_time_the_clocks_repeat_fires_once_at_its_first_occurrence() {
        // Berlin went from 03:00 CEST back to 02:00 CET on 2024-10-27: 02:30 happened at 00:30Z
        // and again at 01:30Z.
        assert_eq!(
            firings("30 2 * * *", Berlin, utc(2024, 10, 26, 12, 0), 2),
            vec![utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30)]
        );
        // Asked during the second pass, it waits for the next day.
        assert_eq!(
            recurrence("30 2 * * *").next_after(utc(2024, 10, 27, 1, 0), Berlin),
            Some(utc(2024, 10, 28, 1, 30))
        );
        // New York repeated 01:00–02:00 on 2024-11-03: 01:30 EDT is 05:30Z, 01:30 EST 06:30Z.
        assert_eq!(
            firings("30 1 * * *", New_York, utc(2024, 11, 2, 12, 0), 2),
            vec![utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)]
        );
    }

    #[test]
    fn almaty_mornings_move_an_hour_in_utc_on_1_march_2024() {
        // Almaty went from UTC+6 to UTC+5 at the midnight that began 1 March 2024.
        assert_eq!(
            firings("0 9 * * *", HOTLINE_ZONE, utc(2024, 2, 28, 12, 0), 3),
            vec![
                utc(2024, 2, 29, 3, 0),
                utc(2024, 3, 1, 4, 0),
                utc(2024, 3, 2, 4, 0)
            ]
        );
        // Its clocks went back from 00:00 to 23:00: 23:30 on 29 February happened twice.
        assert_eq!(
            firings("30 23 * * *", HOTLINE_ZONE, utc(2024, 2, 29, 12, 0), 2),
            vec![utc(2024, 2, 29, 17, 30), utc(2024, 3, 1, 18, 30)]
        );
    }

    #[test]
    fn every_quarter_hour_across_clock_changes_has_no_duplicate_and_no_gap_beyond_the_change() {
        let cases = [
            (Berlin, utc(2024, 3, 30, 22, 0)),
            (Berlin, utc(2024, 10, 26, 22, 0)),
            (New_York, utc(2024, 3, 10, 4, 0)),
            (New_York, utc(2024, 11, 3, 3, 0)),
            (HOTLINE_ZONE, utc(2024, 2, 29, 15, 0)),
        ];
        for (zone, after) in cases {
            let fired = firings("*/15 * * * *", zone, after, 6 * 4);
            assert_eq!(fired.len(), 24, "{zone}");
            for pair in fired.windows(2) {
                let gap = pair[1] - pair[0];
                assert!(gap > TimeDelta::zero(), "{zone}: {pair:?}");
                // A repeated hour's second pass names no new wall-clock time.
                assert!(gap <= TimeDelta::minutes(15 + 60), "{zone}: {pair:?}");
            }
        }
        // Spring forward in Berlin: 02:00–02:45 are skipped and fire once, at 03:00 CEST.
        assert_eq!(
            firings("*/15 * * * *", Berlin, utc(2024, 3, 31, 0, 30), 4),
            vec![
                utc(2024, 3, 31, 0, 45),
                utc(2024, 3, 31, 1, 0),
                utc(2024, 3, 31, 1, 15),
                utc(2024, 3, 31, 1, 30)
            ]
        );
        // Fall back in Berlin: after 02:45 CEST (00:45Z) the next new time is 03:00 CET (02:00Z).
        assert_eq!(
            firings("*/15 * * * *", Berlin, utc(2024, 10, 27, 0, 30), 2),
            vec![utc(2024, 10, 27, 0, 45), utc(2024, 10, 27, 2, 0)]
        );
    }

    #[test]
    fn days_of_the_week_are_counted_from_sunday_0() {
        // 2024-11-22 is a Friday; weekday mornings skip the weekend.
        assert_eq!(
            firings("0 8 * * 1-5", HOTLINE_ZONE, utc(2024, 11, 22, 12, 0), 2),
            vec![utc(2024, 11, 25, 3, 0), utc(2024, 11, 26, 3, 0)]
        );
        for sunday in ["0", "7", "sun", "SUN", "6-7/1", "0,7"] {
            let fired = firings(
                &format!("0 8 * * {sunday}"),
                HOTLINE_ZONE,
                utc(2024, 11, 22, 12, 0),
                1,
            );
            let first = if sunday.starts_with('6') {
                utc(2024, 11, 23, 3, 0)
            } else {
                utc(2024, 11, 24, 3, 0)
            };
            assert_eq!(fired, vec![first], "{sunday}");
        }
        assert_eq!(
            firings(
                "0 8 * * mon-fri/2",
                HOTLINE_ZONE,
                utc(2024, 11, 22, 12, 0),
                3
            ),
            vec![
                utc(2024, 11, 25, 3, 0),
                utc(2024, 11, 27, 3, 0),
                utc(2024, 11, 29, 3, 0)
            ]
        );
    }

    #[test]
    fn with_both_day_fields_restricted_either_one_fires() {
        // The 1st of the month or a Monday, as every Unix cron reads it.
        assert_eq!(
            firings("0 0 1 * 1", chrono_tz::UTC, utc(2024, 11, 24, 0, 0), 3),
            vec![
                utc(2024, 11, 25, 0, 0),
                utc(2024, 12, 1, 0, 0),
                utc(2024, 12, 2, 0, 0)
            ]
        );
        // With one of them '*', only the other counts.
        assert_eq!(
            firings("0 0 * * 1", chrono_tz::UTC, utc(2024, 11, 24, 0, 0), 2),
            vec![utc(2024, 11, 25, 0, 0), utc(2024, 12, 2, 0, 0)]
        );
    }

    #[test]
    fn a_recurrence_that_cannot_fire_again_says_so() {
        assert_eq!(
            recurrence("0 0 30 2 *").next_after(utc(2024, 1, 1, 0, 0), Berlin),
            None
        );
        let yearly = recurrence("0 0 1 1 *");
        assert_eq!(
            yearly.next_after(utc(2099, 6, 1, 0, 0), chrono_tz::UTC),
            Some(utc(2100, 1, 1, 0, 0))
        );
        assert_eq!(
            yearly.next_after(utc(2100, 6, 1, 0, 0), chrono_tz::UTC),
            None
        );
        assert_eq!(
            yearly.next_after(DateTime::<Utc>::MAX_UTC, chrono_tz::UTC),
            None
        );
        assert_eq!(
            yearly.next_after(DateTime::<Utc>::MIN_UTC, chrono_tz::UTC),
            Some(utc(1970, 1, 1, 0, 0))
        );
    }

    #[test]
    fn anything_but_five_valid_fields_is_refused_with_the_reason() {
        let refused = |expression: &str| match Recurrence::parse(expression) {
            Ok(parsed) => panic!("{expression:?} parsed as {parsed}"),
            Err(error) => error,
        };
        assert_eq!(
            refused("0 0 9 * * *"),
            RecurrenceError::FieldCount { found: 6 }
        );
        assert_eq!(
            refused("0 0 9 * * * 2025").to_string(),
            "a recurrence has five fields (minute hour day-of-month month day-of-week), \
             e.g. \"0 9 * * *\"; this one has 7: seconds and years are not accepted"
        );
        assert_eq!(refused(""), RecurrenceError::FieldCount { found: 0 });
        assert_eq!(
            refused("every day"),
            RecurrenceError::FieldCount { found: 2 }
        );
        assert_eq!(refused("@daily"), RecurrenceError::FieldCount { found: 1 });
        for (expression, field) in [
            ("61 * * * *", "minute"),
            ("a * * * *", "minute"),
            ("0 24 * * *", "hour"),
            ("0 9 ? * *", "day-of-month"),
            ("0 9 32 * *", "day-of-month"),
            ("0 9 * 13 *", "month"),
            ("0 9 * foo *", "month"),
            ("0 9 * * 8", "day-of-week"),
            ("0 9 * * 5-1", "day-of-week"),
            ("0 9 * * 1/2", "day-of-week"),
            ("0 9 * * */0", "day-of-week"),
            ("0 9 * * funday", "day-of-week"),
            ("0 9 * * 1,,2", "day-of-week"),
        ] {
            match refused(expression) {
                RecurrenceError::Field { field: named, .. } => {
                    assert_eq!(named, field, "{expression}")
                }
                other => panic!("{expression}: {other}"),
            }
        }
        assert_eq!(
            refused("0 9 * * 8").to_string(),
            "the day-of-week field \"8\" is not valid: 8 is not a day: days are 0-7 (0 and 7 are Sunday)"
        );
        assert_eq!(
            refused("61 * * * *").to_string(),
            "the minute field \"61\" is not valid: \
             use 0-59, * for every one, lists (1,2), ranges (1-5) and steps (*/15)"
        );
    }

    #[test]
    fn standard_expressions_parse_and_keep_their_text() {
        for expression in [
            "0 9 * * *",
            "*/15 * * * *",
            "0 8 * * 1-5",
            "0 9-18/3 1,15 jan-jun *",
        ] {
            assert_eq!(recurrence(expression).as_str(), expression);
        }
        assert_eq!(recurrence("  0   9 * *  * ").to_string(), "0 9 * * *");
    }
}
