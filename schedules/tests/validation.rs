//! What the API refuses: impossible rules, named by field, and rules that would put two people
//! at the same place in the order at the same instant.

mod support;

use chrono::{Datelike, TimeDelta, Weekday};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;
use hotline_schedules::model::HandoffUnit::{ActiveShifts, Days, Weeks};
use hotline_schedules::model::OverrideKind::Replace;
use hotline_schedules::model::{Position, Rotation, Shift, Validity, Weekdays};
use hotline_schedules::{
    HOTLINE_ZONE, Rota, Rule, RuleError, validate_override, validate_rotation, validate_shift,
};
use support::*;

fn daily(id: i64, members: &[i64]) -> Rotation {
    rotation(id, members, HOTLINE_ZONE, local(2025, 6, 2, 9, 0), 1, Days)
}

fn field_of(result: Result<(), RuleError>) -> String {
    result.expect_err("refused").field().to_owned()
}

#[test]
fn impossible_rotations_are_refused_naming_the_field() {
    let weekdays = window(Weekdays::MONDAY_TO_FRIDAY, time(9, 0), time(18, 0));
    let cases: Vec<(&str, Rotation)> = vec![
        (
            "name",
            Rotation {
                name: " ".into(),
                ..daily(1, &[1])
            },
        ),
        ("members", daily(1, &[])),
        (
            "handoff.every",
            rotation(1, &[1], Berlin, local(2025, 6, 2, 9, 0), 0, Weeks),
        ),
        (
            "windows",
            rotation(1, &[1], Berlin, local(2025, 6, 2, 9, 0), 1, ActiveShifts),
        ),
        (
            "windows[0].days",
            Rotation {
                windows: vec![window(Weekdays(0), time(9, 0), time(18, 0))],
                ..daily(1, &[1])
            },
        ),
        (
            "windows[1]",
            Rotation {
                windows: vec![weekdays, window(Weekdays::ALL, time(17, 0), time(9, 0))],
                ..daily(1, &[1])
            },
        ),
        (
            "validity.until",
            Rotation {
                validity: Validity {
                    from: utc(2025, 6, 2, 0, 0),
                    until: Some(utc(2025, 6, 1, 0, 0)),
                },
                ..daily(1, &[1])
            },
        ),
    ];
    for (field, rotation) in cases {
        assert_eq!(field_of(validate_rotation(&rotation)), field);
    }
    let error = validate_rotation(&daily(1, &[])).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "members: a rotation needs at least one member"
    );
}

#[test]
fn impossible_shifts_and_overrides_are_refused_naming_the_field() {
    let backwards = shift(1, 1, utc(2025, 6, 2, 9, 0), utc(2025, 6, 2, 9, 0));
    assert_eq!(field_of(validate_shift(&backwards)), "ends_at");
    let oneself = change(
        1,
        None,
        Replace {
            absent: 1,
            present: 1,
        },
        utc(2025, 6, 2, 9, 0),
        utc(2025, 6, 2, 10, 0),
    );
    assert_eq!(field_of(validate_override(&oneself)), "kind.present");
    let backwards = change(
        1,
        None,
        Replace {
            absent: 1,
            present: 2,
        },
        utc(2025, 6, 2, 9, 0),
        utc(2025, 6, 2, 8, 0),
    );
    assert_eq!(field_of(validate_override(&backwards)), "ends_at");
}

#[test]
fn members_must_be_on_the_staff() {
    let rota = Rota::new(team(&[1, 2]), vec![], vec![], vec![]);
    assert_eq!(
        field_of(rota.check_rotation(&daily(1, &[1, 7]))),
        "members[1]"
    );
}

#[test]
fn two_rotations_at_one_position_are_refused_with_the_first_shared_instant() {
    let rota = Rota::new(team(&[1, 2, 3]), vec![daily(1, &[1, 2])], vec![], vec![]);
    let later = rotation(2, &[3], HOTLINE_ZONE, local(2025, 6, 5, 9, 0), 1, Weeks);
    let error = rota.check_rotation(&later).expect_err("overlap");
    assert_eq!(
        error,
        RuleError::Conflict {
            rule: Rule::Rotation(2),
            other: Rule::Rotation(1),
            service: LEGAL,
            position: Position::PRIMARY,
            at: utc(2025, 6, 5, 4, 0),
        }
    );
    assert_eq!(
        error.to_string(),
        "rotation 2 would put a second person at legal position 0 (primary) from 2025-06-05 04:00:00 UTC, \
         where rotation 1 already puts someone; close rotation 1 first or use an override"
    );
    let backup = Rotation {
        position: Position::BACKUP,
        ..later.clone()
    };
    assert_eq!(rota.check_rotation(&backup), Ok(()));
    let edited = Rotation { id: 1, ..later };
    assert_eq!(
        rota.check_rotation(&edited),
        Ok(()),
        "a new version of rotation 1 replaces it"
    );
}

