//! An index of rules by the span of time they apply to, so "which rules apply at this instant"
//! costs a logarithm of the rota's history rather than all of it. It is an implicit augmented
//! interval tree over a sorted array (the layout of Heng Li's cgranges): no pointers, built once.
//! It only finds; it never decides what a rule means.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
struct Span<T> {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// The latest `end` in the subtree rooted here.
    latest_end: DateTime<Utc>,
    item: T,
}

/// Items, each over a half-open span `[start, end)`. Empty spans are dropped: they apply nowhere.
#[derive(Debug, Clone)]
pub(crate) struct Timeline<T> {
    spans: Vec<Span<T>>,
    top_level: u32,
}

impl<T> Timeline<T> {
    pub fn new(items: impl IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>, T)>) -> Self {
        let mut spans: Vec<Span<T>> = items
            .into_iter()
            .filter(|(start, end, _)| start < end)
            .map(|(start, end, item)| Span {
                start,
                end,
                latest_end: end,
                item,
            })
            .collect();
        spans.sort_by_key(|span| span.start);
        let top_level = index(&mut spans);
        Self { spans, top_level }
    }

    /// Every item whose span holds `at`.
    pub fn at(&self, at: DateTime<Utc>, each: impl FnMut(&T)) {
        self.visit(|start| start <= at, at, each);
    }

    /// Every item whose span meets `[from, to)`.
    pub fn overlapping(&self, from: DateTime<Utc>, to: DateTime<Utc>, each: impl FnMut(&T)) {
        if from < to {
            self.visit(|start| start < to, from, each);
        }
    }

    /// Visits items that start early enough (`starts_in_time`) and end after `after`.
    fn visit(
        &self,
        starts_in_time: impl Fn(DateTime<Utc>) -> bool,
        after: DateTime<Utc>,
        mut each: impl FnMut(&T),
    ) {
        let n = self.spans.len();
        if n == 0 {
            return;
        }
        // (node, level, left subtree done)
        let mut stack: Vec<(usize, u32, bool)> = Vec::with_capacity(64);
        stack.push(((1usize << self.top_level) - 1, self.top_level, false));
        while let Some((node, level, left_done)) = stack.pop() {
            if level <= 3 {
                // A small subtree: scan it in order.
                let first = node >> level << level;
                let last = (first + (1 << (level + 1)) - 1).min(n);
                for span in self.spans.get(first..last).unwrap_or_default() {
                    if !starts_in_time(span.start) {
                        break;
                    }
                    if after < span.end {
                        each(&span.item);
                    }
                }
            } else if !left_done {
                let left = node - (1 << (level - 1));
                stack.push((node, level, true));
                if left >= n || self.spans[left].latest_end > after {
                    stack.push((left, level - 1, false));
                }
            } else if node < n && starts_in_time(self.spans[node].start) {
                if after < self.spans[node].end {
                    each(&self.spans[node].item);
                }
                stack.push((node + (1 << (level - 1)), level - 1, false));
            }
        }
    }
}

/// Fills `latest_end` bottom-up and returns the root's level. Leaves are the even positions;
/// a node at level k has k trailing one bits.
fn index<T>(spans: &mut [Span<T>]) -> u32 {
    let n = spans.len();
    if n == 0 {
        return 0;
    }
    let mut last_node = 0;
    let mut last_end = spans[0].end;
    for i in (0..n).step_by(2) {
        last_node = i;
        last_end = spans[i].end;
        spans[i].latest_end = spans[i].end;
    }
    let mut level = 1u32;
    while (1usize << level) <= n {
        let half = 1usize << (level - 1);
        let first = (half << 1) - 1;
        let step = half << 2;
        let mut i = first;
        while i < n {
            let left = spans[i - half].latest_end;
            let right = if i + half < n {
                spans[i + half].latest_end
            } else {
                last_end
            };
            spans[i].latest_end = spans[i].end.max(left).max(right);
            i += step;
        }
        last_node = if (last_node >> level) & 1 == 1 {
            last_node - half
        } else {
            last_node + half
        };
        if last_node < n && spans[last_node].latest_end > last_end {
            last_end = spans[last_node].latest_end;
        }
        level += 1;
    }
    level - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn minute(m: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::minutes(m)
    }

    #[test]
    fn finds_exactly_the_spans_a_scan_would_find() {
        // A deterministic mix of short and very long spans, enough for several tree levels.
        let mut seed: u64 = 7;
        let mut next = move |bound: i64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as i64 % bound
        };
        let spans: Vec<(i64, i64)> = (0..700)
            .map(|_| {
                let start = next(10_000);
                let length = if next(20) == 0 { next(9_000) } else { next(60) };
                (start, start + length)
            })
            .collect();
        let timeline = Timeline::new(
            spans
                .iter()
                .enumerate()
                .map(|(i, (s, e))| (minute(*s), minute(*e), i)),
        );
        for probe in (0..10_100).step_by(37) {
            let mut found = Vec::new();
            timeline.at(minute(probe), |i| found.push(*i));
            found.sort_unstable();
            let expected: Vec<usize> = (0..spans.len())
                .filter(|i| spans[*i].0 <= probe && probe < spans[*i].1)
                .collect();
            assert_eq!(found, expected, "at minute {probe}");

            let mut found = Vec::new();
            timeline.overlapping(minute(probe), minute(probe + 90), |i| found.push(*i));
            found.sort_unstable();
            let expected: Vec<usize> = (0..spans.len())
                .filter(|i| spans[*i].0 < probe + 90 && probe < spans[*i].1)
                .filter(|i| spans[*i].0 < spans[*i].1)
                .collect();
            assert_eq!(found, expected, "from minute {probe}");
        }
    }

    #[test]
    fn an_empty_timeline_finds_nothing() {
        let timeline: Timeline<u8> = Timeline::new(Vec::new());
        timeline.at(minute(0), |_| panic!("nothing to find"));
    }
}
