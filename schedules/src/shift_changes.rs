//! What a rota edit changed for each person: the stretches of duty they gained, lost, or had
//! moved, so each can be told in one notice per change. Compares two layouts of the same span
//! (before and after the edit); never decides who is told or how.

use crate::Service;
use crate::calendar::DutyShift;
use crate::model::StaffId;
use crate::stretch::{Stretch, stretches};

/// One change to one person's duty for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftChange {
    /// A stretch they did not have before.
    Added { shift: Stretch },
    /// A stretch they no longer have.
    Removed { shift: Stretch },
    /// A stretch that now starts or ends elsewhere: the old and new overlap or touch.
    Moved { from: Stretch, to: Stretch },
}

impl ShiftChange {
    pub fn staff_id(&self) -> StaffId {
        self.earliest().staff_id
    }

    pub fn service(&self) -> Service {
        self.earliest().service
    }

    /// The stretch the change is first about: the old one of a move.
    fn earliest(&self) -> &Stretch {
        match self {
            ShiftChange::Added { shift } | ShiftChange::Removed { shift } => shift,
            ShiftChange::Moved { from, to } => {
                if to.starts_at < from.starts_at {
                    to
                } else {
                    from
                }
            }
        }
    }
}

/// The changes that turn the stretches of `before` into those of `after`, person by person:
/// a stretch in both is unchanged; of the rest, a removed and an added stretch of the same
/// person and service that overlap or touch are one move (taken in order of start, each
/// stretch in at most one move); what is left was added or removed. Sorted by person, then
/// by the start of the change, then service.
pub fn shift_changes(before: &[DutyShift], after: &[DutyShift]) -> Vec<ShiftChange> {
    stretch_changes(&stretches(before), &stretches(after))
}

/// [`shift_changes`] for stretches already joined (as [`stretches`] joins them).
pub fn stretch_changes(before: &[Stretch], after: &[Stretch]) -> Vec<ShiftChange> {
    let mut removed: Vec<Stretch> = before
        .iter()
        .filter(|s| !after.contains(s))
        .copied()
        .collect();
    let mut added: Vec<Stretch> = after
        .iter()
        .filter(|s| !before.contains(s))
        .copied()
        .collect();
    let by_start = |s: &Stretch| (s.staff_id, s.service, s.starts_at, s.ends_at);
    removed.sort_unstable_by_key(by_start);
    added.sort_unstable_by_key(by_start);

    let mut changes = Vec::new();
    let mut moved = vec![false; added.len()];
    for old in removed {
        let partner = (0..added.len()).find(|&i| {
            let new = &added[i];
            !moved[i]
                && new.staff_id == old.staff_id
                && new.service == old.service
                && new.overlaps_or_touches(&old)
        });
        match partner {
            Some(i) => {
                moved[i] = true;
                changes.push(ShiftChange::Moved {
                    from: old,
                    to: added[i],
                });
            }
            None => changes.push(ShiftChange::Removed { shift: old }),
        }
    }
    changes.extend(
        added
            .into_iter()
            .zip(moved)
            .filter(|(_, moved)| !moved)
            .map(|(shift, _)| ShiftChange::Added { shift }),
    );
    changes.sort_by_key(|c| (c.staff_id(), c.earliest().starts_at, c.service()));
    changes
}
