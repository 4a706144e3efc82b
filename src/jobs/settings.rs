//! When the server's own work comes round and how far ahead it looks, with the defaults a
//! coordinator would choose.

use chrono::Duration;
use chrono_tz::Tz;
use hotline_schedules::Recurrence;

/// Nine in the morning, every day.
pub const DIGEST: &str = "0 9 * * *";

#[derive(Debug, Clone)]
pub struct ScheduleSettings {
    /// The hotline's zone: the digest's day and every time in a text are read in it.
    pub zone: Tz,
    /// When the coordinators get the digest of the day before, in `zone`.
    pub digest: Recurrence,
    /// How long before a shift its person is reminded of it.
    pub shift_reminder_lead: Duration,
    /// How far ahead a change to someone's shifts is told to them.
    pub shift_notice_ahead: Duration,
    /// How far ahead a gap in the rota is told to the coordinators.
    pub gap_alert_ahead: Duration,
    /// How long after a contact is closed her number, texts and recordings are kept.
    pub retention: Duration,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        Self {
            zone: hotline_schedules::HOTLINE_ZONE,
            digest: Recurrence::parse(DIGEST).unwrap_or_else(|_| unreachable!("{DIGEST} parses")),
            // The evening before a morning shift, the morning before a night one.
            shift_reminder_lead: Duration::hours(12),
            shift_notice_ahead: Duration::days(14),
            gap_alert_ahead: Duration::hours(48),
            retention: Duration::days(180),
        }
    }
}
