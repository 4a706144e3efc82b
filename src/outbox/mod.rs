//! The outbox: every text the hotline sends is first a row, then sent by this worker, so a crash
//! between deciding and sending loses nothing. Without a provider configured, delivery is to
//! the console (the log), so the whole system can be tried without an account.
//!
//! ## States
//! `queued` → `sending` (claimed by one worker until its lease ends) → `sent` (the provider has
//! it: we hold its SID) → `delivered` | `failed` | `undeliverable`, the last three also from the
//! provider's status callbacks. An attempt that may be tried again puts the message back to
//! `queued` with a later `next_attempt_at` (backoff with jitter, never before `Retry-After`);
//! a refusal (a 4xx with Twilio's code) ends it at once: `undeliverable` for an opt-out (21610)
//! or WhatsApp's 24-hour window (63016), `failed` otherwise, with the code and a sentence for
//! the coordinator ([`crate::store::Store::failed_outbox`]).
//!
//! ## Sent once, across crashes
//! Twilio has no idempotency key for messages, so the outbox keeps track of doubt instead:
//! - The claim is one conditional UPDATE with a lease ([`LEASE`] unless `HOTLINE_LEASE_SECONDS`
//!   says otherwise; the client's time limits are cut to fit in it, [`request_limits`]),
//!   so two workers never hold a message at once; a worker that loses its lease cannot requeue
//!   or fail the message any more (the attempt count fences it).
//! - The SID is stored the moment the create answers. An error that proves nothing was created
//!   (no connection, 429, 401, 4xx) retries plainly. An error after which the provider may
//!   have created it (a timeout, a 5xx, an unreadable answer), and a crash while `sending`
//!   (found as an expired lease), mark the message *uncertain since* that attempt began.
//! - Before sending an uncertain message again, the worker waits for the provider's records to
//!   settle and lists the messages to that number, page after page (newest first) back to the
//!   doubtful attempt: one with the same body, created since it (give or take clock skew) and
//!   not already some other row's, is adopted as this one's SID instead of sending. A look-up
//!   that does not finish in its third of the lease is a failed one, tried again later.
//! - Each message's status callback URL carries `?outbox=ID`, so even a message whose create
//!   answer was lost and whose look-up missed it gets its SID when the provider reports on it.
//!
//! ## What can still go wrong (honestly)
//! - Sent twice: if the provider created the message but its list does not show it yet when
//!   looked up (past the settle time), or if more texts went to that number since the doubtful
//!   attempt than a look-up reads ([`crate::telephony::client::LOOK_UP_PAGES`] pages; then it
//!   is sent again with an error in the log: a reminder twice is better than a reminder never),
//!   or if a worker stalls (the process suspended) *after* its claim and *before* its request
//!   leaves, longer than the lease, and then resumes and sends while another worker already
//!   did. All are rare; the second SID is logged as an error ("sent twice") when it is
//!   recorded.
//! - Taken for sent without being sent: if the same body went to the same number from the same
//!   hotline number by other means (not this outbox) inside the look-up window.
//! - Rate limits are per server instance. A pass claims no more than they let go: once they
//!   are spent, the rest wait unclaimed for the next pass.
//!
//! ## Her consent, at the moment of sending
//! A row with a `contact_hash` goes to a caller (a callback row ends in a call to her). Just
//! before each attempt the worker reads her latest consent for the row's channel (`sms`,
//! `whatsapp`; a `callback` is a call, so `voice`) and [`hotline_routes::consent::decide`]s:
//! outside her safe hours the row is handed back uncounted until they next open; without a
//! granted, unexpired consent (never given, STOP, expired) it ends `withheld`, never sent, with
//! the reason on the row. So a withdrawn consent stops everything already queued.
//!
//! It must never log a recipient's number unmasked, and never drop a message silently: every
//! message ends delivered, or visible to the coordinator as failed or undeliverable, or
//! `withheld` with the reason her consent gave.

mod delivery;
mod limits;
pub mod retry;
pub mod status;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

pub use delivery::{CALLBACK_CHANNEL, Delivery, LookUp, TwilioDelivery, address};
pub use limits::{RateLimits, RateSettings};
pub use retry::RetrySettings;

use crate::clock::Clock;
use crate::consent_words::opted_out_at_provider;
use crate::crypto::DataKey;
use crate::store::{
    Channel, OutboxFailure, OutboxMessage, OutboxRetry, OutboxStatus, Store, StoreResult,
};
use crate::telephony::client::{ProviderError, UNREACHABLE};
use hotline_routes::consent::{Decision, decide};
use retry::Verdict;

