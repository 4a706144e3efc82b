//! The order of people a call tries: positions, overrides, breaks, coordinators, languages,
//! people who left, and history that never changes.

mod support;

use chrono::{DateTime, Utc};
use hotline_schedules::model::HandoffUnit::Days;
use hotline_schedules::model::OverrideKind::{Add, Remove, Replace};
use hotline_schedules::model::{OnDuty, Override, Position, Rotation, Slot, Validity};
use hotline_schedules::{HOTLINE_ZONE, Language, Rota, Service, StaffMember};
use support::*;

const PSYCHOLOGICAL: Service = Service::Psychological;

/// Primary: 1 every day; backup: 2 every day; the psychological line: 1 as well; coordinator 9.
fn rules() -> Vec<Rotation> {
    let start = local(2025, 6, 1, 9, 0);
    let backup = Rotation {
        position: Position::BACKUP,
        ..rotation(2, &[2], HOTLINE_ZONE, start, 1, Days)
    };
    let psychological = Rotation {
        service: PSYCHOLOGICAL,
        ..rotation(3, &[1], HOTLINE_ZONE, start, 1, Days)
    };
    vec![
        rotation(1, &[1], HOTLINE_ZONE, start, 1, Days),
        backup,
        psychological,
    ]
}

fn staff() -> Vec<StaffMember> {
    let mut staff = team(&[1, 2, 3, 4, 5]);
    staff.push(coordinator(9));
    staff
}

fn rota_with(overrides: Vec<Override>) -> Rota {
    Rota::new(staff(), rules(), vec![], overrides)
}

/// 10:00 to 12:00 in Almaty on 2 June 2025.
fn morning(
    id: i64,
    service: Option<Service>,
    kind: hotline_schedules::model::OverrideKind,
) -> Override {
    change(
        id,
        service,
        kind,
        utc(2025, 6, 2, 5, 0),
        utc(2025, 6, 2, 7, 0),
    )
}

fn eleven() -> DateTime<Utc> {
    utc(2025, 6, 2, 6, 0)
}

fn slots(people: &[OnDuty]) -> Vec<(i64, Slot)> {
    people.iter().map(|p| (p.staff_id, p.slot)).collect()
}

#[test]
fn primary_then_backup_then_the_coordinator() {
    let rota = rota_with(vec![]);
    assert_eq!(
        slots(&rota.on_duty(LEGAL, None, eleven())),
        vec![
            (1, Slot::Scheduled(Position::PRIMARY)),
            (2, Slot::Scheduled(Position::BACKUP)),
            (9, Slot::Coordinator),
        ]
    );
}

#[test]
fn a_replacement_takes_the_slot_only_while_it_lasts() {
    let rota = rota_with(vec![morning(
        1,
        Some(LEGAL),
        Replace {
            absent: 1,
            present: 3,
        },
    )]);
    assert_eq!(
        slots(&rota.on_duty(LEGAL, None, eleven())),
        vec![
            (3, Slot::Scheduled(Position::PRIMARY)),
            (2, Slot::Scheduled(Position::BACKUP)),
            (9, Slot::Coordinator),
        ]
    );
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, utc(2025, 6, 2, 7, 0))),
        vec![1, 2, 9]
    );
    assert_eq!(
        ids(&rota.on_duty(PSYCHOLOGICAL, None, eleven())),
        vec![1, 9],
        "legal only"
    );
}

#[test]
fn of_two_replacements_for_one_person_the_newer_wins() {
    let rota = rota_with(vec![
        morning(
            6,
            Some(LEGAL),
            Replace {
                absent: 1,
                present: 4,
            },
        ),
        morning(
            5,
            Some(LEGAL),
            Replace {
                absent: 1,
                present: 3,
            },
        ),
    ]);
    assert_eq!(ids(&rota.on_duty(LEGAL, None, eleven())), vec![4, 2, 9]);
}

