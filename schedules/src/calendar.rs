//! The rota laid out over a span of time: the pieces in which nothing changes, and from them the
//! duty intervals each person works (for calendars, the API and swaps). It never decides who is
//! on duty itself: every piece is answered by the same code as `on_duty`, so a calendar can never
//! disagree with whom a call would ring.

use chrono::{DateTime, Utc};

use crate::Service;
use crate::model::{Slot, StaffId};
use crate::overrides::{DutySource, Entry};
use crate::rota::{Rota, service_index, until};

/// One person's duty for one service in one slot, over `[starts_at, ends_at)`, after overrides.
/// A duty cut by an override is split there: the part before, the override's part, the part
/// after, each with its own source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyShift {
    pub staff_id: StaffId,
    pub service: Service,
    pub slot: Slot,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The rule that put this person here: their rotation, their one-off shift, or the
    /// override (replacement or addition).
    pub source: DutySource,
    /// For a replacement, the person the rota had scheduled in this slot.
    pub in_place_of: Option<StaffId>,
}

/// A span of time over which the rota's answer for one service does not change.
pub(crate) struct Piece {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub entries: Vec<Entry>,
}

impl Rota {
    /// Every duty interval of every service within `[from, to)`, clipped to it, coordinators'
    /// fallback not included; sorted by start, then service, slot and person. Consecutive turns
    /// of the same person by the same rule are one duty. The cost grows with the number of
    /// handoffs in the range: the API should bound the range it accepts.
    pub fn duties_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DutyShift> {
        let mut duties = Vec::new();
        for service in Service::ALL {
            let mut open: Vec<(Entry, DateTime<Utc>)> = Vec::new();
            for piece in self.pieces(service, from, to) {
                open.retain(|(entry, starts_at)| {
                    let goes_on = piece.entries.contains(entry);
                    if !goes_on {
                        duties.push(duty(service, entry, *starts_at, piece.from));
                    }
                    goes_on
                });
                for entry in &piece.entries {
                    if !open.iter().any(|(e, _)| e == entry) {
                        open.push((*entry, piece.from));
                    }
                }
            }
            for (entry, starts_at) in open {
                duties.push(duty(service, &entry, starts_at, to));
            }
        }
        duties.sort_by_key(|d| (d.starts_at, d.service, d.slot, d.staff_id, d.ends_at));
        duties
    }

    /// Cuts `[from, to)` at every instant where `service`'s answer may change and answers each
    /// piece once. The cuts: rule validity edges, handoffs, window edges, shift and override
    /// edges. Extra cuts are harmless; a missing one would be a wrong answer, which is why the
    /// property tests compare pieces with `on_duty` at random instants.
    pub(crate) fn pieces(
        &self,
        service: Service,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Piece> {
        if from >= to {
            return Vec::new();
        }
        let mut cuts = vec![from, to];
        self.rotations_by_service[service_index(service)].overlapping(from, to, |&i| {
            let plan = &self.plans[i];
            let starts = from.max(plan.rule.validity.from);
            let ends = to.min(until(plan.rule.validity));
            cuts.extend([starts, ends]);
            plan.edges_between(starts, ends, &mut cuts);
        });
        self.shifts_by_service[service_index(service)].overlapping(from, to, |&i| {
            let shift = &self.shifts[i];
            cuts.extend([
                shift.starts_at.max(shift.validity.from),
                shift.ends_at.min(until(shift.validity)),
            ]);
        });
        for timeline in [
            &self.overrides_by_service[service_index(service)],
            &self.overrides_by_service[3],
        ] {
            timeline.overlapping(from, to, |&i| {
                let o = &self.overrides[i];
                cuts.extend([
                    o.starts_at.max(o.validity.from),
                    o.ends_at.min(until(o.validity)),
                ]);
            });
        }
        cuts.retain(|cut| from <= *cut && *cut <= to);
        cuts.sort_unstable();
        cuts.dedup();
        cuts.windows(2)
            .map(|pair| Piece {
                from: pair[0],
                to: pair[1],
                entries: self.scene(service, pair[0]).entries,
            })
            .collect()
    }
}

fn duty(
    service: Service,
    entry: &Entry,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> DutyShift {
    DutyShift {
        staff_id: entry.staff_id,
        service,
        slot: entry.slot,
        starts_at,
        ends_at,
        source: entry.source,
        in_place_of: entry.in_place_of,
    }
}
