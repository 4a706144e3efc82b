//! Changing the rota: every change is checked (fields, staff, conflicts with the rules in force)
//! before it is kept, takes effect from the moment it is made, and is written to the audit log.

use chrono::{DateTime, Duration, Utc};
use hotline_schedules::model::Validity;
use hotline_schedules::{Rota, RuleError, StaffMember, validate_override};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::refusal::{Conflict, Problem};
use super::spec::{ChangeSpec, OverrideSpec, RotationSpec, ShiftSpec};
use crate::store::{AuditEntry, NewRule, RuleKind, Store, StoreError, StoredRule};

/// How far ahead a change is checked against the rules already in force.
pub const CONFLICT_HORIZON: Duration = Duration::days(400);

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: Problem },
    #[error("{0}")]
    Conflict(Conflict),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn invalid(field: &str, problem: Problem) -> EditError {
    EditError::Invalid {
        field: field.to_owned(),
        problem,
    }
}

/// A kind of rota rule as the API takes it.
pub trait RuleBody: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    const KIND: RuleKind;
    /// For messages: "rotation", "shift", "override".
    const NAME: &'static str;
    fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule;
    /// The staff the rule names, with the field that names each.
    fn staff_named(&self) -> Vec<(&'static str, i64)>;
    /// Checks what can be checked without the rest of the rota.
    fn check_fields(&self) -> Result<(), EditError>;
    /// Checks the rule, given `id` and `validity`, against the rota's rules in force.
    fn check_against(&self, rota: &Rota, id: i64, validity: Validity) -> Result<(), RuleError>;
}

impl RuleBody for RotationSpec {
    const KIND: RuleKind = RuleKind::Rotation;
    const NAME: &'static str = "rotation";

    fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule {
        RotationSpec::to_rule(self, valid_from)
    }

    fn staff_named(&self) -> Vec<(&'static str, i64)> {
        self.members.iter().map(|id| ("members", *id)).collect()
    }

    fn check_against(&self, rota: &Rota, id: i64, validity: Validity) -> Result<(), RuleError> {
        rota.check_rotation(&self.clone().into_model(id, validity))
    }

    fn check_fields(&self) -> Result<(), EditError> {
        if self.name.trim().is_empty() {
            return Err(invalid("name", Problem::NoName));
        }
        if self.members.is_empty() {
            return Err(invalid("members", Problem::NoMembers));
        }
        if self.handoff.every == 0 {
            return Err(invalid("handoff.every", Problem::NoHandoff));
        }
        if self.handoff.unit == hotline_schedules::model::HandoffUnit::ActiveShifts
            && self.windows.is_empty()
        {
            return Err(invalid("windows", Problem::NoWindows));
        }
        if let Some(index) = self.windows.iter().position(|w| w.days.0 == 0) {
            return Err(invalid(&format!("windows[{index}].days"), Problem::NoDays));
        }
        Ok(())
    }
}

impl RuleBody for ShiftSpec {
    const KIND: RuleKind = RuleKind::Shift;
    const NAME: &'static str = "shift";

    fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule {
        ShiftSpec::to_rule(self, valid_from)
    }

    fn staff_named(&self) -> Vec<(&'static str, i64)> {
        vec![("staff_id", self.staff_id)]
    }

    fn check_against(&self, rota: &Rota, id: i64, validity: Validity) -> Result<(), RuleError> {
        rota.check_shift(&self.clone().into_model(id, validity))
    }

    fn check_fields(&self) -> Result<(), EditError> {
        if self.ends_at <= self.starts_at {
            return Err(invalid("ends_at", Problem::EndsBeforeStart));
        }
        Ok(())
    }
}

impl RuleBody for OverrideSpec {
    const KIND: RuleKind = RuleKind::Override;
    const NAME: &'static str = "override";

    fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule {
        OverrideSpec::to_rule(self, valid_from)
    }

    fn staff_named(&self) -> Vec<(&'static str, i64)> {
        match self.change {
            ChangeSpec::Replace { absent, present } => {
                vec![("absent", absent), ("present", present)]
            }
            ChangeSpec::Add { staff_id } | ChangeSpec::Remove { staff_id } => {
                vec![("staff_id", staff_id)]
            }
        }
    }

    fn check_against(&self, _: &Rota, id: i64, validity: Validity) -> Result<(), RuleError> {
        // An override wins over the rota by design: it can only be wrong in itself.
        validate_override(&self.clone().into_model(id, validity))
    }