#[test]
fn weekdays_nights_and_weekends_fit_together_at_one_position() {
    let start = local(2025, 6, 2, 9, 0);
    let days = Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(9, 0), time(18, 0))],
        ..rotation(1, &[1, 2, 3], HOTLINE_ZONE, start, 1, ActiveShifts)
    };
    let nights = Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(18, 0), time(9, 0))],
        ..rotation(2, &[4, 5], HOTLINE_ZONE, start, 1, ActiveShifts)
    };
    let weekends = Rotation {
        windows: vec![window(Weekdays(0b110_0000), time(9, 0), time(9, 0))],
        ..rotation(3, &[6], HOTLINE_ZONE, start, 1, ActiveShifts)
    };
    let staff = team(&[1, 2, 3, 4, 5, 6]);
    let rota = Rota::new(
        staff.clone(),
        vec![days.clone(), nights.clone()],
        vec![],
        vec![],
    );
    assert_eq!(rota.check_rotation(&weekends), Ok(()));
    let all = Rota::new(staff, vec![days, nights, weekends.clone()], vec![], vec![]);
    let from = utc(2025, 6, 2, 4, 0);
    assert_eq!(
        all.gaps(LEGAL, None, from, from + TimeDelta::days(60)),
        vec![]
    );
    let saturday_night = Rotation {
        id: 4,
        windows: vec![window(Weekdays(0b010_0000), time(22, 0), time(6, 0))],
        ..weekends
    };
    assert_eq!(
        all.check_rotation(&saturday_night)
            .map_err(|e| e.field().to_owned()),
        Err("validity".to_owned())
    );
}

#[test]
fn rotations_in_two_zones_clash_only_while_one_has_changed_its_clocks() {
    // Berlin 09:00–10:00 and New York 04:00–04:30 touch but never overlap, except in the weeks
    // when New York is on summer time and Berlin not yet: on Monday 10 March 2025 both are 08:00Z.
    let berlin = Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(9, 0), time(10, 0))],
        ..rotation(1, &[1], Berlin, local(2025, 1, 6, 0, 0), 1, ActiveShifts)
    };
    let new_york = Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(4, 0), time(4, 30))],
        ..rotation(2, &[2], New_York, local(2025, 1, 6, 0, 0), 1, ActiveShifts)
    };
    assert_eq!(utc(2025, 3, 10, 8, 0).weekday(), Weekday::Mon);
    let rota = Rota::new(team(&[1, 2]), vec![berlin], vec![], vec![]);
    match rota.check_rotation(&new_york) {
        Err(RuleError::Conflict { at, .. }) => assert_eq!(at, utc(2025, 3, 10, 8, 0)),
        other => panic!("expected a clash, got {other:?}"),
    }
}

#[test]
fn a_one_off_shift_may_fill_a_gap_but_not_double_a_position() {
    let weekdays = Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(9, 0), time(18, 0))],
        ..rotation(
            1,
            &[1],
            HOTLINE_ZONE,
            local(2025, 6, 2, 9, 0),
            1,
            ActiveShifts,
        )
    };
    let saturday = shift(5, 2, utc(2025, 6, 7, 4, 0), utc(2025, 6, 7, 13, 0));
    let rota = Rota::new(
        team(&[1, 2, 3]),
        vec![weekdays],
        vec![saturday.clone()],
        vec![],
    );
    let friday_evening = shift(6, 3, utc(2025, 6, 6, 12, 0), utc(2025, 6, 6, 15, 0));
    assert_eq!(
        rota.check_shift(&friday_evening),
        Err(RuleError::Conflict {
            rule: Rule::Shift(6),
            other: Rule::Rotation(1),
            service: LEGAL,
            position: Position::PRIMARY,
            at: utc(2025, 6, 6, 12, 0),
        })
    );
    let saturday_too = shift(7, 3, utc(2025, 6, 7, 12, 0), utc(2025, 6, 7, 15, 0));
    match rota.check_shift(&saturday_too) {
        Err(RuleError::Conflict { other, at, .. }) => {
            assert_eq!((other, at), (Rule::Shift(5), utc(2025, 6, 7, 12, 0)));
        }
        other => panic!("expected a clash, got {other:?}"),
    }
    let backup = Shift {
        position: Position::BACKUP,
        ..saturday_too
    };
    assert_eq!(rota.check_shift(&backup), Ok(()));
    let sunday = shift(8, 3, utc(2025, 6, 8, 4, 0), utc(2025, 6, 8, 13, 0));
    assert_eq!(rota.check_shift(&sunday), Ok(()));
}
