//! The table the benchmark prints, one per store.

use crate::load::{Mode, RunFigures};
use crate::requests::Endpoint;
use crate::server::Memory;
use crate::{Args, StoreKind};

/// The 1-, 5- and 15-minute load averages: the machine may be shared, so every figure carries it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "?".to_owned())
}

pub fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

pub fn print(
    store: StoreKind,
    args: &Args,
    figures: &[RunFigures],
    idle: Memory,
    under_load: Memory,
    kept: &crate::durability::Kept,
) {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!();
    println!(
        "== {store:?}: {} s per run, fixed rate {}/s (open loop, latency from the due time), \
         saturation {} connections (closed loop); {cores} cores, load bench on 1 thread",
        args.seconds, args.rate, args.connections
    );
    println!(
        "{:<44} {:<12} {:>8} {:>6} {:>10} {:>8} {:>8} {:>9} {:>8}  load avg",
        "endpoint", "mode", "ok", "failed", "req/s", "p50 ms", "p99 ms", "max ms", "/healthz"
    );
    for run in figures {
        let ratio = ratio_to_healthz(figures, run).map_or("-".to_owned(), |r| format!("{r:.3}"));
        let mode = mode_label(run.mode);
        println!(
            "{:<44} {:<12} {:>8} {:>6} {:>10.0} {:>8.2} {:>8.2} {:>9.2} {:>8}  {}{}",
            run.endpoint.label(),
            mode,
            run.ok,
            run.failed,
            run.throughput(),
            ms(run.latency.value_at_quantile(0.50)),
            ms(run.latency.value_at_quantile(0.99)),
            ms(run.latency.max()),
            ratio,
            run.load_average,
            if run.exhausted {
                " (ran out of prepared calls)"
            } else {
                ""
            },
        );
    }
    println!(
        "server memory: idle {:.1} MB resident; under load up to {:.1} MB (sampled every 100 ms), \
         high-water mark {:.1} MB",
        idle.rss_kb as f64 / 1024.0,
        under_load.rss_kb as f64 / 1024.0,
        under_load.hwm_kb as f64 / 1024.0
    );
    println!(
        "after SIGKILL: {} of {} answered calls kept, {} of {} answered texts kept{}",
        kept.calls_kept,
        kept.calls_answered,
        kept.texts_kept,
        kept.texts_answered,
        if kept.calls_kept >= kept.calls_answered as i64
            && kept.texts_kept >= kept.texts_answered as i64
        {
            ""
        } else {
            "  <-- ANSWERED BUT NOT KEPT"
        }
    );
    if let Some(deadlocks) = kept.deadlocks {
        println!("PostgreSQL deadlocks (each held its writes a second): {deadlocks}");
    }
    if kept.apologies.is_empty() {
        println!("apologies (store failures on a caller's path): none");
    } else {
        println!("apologies: {}", kept.apologies.join("; "));
    }
}

pub fn mode_label(mode: Mode) -> String {
    match mode {
        Mode::WarmUp(rate) => format!("warm-up {rate}"),
        Mode::Rate(rate) => format!("rate {rate}"),
        Mode::Saturation(n) => format!("saturate {n}"),
    }
}

/// A run's throughput over `/healthz`'s in the same mode on the same server, if measured.
pub fn ratio_to_healthz(figures: &[RunFigures], run: &RunFigures) -> Option<f64> {
    figures
        .iter()
        .find(|f| f.endpoint == Endpoint::Healthz && same_mode(f.mode, run.mode))
        .map(|healthz| run.throughput() / healthz.throughput())
}

pub fn same_mode(a: Mode, b: Mode) -> bool {
    matches!(
        (a, b),
        (Mode::WarmUp(_), Mode::WarmUp(_))
            | (Mode::Rate(_), Mode::Rate(_))
            | (Mode::Saturation(_), Mode::Saturation(_))
    )
}
