//! Handoffs at wall-clock times across clock changes: skipped hours, repeated hours, days of 23
//! and 25 hours, and Kazakhstan's move to UTC+5 on 1 March 2024.

mod support;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;
use hotline_schedules::model::HandoffUnit::{Days, Hours};
use hotline_schedules::{DutyShift, HOTLINE_ZONE, Rota, instant_of};
use support::*;

fn rota_of(rotation: hotline_schedules::model::Rotation) -> Rota {
    Rota::new(team(&[1, 2, 3, 4]), vec![rotation], vec![], vec![])
}

fn primary(rota: &Rota, at: DateTime<Utc>) -> Vec<i64> {
    ids(&rota.on_duty(LEGAL, None, at))
}

fn turns(
    rota: &Rota,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(i64, DateTime<Utc>, DateTime<Utc>)> {
    rota.duties_between(from, to)
        .iter()
        .map(|d: &DutyShift| (d.staff_id, d.starts_at, d.ends_at))
        .collect()
}

#[test]
fn berlin_a_handoff_in_the_skipped_hour_happens_when_the_clocks_reach_three() {
    // 02:30 does not exist on 31 March 2024 in Berlin: 02:00 CET became 03:00 CEST (01:00Z).
    let rota = rota_of(rotation(
        1,
        &[1, 2, 3],
        Berlin,
        local(2024, 3, 29, 2, 30),
        1,
        Days,
    ));
    let one_second = TimeDelta::seconds(1);
    assert_eq!(primary(&rota, utc(2024, 3, 31, 1, 0) - one_second), vec![2]);
    assert_eq!(primary(&rota, utc(2024, 3, 31, 1, 0)), vec![3]);
    // The next day 02:30 exists again, in summer time.
    assert_eq!(primary(&rota, utc(2024, 4, 1, 0, 29)), vec![3]);
    assert_eq!(primary(&rota, utc(2024, 4, 1, 0, 30)), vec![1]);
}

#[test]
fn new_york_a_handoff_in_the_skipped_hour_happens_at_three_edt() {
    let rota = rota_of(rotation(
        1,
        &[1, 2, 3],
        New_York,
        local(2024, 3, 8, 2, 30),
        1,
        Days,
    ));
    assert_eq!(
        instant_of(New_York, local(2024, 3, 10, 2, 30)),
        Some(utc(2024, 3, 10, 7, 0))
    );
    assert_eq!(primary(&rota, utc(2024, 3, 10, 6, 59)), vec![2]);
    assert_eq!(primary(&rota, utc(2024, 3, 10, 7, 0)), vec![3]);
}

#[test]
fn new_york_a_handoff_in_the_repeated_hour_happens_at_its_first_occurrence_only() {
    // 01:30 happens twice on 3 November 2024: 05:30Z (EDT) and 06:30Z (EST).
    let rota = rota_of(rotation(
        1,
        &[1, 2, 3],
        New_York,
        local(2024, 11, 1, 1, 30),
        1,
        Days,
    ));
    assert_eq!(primary(&rota, utc(2024, 11, 3, 5, 29)), vec![2]);
    assert_eq!(primary(&rota, utc(2024, 11, 3, 5, 30)), vec![3]);
    assert_eq!(
        primary(&rota, utc(2024, 11, 3, 6, 30)),
        vec![3],
        "no second handoff"
    );
    assert_eq!(
        turns(&rota, utc(2024, 11, 3, 0, 0), utc(2024, 11, 5, 0, 0)),
        vec![
            (2, utc(2024, 11, 3, 0, 0), utc(2024, 11, 3, 5, 30)),
            (3, utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)),
            (1, utc(2024, 11, 4, 6, 30), utc(2024, 11, 5, 0, 0)),
        ],
        "the turn over the change is 25 hours"
    );
}

