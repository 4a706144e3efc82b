//! The rota laid out for calendars, swaps between two people, and the gaps a coordinator must
//! fill.

mod support;

use chrono::TimeDelta;
use hotline_schedules::model::HandoffUnit::{ActiveShifts, Days};
use hotline_schedules::model::OverrideKind::Replace;
use hotline_schedules::model::{Position, Rotation, Slot, Weekdays};
use hotline_schedules::{DutyShift, DutySource, HOTLINE_ZONE, Language, Rota, SwapError, swap};
use support::*;

/// 1 and 2 take turns daily at 09:00 in Almaty (04:00Z), from Monday 2 June 2025.
fn daily() -> Rotation {
    rotation(1, &[1, 2], HOTLINE_ZONE, local(2025, 6, 2, 9, 0), 1, Days)
}

fn duty(
    staff_id: i64,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    source: DutySource,
) -> DutyShift {
    DutyShift {
        staff_id,
        service: LEGAL,
        slot: Slot::Scheduled(Position::PRIMARY),
        starts_at: from,
        ends_at: to,
        source,
        in_place_of: None,
    }
}

#[test]
fn an_override_splits_a_turn_into_before_during_and_after() {
    let noon_to_two = change(
        7,
        Some(LEGAL),
        Replace {
            absent: 1,
            present: 3,
        },
        utc(2025, 6, 2, 7, 0),
        utc(2025, 6, 2, 9, 0),
    );
    let mut staff = team(&[1, 2, 3]);
    staff.push(coordinator(9));
    let rota = Rota::new(staff, vec![daily()], vec![], vec![noon_to_two]);
    let duties = rota.duties_between(utc(2025, 6, 2, 0, 0), utc(2025, 6, 3, 6, 0));
    assert_eq!(
        duties,
        vec![
            duty(
                1,
                utc(2025, 6, 2, 4, 0),
                utc(2025, 6, 2, 7, 0),
                DutySource::Rotation(1)
            ),
            DutyShift {
                in_place_of: Some(1),
                ..duty(
                    3,
                    utc(2025, 6, 2, 7, 0),
                    utc(2025, 6, 2, 9, 0),
                    DutySource::Override(7)
                )
            },
            duty(
                1,
                utc(2025, 6, 2, 9, 0),
                utc(2025, 6, 3, 4, 0),
                DutySource::Rotation(1)
            ),
            duty(
                2,
                utc(2025, 6, 3, 4, 0),
                utc(2025, 6, 3, 6, 0),
                DutySource::Rotation(1)
            ),
        ],
        "the coordinator's fallback is not a duty"
    );
}

#[test]
fn two_people_swap_two_duties_in_one_step() {
    let backup = Rotation {
        id: 2,
        position: Position::BACKUP,
        ..rotation(2, &[3], HOTLINE_ZONE, local(2025, 6, 2, 9, 0), 1, Days)
    };
    let rules = vec![daily(), backup];
    let rota = Rota::new(team(&[1, 2, 3]), rules.clone(), vec![], vec![]);
    let now = utc(2025, 6, 1, 0, 0);
    let duties = rota.duties_between(utc(2025, 6, 2, 4, 0), utc(2025, 6, 4, 4, 0));
    let mondays = &duties[0];
    let tuesdays = duties
        .iter()
        .find(|d| d.staff_id == 2)
        .expect("2 works Tuesday");
    assert_eq!(
        (mondays.staff_id, mondays.slot),
        (1, Slot::Scheduled(Position::PRIMARY))
    );
    let swapped = swap(mondays, tuesdays, [10, 11], now).expect("a valid swap");
    let rota = Rota::new(team(&[1, 2, 3]), rules.clone(), vec![], swapped.to_vec());
    let monday_noon = utc(2025, 6, 2, 7, 0);
    assert_eq!(ids(&rota.on_duty(LEGAL, None, monday_noon)), vec![2, 3]);
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, utc(2025, 6, 3, 7, 0))),
        vec![1, 3]
    );

    // Monday's duty is now 2's, standing in for 1; swapping it again with 3's backup duty
    // replaces the person the rota scheduled, and the newer replacement wins.
    let monday = rota.duties_between(monday_noon, monday_noon + TimeDelta::hours(1));
    assert_eq!((monday[0].staff_id, monday[0].in_place_of), (2, Some(1)));
    let again = swap(&monday[0], &monday[1], [12, 13], now).expect("a valid swap");
    let mut overrides = swapped.to_vec();
    overrides.extend(again);
    let rota = Rota::new(team(&[1, 2, 3]), rules, vec![], overrides);
    assert_eq!(ids(&rota.on_duty(LEGAL, None, monday_noon)), vec![3, 2]);
}

