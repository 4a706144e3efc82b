//! Prometheus' text exposition format (0.0.4): each family once, with `# HELP` and `# TYPE`,
//! then its samples. Label values are escaped as the format says, though the hotline only ever
//! passes fixed words of its own.

use std::fmt::Write;

use super::histogram::Snapshot;

/// What a family is, as `# TYPE` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// A page of metrics being written.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts the family `name`: its help (one line) and its type.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {}", kind.as_str());
    }

    /// One sample of the family last started.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        write_labels(&mut self.text, labels, None);
        let _ = writeln!(self.text, " {}", number(value));
    }

    /// A histogram's samples: a cumulative `_bucket` per bound and `+Inf`, then `_sum` and
    /// `_count`.
    pub fn histogram(&mut self, name: &str, labels: &[(&str, &str)], snapshot: &Snapshot) {
        let mut cumulative = 0;
        for (bound, count) in snapshot.bounds.iter().zip(&snapshot.counts) {
            cumulative += count;
            self.bucket(name, labels, &number(*bound), cumulative);
        }
        self.bucket(name, labels, "+Inf", snapshot.count());
        self.sample(&format!("{name}_sum"), labels, snapshot.sum);
        self.sample(&format!("{name}_count"), labels, snapshot.count() as f64);
    }

    fn bucket(&mut self, name: &str, labels: &[(&str, &str)], le: &str, count: u64) {
        let _ = write!(self.text, "{name}_bucket");
        write_labels(&mut self.text, labels, Some(le));
        let _ = writeln!(self.text, " {count}");
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn write_labels(text: &mut String, labels: &[(&str, &str)], le: Option<&str>) {
    if labels.is_empty() && le.is_none() {
        return;
    }
    text.push('{');
    let le = le.map(|le| ("le", le));
    for (i, (label, value)) in labels.iter().copied().chain(le).enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{label}=\"{}\"", escape(value));
    }
    text.push('}');
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A value as the format writes it: whole numbers without a fraction, infinities as `+Inf`.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        // Rust writes an f64 without an exponent and whole numbers without ".0".
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::histogram::Histogram;

    #[test]
    fn a_family_has_its_help_and_type_before_its_samples() {
        let mut page = Exposition::default();
        page.family("hotline_outbox_pending", Kind::Gauge, "Texts waiting.");
        page.sample("hotline_outbox_pending", &[("channel", "sms")], 3.0);
        page.sample("hotline_outbox_pending", &[], 0.5);
        assert_eq!(
            page.finish(),
            "# HELP hotline_outbox_pending Texts waiting.\n\
             # TYPE hotline_outbox_pending gauge\n\
             hotline_outbox_pending{channel=\"sms\"} 3\n\
             hotline_outbox_pending 0.5\n"
        );
    }

    #[test]
    fn a_histogram_is_cumulative_with_inf_sum_and_count() {
        let histogram = Histogram::new(&[1.0, 5.0, 10.0]);
        for seconds in [0.5, 1.0, 3.0, 4.0, 12.0] {
            histogram.observe(seconds);
        }
        let mut page = Exposition::default();
        page.family("wait_seconds", Kind::Histogram, "Waits.");
        page.histogram(
            "wait_seconds",
            &[("route", "/webhooks/voice")],
            &histogram.snapshot(),
        );
        assert_eq!(
            page.finish(),
            "# HELP wait_seconds Waits.\n\
             # TYPE wait_seconds histogram\n\
             wait_seconds_bucket{route=\"/webhooks/voice\",le=\"1\"} 2\n\
             wait_seconds_bucket{route=\"/webhooks/voice\",le=\"5\"} 4\n\
             wait_seconds_bucket{route=\"/webhooks/voice\",le=\"10\"} 4\n\
             wait_seconds_bucket{route=\"/webhooks/voice\",le=\"+Inf\"} 5\n\
             wait_seconds_sum{route=\"/webhooks/voice\"} 20.5\n\
             wait_seconds_count{route=\"/webhooks/voice\"} 5\n"
        );
    }

    #[test]
    fn an_empty_histogram_has_every_bucket_at_zero() {
        let mut page = Exposition::default();
        page.histogram("w", &[], &Histogram::new(&[0.001, 0.5]).snapshot());
        assert_eq!(
            page.finish(),
            "w_bucket{le=\"0.001\"} 0\nw_bucket{le=\"0.5\"} 0\nw_bucket{le=\"+Inf\"} 0\n\
             w_sum 0\nw_count 0\n"
        );
    }

    #[test]
    fn label_values_and_help_are_escaped() {
        let mut page = Exposition::default();
        page.family("m", Kind::Counter, "a \\ b\nc");
        page.sample("m", &[("x", "q\"u\\o\nte")], 1.0);
        assert_eq!(
            page.finish(),
            "# HELP m a \\\\ b\\nc\n# TYPE m counter\nm{x=\"q\\\"u\\\\o\\nte\"} 1\n"
        );
    }

    #[test]
    fn numbers_are_written_as_the_format_reads_them() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.0025), "0.0025");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NAN), "NaN");
    }
}
