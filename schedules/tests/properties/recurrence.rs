//! Properties of recurrences over random cron expressions from a small grammar, in zones with
//! every kind of clock change, asked near those changes: each firing is after the one before,
//! falls on a wall-clock time the expression names (or ends a gap that skipped one), and no
//! wall-clock time the expression names is passed over.

use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use hotline_schedules::Recurrence;
use proptest::prelude::*;
use proptest::sample::select;

/// A field as written, with what it means, written out independently of the parser.
type Field = (&'static str, fn(u32) -> bool);

const MINUTES: [Field; 7] = [
    ("*", |_| true),
    ("*/15", |m| m % 15 == 0),
    ("0", |m| m == 0),
    ("30", |m| m == 30),
    ("0,30", |m| m == 0 || m == 30),
    ("5-10", |m| (5..=10).contains(&m)),
    ("*/7", |m| m % 7 == 0),
];
const HOURS: [Field; 7] = [
    ("*", |_| true),
    ("2", |h| h == 2),
    ("9", |h| h == 9),
    ("*/6", |h| h % 6 == 0),
    ("1-3", |h| (1..=3).contains(&h)),
    ("23", |h| h == 23),
    ("0,12", |h| h == 0 || h == 12),
];
const DAYS_OF_MONTH: [Field; 6] = [
    ("*", |_| true),
    ("1", |d| d == 1),
    ("15", |d| d == 15),
    ("31", |d| d == 31),
    ("1-7", |d| (1..=7).contains(&d)),
    ("*/10", |d| d % 10 == 1),
];
const MONTHS: [Field; 5] = [
    ("*", |_| true),
    ("3", |m| m == 3),
    ("10,11", |m| m == 10 || m == 11),
    ("2", |m| m == 2),
    ("*/3", |m| m % 3 == 1),
];
/// Days counted from Sunday 0.
const DAYS_OF_WEEK: [Field; 7] = [
    ("*", |_| true),
    ("1-5", |d| (1..=5).contains(&d)),
    ("0", |d| d == 0),
    ("6,0", |d| d == 6 || d == 0),
    ("7", |d| d == 0),
    ("mon", |d| d == 1),
    ("*/2", |d| d % 2 == 0),
];

#[derive(Debug, Clone)]
struct Expression {
    minute: Field,
    hour: Field,
    day_of_month: Field,
    month: Field,
    day_of_week: Field,
}

impl Expression {
    fn text(&self) -> String {
        [
            self.minute,
            self.hour,
            self.day_of_month,
            self.month,
            self.day_of_week,
        ]
        .map(|(text, _)| text)
        .join(" ")
    }

    /// Whether the expression names this wall-clock time, as a Unix cron reads it: when both
    /// day fields are restricted, either one is enough.
    fn names(&self, wall: NaiveDateTime) -> bool {
        let day_of_month = (self.day_of_month.1)(wall.day());
        let day_of_week = (self.day_of_week.1)(wall.weekday().num_days_from_sunday());
        let day = if self.day_of_month.0.starts_with('*') || self.day_of_week.0.starts_with('*') {
            day_of_month && day_of_week
        } else {
            day_of_month || day_of_week
        };
        wall.second() == 0
            && (self.minute.1)(wall.minute())
            && (self.hour.1)(wall.hour())
            && (self.month.1)(wall.month())
            && day
    }
}

fn expression() -> impl Strategy<Value = Expression> {
    (
        select(MINUTES.to_vec()),
        select(HOURS.to_vec()),
        select(DAYS_OF_MONTH.to_vec()),
        select(MONTHS.to_vec()),
        select(DAYS_OF_WEEK.to_vec()),
    )
        .prop_map(
            |(minute, hour, day_of_month, month, day_of_week)| Expression {
                minute,
                hour,
                day_of_month,
                month,
                day_of_week,
            },
        )
}

/// Clocks going forward and back by an hour in both hemispheres, by half an hour (Lord Howe),
/// at midnight (Santiago, Havana), and Almaty's one-off move back to UTC+5.
fn zone() -> impl Strategy<Value = Tz> {
    select(vec![
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Almaty,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Australia::Sydney,
        chrono_tz::America::Santiago,
        chrono_tz::America::Havana,
        chrono_tz::UTC,
    ])
}

fn offset(zone: Tz, at: DateTime<Utc>) -> i32 {
    zone.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

fn wall(zone: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&zone).naive_local()
}

/// The first whole second after `from` at which `zone` changes its offset, within a year.
fn next_change(zone: Tz, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let found = (1..=400)
        .map(|day| from + TimeDelta::days(day))
        .find(|day| offset(zone, *day) != offset(zone, from))?;
    let mut low = (found - TimeDelta::days(1)).timestamp();
    let mut high = found.timestamp();
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        let at = DateTime::from_timestamp(middle, 0)?;
        if offset(zone, at) == offset(zone, from) {
            low = middle;
        } else {
            high = middle;
        }
    }
    DateTime::from_timestamp(high, 0)
}

