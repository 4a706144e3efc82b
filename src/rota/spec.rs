//! The rota's rules as the JSON API takes them and the store keeps them: friendly, stable
//! shapes (`"days": ["mon", "tue"]`, `"from": "09:00"`), turned into `hotline_schedules` rules.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use hotline_schedules::Service;
use hotline_schedules::model::{
    self, ActiveWindow, Handoff, Override, OverrideKind, Position, Rotation, StaffId, Validity,
};
use serde::{Deserialize, Serialize};

use crate::store::{NewRule, RuleKind};

/// A rotation: staff taking turns at one position of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationSpec {
    pub name: String,
    pub service: Service,
    /// 0 primary, 1 backup, 2…
    #[serde(default)]
    pub position: u8,
    /// Staff ids in turn order.
    pub members: Vec<StaffId>,
    #[serde(default = "default_zone")]
    pub zone: Tz,
    /// The wall-clock time of the first handoff, in `zone`: `2026-11-30T09:00:00`.
    pub start: NaiveDateTime,
    pub handoff: Handoff,
    /// When the rotation is active; none means always.
    #[serde(default)]
    pub windows: Vec<ActiveWindow>,
}

/// A one-off shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftSpec {
    pub staff_id: StaffId,
    pub service: Service,
    #[serde(default)]
    pub position: u8,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// An override: replace, add or remove a person for an interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideSpec {
    /// Absent: every service (a person's break or day off).
    #[serde(default)]
    pub service: Option<Service>,
    #[serde(flatten)]
    pub change: ChangeSpec,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeSpec {
    Replace { absent: StaffId, present: StaffId },
    Add { staff_id: StaffId },
    Remove { staff_id: StaffId },
}

fn default_zone() -> Tz {
    chrono_tz::Asia::Almaty
}

impl RotationSpec {
    pub fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule {
        new_rule(
            RuleKind::Rotation,
            Some(self.service),
            None,
            None,
            self,
            valid_from,
        )
    }

    pub fn into_model(self, id: i64, validity: Validity) -> Rotation {
        Rotation {
            id,
            name: self.name,
            service: self.service,
            position: Position(self.position),
            members: self.members,
            zone: self.zone,
            start: self.start,
            handoff: self.handoff,
            windows: self.windows,
            validity,
        }
    }
}

impl ShiftSpec {
    pub fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule {
        new_rule(
            RuleKind::Shift,
            Some(self.service),
            Some(self.starts_at),
            Some(self.ends_at),
            self,
            valid_from,
        )
    }

    pub fn into_model(self, id: i64, validity: Validity) -> model::Shift {
        model::Shift {
            id,
            staff_id: self.staff_id,
            service: self.service,
            position: Position(self.position),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            validity,
        }
    }
}

impl OverrideSpec {
    pub fn to_rule(&self, valid_from: DateTime<Utc>) -> NewRule {
        new_rule(
            RuleKind::Override,
            self.service,
            Some(self.starts_at),
            Some(self.ends_at),
            self,
            valid_from,
        )
    }

    pub fn into_model(self, id: i64, validity: Validity) -> Override {
        let kind = match self.change {
            ChangeSpec::Replace { absent, present } => OverrideKind::Replace { absent, present },
            ChangeSpec::Add { staff_id } => OverrideKind::Add { staff_id },
            ChangeSpec::Remove { staff_id } => OverrideKind::Remove { staff_id },
        };
        Override {
            id,
            service: self.service,
            kind,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            validity,
        }
    }
}

impl From<&Override> for OverrideSpec {
    fn from(rule: &Override) -> Self {
        let change = match rule.kind {
            OverrideKind::Replace { absent, present } => ChangeSpec::Replace { absent, present },
            OverrideKind::Add { staff_id } => ChangeSpec::Add { staff_id },
            OverrideKind::Remove { staff_id } => ChangeSpec::Remove { staff_id },
        };
        OverrideSpec {
            service: rule.service,
            change,
            starts_at: rule.starts_at,
            ends_at: rule.ends_at,
        }
    }
}

fn new_rule(
    kind: RuleKind,
    service: Option<Service>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    body: &impl Serialize,
    valid_from: DateTime<Utc>,
) -> NewRule {
    let body = serde_json::to_string(body).expect("a rule's fields always serialize to JSON");
    NewRule {
        kind,
        service,
        starts_at,
        ends_at,
        body,
        valid_from,
    }
}
