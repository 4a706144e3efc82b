//! `hotline serve`: opens the store, starts the outbox, and answers HTTP until told to stop,
//! finishing the webhooks in flight before it exits.

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::clock::SystemClock;
use crate::config::ServeArgs;
use crate::jobs::{self, watchdog};
use crate::metrics::Metrics;
use crate::outbox::{Delivery, Outbox};
use crate::secrets::Secrets;
use crate::web::{self, AppState};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let secrets = Secrets::load(&args.secrets).context("loading secrets")?;
    let store = crate::store::open(&args.database.database_url)
        .await
        .context("opening the database")?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    let clock = Arc::new(SystemClock);
    let state = AppState {
        store: store.clone(),
        secrets: Arc::new(secrets.clone()),
        public_url: args.public_url.clone(),
        metrics: Arc::new(Metrics::default()),
        clock: clock.clone(),
        prompts_dir: args.prompts_dir.clone(),
    };
    let outbox = Arc::new(Outbox {
        store,
        data_key: secrets.data_key.clone(),
        clock,
        delivery: Delivery::Console,
    });
    let (stop_jobs, stop) = tokio::sync::watch::channel(false);
    let sending = tokio::spawn(outbox.run(stop.clone()));
    let watched = state.clone();
    let watching = tokio::spawn(jobs::every(watchdog::INTERVAL, stop, move || {
        let state = watched.clone();
        async move {
            if let Err(error) = watchdog::close_stale_calls(&state).await {
                tracing::warn!(%error, "the watchdog could not look at unfinished calls; will try again");
            }
        }
    }));
    announce(&args, address, &secrets);
    axum::serve(listener, web::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop_jobs.send(true);
    let _ = tokio::join!(sending, watching);
    tracing::info!("stopped");
    Ok(())
}

fn announce(args: &ServeArgs, address: std::net::SocketAddr, secrets: &Secrets) {
    let backend = args
        .database
        .database_url
        .split(':')
        .next()
        .unwrap_or_default();
    tracing::info!(%address, backend, "hotline is listening");
    match &args.public_url {
        Some(url) => {
            tracing::info!("point your Twilio number's voice webhook at {url}webhooks/voice")
        }
        None => tracing::info!(
            "HOTLINE_PUBLIC_URL is not set: webhooks are checked against the Host they are sent to"
        ),
    }
    if secrets.made_own_signing_token {
        let port = address.port();
        tracing::info!(
            "no Twilio account configured: messages go to this console. Try a call with \
             `hotline simulate call --url http://127.0.0.1:{port}` (it signs with {})",
            args.secrets.secrets_file.display()
        );
    }
}

/// Resolves on SIGINT or SIGTERM; axum then stops accepting and finishes what is in flight.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
