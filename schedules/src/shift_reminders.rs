//! When the people on the rota are reminded that their duty is about to start: once per stretch
//! of continuous duty, `lead` before it starts. Decides only what is due; sending, and never
//! sending twice, is the caller's (by the reminder's key).

use chrono::{DateTime, Duration, Utc};

use crate::Service;
use crate::calendar::DutyShift;
use crate::model::StaffId;
use crate::stretch::{StretchKey, stretches};

/// How far past the last start [`reminder_span`] reads, so a reminder can say when the stretch
/// ends: a week's turn and a day either side.
pub const STRETCH_HORIZON: Duration = Duration::days(9);

/// A reminder owed to one person about the start of one stretch of duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftReminder {
    pub staff_id: StaffId,
    pub service: Service,
    pub starts_at: DateTime<Utc>,
    /// Where the stretch ends, or `None` when it runs past everything read (see
    /// [`reminder_span`]): better to say nothing than a wrong end.
    pub ends_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
}

impl ShiftReminder {
    /// Person, service and start: the same stretch gives the same key however often it is
    /// asked about; a stretch whose start moves is a new one and owes a new reminder.
    pub fn key(&self) -> StretchKey {
        StretchKey {
            staff_id: self.staff_id,
            service: self.service,
            starts_at: self.starts_at,
        }
    }
}

/// The span of the rota to lay out (`Rota::duties_between`) for
/// [`shift_reminders`]`(…, lead, from, to)`: from just before the earliest start it can owe a
/// reminder for, so a duty already going on then is not taken for one starting, to
/// [`STRETCH_HORIZON`] past the latest, so its end is known.
pub fn reminder_span(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    lead: Duration,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let later = |at: DateTime<Utc>, by: Duration| {
        at.checked_add_signed(by)
            .unwrap_or(if by < Duration::zero() {
                DateTime::<Utc>::MIN_UTC
            } else {
                DateTime::<Utc>::MAX_UTC
            })
    };
    (
        later(later(from, lead), -Duration::seconds(1)),
        later(later(to, lead), STRETCH_HORIZON),
    )
}

/// The reminders due in `[from, to)`: one for the start of each stretch of continuous duty
/// (a duty that carries straight on from another of the same person and service gets none),
/// due at its start less `lead`; sorted by when they are due, then person and service.
/// `shifts` must cover [`reminder_span`]: a stretch clipped where the shifts begin would look
/// like one starting there.
pub fn shift_reminders(
    shifts: &[DutyShift],
    lead: Duration,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<ShiftReminder> {
    let (_, read_until) = reminder_span(from, to, lead);
    let mut reminders: Vec<ShiftReminder> = stretches(shifts)
        .into_iter()
        .filter_map(|stretch| {
            let due_at = stretch.starts_at.checked_sub_signed(lead)?;
            (from <= due_at && due_at < to).then_some(ShiftReminder {
                staff_id: stretch.staff_id,
                service: stretch.service,
                starts_at: stretch.starts_at,
                ends_at: (stretch.ends_at < read_until).then_some(stretch.ends_at),
                due_at,
            })
        })
        .collect();
    reminders.sort_unstable_by_key(|r| (r.due_at, r.staff_id, r.service));
    reminders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DutySource;
    use crate::model::{Position, Slot};

    fn at(hour: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_748_836_800 + hour * 3600, 0).expect("a time")
    }

    fn shift(staff_id: StaffId, from: i64, to: i64) -> DutyShift {
        DutyShift {
            staff_id,
            service: Service::Legal,
            slot: Slot::Scheduled(Position::PRIMARY),
            starts_at: at(from),
            ends_at: at(to),
            source: DutySource::Rotation(1),
            in_place_of: None,
        }
    }

    #[test]
    fn a_reminder_belongs_to_the_window_it_falls_due_in_and_no_other() {
        let shifts = [shift(1, 10, 20)];
        let lead = Duration::hours(2);
        let due = |from, to| shift_reminders(&shifts, lead, at(from), at(to)).len();
        assert_eq!(due(8, 9), 1, "due at the window's start");
        assert_eq!(due(7, 8), 0, "not due at the window's end");
        assert_eq!(due(0, 8), 0);
        assert_eq!(due(9, 100), 0);
        let [reminder] = shift_reminders(&shifts, lead, at(8), at(9))[..] else {
            panic!("one reminder");
        };
        assert_eq!(reminder.due_at, at(8));
        assert_eq!(reminder.ends_at, Some(at(20)));
        assert_eq!(
            reminder.key().to_string(),
            "1:legal:2025-06-02T14:00:00Z",
            "person, service and start"
        );
    }

    #[test]
    fn the_span_to_read_starts_just_before_the_first_start_and_never_overflows() {
        let lead = Duration::hours(2);
        assert_eq!(
            reminder_span(at(0), at(1), lead),
            (at(2) - Duration::seconds(1), at(3) + STRETCH_HORIZON)
        );
        let (_, end) = reminder_span(at(0), DateTime::<Utc>::MAX_UTC, lead);
        assert_eq!(end, DateTime::<Utc>::MAX_UTC);
        let (start, _) = reminder_span(DateTime::<Utc>::MIN_UTC, at(0), -lead);
        assert_eq!(start, DateTime::<Utc>::MIN_UTC);
        let shifts = [shift(1, 10, 20)];
        assert!(
            shift_reminders(&shifts, Duration::MAX, DateTime::<Utc>::MIN_UTC, at(0)).is_empty()
        );
    }
}
