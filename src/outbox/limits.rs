//! How fast the outbox may send: a token bucket for everything, and a cap on texts to one
//! number in any minute (so a burst of alerts does not bury one person's phone, and a loop can
//! never flood anyone). Time is an argument, so tests drive it with a manual clock.
//!
//! The limits are per server instance: several instances on one PostgreSQL database each keep
//! their own. Recipients are remembered by a hash, never by number.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// The limits, as configured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateSettings {
    /// Messages per second overall, on average.
    pub per_second: f64,
    /// Messages that may go at once after a quiet spell.
    pub burst: u32,
    /// Messages to one number in any 60 seconds.
    pub per_recipient_per_minute: u32,
}

impl Default for RateSettings {
    fn default() -> Self {
        // Twilio sends about one text a second per long-code number and queues the rest itself;
        // a little above that keeps its queue short without holding messages back here.
        Self {
            per_second: 5.0,
            burst: 10,
            per_recipient_per_minute: 6,
        }
    }
}

#[derive(Debug)]
pub struct RateLimits {
    settings: RateSettings,
    tokens: f64,
    refilled_at: Option<DateTime<Utc>>,
    recent: HashMap<[u8; 16], VecDeque<DateTime<Utc>>>,
}

const WINDOW: Duration = Duration::seconds(60);

impl RateLimits {
    pub fn new(settings: RateSettings) -> Self {
        Self {
            settings,
            tokens: f64::from(settings.burst.max(1)),
            refilled_at: None,
            recent: HashMap::new(),
        }
    }

    /// Takes a turn to send to `recipient` at `now`, or says when the next turn will be free.
    pub fn take(&mut self, recipient: &str, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
        self.refill(now);
        let key = recipient_key(recipient);
        let recent = self.recent.entry(key).or_default();
        while recent.front().is_some_and(|&at| at + WINDOW <= now) {
            recent.pop_front();
        }
        let cap = self.settings.per_recipient_per_minute.max(1) as usize;
        if recent.len() >= cap {
            let free_at = recent.front().map_or(now, |&oldest| oldest + WINDOW);
            return Err(free_at);
        }
        if self.tokens < 1.0 {
            let wait = (1.0 - self.tokens) / self.settings.per_second.max(0.001);
            return Err(now + Duration::milliseconds((wait * 1000.0).ceil() as i64));
        }
        self.tokens -= 1.0;
        recent.push_back(now);
        if self.recent.len() > 10_000 {
            self.recent
                .retain(|_, times| times.back().is_some_and(|&at| at + WINDOW > now));
        }
        Ok(())
    }

    /// Whether anything at all may go at `now`: false while the bucket is empty, whoever the
    /// text is to. Takes nothing.
    pub fn has_room(&mut self, now: DateTime<Utc>) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }

    fn refill(&mut self, now: DateTime<Utc>) {
        let capacity = f64::from(self.settings.burst.max(1));
        if let Some(then) = self.refilled_at {
            // A clock set back refills nothing rather than draining the bucket.
            let elapsed = (now - then).num_milliseconds().max(0) as f64 / 1000.0;
            self.tokens = (self.tokens + elapsed * self.settings.per_second).min(capacity);
        }
        if self.refilled_at.is_none_or(|then| now > then) {
            self.refilled_at = Some(now);
        }
    }
}

fn recipient_key(recipient: &str) -> [u8; 16] {
    let digest = Sha256::digest(recipient.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(second: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
            .single()
            .expect("a time")
            + Duration::seconds(second)
    }

    #[test]
    fn one_number_gets_at_most_its_share_a_minute() {
        let mut limits = RateLimits::new(RateSettings {
            per_second: 100.0,
            burst: 100,
            per_recipient_per_minute: 2,
        });
        assert_eq!(limits.take("+77015550101", at(0)), Ok(()));
        assert_eq!(limits.take("+77015550101", at(10)), Ok(()));
        assert_eq!(limits.take("+77015550101", at(20)), Err(at(60)));
        assert_eq!(
            limits.take("+77015550102", at(20)),
            Ok(()),
            "others still go"
        );
        assert_eq!(limits.take("+77015550101", at(60)), Ok(()));
    }

    #[test]
    fn the_bucket_allows_a_burst_then_the_rate() {
        let mut limits = RateLimits::new(RateSettings {
            per_second: 2.0,
            burst: 3,
            per_recipient_per_minute: 100,
        });
        for n in 0..3 {
            assert_eq!(limits.take(&format!("+7701555010{n}"), at(0)), Ok(()));
        }
        assert!(!limits.has_room(at(0)), "the burst is spent");
        let next = limits
            .take("+77015550109", at(0))
            .expect_err("the bucket is empty");
        assert!(!limits.has_room(next - Duration::milliseconds(1)));
        assert!(limits.has_room(next), "a token again at the rate");
        assert_eq!(next, at(0) + Duration::milliseconds(500));
        assert_eq!(limits.take("+77015550109", next), Ok(()));
    }
}