#[test]
fn hourly_handoffs_count_wall_clock_hours() {
    // Fall back: the 01:00 turn holds both passes through 01:00–02:00, two real hours.
    let back = rota_of(rotation(
        1,
        &[1, 2, 3, 4],
        New_York,
        local(2024, 11, 3, 0, 0),
        1,
        Hours,
    ));
    assert_eq!(primary(&back, utc(2024, 11, 3, 5, 0)), vec![2]);
    assert_eq!(primary(&back, utc(2024, 11, 3, 6, 59)), vec![2]);
    assert_eq!(primary(&back, utc(2024, 11, 3, 7, 0)), vec![3]);
    // Spring forward: 02:00 never shows on the clock, so its turn lasts no time at all.
    let forward = rota_of(rotation(
        1,
        &[1, 2, 3, 4],
        New_York,
        local(2024, 3, 10, 0, 0),
        1,
        Hours,
    ));
    assert_eq!(primary(&forward, utc(2024, 3, 10, 6, 59)), vec![2]);
    assert_eq!(primary(&forward, utc(2024, 3, 10, 7, 0)), vec![4]);
}

#[test]
fn a_daily_nine_oclock_handoff_stays_at_nine_across_clock_changes() {
    let hour = TimeDelta::hours(1);
    let spring = rota_of(rotation(
        1,
        &[1, 2, 3],
        Berlin,
        local(2024, 3, 29, 9, 0),
        1,
        Days,
    ));
    let day = turns(&spring, utc(2024, 3, 30, 8, 0), utc(2024, 3, 31, 7, 0));
    assert_eq!(
        day,
        vec![(2, utc(2024, 3, 30, 8, 0), utc(2024, 3, 31, 7, 0))]
    );
    assert_eq!(day[0].2 - day[0].1, hour * 23);
    assert_eq!(primary(&spring, utc(2024, 3, 31, 7, 0)), vec![3]);

    let autumn = rota_of(rotation(
        1,
        &[1, 2, 3],
        Berlin,
        local(2024, 10, 25, 9, 0),
        1,
        Days,
    ));
    assert_eq!(primary(&autumn, utc(2024, 10, 27, 7, 59)), vec![2]);
    assert_eq!(primary(&autumn, utc(2024, 10, 27, 8, 0)), vec![3]);
    let all = turns(&autumn, utc(2024, 10, 26, 7, 0), utc(2024, 10, 27, 8, 0));
    assert_eq!(
        all,
        vec![(2, utc(2024, 10, 26, 7, 0), utc(2024, 10, 27, 8, 0))]
    );
    assert_eq!(all[0].2 - all[0].1, hour * 25);

    let new_york = rota_of(rotation(
        1,
        &[1, 2],
        New_York,
        local(2024, 3, 9, 9, 0),
        1,
        Days,
    ));
    assert_eq!(primary(&new_york, utc(2024, 3, 10, 12, 59)), vec![1]);
    assert_eq!(primary(&new_york, utc(2024, 3, 10, 13, 0)), vec![2]);
}

#[test]
fn almaty_nine_oclock_is_three_utc_before_1_march_2024_and_four_after() {
    assert_eq!(
        instant_of(HOTLINE_ZONE, local(2024, 2, 29, 9, 0)),
        Some(utc(2024, 2, 29, 3, 0))
    );
    assert_eq!(
        instant_of(HOTLINE_ZONE, local(2024, 3, 1, 9, 0)),
        Some(utc(2024, 3, 1, 4, 0))
    );
    let rota = rota_of(rotation(
        1,
        &[1, 2, 3],
        HOTLINE_ZONE,
        local(2024, 2, 27, 9, 0),
        1,
        Days,
    ));
    assert_eq!(primary(&rota, utc(2024, 2, 29, 2, 59)), vec![2]);
    assert_eq!(primary(&rota, utc(2024, 2, 29, 3, 0)), vec![3]);
    assert_eq!(
        primary(&rota, utc(2024, 3, 1, 3, 59)),
        vec![3],
        "still 08:59 in Almaty"
    );
    assert_eq!(primary(&rota, utc(2024, 3, 1, 4, 0)), vec![1]);
    assert_eq!(
        primary(&rota, utc(2025, 3, 1, 4, 0)),
        primary(&rota, utc(2025, 3, 1, 5, 0))
    );
}
