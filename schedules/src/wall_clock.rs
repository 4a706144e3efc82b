//! Wall-clock time in a named zone and the instants it stands for: how a rule written as "09:00
//! in Asia/Almaty" becomes a real instant, across clock changes. Never reads the clock: every
//! instant is an argument.
//!
//! One rule, used everywhere: a wall-clock time that happens twice (the repeated hour when clocks
//! go back) means its first occurrence; one that never happens (the hour skipped when clocks go
//! forward) means the first instant after the gap. [`wall_clock_reached`] is its exact inverse,
//! so the rota can decide "has this handoff happened by instant t?" by comparing wall-clock times,
//! without converting each handoff to an instant.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};

/// The hotline's zone unless a rule says otherwise. Kazakhstan has kept a single UTC+5 since
/// 2024-03-01; the tz database shipped with chrono-tz 0.10.4 (2025b) knows it.
pub const HOTLINE_ZONE: Tz = chrono_tz::Asia::Almaty;

/// The instant a wall-clock time in `zone` stands for: the first occurrence of a repeated time,
/// the first instant after the gap for a skipped one. `None` only beyond chrono's range.
pub fn instant_of(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at.to_utc()),
        LocalResult::Ambiguous(one, other) => Some(one.to_utc().min(other.to_utc())),
        LocalResult::None => GapInfo::new(&local, &zone)
            .and_then(|gap| gap.end)
            .map(|end| end.to_utc()),
    }
}

/// The latest wall-clock time in `zone` whose instant (by [`instant_of`]) is not after `at`.
///
/// For every wall-clock time `w`: `instant_of(zone, w) <= at` exactly when
/// `w <= wall_clock_reached(zone, at)`. Usually this is simply the clock on the wall at `at`;
/// during the second pass through a repeated hour it is the end of that hour (less a
/// nanosecond), because every time in the hour has already had its first occurrence.
pub fn wall_clock_reached(zone: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    let now = zone.offset_from_utc_datetime(&at.naive_utc()).fix();
    // At the very ends of chrono's range the wall clock may be past what it can show: saturate.
    let Some(local) = at.naive_utc().checked_add_offset(now) else {
        return if now.local_minus_utc() > 0 {
            NaiveDateTime::MAX
        } else {
            NaiveDateTime::MIN
        };
    };
    let LocalResult::Ambiguous(one, other) = zone.offset_from_local_datetime(&local) else {
        return local;
    };
    let (first, second) = if one.fix().local_minus_utc() >= other.fix().local_minus_utc() {
        (one.fix(), other.fix())
    } else {
        (other.fix(), one.fix())
    };
    let Some(first_pass) = local.checked_sub_offset(first) else {
        return local;
    };
    if now == first {
        return local;
    }
    // The second pass: the hour ends, in wall-clock time, where the clocks were set back from.
    let went_back = transition_after(zone, first_pass, at, second);
    went_back
        .naive_utc()
        .checked_add_offset(first)
        .map_or(local, |end| end - TimeDelta::nanoseconds(1))
}

/// The first whole second in `(after, until]` at which `zone` is at offset `offset`; the tz
/// database changes offsets on whole seconds. Only reached inside a repeated hour, so the search
/// spans a few hours at most.
fn transition_after(
    zone: Tz,
    after: NaiveDateTime,
    until: DateTime<Utc>,
    offset: chrono::FixedOffset,
) -> DateTime<Utc> {
    let mut low = after.and_utc().timestamp(); // offset is not yet in force here
    let mut high = until.timestamp(); // in force here (whole second at or before `until`)
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        let in_force = DateTime::from_timestamp(middle, 0)
            .is_some_and(|t| t.with_timezone(&zone).offset().fix() == offset);
        if in_force {
            high = middle;
        } else {
            low = middle;
        }
    }
    DateTime::from_timestamp(high, 0).unwrap_or(until)
}

/// `later - earlier` in nanoseconds, exact over chrono's whole range.
pub(crate) fn nanos_between(earlier: NaiveDateTime, later: NaiveDateTime) -> i128 {
    let delta = later - earlier;
    i128::from(delta.num_seconds()) * 1_000_000_000 + i128::from(delta.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .expect("valid local time")
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local(y, m, d, h, min).and_utc()
    }

    #[test]
    fn a_skipped_time_means_the_first_instant_after_the_gap() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            instant_of(berlin, local(2024, 3, 31, 2, 30)),
            Some(utc(2024, 3, 31, 1, 0))
        );
        let new_york = chrono_tz::America::New_York;
        assert_eq!(
            instant_of(new_york, local(2024, 3, 10, 2, 30)),
            Some(utc(2024, 3, 10, 7, 0))
        );
    }

    #[test]
    fn a_repeated_time_means_its_first_occurrence() {
        let new_york = chrono_tz::America::New_York;
        assert_eq!(
            instant_of(new_york, local(2024, 11, 3, 1, 30)),
            Some(utc(2024, 11, 3, 5, 30))
        );
    }

    #[test]
    fn during_the_second_pass_the_whole_repeated_hour_has_been_reached() {
        let new_york = chrono_tz::America::New_York;
        // 06:15Z is 01:15 EST, the second time 01:15 shows on New York's clocks.
        assert_eq!(
            wall_clock_reached(new_york, utc(2024, 11, 3, 6, 15)),
            local(2024, 11, 3, 2, 0) - TimeDelta::nanoseconds(1)
        );
        assert_eq!(
            wall_clock_reached(new_york, utc(2024, 11, 3, 5, 15)),
            local(2024, 11, 3, 1, 15)
        );
        assert_eq!(
            wall_clock_reached(new_york, utc(2024, 11, 3, 7, 0)),
            local(2024, 11, 3, 2, 0)
        );
    }

    #[test]
    fn reached_is_the_inverse_of_instant_of_around_every_kind_of_change() {
        let cases = [
            (chrono_tz::Europe::Berlin, local(2024, 3, 31, 0, 0)),
            (chrono_tz::Europe::Berlin, local(2024, 10, 27, 0, 0)),
            (chrono_tz::America::New_York, local(2024, 3, 10, 0, 0)),
            (chrono_tz::America::New_York, local(2024, 11, 3, 0, 0)),
            (HOTLINE_ZONE, local(2024, 2, 29, 21, 0)),
        ];
        for (zone, around) in cases {
            for step in 0..(6 * 12) {
                let wall = around + TimeDelta::minutes(5 * step);
                let Some(instant) = instant_of(zone, wall) else {
                    panic!("{wall} in {zone} has an instant");
                };
                for probe in [-61, -1, 0, 1, 61] {
                    let at = instant + TimeDelta::seconds(probe);
                    assert_eq!(
                        instant <= at,
                        wall <= wall_clock_reached(zone, at),
                        "{zone} {wall} probed at {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn almaty_moves_from_utc_plus_6_to_utc_plus_5_on_1_march_2024() {
        assert_eq!(
            instant_of(HOTLINE_ZONE, local(2024, 2, 28, 9, 0)),
            Some(utc(2024, 2, 28, 3, 0))
        );
        assert_eq!(
            instant_of(HOTLINE_ZONE, local(2024, 3, 1, 9, 0)),
            Some(utc(2024, 3, 1, 4, 0))
        );
        assert_eq!(
            instant_of(HOTLINE_ZONE, local(2026, 7, 1, 9, 0)),
            Some(utc(2026, 7, 1, 4, 0))
        );
    }
}
