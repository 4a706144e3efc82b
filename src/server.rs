//! `hotline serve`: opens the store, starts the outbox, and answers HTTP until told to stop,
//! finishing the webhooks in flight before it exits.

use std::sync::Arc;

use anyhow::Context;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::clock::SystemClock;
use crate::config::ServeArgs;
use crate::jobs::{self, watchdog};
use crate::metrics::Metrics;
use crate::outbox::{Delivery, Outbox, OutboxSettings, RateSettings, TwilioDelivery};
use crate::secrets::Secrets;
use crate::telephony::client::{TwilioClient, is_account_sid};
use crate::web::{self, AppState};

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let secrets = Secrets::load(&args.secrets).context("loading secrets")?;
    let store = crate::store::open(&args.database.database_url)
        .await
        .context("opening the database")?;
    if let Some(key_id) = crate::key_check::foreign_key(store.as_ref(), &secrets.data_key).await? {
        anyhow::bail!(
            "the database holds values sealed with key {key_id}, which this server does not hold \
             (its own is {}): start it with the same HOTLINE_SECRET_KEY (or secrets file) as the \
             server that wrote them, and HOTLINE_PREVIOUS_SECRET_KEYS while a rotation is under way",
            secrets.data_key.id_hex()
        );
    }
    let sealed = crate::legacy_notes::seal(store.as_ref(), &secrets.data_key)
        .await
        .context("sealing notes written before notes were sealed")?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed the notes written before notes were sealed");
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    let clock = Arc::new(SystemClock);
    let state = AppState {
        store: store.clone(),
        secrets: Arc::new(secrets.clone()),
        public_url: args.public_url.clone().map(Arc::new),
        metrics: Arc::new(Metrics::default()),
        clock: clock.clone(),
        prompts_dir: args.prompts_dir.as_path().into(),
        reminders: Arc::new(args.reminders.settings()),
        schedule: Arc::new(args.schedule.settings()),
        trusted_proxies: args.trusted_proxies.clone(),
    };
    let delivery = delivery(&args)?;
    // Voicemails' audio is fetched with the same account, and the same time limits.
    let recordings_client = match &delivery {
        Delivery::Twilio(twilio) => Some(twilio.client.clone()),
        Delivery::Console => None,
    };
    let settings = OutboxSettings {
        rates: RateSettings {
            per_second: args.outbox.outbox_per_second,
            burst: args.outbox.outbox_burst,
            per_recipient_per_minute: args.outbox.outbox_per_recipient_per_minute,
        },
        // Her safe hours are read on the hotline's clock.
        zone: args.schedule.timezone,
        lease: args.lease(),
        ..OutboxSettings::default()
    };
    let outbox = Arc::new(Outbox::new(
        store,
        secrets.data_key.clone(),
        clock,
        delivery,
        settings,
    ));
    let (stop_jobs, stop) = tokio::sync::watch::channel(false);
    let sending = tokio::spawn(outbox.run(stop.clone()));
    let job_settings = jobs::runner::JobSettings {
        lease: args.lease(),
        ..jobs::runner::JobSettings::default()
    };
    let jobs = jobs::Jobs::with_provider(&state, job_settings, recordings_client);
    jobs.start()
        .await
        .context("scheduling the digest and the rota's watch")?;
    let running = tokio::spawn(jobs.runner.clone().run(stop.clone()));
    let watched = state.clone();
    let watching = tokio::spawn(jobs::every(watchdog::INTERVAL, stop, move || {
        let state = watched.clone();
        async move {
            if let Err(error) = watchdog::close_stale_calls(&state).await {
                tracing::warn!(%error, "the watchdog could not look at unfinished calls; will try again");
            }
        }
    }));
    let shutdown = shutdown_signal();
    offer_first_sign_in(&state, address).await?;
    announce(&args, address, &secrets);
    // The peer's address is what sign-in throttling counts failures from.
    let app = web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    let _ = stop_jobs.send(true);
    let _ = tokio::join!(sending, watching, running);
    tracing::info!("stopped");
    Ok(())
}

/// Twilio when its account and token are set, the console otherwise.
fn delivery(args: &ServeArgs) -> anyhow::Result<Delivery> {
    let (Some(account_sid), Some(token)) = (
        args.twilio_account_sid.as_deref().filter(|s| !s.is_empty()),
        args.secrets
            .twilio_auth_token
            .as_deref()
            .filter(|s| !s.is_empty()),
    ) else {
        return Ok(Delivery::Console);
    };
    anyhow::ensure!(
        is_account_sid(account_sid),
        "TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits"
    );
    let from = args
        .twilio_from_number
        .as_deref()
        .context("TWILIO_FROM_NUMBER (the hotline number texts come from) must be set with TWILIO_ACCOUNT_SID")?;
    let from = hotline_schedules::PhoneNumber::parse(from.trim_start_matches("whatsapp:"))
        .context("TWILIO_FROM_NUMBER")?;
    // Each request is over before the claim on its text is.
    let (connect, request) = crate::outbox::request_limits(args.lease());
    let client = TwilioClient::with_timeouts(
        args.twilio_api_base.clone(),
        account_sid,
        SecretString::from(token.to_owned()),
        connect,
        request,
    )?;
    let status_callback = args
        .public_url
        .as_ref()
        // As the webhook gate reads it: the public URL, then the path.
        .map(|url| {
            let base = url.as_str().trim_end_matches('/');
            url::Url::parse(&format!("{base}/webhooks/messages/status"))
        })
        .transpose()?;
    if status_callback.is_none() {
        tracing::warn!("HOTLINE_PUBLIC_URL is not set: texts are sent without delivery reports");
    }
    tracing::info!(api = %args.twilio_api_base, "texts go out through the provider");
    Ok(Delivery::Twilio(Box::new(TwilioDelivery {
        client,
        from: from.as_e164().to_owned(),
        status_callback,
        public_url: args.public_url.clone(),
    })))
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

/// With nobody able to sign in yet, prints a one-time link where the first coordinator sets a
/// password. Printed, not logged: it is a key for a day.
async fn offer_first_sign_in(
    state: &AppState,
    address: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let base = match &state.public_url {
        Some(url) => url::Url::clone(url),
        None => url::Url::parse(&format!("http://127.0.0.1:{}/", address.port()))?,
    };
    let link = web::pages::first_coordinator_link(state.store.as_ref(), &base, state.clock.now())
        .await
        .context("making the first coordinator's sign-in link")?;
    if let Some(link) = link {
        println!(
            "No one can sign in yet. The first coordinator sets a password here (once, within 24 hours): {link}"
        );
    }
    Ok(())
}

/// Listens for SIGINT and SIGTERM from the moment it is called, and resolves on the first;
/// axum then stops accepting and finishes what is in flight. Called before the server says it
/// is listening, so a stop sent as soon as it says so is a graceful one, not the default death.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (terminate, interrupt) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let received = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = received(terminate) => {},
                () = received(interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing the requests in flight");
    }
}
