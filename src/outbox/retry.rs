//! What an attempt that did not send leads to: tried again later (exponential backoff with
//! jitter, never sooner than the provider's `Retry-After`, and after a doubtful attempt not
//! before the provider's records have settled), or given up for a person to see. Pure: the time
//! and the random draw are arguments.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::status;
use crate::store::{OutboxFailure, OutboxRetry, OutboxStatus};
use crate::telephony::client::ProviderError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Attempts before a message is given up; each claim counts one.
    pub max_attempts: i64,
    /// The wait after the first failure; it doubles after each, up to `longest_wait`.
    pub first_wait: Duration,
    pub longest_wait: Duration,
    /// After an attempt that may have reached the provider, how long before it is looked up:
    /// the provider's list of messages may lag its creates by a little.
    pub settle: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        // 5 s, 10 s, 20 s … 15 min: about 40 minutes of trying before a person is asked to look.
        Self {
            max_attempts: 10,
            first_wait: Duration::from_secs(5),
            longest_wait: Duration::from_secs(15 * 60),
            settle: Duration::from_secs(30),
        }
    }
}

/// What becomes of a message after `error` on its `attempt`-th attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Retry(OutboxRetry),
    GiveUp(OutboxFailure),
}

/// The wait before attempt `attempt + 1`: `first_wait · 2^(attempt-1)`, at most `longest_wait`,
/// of which a random half (`jitter` in `[0, 1)`) so that many failed messages do not all come
/// back at once.
pub fn backoff(settings: &RetrySettings, attempt: i64, jitter: f64) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = settings
        .first_wait
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(settings.longest_wait);
    full / 2 + full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
}

pub fn judge(
    settings: &RetrySettings,
    error: &ProviderError,
    attempt: i64,
    now: DateTime<Utc>,
    jitter: f64,
) -> Verdict {
    let (reason, retry_after, uncertain) = match error {
        ProviderError::Refused {
            code,
            message,
            http_status,
        } => {
            let mut text = status::describe(*code, message);
            if code.is_none() {
                text = format!("{text} (HTTP {http_status})");
            }
            return Verdict::GiveUp(OutboxFailure {
                status: status::ending(*code),
                error_code: *code,
                error_message: text,
                at: now,
            });
        }
        ProviderError::NotSent {
            reason,
            retry_after,
        } => (reason, retry_after, false),
        ProviderError::Unknown {
            reason,
            retry_after,
        } => (reason, retry_after, true),
    };
    if attempt >= settings.max_attempts {
        let doubt = if uncertain {
            "; the last attempt may still have reached the provider, and its status callback \
             will say so"
        } else {
            ""
        };
        return Verdict::GiveUp(OutboxFailure {
            status: OutboxStatus::Failed,
            error_code: None,
            error_message: format!("gave up after {attempt} attempts: {reason}{doubt}"),
            at: now,
        });
    }
    let mut next = now + chrono_duration(backoff(settings, attempt, jitter));
    if let Some(retry_after) = retry_after {
        next = next.max(retry_after.instant_after(now));
    }
    if uncertain {
        next = next.max(now + chrono_duration(settings.settle));
    }
    Verdict::Retry(OutboxRetry {
        next_attempt_at: next,
        error_code: None,
        error_message: reason.clone(),
        uncertain,
    })
}

pub fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::telephony::client::RetryAfter;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
            .single()
            .expect("a time")
    }

    #[test]
    fn the_wait_doubles_up_to_its_cap_and_keeps_half_of_it() {
        let settings = RetrySettings::default();
        assert_eq!(backoff(&settings, 1, 0.0), Duration::from_millis(2500));
        assert!(backoff(&settings, 1, 0.999) < Duration::from_secs(5));
        assert_eq!(backoff(&settings, 3, 1.0), Duration::from_secs(20));
        assert_eq!(backoff(&settings, 40, 1.0), Duration::from_secs(900));
    }

    #[test]
    fn retry_after_is_honoured_and_doubt_waits_to_settle() {
        let settings = RetrySettings::default();
        let slow_down = ProviderError::NotSent {
            reason: "429".into(),
            retry_after: Some(RetryAfter::Seconds(120)),
        };
        let Verdict::Retry(retry) = judge(&settings, &slow_down, 1, now(), 0.5) else {
            panic!("retried");
        };
        assert_eq!(
            retry.next_attempt_at,
            now() + chrono::Duration::seconds(120)
        );
        assert!(!retry.uncertain);
        let timeout = ProviderError::Unknown {
            reason: "timeout".into(),
            retry_after: None,
        };
        let Verdict::Retry(retry) = judge(&settings, &timeout, 1, now(), 0.5) else {
            panic!("retried");
        };
        assert_eq!(retry.next_attempt_at, now() + chrono::Duration::seconds(30));
        assert!(retry.uncertain);
    }

    #[test]
    fn refusals_end_at_once_and_opt_outs_are_undeliverable() {
        let settings = RetrySettings::default();
        let opted_out = ProviderError::Refused {
            http_status: 400,
            code: Some(status::OPTED_OUT),
            message: "Attempt to send to unsubscribed recipient".into(),
        };
        let Verdict::GiveUp(failure) = judge(&settings, &opted_out, 1, now(), 0.5) else {
            panic!("given up");
        };
        assert_eq!(failure.status, OutboxStatus::Undeliverable);
        assert_eq!(failure.error_code, Some(21610));
        let broken = ProviderError::NotSent {
            reason: "no connection".into(),
            retry_after: None,
        };
        let Verdict::GiveUp(failure) = judge(&settings, &broken, 10, now(), 0.5) else {
            panic!("given up after the last attempt");
        };
        assert_eq!(failure.status, OutboxStatus::Failed);
        assert!(failure.error_message.contains("gave up after 10 attempts"));
    }
}
