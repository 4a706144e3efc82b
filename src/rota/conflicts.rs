//! Whether a new rule would put two people at one position at once, or cannot mean anything: the
//! rule is checked by the pure rota of `hotline-schedules` against the rules in force from now on.

use chrono::{DateTime, Utc};
use hotline_schedules::model::Validity;
use hotline_schedules::{RuleError, StaffMember};

use super::Rules;
use super::edit::{EditError, RuleBody};
use super::refusal::{Conflict, Problem};
use crate::store::StoredRule;

/// A new rule's id while it is checked: the store's ids start at 1.
const PROPOSED: i64 = 0;

pub fn check<B: RuleBody>(
    body: &B,
    others: Vec<StoredRule>,
    staff: Vec<StaffMember>,
    now: DateTime<Utc>,
) -> Result<(), EditError> {
    let rota = Rules::decode(others)?.into_rota(staff);
    body.check_against(&rota, PROPOSED, Validity::since(now))
        .map_err(|error| match error {
            RuleError::Invalid { field, problem } => EditError::Invalid {
                problem: Problem::of_rule(&field, problem),
                field,
            },
            conflict @ RuleError::Conflict { .. } => {
                EditError::Conflict(Conflict::Overlap(conflict))
            }
        })
}
