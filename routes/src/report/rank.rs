//! Nearest-rank percentiles of waits in whole seconds.

use serde::Serialize;

/// The `p`-th percentile of `sorted` (ascending) by nearest rank: the value at 1-based rank
/// `⌈p/100 · n⌉` (at least 1). So the median (p = 50) of 1, 2, 3, 4 is 2, never an average of
/// two values, and the 90th percentile of ten values is the 9th. `None` when empty.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    Some(sorted[rank - 1])
}

/// How many waits there were, and their median and 90th percentile by nearest rank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub count: u32,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

impl Spread {
    pub fn of_seconds(mut waits: Vec<i64>) -> Self {
        waits.sort_unstable();
        Spread {
            count: waits.len() as u32,
            median_secs: nearest_rank(&waits, 50),
            p90_secs: nearest_rank(&waits, 90),
        }
    }
}
