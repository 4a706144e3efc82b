//! Several rounds of the measurement, summed up: the machine is shared and its speed moves
//! from minute to minute, so one round's p99 says little, and the median and range over a few
//! rounds (each on fresh servers) say what to expect.

use crate::StoreKind;
use crate::load::RunFigures;
use crate::report::{mode_label, ms, ratio_to_healthz};

/// One run's figures, as each round gave them.
struct Row {
    store: StoreKind,
    label: String,
    mode: String,
    throughput: Vec<f64>,
    p99_ms: Vec<f64>,
    ratio: Vec<f64>,
}

#[derive(Default)]
pub struct Rounds {
    rows: Vec<Row>,
}

impl Rounds {
    /// Adds one round's runs on one store.
    pub fn add(&mut self, store: StoreKind, figures: &[RunFigures]) {
        for run in figures {
            let (label, mode) = (run.endpoint.label().to_owned(), mode_label(run.mode));
            let at = self
                .rows
                .iter()
                .position(|row| row.store == store && row.label == label && row.mode == mode);
            let row = match at {
                Some(at) => &mut self.rows[at],
                None => {
                    self.rows.push(Row {
                        store,
                        label,
                        mode,
                        throughput: Vec::new(),
                        p99_ms: Vec::new(),
                        ratio: Vec::new(),
                    });
                    self.rows.last_mut().expect("just pushed")
                }
            };
            row.throughput.push(run.throughput());
            row.p99_ms.push(ms(run.latency.value_at_quantile(0.99)));
            row.ratio.extend(ratio_to_healthz(figures, run));
        }
    }

    pub fn print(&self) {
        let rounds = self.rows.first().map_or(0, |row| row.throughput.len());
        println!();
        println!("== Over {rounds} rounds: median [lowest - highest]");
        println!(
            "{:<9} {:<44} {:<12} {:>24} {:>24} {:>22}",
            "store", "endpoint", "mode", "req/s", "p99 ms", "/healthz"
        );
        for row in &self.rows {
            println!(
                "{:<9} {:<44} {:<12} {:>24} {:>24} {:>22}",
                format!("{:?}", row.store),
                row.label,
                row.mode,
                spread(&row.throughput, 0),
                spread(&row.p99_ms, 1),
                spread(&row.ratio, 3),
            );
        }
    }
}

/// `median [lowest - highest]`, or `-` when nothing was measured.
fn spread(values: &[f64], decimals: usize) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (Some(lowest), Some(highest)) = (sorted.first(), sorted.last()) else {
        return "-".to_owned();
    };
    format!(
        "{:.decimals$} [{lowest:.decimals$} - {highest:.decimals$}]",
        median(&sorted)
    )
}

/// The middle of sorted values (the mean of the two middle ones when even).
fn median(sorted: &[f64]) -> f64 {
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_one_and_of_an_even_count_the_mean_of_two() {
        assert_eq!(median(&[1.0, 5.0, 9.0]), 5.0);
        assert_eq!(median(&[1.0, 3.0, 5.0, 100.0]), 4.0);
    }

    #[test]
    fn a_spread_gives_the_median_and_the_range_in_any_order_given() {
        assert_eq!(spread(&[7.0, 2.0, 30.0], 1), "7.0 [2.0 - 30.0]");
        assert_eq!(spread(&[], 1), "-");
    }
}
