//! Rotations restricted to active windows: weekdays that never skip anyone at weekends, nights
//! that cross midnight, and round-the-clock duty with no uncovered second.

mod support;

use chrono::{Datelike, TimeDelta, Weekday};
use chrono_tz::Europe::Berlin;
use hotline_schedules::model::HandoffUnit::{ActiveShifts, Days};
use hotline_schedules::model::{Rotation, Weekdays};
use hotline_schedules::{HOTLINE_ZONE, Rota};
use support::*;

fn weekday_rotation(every: u32, unit: hotline_schedules::model::HandoffUnit) -> Rotation {
    // 2025-06-02 is a Monday.
    assert_eq!(local(2025, 6, 2, 9, 0).weekday(), Weekday::Mon);
    Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(9, 0), time(18, 0))],
        ..rotation(
            1,
            &[1, 2, 3],
            HOTLINE_ZONE,
            local(2025, 6, 2, 9, 0),
            every,
            unit,
        )
    }
}

/// Who is on duty at noon in Almaty (07:00Z) on each day of June 2025 listed.
fn at_noon(rota: &Rota, days: &[u32]) -> Vec<Vec<i64>> {
    days.iter()
        .map(|d| ids(&rota.on_duty(LEGAL, None, utc(2025, 6, *d, 7, 0))))
        .collect()
}

#[test]
fn a_weekday_rotation_by_active_shifts_skips_nobody_at_the_weekend() {
    let rota = Rota::new(
        team(&[1, 2, 3]),
        vec![weekday_rotation(1, ActiveShifts)],
        vec![],
        vec![],
    );
    let (a, b, c, nobody) = (vec![1], vec![2], vec![3], Vec::<i64>::new());
    assert_eq!(
        at_noon(&rota, &[2, 3, 4, 5, 6, 7, 8, 9]),
        vec![
            a.clone(),
            b.clone(),
            c.clone(),
            a,
            b,
            nobody.clone(),
            nobody,
            c
        ],
        "Mon A, Tue B, Wed C, Thu A, Fri B, weekend nobody, next Mon C"
    );
    // Outside the window on a weekday, nobody either: 08:59 and 18:00 in Almaty.
    assert!(rota.on_duty(LEGAL, None, utc(2025, 6, 3, 3, 59)).is_empty());
    assert!(rota.on_duty(LEGAL, None, utc(2025, 6, 3, 13, 0)).is_empty());
}

#[test]
fn every_two_active_shifts_gives_each_person_two_weekdays_in_a_row() {
    let rota = Rota::new(
        team(&[1, 2, 3]),
        vec![weekday_rotation(2, ActiveShifts)],
        vec![],
        vec![],
    );
    assert_eq!(
        at_noon(&rota, &[2, 3, 4, 5, 6, 9, 10]),
        vec![
            vec![1],
            vec![1],
            vec![2],
            vec![2],
            vec![3],
            vec![3],
            vec![1]
        ]
    );
}

#[test]
fn a_weekday_rotation_by_days_is_what_skips_people_if_a_coordinator_chooses_it() {
    // By calendar days the weekend turns still pass, invisibly: Saturday was C's, Sunday A's.
    let rota = Rota::new(
        team(&[1, 2, 3]),
        vec![weekday_rotation(1, Days)],
        vec![],
        vec![],
    );
    assert_eq!(
        at_noon(&rota, &[2, 3, 4, 5, 6, 9]),
        vec![vec![1], vec![2], vec![3], vec![1], vec![2], vec![2]]
    );
}

