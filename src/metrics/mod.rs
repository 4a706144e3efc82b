//! What an operator watches on `/metrics`, in Prometheus' text format. Two kinds, said in each
//! family's help: what this process did (webhooks answered and how fast, counted here since it
//! started: sum them over instances), and what the records say (calls, waits, texts, reminders,
//! the rota ahead: read from the shared database at each scrape, the same on every instance and
//! across restarts: do not sum them over instances). Labels are fixed words of the hotline's
//! own, never a number, a name or anything a caller or a request sent.

mod exposition;
pub mod histogram;
mod records;
mod rota_gaps;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

pub use exposition::{Exposition, Kind};
pub use histogram::{Histogram, Snapshot};
pub use records::write_records;

/// The family of each webhook's answer time, by route.
const WEBHOOK_SECONDS: &str = "hotline_webhook_duration_seconds";

#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, &'static str, &'static str), u64>>,
    /// Per matched route template (a fixed path of our router, never the URI as sent).
    webhooks: Mutex<BTreeMap<String, Snapshot>>,
    /// The settled calls' waits this process has read, held while a scrape adds to them.
    settled_waits: tokio::sync::Mutex<Option<records::SettledWaits>>,
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

    /// Shows `name{label="value"}` at 0 until it is first counted, so a counter that has never
    /// gone up is seen as 0 and not as missing.
    pub fn declare(&self, name: &'static str, label: &'static str, value: &'static str) {
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counters.entry((name, label, value)).or_default();
    }

    /// Keeps how long the webhook at `route` (the route's template, as the router matched it)
    /// took to answer.
    pub fn observe_webhook(&self, route: &str, took: Duration) {
        let mut webhooks = self
            .webhooks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !webhooks.contains_key(route) {
            webhooks.insert(
                route.to_owned(),
                Snapshot::empty(histogram::WEBHOOK_SECONDS),
            );
        }
        if let Some(histogram) = webhooks.get_mut(route) {
            histogram.add(took.as_secs_f64());
        }
    }

    /// This process's counters and histograms.
    pub fn write(&self, page: &mut Exposition) {
        let counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut last_name = "";
        for ((name, label, value), count) in &counters {
            if *name != last_name {
                page.family(name, Kind::Counter, counter_help(name));
                last_name = name;
            }
            page.sample(name, &[(label, value)], *count as f64);
        }
        let webhooks = self
            .webhooks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        page.family(
            WEBHOOK_SECONDS,
            Kind::Histogram,
            "Seconds this process took to answer a webhook, by the route's path (signature check \
             included), since it started; sum over instances.",
        );
        for (route, snapshot) in &webhooks {
            page.histogram(WEBHOOK_SECONDS, &[("route", route)], snapshot);
        }
    }

    /// This process's metrics alone, as a page.
    pub fn render(&self) -> String {
        let mut page = Exposition::default();
        self.write(&mut page);
        page.finish()
    }
}

/// What each counter counts; all of them are this process's, since it started.
fn counter_help(name: &str) -> &'static str {
    match name {
        "hotline_call_events_total" => {
            "Steps of calls this process handled (incoming, answered, voicemail...), since it \
             started; sum over instances. Calls by outcome are hotline_calls_total."
        }
        "hotline_call_apologies_total" => {
            "Calls this process answered with a spoken apology, by the step that failed, since \
             it started."
        }
        "hotline_messages_total" => {
            "Texts and their events this process handled, since it started; sum over instances."
        }
        "hotline_webhooks_refused_total" => {
            "Webhooks this process refused, by reason, since it started; sum over instances."
        }
        "hotline_metrics_errors_total" => {
            "Scrapes of /metrics by this process where one group of record metrics could not be \
             read (that group was left out), by group."
        }
        _ => "Counted by this process since it started; sum over instances.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_in_prometheus_text_format() {
        let metrics = Metrics::default();
        metrics.count("hotline_webhooks_refused_total", "reason", "signature");
        metrics.count("hotline_webhooks_refused_total", "reason", "body");
        metrics.count("hotline_webhooks_refused_total", "reason", "signature");
        let text = metrics.render();
        assert!(
            text.starts_with(
                "# HELP hotline_webhooks_refused_total Webhooks this process refused, by reason, \
                 since it started; sum over instances.\n\
                 # TYPE hotline_webhooks_refused_total counter\n\
                 hotline_webhooks_refused_total{reason=\"body\"} 1\n\
                 hotline_webhooks_refused_total{reason=\"signature\"} 2\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn webhook_answers_are_kept_per_route() {
        let metrics = Metrics::default();
        metrics.observe_webhook("/webhooks/voice", Duration::from_millis(3));
        metrics.observe_webhook("/webhooks/voice", Duration::from_millis(700));
        metrics.observe_webhook("/webhooks/messages", Duration::from_secs(20));
        let text = metrics.render();
        for line in [
            "# TYPE hotline_webhook_duration_seconds histogram",
            "hotline_webhook_duration_seconds_bucket{route=\"/webhooks/voice\",le=\"0.0025\"} 0",
            "hotline_webhook_duration_seconds_bucket{route=\"/webhooks/voice\",le=\"0.005\"} 1",
            "hotline_webhook_duration_seconds_bucket{route=\"/webhooks/voice\",le=\"1\"} 2",
            "hotline_webhook_duration_seconds_bucket{route=\"/webhooks/voice\",le=\"+Inf\"} 2",
            "hotline_webhook_duration_seconds_count{route=\"/webhooks/voice\"} 2",
            "hotline_webhook_duration_seconds_bucket{route=\"/webhooks/messages\",le=\"10\"} 0",
            "hotline_webhook_duration_seconds_bucket{route=\"/webhooks/messages\",le=\"+Inf\"} 1",
            "hotline_webhook_duration_seconds_sum{route=\"/webhooks/messages\"} 20",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
