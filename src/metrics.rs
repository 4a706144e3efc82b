//! The few counters an operator watches, rendered in Prometheus' text format. Labels are fixed
//! words, never a number, a name or anything a caller sent.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, &'static str, &'static str), u64>>,
}

impl Metrics {
    /// Adds one to `name{label="value"}`.
    pub fn count(&self, name: &'static str, label: &'static str, value: &'static str) {
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counters.entry((name, label, value)).or_default() += 1;
    }

    pub fn render(&self) -> String {
        let counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut text = String::new();
        let mut last_name = "";
        for ((name, label, value), count) in counters.iter() {
            if *name != last_name {
                let _ = writeln!(text, "# TYPE {name} counter");
                last_name = name;
            }
            let _ = writeln!(text, "{name}{{{label}=\"{value}\"}} {count}");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_in_prometheus_text_format() {
        let metrics = Metrics::default();
        metrics.count("hotline_webhooks_total", "outcome", "refused");
        metrics.count("hotline_webhooks_total", "outcome", "accepted");
        metrics.count("hotline_webhooks_total", "outcome", "accepted");
        assert_eq!(
            metrics.render(),
            "# TYPE hotline_webhooks_total counter\n\
             hotline_webhooks_total{outcome=\"accepted\"} 2\n\
             hotline_webhooks_total{outcome=\"refused\"} 1\n"
        );
    }
}
