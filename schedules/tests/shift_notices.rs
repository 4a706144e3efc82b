//! Telling the people on the rota about their duty, from a real rota: one reminder before each
//! stretch of duty starts (never one for a duty that carries straight on), and a notice for each
//! stretch an edit added, removed or moved.

mod support;

use chrono::{DateTime, Duration, Utc};
use hotline_schedules::model::HandoffUnit::Days;
use hotline_schedules::model::OverrideKind::Replace;
use hotline_schedules::model::{Position, Rotation, Shift};
use hotline_schedules::{
    HOTLINE_ZONE, Rota, ShiftChange, ShiftReminder, Stretch, reminder_span, shift_changes,
    shift_reminders,
};
use support::*;

/// 1 and 2 take turns daily at 09:00 in Almaty (04:00Z), from Monday 2 June 2025.
fn daily(members: &[i64]) -> Rotation {
    rotation(1, members, HOTLINE_ZONE, local(2025, 6, 2, 9, 0), 1, Days)
}

/// 2 backs up the night before her turn, 01:00–09:00 Almaty, and so works straight on into it.
fn night_before() -> Shift {
    Shift {
        position: Position::BACKUP,
        ..shift(1, 2, utc(2025, 6, 2, 20, 0), utc(2025, 6, 3, 4, 0))
    }
}

