//! The rota as the server keeps it: rules in the store, loaded into `hotline_schedules::Rota`
//! to answer who is on duty, and edited only by closing a rule and opening another, each edit
//! checked for conflicts and written to the audit log.

mod conflicts;
pub mod edit;
pub mod refusal;
pub mod spec;
pub mod swap;

use chrono::{DateTime, Utc};
use hotline_schedules::model::{Override, Rotation, Shift, Validity};
use hotline_schedules::{Rota, StaffMember};

use crate::store::{RuleKind, Store, StoreError, StoreResult, StoredRule};
use spec::{OverrideSpec, RotationSpec, ShiftSpec};

/// The rules of the rota, decoded.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    pub rotations: Vec<Rotation>,
    pub shifts: Vec<Shift>,
    pub overrides: Vec<Override>,
}

impl Rules {
    pub fn decode(stored: Vec<StoredRule>) -> StoreResult<Self> {
        let mut rules = Rules::default();
        for rule in stored {
            let validity = Validity {
                from: rule.valid_from,
                until: rule.valid_until,
            };
            let corrupt =
                |e: serde_json::Error| StoreError::Corrupt(format!("rule {}: {e}", rule.id));
            match rule.kind {
                RuleKind::Rotation => {
                    let spec: RotationSpec = serde_json::from_str(&rule.body).map_err(corrupt)?;
                    rules.rotations.push(spec.into_model(rule.id, validity));
                }
                RuleKind::Shift => {
                    let spec: ShiftSpec = serde_json::from_str(&rule.body).map_err(corrupt)?;
                    rules.shifts.push(spec.into_model(rule.id, validity));
                }
                RuleKind::Override => {
                    let spec: OverrideSpec = serde_json::from_str(&rule.body).map_err(corrupt)?;
                    rules.overrides.push(spec.into_model(rule.id, validity));
                }
            }
        }
        Ok(rules)
    }

    pub fn into_rota(self, staff: Vec<StaffMember>) -> Rota {
        Rota::new(staff, self.rotations, self.shifts, self.overrides)
    }
}

/// The staff, and the rota as it stands for instants in `[from, to)`.
pub async fn load(
    store: &dyn Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<(Vec<StaffMember>, Rota)> {
    let staff = store.staff().await?;
    let rules = Rules::decode(store.rules_between(from, to).await?)?;
    Ok((staff.clone(), rules.into_rota(staff)))
}
