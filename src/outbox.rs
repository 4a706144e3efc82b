//! The outbox: every text the hotline sends is first stored, then delivered by this worker, so
//! a crash between deciding and sending loses nothing. Without a provider configured, delivery
//! is to the console (the log), so the whole system can be tried without an account.

use std::sync::Arc;
use std::time::Duration;

use hotline_schedules::PhoneNumber;

use crate::clock::Clock;
use crate::crypto::DataKey;
use crate::store::{OutboxMessage, Store, StoreResult};

/// How often the worker looks for messages to send.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Tries before a message is given up and left for a person to see.
pub const MAX_ATTEMPTS: i64 = 5;

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// Written to the log: for trying the hotline without a provider.
    Console,
}

pub struct Outbox {
    pub store: Arc<dyn Store>,
    pub data_key: DataKey,
    pub clock: Arc<dyn Clock>,
    pub delivery: Delivery,
}

impl Outbox {
    /// Sends what is pending until `stop` says so, then sends what is left once more. A pass is
    /// never cut short, so a message is never sent and then left unmarked.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(error) = self.send_pending().await {
                tracing::warn!(%error, "the outbox could not be read; will try again");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = stop.changed() => break,
            }
        }
        // Texts queued by the last webhooks go out before the server stops.
        if let Err(error) = self.send_pending().await {
            tracing::warn!(%error, "the outbox could not be emptied; it will be on the next start");
        }
    }

    /// Sends every pending message once; returns how many were sent.
    pub async fn send_pending(&self) -> StoreResult<usize> {
        let mut sent = 0;
        for message in self.store.pending_outbox(50).await? {
            match self.deliver(&message) {
                Ok(provider_sid) => {
                    self.store
                        .mark_outbox_sent(message.id, &provider_sid, self.clock.now())
                        .await?;
                    sent += 1;
                }
                Err(error) => {
                    let give_up = message.attempts + 1 >= MAX_ATTEMPTS;
                    tracing::warn!(outbox_id = message.id, %error, give_up, "a message could not be sent");
                    self.store
                        .mark_outbox_attempt_failed(message.id, give_up)
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    fn deliver(&self, message: &OutboxMessage) -> anyhow::Result<String> {
        let to = self.data_key.open(&message.to_sealed)?;
        let body = self.data_key.open(&message.body_sealed)?;
        match self.delivery {
            Delivery::Console => {
                let to = PhoneNumber::parse(&to)
                    .map(|n| n.masked())
                    .unwrap_or_else(|_| "(not a phone number)".into());
                tracing::info!(outbox_id = message.id, channel = %message.channel, %to, %body, "console outbox: message");
                Ok(format!("console-{}", message.id))
            }
        }
    }
}