    fn check_fields(&self) -> Result<(), EditError> {
        if self.ends_at <= self.starts_at {
            return Err(invalid("ends_at", Problem::EndsBeforeStart));
        }
        if let ChangeSpec::Replace { absent, present } = self.change
            && absent == present
        {
            return Err(invalid("present", Problem::ReplacesSelf));
        }
        Ok(())
    }
}

/// Who makes a change, and when: the moment from which it applies.
#[derive(Clone)]
pub struct Editor<'a> {
    pub store: &'a dyn Store,
    pub actor: String,
    pub now: DateTime<Utc>,
}

impl Editor<'_> {
    fn audit(
        &self,
        action: &str,
        subject: String,
        before: Option<&str>,
        after: Option<&str>,
    ) -> AuditEntry {
        AuditEntry {
            at: self.now,
            actor: self.actor.clone(),
            action: action.to_owned(),
            subject,
            before: before.map(str::to_owned),
            after: after.map(str::to_owned),
        }
    }

    /// Checks a rule against the staff and the rules in force from now, leaving out `replacing`.
    async fn check<B: RuleBody>(&self, body: &B, replacing: Option<i64>) -> Result<(), EditError> {
        body.check_fields()?;
        let staff = self.store.staff().await?;
        for (field, id) in body.staff_named() {
            match staff.iter().find(|p| p.id == id) {
                Some(StaffMember { active: true, .. }) => {}
                Some(_) => return Err(invalid(field, Problem::Deactivated(id))),
                None => return Err(invalid(field, Problem::NoSuchStaff(id))),
            }
        }
        let rules = self
            .store
            .rules_between(self.now, self.now + CONFLICT_HORIZON)
            .await?;
        let others: Vec<StoredRule> = rules
            .into_iter()
            .filter(|r| Some(r.id) != replacing)
            .collect();
        super::conflicts::check(body, others, staff, self.now)
    }

    pub async fn create<B: RuleBody>(&self, body: &B) -> Result<i64, EditError> {
        self.check(body, None).await?;
        let rule = body.to_rule(self.now);
        let entry = self.audit("create", String::new(), None, Some(&rule.body));
        let ids = self
            .store
            .create_rules(std::slice::from_ref(&rule), &entry)
            .await?;
        ids.first().copied().ok_or(EditError::NotFound("rule"))
    }

    /// Puts `body` in the place of rule `id` from now on; returns the new rule's id.
    pub async fn replace<B: RuleBody>(&self, id: i64, body: &B) -> Result<i64, EditError> {
        let old = self.in_force::<B>(id).await?;
        self.check(body, Some(id)).await?;
        let rule = body.to_rule(self.now);
        let entry = self.audit("update", String::new(), Some(&old.body), Some(&rule.body));
        self.store
            .replace_rule(id, &rule, &entry)
            .await?
            .ok_or(EditError::NotFound(B::NAME))
    }

    /// Ends rule `id` now; what it said for the past stays.
    pub async fn close<B: RuleBody>(&self, id: i64) -> Result<(), EditError> {
        let old = self.in_force::<B>(id).await?;
        let entry = self.audit("close", format!("rule/{id}"), Some(&old.body), None);
        if self.store.close_rule(id, self.now, &entry).await? {
            Ok(())
        } else {
            Err(EditError::NotFound(B::NAME))
        }
    }

    /// Keeps several overrides in one step (a swap): all or none.
    pub async fn create_together(&self, bodies: &[OverrideSpec]) -> Result<Vec<i64>, EditError> {
        for body in bodies {
            self.check(body, None).await?;
        }
        let rules: Vec<NewRule> = bodies.iter().map(|b| b.to_rule(self.now)).collect();
        let after = serde_json::to_string(bodies).ok();
        let entry = self.audit("swap", String::new(), None, after.as_deref());
        Ok(self.store.create_rules(&rules, &entry).await?)
    }

    async fn in_force<B: RuleBody>(&self, id: i64) -> Result<StoredRule, EditError> {
        match self.store.rule(id).await? {
            Some(rule) if rule.kind == B::KIND && rule.valid_until.is_none() => Ok(rule),
            Some(rule) if rule.kind == B::KIND => {
                Err(EditError::Conflict(Conflict::Stale { kind: B::NAME, id }))
            }
            _ => Err(EditError::NotFound(B::NAME)),
        }
    }
}