fn reminders(
    rota: &Rota,
    lead: Duration,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<ShiftReminder> {
    let (read_from, read_to) = reminder_span(from, to, lead);
    shift_reminders(&rota.duties_between(read_from, read_to), lead, from, to)
}

fn reminder(
    staff_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    lead: Duration,
) -> ShiftReminder {
    ShiftReminder {
        staff_id,
        service: LEGAL,
        starts_at,
        ends_at,
        due_at: starts_at - lead,
    }
}

fn stretch(staff_id: i64, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Stretch {
    Stretch {
        staff_id,
        service: LEGAL,
        starts_at,
        ends_at,
    }
}

#[test]
fn each_stretch_of_duty_is_reminded_once_before_it_starts() {
    let rota = Rota::new(
        team(&[1, 2]),
        vec![daily(&[1, 2])],
        vec![night_before()],
        vec![],
    );
    let lead = Duration::hours(12);
    assert_eq!(
        reminders(&rota, lead, utc(2025, 6, 1, 0, 0), utc(2025, 6, 5, 0, 0)),
        vec![
            reminder(1, utc(2025, 6, 2, 4, 0), Some(utc(2025, 6, 3, 4, 0)), lead),
            // Her night shift and her turn are one duty: one reminder, before the night.
            reminder(2, utc(2025, 6, 2, 20, 0), Some(utc(2025, 6, 4, 4, 0)), lead),
            reminder(1, utc(2025, 6, 4, 4, 0), Some(utc(2025, 6, 5, 4, 0)), lead),
            reminder(2, utc(2025, 6, 5, 4, 0), Some(utc(2025, 6, 6, 4, 0)), lead),
        ]
    );
}

#[test]
fn a_duty_already_going_on_or_carrying_on_is_not_reminded() {
    let rota = Rota::new(
        team(&[1, 2]),
        vec![daily(&[1, 2])],
        vec![night_before()],
        vec![],
    );
    let lead = Duration::hours(12);
    // Due from 16:00Z on 2 June: starts from 04:00Z on 3 June. 1 is on duty then, and 2's turn
    // at 04:00Z carries on from her night shift.
    assert_eq!(
        reminders(&rota, lead, utc(2025, 6, 2, 16, 0), utc(2025, 6, 3, 17, 0)),
        vec![reminder(
            1,
            utc(2025, 6, 4, 4, 0),
            Some(utc(2025, 6, 5, 4, 0)),
            lead
        )]
    );
}

#[test]
fn consecutive_windows_owe_each_reminder_once() {
    let rota = Rota::new(
        team(&[1, 2]),
        vec![daily(&[1, 2])],
        vec![night_before()],
        vec![],
    );
    let lead = Duration::hours(12);
    let whole = reminders(&rota, lead, utc(2025, 6, 1, 0, 0), utc(2025, 6, 9, 0, 0));
    let mut pieces = Vec::new();
    let mut from = utc(2025, 6, 1, 0, 0);
    while from < utc(2025, 6, 9, 0, 0) {
        let to = from + Duration::minutes(5);
        pieces.extend(reminders(&rota, lead, from, to));
        from = to;
    }
    assert_eq!(pieces, whole);
    assert_eq!(whole.len(), 8);
}

#[test]
fn a_duty_without_an_end_in_sight_is_reminded_without_one() {
    let rota = Rota::new(team(&[1]), vec![daily(&[1])], vec![], vec![]);
    let lead = Duration::hours(1);
    assert_eq!(
        reminders(&rota, lead, utc(2025, 6, 1, 0, 0), utc(2025, 6, 30, 0, 0)),
        vec![reminder(1, utc(2025, 6, 2, 4, 0), None, lead)]
    );
}

#[test]
fn a_replacement_for_two_hours_splits_her_duty_and_gives_him_one() {
    let before = Rota::new(team(&[1, 2, 3]), vec![daily(&[1, 2])], vec![], vec![]);
    let two_hours = change(
        7,
        Some(LEGAL),
        Replace {
            absent: 1,
            present: 3,
        },
        utc(2025, 6, 2, 7, 0),
        utc(2025, 6, 2, 9, 0),
    );
    let after = Rota::new(
        team(&[1, 2, 3]),
        vec![daily(&[1, 2])],
        vec![],
        vec![two_hours],
    );
    let (from, to) = (utc(2025, 6, 2, 0, 0), utc(2025, 6, 4, 0, 0));
    assert_eq!(
        shift_changes(
            &before.duties_between(from, to),
            &after.duties_between(from, to)
        ),
        vec![
            ShiftChange::Moved {
                from: stretch(1, utc(2025, 6, 2, 4, 0), utc(2025, 6, 3, 4, 0)),
                to: stretch(1, utc(2025, 6, 2, 4, 0), utc(2025, 6, 2, 7, 0)),
            },
            ShiftChange::Added {
                shift: stretch(1, utc(2025, 6, 2, 9, 0), utc(2025, 6, 3, 4, 0)),
            },
            ShiftChange::Added {
                shift: stretch(3, utc(2025, 6, 2, 7, 0), utc(2025, 6, 2, 9, 0)),
            },
        ]
    );
}

#[test]
fn swapping_the_order_of_turns_moves_each_turn_by_a_day() {
    let before = Rota::new(team(&[1, 2]), vec![daily(&[1, 2])], vec![], vec![]);
    let after = Rota::new(team(&[1, 2]), vec![daily(&[2, 1])], vec![], vec![]);
    let (from, to) = (utc(2025, 6, 2, 4, 0), utc(2025, 6, 4, 4, 0));
    assert_eq!(
        shift_changes(
            &before.duties_between(from, to),
            &after.duties_between(from, to)
        ),
        vec![
            ShiftChange::Moved {
                from: stretch(1, utc(2025, 6, 2, 4, 0), utc(2025, 6, 3, 4, 0)),
                to: stretch(1, utc(2025, 6, 3, 4, 0), utc(2025, 6, 4, 4, 0)),
            },
            ShiftChange::Moved {
                from: stretch(2, utc(2025, 6, 3, 4, 0), utc(2025, 6, 4, 4, 0)),
                to: stretch(2, utc(2025, 6, 2, 4, 0), utc(2025, 6, 3, 4, 0)),
            },
        ]
    );
}

#[test]
fn a_shift_that_disappears_or_appears_is_removed_or_added() {
    let without = Rota::new(team(&[1, 2, 3]), vec![daily(&[1, 2])], vec![], vec![]);
    let extra = Shift {
        position: Position::BACKUP,
        ..shift(2, 3, utc(2025, 6, 2, 10, 0), utc(2025, 6, 2, 14, 0))
    };
    let with = Rota::new(team(&[1, 2, 3]), vec![daily(&[1, 2])], vec![extra], vec![]);
    let (from, to) = (utc(2025, 6, 2, 0, 0), utc(2025, 6, 4, 0, 0));
    let (without, with) = (
        without.duties_between(from, to),
        with.duties_between(from, to),
    );
    let added = stretch(3, utc(2025, 6, 2, 10, 0), utc(2025, 6, 2, 14, 0));
    assert_eq!(
        shift_changes(&without, &with),
        vec![ShiftChange::Added { shift: added }]
    );
    assert_eq!(
        shift_changes(&with, &without),
        vec![ShiftChange::Removed { shift: added }]
    );
    assert_eq!(shift_changes(&with, &with), vec![]);
}
