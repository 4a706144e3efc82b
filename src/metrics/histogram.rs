//! A histogram of observations in fixed buckets, as Prometheus keeps one: how many fell at or
//! under each bound, their sum and their count.

use std::sync::Mutex;

/// Buckets for a webhook's answer, in seconds: Twilio waits 15 s for one, and a caller hears
/// silence while it waits, so the interesting ones are well under a second.
pub const WEBHOOK_SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Buckets for the time from a call's start to a person answering it, in seconds: the menus
/// take some, the line's ring limit is a minute or two.
pub const TIME_TO_A_PERSON_SECONDS: &[f64] = &[
    1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0,
];

/// A histogram's counts at one moment: `counts[i]` observations fell in bucket `i` alone
/// (above the bound before, at or under `bounds[i]`), `over` above the last bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub bounds: &'static [f64],
    pub counts: Vec<u64>,
    pub over: u64,
    pub sum: f64,
}

impl Snapshot {
    pub fn empty(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: vec![0; bounds.len()],
            over: 0,
            sum: 0.0,
        }
    }

    /// Counts `value` once.
    pub fn add(&mut self, value: f64) {
        self.add_many(value, 1, value);
    }

    /// Counts `count` observations of about `value` (its bucket) whose sum is `sum`.
    pub fn add_many(&mut self, value: f64, count: u64, sum: f64) {
        match self.bounds.iter().position(|bound| value <= *bound) {
            Some(i) => self.counts[i] += count,
            None => self.over += count,
        }
        self.sum += sum;
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.over
    }
}

/// A histogram this process observes into.
#[derive(Debug)]
pub struct Histogram {
    counts: Mutex<Snapshot>,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            counts: Mutex::new(Snapshot::empty(bounds)),
        }
    }

    pub fn observe(&self, value: f64) {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .add(value);
    }

    pub fn snapshot(&self) -> Snapshot {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_on_a_bound_falls_in_that_bucket_and_one_above_all_over() {
        let mut snapshot = Snapshot::empty(&[1.0, 2.0]);
        snapshot.add(1.0);
        snapshot.add(1.5);
        snapshot.add(2.5);
        assert_eq!(snapshot.counts, [1, 1]);
        assert_eq!(snapshot.over, 1);
        assert_eq!(snapshot.count(), 3);
        assert_eq!(snapshot.sum, 5.0);
    }
}