/// How often the worker looks for messages to send.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long a claim holds unless `HOTLINE_LEASE_SECONDS` says otherwise.
pub const LEASE: Duration = Duration::from_secs(120);
// The default leaves the client its full time limits.
const _: () = assert!(LEASE.as_secs() >= 3 * crate::telephony::client::REQUEST_TIMEOUT.as_secs());

/// The client's time limits (to connect, for a whole request) under a lease of `lease`: a
/// request must be over, answered or cut off, well before the claim ends, or another worker
/// could send the message while this one's request is still on its way. A claim's time is
/// shared out in thirds: the look-up (all its pages), the send, and the rest for the database.
pub fn request_limits(lease: Duration) -> (Duration, Duration) {
    let request = crate::telephony::client::REQUEST_TIMEOUT.min(lease / 3);
    (
        crate::telephony::client::CONNECT_TIMEOUT.min(request),
        request,
    )
}

/// How long a look-up may take in all, its pages together: its third of the lease.
fn look_up_limit(lease: Duration) -> Duration {
    lease / 3
}
/// Messages claimed in one pass, oldest first.
pub const BATCH: i64 = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxSettings {
    pub retry: RetrySettings,
    pub rates: RateSettings,
    /// The hotline's zone: her safe hours are read on its wall clock.
    pub zone: chrono_tz::Tz,
    /// How long a claim holds: a message a crashed worker held is sent again after it. The
    /// provider client's limits must fit in it ([`request_limits`]).
    pub lease: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            retry: RetrySettings::default(),
            rates: RateSettings::default(),
            zone: hotline_schedules::HOTLINE_ZONE,
            lease: LEASE,
        }
    }
}

pub struct Outbox {
    store: Arc<dyn Store>,
    data_key: DataKey,
    clock: Arc<dyn Clock>,
    delivery: Delivery,
    settings: OutboxSettings,
    limits: Mutex<RateLimits>,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    /// Found already at the provider after a doubtful attempt, so not sent again.
    pub found: usize,
    pub retried: usize,
    pub ended: usize,
    /// Held back by a rate limit, or until the provider's records settle after a crash.
    pub deferred: usize,
    /// Held until her safe hours open.
    pub held: usize,
    /// Ended unsent: her consent did not allow it.
    pub withheld: usize,
}

enum Outcome {
    Sent,
    Found,
    Retried,
    Ended,
    Deferred,
    Held,
    Withheld,
    /// Someone else took the message over meanwhile.
    Lost,
}

impl Outbox {
    pub fn new(
        store: Arc<dyn Store>,
        data_key: DataKey,
        clock: Arc<dyn Clock>,
        delivery: Delivery,
        settings: OutboxSettings,
    ) -> Self {
        let limits = Mutex::new(RateLimits::new(settings.rates));
        Self {
            store,
            data_key,
            clock,
            delivery,
            settings,
            limits,
        }
    }

