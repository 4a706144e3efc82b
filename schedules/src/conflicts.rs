//! Refuses a proposed rotation or shift that would put two people at the same place in a
//! service's order at the same instant while both rules are in force. Overlaps are reported
//! with the rule and the first instant, never merged. Only reads the rota; never changes it.
//!
//! Two windowed rotations are compared by laying both out over at most 400 days from the later
//! of their first handoffs (and the start of their common validity). Windows repeat weekly, so in
//! one zone a clash shows within the first week; in two zones the offsets between them go
//! through a full year of clock changes within 400 days. A clash that only a future change of
//! the tz database or a weekday/DST alignment more than 400 days out would create is not seen.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Rotation, Shift, StaffId};
use crate::rota::{Rota, service_index, until};
use crate::rotation::Plan;
use crate::validate::{Rule, RuleError, validate_rotation, validate_shift};
use crate::wall_clock::instant_of;

/// How far ahead two windowed rotations are laid out to find a clash.
const HORIZON: TimeDelta = TimeDelta::days(400);

type Span = (DateTime<Utc>, DateTime<Utc>);

impl Rota {
    /// Checks a new or changed rotation: the rule itself, that its members are on the staff,
    /// and that no other rule already puts someone at its service and position while both are
    /// in force. Rules with the same id are taken to be earlier versions of it and are skipped.
    pub fn check_rotation(&self, proposed: &Rotation) -> Result<(), RuleError> {
        validate_rotation(proposed)?;
        self.check_members(&proposed.members)?;
        let plan = Plan::new(proposed.clone());
        let rule = Rule::Rotation(proposed.id);
        let (from, to) = (proposed.validity.from, until(proposed.validity));
        let mut clashes: Vec<(DateTime<Utc>, Rule)> = Vec::new();
        let service = service_index(proposed.service);
        self.rotations_by_service[service].overlapping(from, to, |&i| {
            let other = &self.plans[i];
            if other.rule.id == proposed.id || other.rule.position != proposed.position {
                return;
            }
            if let Some(at) = rotations_clash(&plan, other) {
                clashes.push((at, Rule::Rotation(other.rule.id)));
            }
        });
        self.shifts_by_service[service].overlapping(from, to, |&i| {
            let shift = &self.shifts[i];
            if shift.position != proposed.position {
                return;
            }
            if let Some(at) = rotation_and_shift_clash(&plan, shift) {
                clashes.push((at, Rule::Shift(shift.id)));
            }
        });
        first_clash(rule, proposed.service, proposed.position, clashes)
    }

    /// Checks a new or changed one-off shift the same way: the shift itself, its person, and
    /// every rule at its service and position. A shift with the same id is an earlier version.
    pub fn check_shift(&self, proposed: &Shift) -> Result<(), RuleError> {
        validate_shift(proposed)?;
        if self.staff_member(proposed.staff_id).is_none() {
            return Err(RuleError::Invalid {
                field: "staff_id".into(),
                problem: format!("no staff member has id {}", proposed.staff_id),
            });
        }
        let (from, to) = shift_span(proposed);
        let mut clashes: Vec<(DateTime<Utc>, Rule)> = Vec::new();
        let service = service_index(proposed.service);
        self.rotations_by_service[service].overlapping(from, to, |&i| {
            let plan = &self.plans[i];
            if plan.rule.position != proposed.position {
                return;
            }
            if let Some(at) = rotation_and_shift_clash(plan, proposed) {
                clashes.push((at, Rule::Rotation(plan.rule.id)));
            }
        });
        self.shifts_by_service[service].overlapping(from, to, |&i| {
            let shift = &self.shifts[i];
            if shift.id == proposed.id || shift.position != proposed.position {
                return;
            }
            let (other_from, other_to) = shift_span(shift);
            if other_from < to && from < other_to {
                clashes.push((from.max(other_from), Rule::Shift(shift.id)));
            }
        });
        first_clash(
            Rule::Shift(proposed.id),
            proposed.service,
            proposed.position,
            clashes,
        )
    }

    fn check_members(&self, members: &[StaffId]) -> Result<(), RuleError> {
        match members
            .iter()
            .position(|id| self.staff_member(*id).is_none())
        {
            Some(i) => Err(RuleError::Invalid {
                field: format!("members[{i}]"),
                problem: format!("no staff member has id {}", members[i]),
            }),
            None => Ok(()),
        }
    }
}

/// The earliest clash, ties broken by the other rule, so the message never depends on the
/// order rules came back in.
fn first_clash(
    rule: Rule,
    service: crate::Service,
    position: crate::model::Position,
    mut clashes: Vec<(DateTime<Utc>, Rule)>,
) -> Result<(), RuleError> {
    clashes.sort_unstable();
    match clashes.first() {
        Some(&(at, other)) => Err(RuleError::Conflict {
            rule,
            other,
            service,
            position,
            at,
        }),
        None => Ok(()),
    }
}

/// The span a shift really covers: its own, within its validity.
fn shift_span(shift: &Shift) -> Span {
    (
        shift.starts_at.max(shift.validity.from),
        shift.ends_at.min(until(shift.validity)),
    )
}

fn rotations_clash(one: &Plan, other: &Plan) -> Option<DateTime<Utc>> {
    let from = one
        .rule
        .validity
        .from
        .max(other.rule.validity.from)
        .max(instant_of(one.rule.zone, one.rule.start)?)
        .max(instant_of(other.rule.zone, other.rule.start)?);
    let to = until(one.rule.validity)
        .min(until(other.rule.validity))
        .min(
            from.checked_add_signed(HORIZON)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
    first_overlap(&one.coverage(from, to), &other.coverage(from, to))
}

fn rotation_and_shift_clash(plan: &Plan, shift: &Shift) -> Option<DateTime<Utc>> {
    let (from, to) = shift_span(shift);
    let from = from.max(plan.rule.validity.from);
    let to = to.min(until(plan.rule.validity));
    plan.coverage(from, to).first().map(|span| span.0)
}

/// The first instant covered by both lists of sorted, disjoint spans.
fn first_overlap(one: &[Span], other: &[Span]) -> Option<DateTime<Utc>> {
    let (mut i, mut j) = (0, 0);
    while i < one.len() && j < other.len() {
        let (a, b) = (one[i], other[j]);
        if a.0 < b.1 && b.0 < a.1 {
            return Some(a.0.max(b.0));
        }
        if a.1 <= b.1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    None
}
