//! Work the server does on its own, on a timer: each job is a loop that stops when told, and
//! never cuts a pass short.

pub mod audit_watch;
pub mod digest;
pub mod duty_watch;
pub mod planned;
pub mod recordings;
pub mod recurring;
pub mod reminders;
pub mod retention;
pub mod rota_watch;
pub mod runner;
pub mod settings;
pub mod watchdog;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hotline_schedules::Cadence;

use crate::clock::Clock;
use crate::web::AppState;

/// Runs `pass` every `interval` until `stop` says so.
pub async fn every<F, Fut>(
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        pass().await;
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Every kind of job this server runs: the runner that runs them, and the recurring work it
/// must start.
pub struct Jobs {
    pub runner: Arc<runner::Runner>,
    recurring: Vec<Arc<recurring::Recurring>>,
    clock: Arc<dyn Clock>,
}

impl Jobs {
    /// Without a provider: voicemails' audio is not fetched.
    pub fn new(state: &AppState, settings: runner::JobSettings) -> Self {
        Self::with_provider(state, settings, None)
    }

    /// With the provider's client, when an account is configured, to fetch voicemails' audio.
    pub fn with_provider(
        state: &AppState,
        settings: runner::JobSettings,
        provider: Option<crate::telephony::client::TwilioClient>,
    ) -> Self {
        let store = state.store.clone();
        let clock = state.clock.clone();
        let recurring = |kind, cadence, work: Arc<dyn recurring::Work>| {
            Arc::new(recurring::Recurring::new(
                kind,
                cadence,
                store.clone(),
                clock.clone(),
                work,
            ))
        };
        let recurring = vec![
            recurring(
                digest::KIND,
                Cadence::Cron(state.schedule.digest.clone(), state.schedule.zone),
                Arc::new(digest::Digest::new(state.clone())),
            ),
            recurring(
                duty_watch::KIND,
                Cadence::Every(duty_watch::EVERY),
                Arc::new(duty_watch::DutyWatch::new(state.clone())),
            ),
            recurring(
                retention::KIND,
                Cadence::Cron(
                    hotline_schedules::Recurrence::parse(retention::NIGHTLY)
                        .unwrap_or_else(|_| unreachable!("{} parses", retention::NIGHTLY)),
                    state.schedule.zone,
                ),
                Arc::new(retention::Retention::new(state.clone())),
            ),
            recurring(
                rota_watch::KIND,
                Cadence::Every(rota_watch::EVERY),
                Arc::new(rota_watch::GapWatch::new(state.clone())),
            ),
        ];
        let mut runner = runner::Runner::new(state.store.clone(), state.clock.clone(), settings)
            .with(
                reminders::KIND,
                Arc::new(reminders::Reminders::new(state.clone())),
            )
            .with(
                planned::KIND,
                Arc::new(planned::PlannedFollowUps::new(state.clone())),
            )
            .with(
                recordings::KIND,
                Arc::new(recordings::Recordings::new(state.clone(), provider)),
            );
        for work in &recurring {
            runner = runner.with(work.kind(), work.clone());
        }
        Self {
            runner: Arc::new(runner),
            recurring,
            clock,
        }
    }

    /// Schedules each recurring job's next occurrence (once, however many instances start).
    pub async fn start(&self) -> Result<(), crate::store::StoreError> {
        let now = self.clock.now();
        for work in &self.recurring {
            work.start(now).await?;
        }
        Ok(())
    }
}
