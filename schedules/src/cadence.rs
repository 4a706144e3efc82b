//! How often a piece of the server's own work comes round. Occurrences are the same instants on
//! every server instance, so two instances that each schedule "the next one" schedule one job.

use chrono::{DateTime, Duration, Utc};

/// A repeating time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    /// Every `Duration`, at the multiples of it since the Unix epoch (so every 15 minutes falls on
    /// :00, :15, :30 and :45 wherever it was first asked).
    Every(Duration),
}

impl Cadence {
    /// The first occurrence strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Cadence::Every(interval) => {
                let step = interval.num_milliseconds().max(1);
                let now = after.timestamp_millis();
                let next = (now.div_euclid(step) + 1) * step;
                DateTime::from_timestamp_millis(next).unwrap_or(after + *interval)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, s).single().expect("valid")
    }

    #[test]
    fn every_quarter_hour_falls_on_the_quarters() {
        let every = Cadence::Every(Duration::minutes(15));
        assert_eq!(every.next_after(at(10, 7, 3)), at(10, 15, 0));
        assert_eq!(every.next_after(at(10, 15, 0)), at(10, 30, 0));
        assert_eq!(every.next_after(at(23, 59, 59)), at(0, 0, 0) + Duration::days(1));
    }

    #[test]
    fn two_instances_asking_at_different_moments_agree() {
        let every = Cadence::Every(Duration::minutes(15));
        assert_eq!(every.next_after(at(10, 1, 0)), every.next_after(at(10, 14, 59)));
    }
}