#[test]
fn a_replacement_by_someone_already_on_duty_lists_them_once_in_the_first_slot() {
    let rota = rota_with(vec![morning(
        1,
        Some(LEGAL),
        Replace {
            absent: 1,
            present: 2,
        },
    )]);
    assert_eq!(
        slots(&rota.on_duty(LEGAL, None, eleven())),
        vec![
            (2, Slot::Scheduled(Position::PRIMARY)),
            (9, Slot::Coordinator)
        ]
    );
}

#[test]
fn additions_come_after_the_positions_oldest_first() {
    let rota = rota_with(vec![
        morning(8, Some(LEGAL), Add { staff_id: 5 }),
        morning(7, Some(LEGAL), Add { staff_id: 4 }),
        morning(9, Some(LEGAL), Add { staff_id: 1 }),
    ]);
    assert_eq!(
        slots(&rota.on_duty(LEGAL, None, eleven())),
        vec![
            (1, Slot::Scheduled(Position::PRIMARY)),
            (2, Slot::Scheduled(Position::BACKUP)),
            (4, Slot::Added),
            (5, Slot::Added),
            (9, Slot::Coordinator),
        ]
    );
}

#[test]
fn a_removal_takes_a_person_out_of_one_service() {
    let rota = rota_with(vec![morning(1, Some(LEGAL), Remove { staff_id: 1 })]);
    assert_eq!(ids(&rota.on_duty(LEGAL, None, eleven())), vec![2, 9]);
    assert_eq!(
        ids(&rota.on_duty(PSYCHOLOGICAL, None, eleven())),
        vec![1, 9]
    );
}

#[test]
fn a_break_takes_a_person_out_of_every_service_until_it_ends() {
    // "On a break until 12:00": an override for no service in particular.
    let rota = rota_with(vec![
        morning(1, None, Remove { staff_id: 1 }),
        morning(2, Some(LEGAL), Add { staff_id: 1 }),
    ]);
    assert_eq!(ids(&rota.on_duty(LEGAL, None, eleven())), vec![2, 9]);
    assert_eq!(ids(&rota.on_duty(PSYCHOLOGICAL, None, eleven())), vec![9]);
    assert_eq!(
        ids(&rota.on_duty(PSYCHOLOGICAL, None, utc(2025, 6, 2, 7, 0))),
        vec![1, 9]
    );
}

#[test]
fn a_coordinator_on_a_break_is_not_rung_either() {
    let rota = rota_with(vec![morning(1, None, Remove { staff_id: 9 })]);
    assert_eq!(ids(&rota.on_duty(LEGAL, None, eleven())), vec![1, 2]);
}

#[test]
fn a_coordinator_on_the_rota_keeps_their_slot_and_is_not_listed_again() {
    let rota = rota_with(vec![morning(
        1,
        Some(LEGAL),
        Replace {
            absent: 2,
            present: 9,
        },
    )]);
    assert_eq!(
        slots(&rota.on_duty(LEGAL, None, eleven())),
        vec![
            (1, Slot::Scheduled(Position::PRIMARY)),
            (9, Slot::Scheduled(Position::BACKUP)),
        ]
    );
}

#[test]
fn people_who_speak_the_callers_language_come_first_and_coordinators_stay_last() {
    let mut staff = vec![
        person(1, &[Language::Ru]),
        person(2, &[Language::Kk]),
        person(3, &[Language::Ru, Language::Kk]),
        coordinator(8),
        coordinator(9),
    ];
    staff[3].languages = vec![Language::Ru];
    staff[4].languages = vec![Language::Kk];
    let added = morning(1, Some(LEGAL), Add { staff_id: 3 });
    let rota = Rota::new(staff, rules(), vec![], vec![added]);
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, eleven())),
        vec![1, 2, 3, 8, 9]
    );
    assert_eq!(
        ids(&rota.on_duty(LEGAL, Some(Language::Kk), eleven())),
        vec![2, 3, 1, 9, 8]
    );
    assert_eq!(
        ids(&rota.on_duty(LEGAL, Some(Language::Ru), eleven())),
        vec![1, 3, 2, 8, 9]
    );
}

