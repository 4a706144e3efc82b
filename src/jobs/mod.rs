//! Work the server does on its own, on a timer: each job is a loop that stops when told, and
//! never cuts a pass short.

pub mod reminders;
pub mod retention;
pub mod runner;
pub mod watchdog;

use std::future::Future;
use std::time::Duration;

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
