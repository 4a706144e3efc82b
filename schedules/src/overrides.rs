//! How overrides change what rotations and shifts scheduled at one instant: a replacement takes
//! the scheduled person's slot, a removal takes a person out of every slot, an addition comes
//! after the scheduled positions. It decides precedence only; it never looks at time, staff
//! records or coordinators.

use crate::model::{Override, OverrideKind, Slot, StaffId};

/// The rule that put a person on duty, for calendars, the API and the audit of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DutySource {
    Rotation(i64),
    /// A one-off shift (`model::Shift`).
    Shift(i64),
    /// A replacement or an addition.
    Override(i64),
}

/// One person in one slot at one instant, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub staff_id: StaffId,
    pub slot: Slot,
    pub source: DutySource,
    /// Whom a replacement stands in for.
    pub in_place_of: Option<StaffId>,
}

/// Applies the overrides in force to the scheduled entries (sorted by slot) and returns the
/// people in order, each once, with everyone an override took out. Precedence, so an answer never
/// depends on the order rows came back in:
/// - a replacement matches the person the rota scheduled, not someone who replaced them, and of
///   several for the same person the newest (highest id) wins: it is the latest decision;
/// - a removal beats everything, replacements and additions included (a person on a break is
///   never rung);
/// - additions come after the scheduled positions, oldest first;
/// - a person listed twice keeps the first slot.
pub(crate) fn apply(
    scheduled: &mut Vec<Entry>,
    overrides: &mut [&Override],
    removed: &mut Vec<StaffId>,
) {
    overrides.sort_unstable_by_key(|o| o.id);
    for entry in scheduled.iter_mut() {
        let replacement = overrides.iter().rev().find_map(|o| match o.kind {
            OverrideKind::Replace { absent, present } if absent == entry.staff_id => {
                Some((o.id, present))
            }
            _ => None,
        });
        if let Some((id, present)) = replacement {
            entry.in_place_of = Some(entry.staff_id);
            entry.staff_id = present;
            entry.source = DutySource::Override(id);
        }
    }
    for o in overrides.iter() {
        match o.kind {
            OverrideKind::Add { staff_id } => scheduled.push(Entry {
                staff_id,
                slot: Slot::Added,
                source: DutySource::Override(o.id),
                in_place_of: None,
            }),
            OverrideKind::Remove { staff_id } => removed.push(staff_id),
            OverrideKind::Replace { .. } => {}
        }
    }
    let mut seen: Vec<StaffId> = Vec::with_capacity(scheduled.len());
    scheduled.retain(|entry| {
        if removed.contains(&entry.staff_id) || seen.contains(&entry.staff_id) {
            return false;
        }
        seen.push(entry.staff_id);
        true
    });
}
