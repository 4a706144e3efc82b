//! Why the rota refused a change, as data rather than a sentence: the JSON API says it in
//! English (`Display`), each page in its reader's language.

use hotline_schedules::RuleError;

/// What is wrong with one field of a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("must end after it starts")]
    EndsBeforeStart,
    #[error("a person cannot replace themselves")]
    ReplacesSelf,
    #[error("staff member {0} is deactivated")]
    Deactivated(i64),
    #[error("there is no staff member {0}")]
    NoSuchStaff(i64),
    #[error("a rotation needs a name")]
    NoName,
    #[error("a rotation needs at least one member")]
    NoMembers,
    #[error("a handoff comes every 1 or more")]
    NoHandoff,
    #[error("a rotation that hands over by active shifts needs windows")]
    NoWindows,
    #[error("a window needs at least one day")]
    NoDays,
    #[error("a rotation's windows must not overlap")]
    WindowsOverlap,
    #[error("no such duty: give staff_id, service and starts_at as /rota lists them")]
    NoSuchDuty,
    /// A form that does not say what it means: a field left out or mistyped.
    #[error("check the person, the service, the dates and the times")]
    Unreadable,
    #[error("{0}")]
    Other(String),
}

/// A change that cannot stand beside the rules in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Always `RuleError::Conflict`: a second person at one position at once.
    #[error(transparent)]
    Overlap(RuleError),
    #[error("{kind} {id} was already changed or deleted; edit its newest version")]
    Stale { kind: &'static str, id: i64 },
}

impl Problem {
    /// The pure rota's own objection to a rule, by the field it names.
    pub fn of_rule(field: &str, problem: String) -> Self {
        match field {
            "ends_at" => Problem::EndsBeforeStart,
            "kind.present" => Problem::ReplacesSelf,
            "name" => Problem::NoName,
            "members" => Problem::NoMembers,
            "handoff.every" => Problem::NoHandoff,
            "windows" => Problem::NoWindows,
            field if field.starts_with("windows[") && field.ends_with(".days") => Problem::NoDays,
            field if field.starts_with("windows[") => Problem::WindowsOverlap,
            _ => Problem::Other(problem),
        }
    }
}
