//! When sign-in is refused for too many failures: after `LIMIT` failures within `WINDOW` (for
//! one login, or from one address), sign-in is refused until `LOCK` after the last of them. A
//! refused try is not checked and not counted, so waiting out the lock always works. Pure: the
//! failures and the time are arguments.

use chrono::{DateTime, Duration, Utc};

pub const LIMIT: usize = 5;
pub const WINDOW: Duration = Duration::minutes(15);
pub const LOCK: Duration = Duration::minutes(15);

/// How far back failures matter at any instant.
pub const LOOK_BACK: Duration = Duration::minutes(30);

/// Until when sign-in is refused at `now`, given the failures (oldest first); `None` when open.
pub fn refused_until(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut until = None;
    for (i, last) in failures.iter().enumerate() {
        let in_window = failures[..=i]
            .iter()
            .filter(|at| **at > *last - WINDOW)
            .count();
        if in_window >= LIMIT {
            until = Some(*last + LOCK);
        }
    }
    until.filter(|until| *until > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes_ago(now: DateTime<Utc>, minutes: &[i64]) -> Vec<DateTime<Utc>> {
        minutes
            .iter()
            .map(|m| now - Duration::minutes(*m))
            .collect()
    }

    #[test]
    fn four_failures_leave_sign_in_open() {
        let now = Utc::now();
        assert_eq!(refused_until(&minutes_ago(now, &[4, 3, 2, 1]), now), None);
    }

    #[test]
    fn a_fifth_failure_within_the_window_locks_for_fifteen_minutes_after_it() {
        let now = Utc::now();
        let failures = minutes_ago(now, &[14, 10, 5, 2, 1]);
        assert_eq!(
            refused_until(&failures, now),
            Some(now - Duration::minutes(1) + LOCK)
        );
        // Still locked though the first failures have left the window.
        let later = now + Duration::minutes(13);
        assert!(refused_until(&failures, later).is_some());
        assert_eq!(refused_until(&failures, now + Duration::minutes(14)), None);
    }

    #[test]
    fn failures_spread_wider_than_the_window_do_not_lock() {
        let now = Utc::now();
        assert_eq!(
            refused_until(&minutes_ago(now, &[29, 22, 15, 8, 1]), now),
            None
        );
    }
}
