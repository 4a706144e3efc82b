//! The rota's rules as plain data: rotations, one-off shifts, overrides, and the span of real
//! time each rule is in force. The rules are kept, never rewritten: an edit closes a rule and
//! opens another at the moment of the edit, so what the rota said for a past instant never
//! changes and the call log can always show who was on duty.

use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::Service;

pub type StaffId = i64;

/// A place in a service's order of whom to ring: 0 is the primary, 1 the backup, then more.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Position(pub u8);

impl Position {
    pub const PRIMARY: Position = Position(0);
    pub const BACKUP: Position = Position(1);
}

/// The span of real time in which a rule is in force: from its creation (or the edit that made
/// it) until the edit or deletion that ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

impl Validity {
    pub fn since(from: DateTime<Utc>) -> Self {
        Self { from, until: None }
    }

    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.from <= instant && self.until.is_none_or(|until| instant < until)
    }
}

/// How often a rotation hands over to the next person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffUnit {
    /// Wall-clock hours in the rotation's zone.
    Hours,
    Days,
    Weeks,
    /// Active windows: a weekday rotation hands over after each N weekday windows, so nobody's
    /// turn falls on a weekend and is lost.
    ActiveShifts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Handoff {
    pub every: u32,
    pub unit: HandoffUnit,
}

/// Days of the week as a set: bit 0 is Monday … bit 6 Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(pub u8);

impl Weekdays {
    pub const ALL: Weekdays = Weekdays(0b111_1111);
    pub const MONDAY_TO_FRIDAY: Weekdays = Weekdays(0b001_1111);

    pub fn contains(self, day: chrono::Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// No day at all, or a bit past Sunday: neither names a day a window could start on.
    pub fn is_valid(self) -> bool {
        self.0 != 0 && self.0 & !Self::ALL.0 == 0
    }
}

/// When a rotation is active, in its zone's wall-clock time: each listed day, from `from` to
/// `to`. A window whose `to` is not after `from` runs past midnight into the next day (nights
/// 18:00–09:00); `from == to` is a whole 24 hours. `days` are the days a window starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveWindow {
    #[serde(
        serialize_with = "crate::wire::write_days",
        deserialize_with = "crate::wire::read_days"
    )]
    pub days: Weekdays,
    #[serde(
        serialize_with = "crate::wire::write_time",
        deserialize_with = "crate::wire::read_time"
    )]
    pub from: NaiveTime,
    #[serde(
        serialize_with = "crate::wire::write_time",
        deserialize_with = "crate::wire::read_time"
    )]
    pub to: NaiveTime,
}

impl ActiveWindow {
    /// How long each occurrence lasts in wall-clock time: up to `to` the same day, or the next
    /// day when `to` is not after `from`; exactly 24 hours when they are equal, so a round-the-
    /// clock window leaves no second uncovered between one day's occurrence and the next.
    pub fn length(&self) -> chrono::TimeDelta {
        let day = chrono::TimeDelta::days(1);
        if self.to > self.from {
            self.to - self.from
        } else {
            day - (self.from - self.to)
        }
    }
}

/// Staff taking turns at one position of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub id: i64,
    pub name: String,
    pub service: Service,
    pub position: Position,
    /// In turn order; the first takes the turn that begins at `start`.
    pub members: Vec<StaffId>,
    pub zone: Tz,
    /// The wall-clock time in `zone` of the first handoff. Handoffs stay at this wall-clock
    /// time across clock changes: a skipped time means the next valid one, a repeated time its
    /// first occurrence.
    pub start: NaiveDateTime,
    pub handoff: Handoff,
    /// When the rotation is active; empty means always.
    pub windows: Vec<ActiveWindow>,
    pub validity: Validity,
}

/// One person's duty at one position of one service over `[starts_at, ends_at)`: half-open, so
/// back-to-back shifts leave no instant uncovered and none covered twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub id: i64,
    pub staff_id: StaffId,
    pub service: Service,
    pub position: Position,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub validity: Validity,
}

impl Shift {
    pub fn covers(&self, instant: DateTime<Utc>) -> bool {
        self.starts_at <= instant && instant < self.ends_at && self.validity.contains(instant)
    }
}

/// What an override does while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideKind {
    /// `present` takes `absent`'s place, at the same position.
    Replace { absent: StaffId, present: StaffId },
    /// Someone more is on duty, after the scheduled positions.
    Add { staff_id: StaffId },
    /// Someone is off duty (a day off, or "on a break until 15:00").
    Remove { staff_id: StaffId },
}

/// A change to who is on duty over `[starts_at, ends_at)`, winning over rotations and shifts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: i64,
    /// `None` applies to every service (a person's break).
    pub service: Option<Service>,
    pub kind: OverrideKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub validity: Validity,
}

/// Where a person on duty stands in the order of whom to ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Scheduled(Position),
    /// Added by an override, after every scheduled position.
    Added,
    /// The coordinator: the last resort after everyone on the rota.
    Coordinator,
}

/// One person to try, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnDuty {
    pub staff_id: StaffId,
    pub slot: Slot,
}