#[test]
fn people_who_left_are_never_rung_but_their_replacements_are() {
    let mut staff = staff();
    staff[0].active = false; // 1 left
    let mut retired = coordinator(10);
    retired.active = false;
    staff.push(retired);
    let replaced = morning(
        1,
        Some(LEGAL),
        Replace {
            absent: 1,
            present: 3,
        },
    );
    let rota = Rota::new(staff, rules(), vec![], vec![replaced]);
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, utc(2025, 6, 2, 8, 0))),
        vec![2, 9]
    );
    assert_eq!(ids(&rota.on_duty(LEGAL, None, eleven())), vec![3, 2, 9]);
}

#[test]
fn the_answer_never_depends_on_the_order_rules_came_back_in() {
    let overrides = vec![
        morning(4, Some(LEGAL), Add { staff_id: 5 }),
        morning(3, Some(LEGAL), Add { staff_id: 4 }),
        morning(
            2,
            None,
            Replace {
                absent: 2,
                present: 3,
            },
        ),
    ];
    let forward = Rota::new(staff(), rules(), vec![], overrides.clone());
    let mut staff = staff();
    staff.reverse();
    let mut rules = rules();
    rules.reverse();
    let mut overrides = overrides;
    overrides.reverse();
    let backward = Rota::new(staff, rules, vec![], overrides);
    for language in [None, Some(Language::Kk)] {
        assert_eq!(
            forward.on_duty(LEGAL, language, eleven()),
            backward.on_duty(LEGAL, language, eleven())
        );
    }
}

#[test]
fn an_edit_closes_the_old_rule_and_the_past_keeps_its_answer() {
    let edit = utc(2025, 6, 10, 8, 30);
    let mut old = rotation(1, &[1], HOTLINE_ZONE, local(2025, 6, 1, 9, 0), 1, Days);
    let mut new = rotation(4, &[5], HOTLINE_ZONE, local(2025, 6, 1, 9, 0), 1, Days);
    let before = Rota::new(staff(), vec![old.clone()], vec![], vec![]);
    old.validity.until = Some(edit);
    new.validity = Validity::since(edit);
    let after = Rota::new(staff(), vec![old.clone(), new.clone()], vec![], vec![]);
    let just_before = utc(2025, 6, 10, 8, 29);
    assert_eq!(
        after.on_duty(LEGAL, None, just_before),
        before.on_duty(LEGAL, None, just_before)
    );
    assert_eq!(ids(&after.on_duty(LEGAL, None, just_before)), vec![1, 9]);
    assert_eq!(ids(&after.on_duty(LEGAL, None, edit)), vec![5, 9]);
    let without_new = Rota::new(staff(), vec![old], vec![], vec![]);
    assert_eq!(
        without_new.check_rotation(&new),
        Ok(()),
        "no overlap once the old is closed"
    );
}

#[test]
fn the_ends_of_representable_time_get_an_answer_not_a_panic() {
    // Whatever the store or the API hands over, answering must not bring the call flow down.
    let (first, last) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    let mut nights = Rotation {
        windows: vec![window(
            hotline_schedules::model::Weekdays::ALL,
            time(18, 0),
            time(9, 0),
        )],
        ..rotation(1, &[1, 2], HOTLINE_ZONE, local(2025, 6, 2, 9, 0), 1, Days)
    };
    nights.validity = Validity::since(first);
    let far_future = Rotation {
        start: chrono::NaiveDateTime::MAX - chrono::TimeDelta::days(3),
        ..rotation(
            2,
            &[1],
            chrono_tz::America::New_York,
            local(2025, 1, 1, 0, 0),
            u32::MAX,
            Days,
        )
    };
    let forever = shift(1, 3, first, last);
    let rota = Rota::new(staff(), vec![nights, far_future], vec![forever], vec![]);
    let day = chrono::TimeDelta::days(10);
    for (from, to) in [(first, first + day), (last - day, last)] {
        assert!(!rota.on_duty(LEGAL, None, from).is_empty());
        let _ = rota.gaps(LEGAL, None, from, to);
        let _ = rota.duties_between(from, to);
    }
    assert_eq!(
        ids(&rota.on_duty(LEGAL, None, last)),
        vec![9],
        "a shift ends before its end"
    );
}