/// An instant from 2023 to 2026, or one in the two days before a clock change of `zone`.
fn after(zone: Tz) -> impl Strategy<Value = DateTime<Utc>> {
    let start = DateTime::from_timestamp(1_672_531_200, 0).expect("2023-01-01T00:00Z");
    (0..3 * 365 * 86_400i64, any::<bool>(), 0..2 * 86_400i64).prop_map(
        move |(seconds, near_a_change, before)| {
            let at = start + TimeDelta::seconds(seconds);
            match next_change(zone, at) {
                Some(change) if near_a_change => change - TimeDelta::seconds(before),
                _ => at,
            }
        },
    )
}

fn zone_and_after() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    zone().prop_flat_map(|zone| (Just(zone), after(zone)))
}

/// The wall-clock times the clocks skip when they go forward at `at`, if they do.
fn skipped_at(zone: Tz, at: DateTime<Utc>) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let before = offset(zone, at - TimeDelta::seconds(1));
    let now = offset(zone, at);
    (now > before).then(|| {
        let from = at.naive_utc() + TimeDelta::seconds(i64::from(before));
        (from, wall(zone, at))
    })
}

/// Whether the expression names a wall-clock minute in `[from, to)`.
fn names_some_minute(expression: &Expression, from: NaiveDateTime, to: NaiveDateTime) -> bool {
    let mut minute = from;
    while minute < to {
        if expression.names(minute) {
            return true;
        }
        minute += TimeDelta::minutes(1);
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn firings_follow_the_wall_clock_and_miss_nothing(
        expression in expression(),
        (zone, after) in zone_and_after(),
    ) {
        let recurrence = Recurrence::parse(&expression.text()).expect("the grammar is valid");
        let mut previous = after;
        for _ in 0..8 {
            let Some(next) = recurrence.next_after(previous, zone) else {
                // Only "31 February" and the like never fire.
                prop_assert!(expression.text().contains("31 2"), "{} fired never", expression.text());
                break;
            };
            prop_assert!(next > previous, "{}: {next} is not after {previous}", expression.text());
            let here = wall(zone, next);
            if expression.names(here) {
                // A wall-clock time that happens twice fires at its first occurrence.
                prop_assert_eq!(zone.from_local_datetime(&here).earliest().map(|t| t.to_utc()), Some(next));
            } else {
                // Otherwise the clocks skipped the time it names, and it fires when they land.
                let skipped = skipped_at(zone, next);
                prop_assert!(
                    skipped.is_some_and(|(from, to)| names_some_minute(&expression, from, to)),
                    "{} fired at {next} ({here} in {zone}), a time it does not name",
                    expression.text()
                );
            }
            // Nothing it names was passed over: no first occurrence of a named wall-clock time,
            // and no skipped one, lies strictly between two firings.
            if next - previous <= TimeDelta::days(1) {
                let mut minute = previous.with_second(0).and_then(|m| m.with_nanosecond(0)).expect("a minute")
                    + TimeDelta::minutes(1);
                while minute < next {
                    let at_minute = wall(zone, minute);
                    let first = zone.from_local_datetime(&at_minute).earliest().map(|t| t.to_utc());
                    prop_assert!(
                        !(expression.names(at_minute) && first == Some(minute)),
                        "{} passed over {at_minute} in {zone} ({minute}) between {previous} and {next}",
                        expression.text()
                    );
                    if let Some((from, to)) = skipped_at(zone, minute) {
                        prop_assert!(
                            !names_some_minute(&expression, from, to),
                            "{} passed over the gap at {minute} in {zone}",
                            expression.text()
                        );
                    }
                    minute += TimeDelta::minutes(1);
                }
            }
            previous = next;
        }
    }
}
