//! The rota's rules as the JSON API takes them and the store keeps them: friendly, stable
//! shapes (`"days": ["mon", "tue"]`, `"from": "09:00"`), turned into `hotline_schedules` rules.

use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use hotline_schedules::Service;
use hotline_schedules::model::{
    self, ActiveWindow, Handoff, Override, OverrideKind, Position, Rotation, StaffId, Validity,
    Weekdays,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    pub windows: Vec<WindowSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// The days a window starts on: `mon` … `sun`.
    #[serde(serialize_with = "write_days", deserialize_with = "read_days")]
    pub days: Weekdays,
    /// `HH:MM`; a window whose `to` is not after `from` ends the next day.
    #[serde(serialize_with = "write_time", deserialize_with = "read_time")]
    pub from: NaiveTime,
    #[serde(serialize_with = "write_time", deserialize_with = "read_time")]
    pub to: NaiveTime,
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

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn write_days<S: Serializer>(days: &Weekdays, out: S) -> Result<S::Ok, S::Error> {
    let names: Vec<&str> = DAY_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| days.0 & (1 << i) != 0)
        .map(|(_, name)| *name)
        .collect();
    names.serialize(out)
}

fn read_days<'de, D: Deserializer<'de>>(input: D) -> Result<Weekdays, D::Error> {
    let names = Vec::<String>::deserialize(input)?;
    let mut days = 0u8;
    for name in names {
        let Some(index) = DAY_NAMES.iter().position(|day| *day == name.to_lowercase()) else {
            return Err(serde::de::Error::custom(format!(
                "unknown day {name:?}; expected mon … sun"
            )));
        };
        days |= 1 << index;
    }
    Ok(Weekdays(days))
}

fn write_time<S: Serializer>(time: &NaiveTime, out: S) -> Result<S::Ok, S::Error> {
    time.format("%H:%M").to_string().serialize(out)
}

fn read_time<'de, D: Deserializer<'de>>(input: D) -> Result<NaiveTime, D::Error> {
    let text = String::deserialize(input)?;
    NaiveTime::parse_from_str(&text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
        .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a time like 09:00")))
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
            windows: self
                .windows
                .into_iter()
                .map(|w| ActiveWindow {
                    days: w.days,
                    from: w.from,
                    to: w.to,
                })
                .collect(),
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
