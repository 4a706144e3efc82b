//! A stretch of duty: the time one person is on duty for one service without a break, however
//! many rotations, shifts and overrides make it up. Reminders and change notices speak of
//! stretches, because that is what the person works: a 24-hour turn cut at a handoff boundary,
//! or two back-to-back shifts, is one duty to them, with one start worth reminding about.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::Service;
use crate::calendar::DutyShift;
use crate::model::StaffId;

/// One person's continuous duty for one service, over `[starts_at, ends_at)`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Stretch {
    pub staff_id: StaffId,
    pub service: Service,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// What names a stretch for as long as its start stays where it is: the person, the service and
/// the start. Shown as `7:legal:2024-11-25T04:00:00Z`, ready for an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StretchKey {
    pub staff_id: StaffId,
    pub service: Service,
    pub starts_at: DateTime<Utc>,
}

impl Stretch {
    pub fn key(&self) -> StretchKey {
        StretchKey {
            staff_id: self.staff_id,
            service: self.service,
            starts_at: self.starts_at,
        }
    }

    /// The part of the stretch within `[from, to)`, if any.
    pub fn within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Stretch> {
        let clipped = Stretch {
            starts_at: self.starts_at.max(from),
            ends_at: self.ends_at.min(to),
            ..*self
        };
        (clipped.starts_at < clipped.ends_at).then_some(clipped)
    }

    /// Whether the two share an instant or one ends where the other starts.
    pub fn overlaps_or_touches(&self, other: &Stretch) -> bool {
        self.starts_at <= other.ends_at && other.starts_at <= self.ends_at
    }
}

impl fmt::Display for StretchKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.staff_id,
            self.service.as_str(),
            self.starts_at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        )
    }
}

/// The stretches the shifts make: shifts of the same person and service that overlap or touch
/// are joined, whatever their slot or source (a primary who carries on as the backup has not
/// had a break). Empty shifts make nothing. Sorted by start, then person, then service.
pub fn stretches(shifts: &[DutyShift]) -> Vec<Stretch> {
    let mut pieces: Vec<Stretch> = shifts
        .iter()
        .filter(|shift| shift.starts_at < shift.ends_at)
        .map(|shift| Stretch {
            staff_id: shift.staff_id,
            service: shift.service,
            starts_at: shift.starts_at,
            ends_at: shift.ends_at,
        })
        .collect();
    pieces.sort_unstable_by_key(|s| (s.staff_id, s.service, s.starts_at));
    let mut joined: Vec<Stretch> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match joined.last_mut() {
            Some(last)
                if last.staff_id == piece.staff_id
                    && last.service == piece.service
                    && piece.starts_at <= last.ends_at =>
            {
                last.ends_at = last.ends_at.max(piece.ends_at);
            }
            _ => joined.push(piece),
        }
    }
    joined.sort_unstable_by_key(|s| (s.starts_at, s.staff_id, s.service));
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DutySource;
    use crate::model::{Position, Slot};

    fn at(hour: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_732_500_000 + hour * 3600, 0).expect("a time")
    }

    fn shift(staff_id: StaffId, service: Service, from: i64, to: i64) -> DutyShift {
        DutyShift {
            staff_id,
            service,
            slot: Slot::Scheduled(Position::PRIMARY),
            starts_at: at(from),
            ends_at: at(to),
            source: DutySource::Rotation(1),
            in_place_of: None,
        }
    }

    fn stretch(staff_id: StaffId, service: Service, from: i64, to: i64) -> Stretch {
        Stretch {
            staff_id,
            service,
            starts_at: at(from),
            ends_at: at(to),
        }
    }

    #[test]
    fn back_to_back_and_overlapping_shifts_of_one_person_are_one_stretch() {
        let backup = DutyShift {
            slot: Slot::Scheduled(Position::BACKUP),
            source: DutySource::Shift(4),
            ..shift(1, Service::Legal, 12, 30)
        };
        let shifts = [
            shift(1, Service::Legal, 0, 12),
            backup,
            shift(1, Service::Legal, 20, 24),
            shift(1, Service::Legal, 31, 40),
        ];
        assert_eq!(
            stretches(&shifts),
            vec![
                stretch(1, Service::Legal, 0, 30),
                stretch(1, Service::Legal, 31, 40)
            ]
        );
    }

    #[test]
    fn other_people_and_other_services_are_not_joined() {
        let shifts = [
            shift(2, Service::Legal, 12, 24),
            shift(1, Service::Psychological, 12, 24),
            shift(1, Service::Legal, 0, 12),
            shift(3, Service::Legal, 5, 5),
        ];
        assert_eq!(
            stretches(&shifts),
            vec![
                stretch(1, Service::Legal, 0, 12),
                stretch(1, Service::Psychological, 12, 24),
                stretch(2, Service::Legal, 12, 24),
            ]
        );
    }

    #[test]
    fn a_key_names_person_service_and_start() {
        let key = stretch(7, Service::Legal, 0, 12).key();
        assert_eq!(key.to_string(), "7:legal:2024-11-25T02:00:00Z");
    }
}