#[test]
fn a_night_window_runs_from_evening_past_midnight_into_the_morning() {
    let nights = Rotation {
        windows: vec![window(Weekdays::ALL, time(18, 0), time(9, 0))],
        ..rotation(
            1,
            &[1, 2],
            HOTLINE_ZONE,
            local(2025, 6, 2, 18, 0),
            1,
            ActiveShifts,
        )
    };
    let rota = Rota::new(team(&[1, 2]), vec![nights], vec![], vec![]);
    let who = |d, h, m| ids(&rota.on_duty(LEGAL, None, utc(2025, 6, d, h, m)));
    // Almaty is UTC+5: 18:00 local is 13:00Z, 09:00 local is 04:00Z.
    assert_eq!(who(2, 12, 59), Vec::<i64>::new());
    assert_eq!(who(2, 13, 0), vec![1]);
    assert_eq!(
        who(2, 22, 0),
        vec![1],
        "03:00 on Tuesday is still Monday night"
    );
    assert_eq!(who(3, 3, 59), vec![1]);
    assert_eq!(who(3, 4, 0), Vec::<i64>::new());
    assert_eq!(who(3, 13, 0), vec![2]);
    assert_eq!(
        rota.gaps(LEGAL, None, utc(2025, 6, 3, 0, 0), utc(2025, 6, 4, 0, 0)),
        vec![(utc(2025, 6, 3, 4, 0), utc(2025, 6, 3, 13, 0))]
    );
}

#[test]
fn a_round_the_clock_window_leaves_no_second_uncovered_even_on_a_25_hour_day() {
    // from == to: 24 hours of wall-clock time, handing over at 08:00 every day, in Berlin over
    // the end of summer time on 26 October 2025.
    let daily = Rotation {
        windows: vec![window(Weekdays::ALL, time(8, 0), time(8, 0))],
        ..rotation(
            1,
            &[1, 2],
            Berlin,
            local(2025, 10, 20, 8, 0),
            1,
            ActiveShifts,
        )
    };
    let rota = Rota::new(team(&[1, 2]), vec![daily], vec![], vec![]);
    let (from, to) = (utc(2025, 10, 20, 6, 0), utc(2025, 11, 3, 7, 0));
    assert_eq!(rota.gaps(LEGAL, None, from, to), vec![]);
    let nanosecond = TimeDelta::nanoseconds(1);
    // 08:00 CEST on the 21st is 06:00Z.
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, utc(2025, 10, 21, 6, 0) - nanosecond)),
        vec![1]
    );
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, utc(2025, 10, 21, 6, 0))),
        vec![2]
    );
    let lengths: Vec<i64> = rota
        .duties_between(utc(2025, 10, 24, 6, 0), utc(2025, 10, 28, 7, 0))
        .iter()
        .map(|d| (d.ends_at - d.starts_at).num_hours())
        .collect();
    assert_eq!(
        lengths,
        vec![24, 25, 24, 24],
        "Saturday 08:00 to Sunday 08:00 holds the repeated hour of 26 October"
    );
}

#[test]
fn back_to_back_24_hour_shifts_leave_no_second_uncovered() {
    let shifts = vec![
        shift(1, 1, utc(2025, 6, 2, 8, 0), utc(2025, 6, 3, 8, 0)),
        shift(2, 2, utc(2025, 6, 3, 8, 0), utc(2025, 6, 4, 8, 0)),
    ];
    let rota = Rota::new(team(&[1, 2]), vec![], shifts, vec![]);
    let handover = utc(2025, 6, 3, 8, 0);
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, handover - TimeDelta::nanoseconds(1))),
        vec![1]
    );
    assert_eq!(ids(&rota.on_duty(LEGAL, None, handover)), vec![2]);
    assert_eq!(
        rota.gaps(LEGAL, None, utc(2025, 6, 2, 8, 0), utc(2025, 6, 4, 8, 0)),
        vec![]
    );
    assert_eq!(
        rota.gaps(LEGAL, None, utc(2025, 6, 2, 0, 0), utc(2025, 6, 5, 0, 0)),
        vec![
            (utc(2025, 6, 2, 0, 0), utc(2025, 6, 2, 8, 0)),
            (utc(2025, 6, 4, 8, 0), utc(2025, 6, 5, 0, 0)),
        ]
    );
}
