//! Refuses impossible rules before they are stored, naming the field, so the API can answer 422
//! with something a coordinator can fix. Looks at one rule alone; clashes between rules are
//! `conflicts`' job. Never repairs a rule: a rule is stored as written or not at all.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::Service;
use crate::model::{HandoffUnit, Override, OverrideKind, Position, Rotation, Shift, Validity};
use crate::window;

/// A rule that can be stored, for naming it in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Rotation(i64),
    Shift(i64),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Rotation(id) => write!(f, "rotation {id}"),
            Rule::Shift(id) => write!(f, "shift {id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The rule cannot mean anything as written.
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },
    /// Two rules would both put someone at the same place in the order at the same instant.
    /// Overlapping rules are refused, never merged: to change who works, close the old rule or
    /// use an override.
    #[error(
        "{rule} would put a second person at {service} {} from {at}, where {other} already puts someone; close {other} first or use an override",
        position_name(*position)
    )]
    Conflict {
        rule: Rule,
        other: Rule,
        service: Service,
        position: Position,
        /// The first instant at which both rules would be in force and cover the position.
        at: DateTime<Utc>,
    },
}

impl RuleError {
    fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        RuleError::Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The field to point at in a form: the rule's own field, or for a conflict, its validity.
    pub fn field(&self) -> &str {
        match self {
            RuleError::Invalid { field, .. } => field,
            RuleError::Conflict { .. } => "validity",
        }
    }
}

fn position_name(position: Position) -> String {
    match position {
        Position::PRIMARY => "position 0 (primary)".to_owned(),
        Position::BACKUP => "position 1 (backup)".to_owned(),
        Position(n) => format!("position {n}"),
    }
}

/// Checks a rotation on its own: members, handoff, windows, validity.
pub fn validate_rotation(rotation: &Rotation) -> Result<(), RuleError> {
    if rotation.name.trim().is_empty() {
        return Err(RuleError::invalid("name", "a rotation needs a name"));
    }
    if rotation.members.is_empty() {
        return Err(RuleError::invalid(
            "members",
            "a rotation needs at least one member",
        ));
    }
    if rotation.handoff.every == 0 {
        return Err(RuleError::invalid("handoff.every", "must be at least 1"));
    }
    if rotation.handoff.unit == HandoffUnit::ActiveShifts && rotation.windows.is_empty() {
        return Err(RuleError::invalid(
            "windows",
            "a rotation that hands over by active shifts needs at least one window",
        ));
    }
    for (i, w) in rotation.windows.iter().enumerate() {
        if !w.days.is_valid() {
            return Err(RuleError::invalid(
                format!("windows[{i}].days"),
                "must name at least one day, Monday to Sunday",
            ));
        }
    }
    if let Some((first, second)) = window::first_overlap(&rotation.windows) {
        return Err(RuleError::invalid(
            format!("windows[{second}]"),
            format!("overlaps windows[{first}]; a rotation's windows must not overlap"),
        ));
    }
    validate_validity(rotation.validity)
}

/// Checks a one-off shift on its own: it must end after it starts.
pub fn validate_shift(shift: &Shift) -> Result<(), RuleError> {
    if shift.ends_at <= shift.starts_at {
        return Err(RuleError::invalid("ends_at", "must be after starts_at"));
    }
    validate_validity(shift.validity)
}

/// Checks an override on its own: it must end after it starts, and a replacement must name
/// two different people.
pub fn validate_override(o: &Override) -> Result<(), RuleError> {
    if o.ends_at <= o.starts_at {
        return Err(RuleError::invalid("ends_at", "must be after starts_at"));
    }
    if let OverrideKind::Replace { absent, present } = o.kind
        && absent == present
    {
        return Err(RuleError::invalid(
            "kind.present",
            "must be someone other than kind.absent",
        ));
    }
    validate_validity(o.validity)
}

fn validate_validity(validity: Validity) -> Result<(), RuleError> {
    match validity.until {
        Some(until) if until <= validity.from => Err(RuleError::invalid(
            "validity.until",
            "must be after validity.from",
        )),
        _ => Ok(()),
    }
}
