//! `hotline-load`: the load benchmark of issue 9. Starts a release `hotline serve` on a fresh
//! SQLite file or PostgreSQL database, imports the example rota, and drives it with signed
//! webhooks (each a new call or text) at a fixed rate (open loop, latency from the scheduled
//! send time) and at saturation (closed loop), beside `GET /healthz` on the same server, each
//! endpoint after a warm-up at the fixed rate that is shown apart. Prints
//! throughput, p50/p99 and memory; checks after killing the server that every answered call and
//! text was kept. Figures only: nothing here passes or fails on a number.

mod durability;
mod load;
mod report;
mod requests;
mod server;
mod summary;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use load::{Mode, RunFigures};
use requests::Endpoint;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

#[derive(Debug, Parser)]
#[command(
    name = "hotline-load",
    about = "Load benchmark of the hotline's webhooks"
)]
pub struct Args {
    /// Which stores to measure (repeat for both); both when not given.
    #[arg(long, value_enum)]
    pub store: Vec<StoreKind>,
    /// Requests per second of the fixed-rate runs.
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// Seconds of each run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Rounds of the whole measurement, each on fresh servers; with more than one, each
    /// figure's median and range over them is printed at the end (the machine's speed moves).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,
    /// Seconds of the warm-up at the fixed rate before each endpoint's runs, shown apart (0 for
    /// none).
    #[arg(long, default_value_t = 1)]
    pub warm_up: u64,
    /// Connections of the saturation runs, each sending its next request when answered.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// The server binary; by default `hotline` beside this one, built first with
    /// `cargo build --release --bin hotline` so it is never stale.
    #[arg(long)]
    pub hotline: Option<PathBuf>,
    /// A PostgreSQL URL allowed to create databases; each run gets a fresh one, dropped after.
    #[arg(
        long,
        env = "HOTLINE_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    pub postgres_url: String,
    /// The rota imported before the runs, so a rota lookup really happens.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/rota.toml"))]
    pub rota: PathBuf,
    /// Only these endpoints (repeat); all when not given.
    #[arg(long, value_enum)]
    pub endpoint: Vec<Endpoint>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // One thread for the load, so the server keeps the other core of a small machine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Absolute, since the server runs in its database's folder.
    let hotline = match &args.hotline {
        Some(path) => std::fs::canonicalize(path)?,
        None => server::build_release()?,
    };
    let rota = std::fs::canonicalize(&args.rota)?;
    let stores = if args.store.is_empty() {
        vec![StoreKind::Sqlite, StoreKind::Postgres]
    } else {
        args.store.clone()
    };
    let endpoints = if args.endpoint.is_empty() {
        Endpoint::ALL.to_vec()
    } else {
        args.endpoint.clone()
    };
    let mut rounds = summary::Rounds::default();
    for round in 1..=args.rounds {
        if args.rounds > 1 {
            println!("\n#### round {round} of {}", args.rounds);
        }
        // Both stores in each round, so that each meets the machine as the other did.
        for &store in &stores {
            let figures = measure(&args, &hotline, &rota, store, &endpoints).await?;
            rounds.add(store, &figures);
        }
    }
    if args.rounds > 1 {
        rounds.print();
    }
    Ok(())
}

/// One store's runs on a server of its own: prints its table and gives its figures.
async fn measure(
    args: &Args,
    hotline: &std::path::Path,
    rota: &std::path::Path,
    store: StoreKind,
    endpoints: &[Endpoint],
) -> anyhow::Result<Vec<RunFigures>> {
    let span = Duration::from_secs(args.seconds);
    let database = server::Database::fresh(store, &args.postgres_url).await?;
    let mut served = server::Served::start(hotline, &database, rota).await?;
    let idle = served.memory()?;
    let sampler = served.sample_memory();
    let mut figures: Vec<RunFigures> = Vec::new();
    let mut prepared_calls = 0u64;
    for &endpoint in endpoints {
        let warm_up = (args.warm_up > 0).then_some(Mode::WarmUp(args.rate));
        let modes = [Mode::Rate(args.rate), Mode::Saturation(args.connections)];
        for mode in warm_up.into_iter().chain(modes) {
            let source = std::sync::Arc::new(requests::Source::new(
                endpoint,
                served.base(),
                figures.len() as u32,
                matches!(mode, Mode::WarmUp(_)),
            ));
            let span = match mode {
                Mode::WarmUp(_) => Duration::from_secs(args.warm_up),
                _ => span,
            };
            if endpoint == Endpoint::VoiceService {
                let wanted = match mode {
                    Mode::WarmUp(rate) | Mode::Rate(rate) => u64::from(rate) * span.as_secs(),
                    // More than the step has yet reached, so the run measures the server.
                    Mode::Saturation(_) => 10_000 * args.seconds,
                };
                prepared_calls += source.prepare_calls(wanted, args.connections).await?;
            }
            let load_average = report::load_average();
            let run = load::run(&source, mode, span).await;
            figures.push(RunFigures {
                load_average,
                ..run
            });
        }
    }
    let under_load = sampler.stop().await;
    let kept = durability::check(&mut served, &database, &figures, prepared_calls).await?;
    report::print(store, args, &figures, idle, under_load, &kept);
    database.drop_if_postgres(&args.postgres_url).await;
    Ok(figures)
}
