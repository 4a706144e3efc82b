//! Properties of shift reminders and change notices over random shifts: the changes turn the
//! old stretches into the new ones, moves pair only what overlaps or touches, cutting a shift in
//! two changes nothing, and reminders asked window by window are those asked at once.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use hotline_schedules::model::{Position, Slot};
use hotline_schedules::{
    DutyShift, DutySource, Service, ShiftChange, Stretch, shift_changes, shift_reminders, stretches,
};
use proptest::prelude::*;

fn hour(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_748_836_800 + h * 3600, 0).expect("2025-06-02T04:00Z + hours")
}

fn duty_shift() -> impl Strategy<Value = DutyShift> {
    (1..=3i64, any::<bool>(), 0..72i64, 1..18i64).prop_map(|(staff_id, legal, start, hours)| {
        DutyShift {
            staff_id,
            service: if legal {
                Service::Legal
            } else {
                Service::Psychological
            },
            slot: Slot::Scheduled(Position::PRIMARY),
            starts_at: hour(start),
            ends_at: hour(start + hours),
            source: DutySource::Shift(start),
            in_place_of: None,
        }
    })
}

fn shifts() -> impl Strategy<Value = Vec<DutyShift>> {
    prop::collection::vec(duty_shift(), 0..10)
}

/// Before and after an edit: unrelated, or the same with some shifts dropped, nudged and added.
fn edit() -> impl Strategy<Value = (Vec<DutyShift>, Vec<DutyShift>)> {
    prop_oneof![
        (shifts(), shifts()),
        (
            shifts(),
            shifts(),
            prop::collection::vec((0..3u8, -6..6i64), 10)
        )
            .prop_map(|(before, extra, edits)| {
                let mut after: Vec<DutyShift> = before
                    .iter()
                    .zip(edits)
                    .filter(|(_, (what, _))| *what != 0)
                    .map(|(shift, (what, by))| match what {
                        1 => shift.clone(),
                        _ => DutyShift {
                            starts_at: shift.starts_at + Duration::hours(by),
                            ends_at: shift.ends_at + Duration::hours(by.abs()),
                            ..shift.clone()
                        },
                    })
                    .collect();
                after.extend(extra.into_iter().take(2));
                (before, after)
            }),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_changes_turn_the_old_stretches_into_the_new((before, after) in edit()) {
        let changes = shift_changes(&before, &after);
        let mut stretches_now: BTreeSet<Stretch> = stretches(&before).into_iter().collect();
        for change in &changes {
            match change {
                ShiftChange::Added { shift } => {
                    prop_assert!(stretches_now.insert(*shift), "{shift:?} was there already");
                }
                ShiftChange::Removed { shift } => {
                    prop_assert!(stretches_now.remove(shift), "{shift:?} was not there");
                }
                ShiftChange::Moved { from, to } => {
                    prop_assert!(from != to);
                    prop_assert!(from.staff_id == to.staff_id && from.service == to.service);
                    prop_assert!(from.overlaps_or_touches(to), "{from:?} → {to:?}");
                    prop_assert!(stretches_now.remove(from), "{from:?} was not there");
                    prop_assert!(stretches_now.insert(*to), "{to:?} was there already");
                }
            }
        }
        let expected: BTreeSet<Stretch> = stretches(&after).into_iter().collect();
        prop_assert_eq!(stretches_now, expected);
        // Whatever was left unpaired could not have been a move.
        for removed in changes.iter().filter_map(|c| match c {
            ShiftChange::Removed { shift } => Some(shift),
            _ => None,
        }) {
            for added in changes.iter().filter_map(|c| match c {
                ShiftChange::Added { shift } => Some(shift),
                _ => None,
            }) {
                prop_assert!(
                    removed.staff_id != added.staff_id
                        || removed.service != added.service
                        || !removed.overlaps_or_touches(added),
                    "{removed:?} and {added:?} are a move"
                );
            }
        }
        // Person by person.
        prop_assert!(changes.windows(2).all(|pair| pair[0].staff_id() <= pair[1].staff_id()));
    }

    #[test]
    fn an_unchanged_rota_or_a_shift_cut_in_two_changes_nothing(
        shifts in shifts(),
        cut in 1..18i64,
        which in any::<prop::sample::Index>(),
    ) {
        prop_assert_eq!(shift_changes(&shifts, &shifts), vec![]);
        let mut reversed = shifts.clone();
        reversed.reverse();
        prop_assert_eq!(shift_changes(&shifts, &reversed), vec![]);
        if !shifts.is_empty() {
            let i = which.index(shifts.len());
            let at = (shifts[i].starts_at + Duration::hours(cut)).min(shifts[i].ends_at);
            let mut cut_up = shifts.clone();
            cut_up[i].ends_at = at;
            cut_up.push(DutyShift { starts_at: at, source: DutySource::Override(1), ..shifts[i].clone() });
            prop_assert_eq!(shift_changes(&shifts, &cut_up), vec![]);
            // The piece after the cut carries straight on: no reminder of its own.
            let lead = Duration::hours(2);
            prop_assert_eq!(
                shift_reminders(&cut_up, lead, hour(-100), hour(200)),
                shift_reminders(&shifts, lead, hour(-100), hour(200))
            );
        }
    }

    #[test]
    fn reminders_window_by_window_are_the_reminders_at_once(
        shifts in shifts(),
        lead_hours in 0..30i64,
        cuts in prop::collection::vec(-40..100i64, 0..6),
    ) {
        let lead = Duration::hours(lead_hours);
        let (first, last) = (hour(-40), hour(100));
        let whole = shift_reminders(&shifts, lead, first, last);
        let mut edges: Vec<DateTime<Utc>> = cuts.into_iter().map(hour).collect();
        edges.extend([first, last]);
        edges.sort();
        edges.dedup();
        let pieces: Vec<_> = edges
            .windows(2)
            .flat_map(|pair| shift_reminders(&shifts, lead, pair[0], pair[1]))
            .collect();
        prop_assert_eq!(&pieces, &whole);
        // One per stretch, due its lead before the stretch starts.
        prop_assert_eq!(whole.len(), stretches(&shifts).len());
        for reminder in &whole {
            prop_assert_eq!(reminder.due_at, reminder.starts_at - lead);
            prop_assert!(stretches(&shifts).iter().any(|s| s.key() == reminder.key()));
        }
    }
}