#[test]
fn a_swap_needs_two_people_two_scheduled_duties_and_a_future() {
    let now = utc(2025, 6, 2, 12, 0);
    let mine = duty(
        1,
        utc(2025, 6, 3, 4, 0),
        utc(2025, 6, 4, 4, 0),
        DutySource::Rotation(1),
    );
    let also_mine = duty(
        1,
        utc(2025, 6, 5, 4, 0),
        utc(2025, 6, 6, 4, 0),
        DutySource::Rotation(1),
    );
    assert_eq!(
        swap(&mine, &also_mine, [1, 2], now),
        Err(SwapError::SamePerson)
    );
    let added = DutyShift {
        staff_id: 2,
        slot: Slot::Added,
        ..mine.clone()
    };
    assert_eq!(
        swap(&mine, &added, [1, 2], now),
        Err(SwapError::NotScheduled { which: "second" })
    );
    let past = duty(
        2,
        utc(2025, 6, 1, 4, 0),
        utc(2025, 6, 2, 4, 0),
        DutySource::Rotation(1),
    );
    assert_eq!(
        swap(&past, &mine, [1, 2], now),
        Err(SwapError::Over { which: "first" })
    );
}

#[test]
fn gaps_are_evenings_and_weekends_of_a_weekday_rotation() {
    let weekdays = Rotation {
        windows: vec![window(Weekdays::MONDAY_TO_FRIDAY, time(9, 0), time(18, 0))],
        ..rotation(
            1,
            &[1, 2, 3],
            HOTLINE_ZONE,
            local(2025, 6, 2, 9, 0),
            1,
            ActiveShifts,
        )
    };
    let staff = vec![
        person(1, &[Language::Kk]),
        person(2, &[Language::Ru]),
        person(3, &[Language::Ru, Language::Kk]),
        coordinator(9),
    ];
    let rota = Rota::new(staff, vec![weekdays], vec![], vec![]);
    // Monday 00:00 to the next Monday 00:00 in Almaty.
    let (from, to) = (utc(2025, 6, 1, 19, 0), utc(2025, 6, 8, 19, 0));
    let gaps = rota.gaps(LEGAL, None, from, to);
    assert_eq!(gaps.len(), 6);
    assert_eq!(gaps[0], (from, utc(2025, 6, 2, 4, 0)));
    assert_eq!(gaps[1], (utc(2025, 6, 2, 13, 0), utc(2025, 6, 3, 4, 0)));
    assert_eq!(
        gaps[5],
        (utc(2025, 6, 6, 13, 0), to),
        "Friday evening to Monday"
    );
    // Tuesday (2, Russian only) and Friday (2 again) leave Kazakh callers nobody.
    let kazakh = rota.gaps(LEGAL, Some(Language::Kk), from, to);
    assert_eq!(kazakh.len(), 4);
    assert_eq!(kazakh[1], (utc(2025, 6, 2, 13, 0), utc(2025, 6, 4, 4, 0)));
    assert_eq!(kazakh[3], (utc(2025, 6, 5, 13, 0), to));
}
