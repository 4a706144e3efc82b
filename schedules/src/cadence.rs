//! How often a piece of the server's own work comes round. Occurrences are the same instants on
//! every server instance, so two instances that each schedule "the next one" schedule one job.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::Recurrence;

/// A repeating time.
#[derive(Debug, Clone)]
pub enum Cadence {
    /// Every `Duration`, at the multiples of it since the Unix epoch (so every 15 minutes falls on
    /// :00, :15, :30 and :45 wherever it was first asked).
    Every(Duration),
    /// A cron expression, read as wall-clock time in a zone.
    Cron(Recurrence, Tz),
}

impl Cadence {
    /// The first occurrence strictly after `after`; `None` when there is none (a cron
    /// expression for 30 February).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Cadence::Every(interval) => {
                let step = interval.num_milliseconds().max(1);
                let now = after.timestamp_millis();
                let next = (now.div_euclid(step) + 1) * step;
                DateTime::from_timestamp_millis(next)
            }
            Cadence::Cron(recurrence, zone) => recurrence.next_after(after, *zone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, s)
            .single()
            .expect("valid")
    }

    #[test]
    fn every_quarter_hour_falls_on_the_quarters() {
        let every = Cadence::Every(Duration::minutes(15));
        assert_eq!(every.next_after(at(10, 7, 3)), Some(at(10, 15, 0)));
        assert_eq!(every.next_after(at(10, 15, 0)), Some(at(10, 30, 0)));
        assert_eq!(
            every.next_after(at(23, 59, 59)),
            Some(at(0, 0, 0) + Duration::days(1))
        );
    }

    #[test]
    fn two_instances_asking_at_different_moments_agree() {
        let every = Cadence::Every(Duration::minutes(15));
        assert_eq!(
            every.next_after(at(10, 1, 0)),
            every.next_after(at(10, 14, 59))
        );
    }

    #[test]
    fn a_daily_digest_at_nine_is_nine_in_the_hotlines_zone() {
        let nine = Recurrence::parse("0 9 * * *").expect("parses");
        let daily = Cadence::Cron(nine, crate::HOTLINE_ZONE);
        // 10:07 UTC is 15:07 in Almaty: the next 09:00 there is 04:00 UTC tomorrow.
        assert_eq!(
            daily.next_after(at(10, 7, 3)),
            Some(at(4, 0, 0) + Duration::days(1))
        );
    }
}