    /// Sends what is due until `stop` says so, then once more. A pass is never cut short, so a
    /// message is never sent and then left unmarked.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(error) = self.send_due().await {
                tracing::warn!(%error, "the outbox could not be read; will try again");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = stop.changed() => break,
            }
        }
        // Texts queued by the last webhooks go out before the server stops.
        if let Err(error) = self.send_due().await {
            tracing::warn!(%error, "the outbox could not be emptied; it will be on the next start");
        }
    }

    /// Makes one attempt at every message due now.
    pub async fn send_due(&self) -> StoreResult<Pass> {
        let mut pass = Pass::default();
        for due in self.store.due_outbox(self.clock.now(), BATCH).await? {
            let now = self.clock.now();
            if !self.has_room(now) {
                // Nothing more can go in this pass. The rest stay queued, unclaimed: a claim
                // only to release it is two synced writes a text, each one a turn the
                // webhooks' writes would wait behind on SQLite.
                break;
            }
            let lease_until = now + retry::chrono_duration(self.settings.lease);
            let Some(message) = self.store.claim_outbox(due.id, now, lease_until).await? else {
                continue;
            };
            match self.attempt(&message, now).await? {
                Outcome::Sent => pass.sent += 1,
                Outcome::Found => pass.found += 1,
                Outcome::Retried => pass.retried += 1,
                Outcome::Ended => pass.ended += 1,
                Outcome::Deferred => pass.deferred += 1,
                Outcome::Held => pass.held += 1,
                Outcome::Withheld => pass.withheld += 1,
                Outcome::Lost => {}
            }
        }
        if pass.sent > 0 {
            let now = self.clock.now();
            let hurried = self.store.hurry_outbox(UNREACHABLE, now).await?;
            if hurried > 0 {
                tracing::info!(
                    hurried,
                    "the provider answers again: texts held back by its outage go now"
                );
            }
        }
        Ok(pass)
    }

    fn has_room(&self, now: DateTime<Utc>) -> bool {
        match self.limits.lock() {
            Ok(mut limits) => limits.has_room(now),
            // As `attempt` does: a poisoned limit holds nothing back.
            Err(_) => true,
        }
    }

    async fn attempt(&self, message: &OutboxMessage, now: DateTime<Utc>) -> StoreResult<Outcome> {
        let (id, attempt) = (message.id, message.attempts);
        if let Some(stopped) = self.weigh_consent(message, now).await? {
            return Ok(stopped);
        }
        if let Some(settled_at) = self.settles_at(message, now) {
            return Ok(
                if self.store.release_outbox(id, attempt, settled_at).await? {
                    Outcome::Deferred
                } else {
                    Outcome::Lost
                },
            );
        }
        let opened = self
            .data_key
            .open(&message.to_sealed)
            .and_then(|to| Ok((to, self.data_key.open(&message.body_sealed)?)));
        let Ok((to, body)) = opened else {
            let failure = OutboxFailure {
                status: OutboxStatus::Failed,
                error_code: None,
                error_message: "the message cannot be opened with this server's data key".into(),
                at: now,
            };
            return self.end(id, attempt, &failure).await;
        };
        let turn = match self.limits.lock() {
            Ok(mut limits) => limits.take(&to, now),
            Err(_) => Ok(()),
        };
        if let Err(free_at) = turn {
            return Ok(if self.store.release_outbox(id, attempt, free_at).await? {
                Outcome::Deferred
            } else {
                Outcome::Lost
            });
        }
        if let Some(since) = message.uncertain_since {
            let looked = tokio::time::timeout(
                look_up_limit(self.settings.lease),
                self.delivery.look_up(&message.channel, &to, &body, since),
            )
            .await
            .unwrap_or_else(|_| {
                Err(ProviderError::Unknown {
                    reason: "looking for an earlier attempt at the provider took too long".into(),
                    retry_after: None,
                })
            });
            match looked {
                Ok(found) => {
                    for sid in &found.sids {
                        if self.store.outbox_by_sid(sid).await?.is_none() {
                            tracing::info!(outbox_id = id, %sid, "an earlier attempt had reached the provider: not sending again");
                            self.record_sent(id, sid, now).await?;
                            return Ok(Outcome::Found);
                        }
                    }
                    if !found.complete {
                        // A second copy is a nuisance; a reminder of a missed contact held back
                        // until it is given up leaves her unanswered. So it goes, loudly.
                        tracing::error!(
                            outbox_id = id,
                            pages = found.pages,
                            "the provider lists more texts to this number since the doubtful \
                             attempt than a look-up reads: sending again, which may send it twice"
                        );
                    }
                }
                Err(error) => return self.after_failure(message, &error, now).await,
            }
        }
        let private = delivery::carries_private_words(message);
        match self
            .delivery
            .send(id, &message.channel, &to, &body, private)
            .await
        {
            Ok(sid) => {
                self.record_sent(id, &sid, now).await?;
                Ok(Outcome::Sent)
            }
            Err(error) => self.after_failure(message, &error, now).await,
        }
    }

    /// When a message in doubt may be looked up, if not yet: a crashed worker's doubt is found
    /// when its lease runs out, and a lease shorter than the settle time would look before the
    /// provider's list shows the text. (After a failed attempt the retry waits for it already.)
    fn settles_at(&self, message: &OutboxMessage, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let settled_at =
            message.uncertain_since? + retry::chrono_duration(self.settings.retry.settle);
        (now < settled_at).then_some(settled_at)
    }

    /// Her consent now, for a row to her: `None` to go on and send, else what became of it.
    async fn weigh_consent(
        &self,
        message: &OutboxMessage,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Outcome>> {
        let Some(contact_hash) = &message.contact_hash else {
            return Ok(None);
        };
        let latest = match consent_channel(&message.channel) {
            Some(channel) => self.store.latest_consent(contact_hash, channel).await?,
            // A row to her on a channel no consent can name is never sent.
            None => None,
        };
        let terms = latest.map(|consent| consent.terms());
        let (id, attempt) = (message.id, message.attempts);
        match decide(terms.as_ref(), now, self.settings.zone) {
            Decision::Send => Ok(None),
            Decision::HoldUntil(opens) => {
                tracing::info!(
                    outbox_id = id,
                    channel = %message.channel,
                    until = %opens,
                    "outside her safe hours: held until they open"
                );
                let released = self.store.release_outbox(id, attempt, opens).await?;
                Ok(Some(if released {
                    Outcome::Held
                } else {
                    Outcome::Lost
                }))
            }
            Decision::Withhold(reason) => {
                tracing::info!(
                    outbox_id = id,
                    channel = %message.channel,
                    reason = reason.as_str(),
                    "her consent does not allow it: withheld, not sent"
                );
                let withheld = OutboxFailure {
                    status: OutboxStatus::Withheld,
                    error_code: None,
                    error_message: reason.explain().to_owned(),
                    at: now,
                };
                let ended = self.store.fail_outbox(id, attempt, &withheld).await?;
                Ok(Some(if ended {
                    Outcome::Withheld
                } else {
                    Outcome::Lost
                }))
            }
        }
    }

    async fn after_failure(
        &self,
        message: &OutboxMessage,
        error: &ProviderError,
        now: DateTime<Utc>,
    ) -> StoreResult<Outcome> {
        let jitter = rand::rng().random::<f64>();
        match retry::judge(&self.settings.retry, error, message.attempts, now, jitter) {
            Verdict::Retry(retry) => self.requeue(message, &retry).await,
            Verdict::GiveUp(failure) => self.end(message.id, message.attempts, &failure).await,
        }
    }

    async fn requeue(&self, message: &OutboxMessage, retry: &OutboxRetry) -> StoreResult<Outcome> {
        tracing::warn!(
            outbox_id = message.id,
            attempt = message.attempts,
            error = %retry.error_message,
            next_attempt_at = %retry.next_attempt_at,
            "a message could not be sent; it will be tried again"
        );
        Ok(
            if self
                .store
                .retry_outbox(message.id, message.attempts, retry)
                .await?
            {
                Outcome::Retried
            } else {
                Outcome::Lost
            },
        )
    }

    async fn end(&self, id: i64, attempt: i64, failure: &OutboxFailure) -> StoreResult<Outcome> {
        tracing::warn!(
            outbox_id = id,
            status = %failure.status,
            code = failure.error_code,
            error = %failure.error_message,
            "a message was given up; the coordinator can see it"
        );
        let ended = self.store.fail_outbox(id, attempt, failure).await?;
        if ended && failure.error_code == Some(status::OPTED_OUT) {
            self.note_opt_out(id, failure.at).await?;
        }
        Ok(if ended { Outcome::Ended } else { Outcome::Lost })
    }

    /// The provider says she opted out: her consent is withdrawn (`consent_words`).
    async fn note_opt_out(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        if let Some(message) = self.store.outbox_message(id).await?
            && opted_out_at_provider(self.store.as_ref(), &message, at).await?
        {
            tracing::info!(
                outbox_id = id,
                "the provider says she opted out; her consent is withdrawn"
            );
        }
        Ok(())
    }

    /// Keeps the provider's id; a message that has another already was sent twice.
    async fn record_sent(&self, id: i64, sid: &str, now: DateTime<Utc>) -> StoreResult<()> {
        if self.store.mark_outbox_sent(id, sid, now).await? {
            return Ok(());
        }
        let known = self.store.outbox_message(id).await?;
        match known.and_then(|m| m.provider_sid) {
            Some(held) if held == sid => {}
            Some(held) => tracing::error!(
                outbox_id = id,
                %sid,
                first_sid = %held,
                "a message was sent twice: a lapsed attempt had reached the provider unseen"
            ),
            None => tracing::warn!(outbox_id = id, %sid, "a sent message could not be marked sent"),
        }
        Ok(())
    }
}

/// The consent that governs a row's channel: a text's own, and a callback's is her consent to be
/// called.
fn consent_channel(outbox_channel: &str) -> Option<Channel> {
    if outbox_channel == CALLBACK_CHANNEL {
        return Some(Channel::Voice);
    }
    Channel::from_name(outbox_channel).filter(|channel| *channel != Channel::Voice)
}
