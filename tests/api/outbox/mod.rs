//! The outbox against a provider: Twilio's own description served by prism (every request is
//! one Twilio would accept), a fake Twilio that fails as the real one can (each text still
//! delivered once, none lost, even behind pages of newer texts), the delivery reports that
//! come back, and the server wiring it.
//! Time is the manual clock: a test moves it past a backoff instead of waiting.

mod consent;
mod contract;
mod delivery_reports;
pub mod fake_provider;
mod faults;
mod paging;
mod prism;
mod serving;

use std::sync::Arc;
use std::time::Duration;

use hotline::clock::{Clock, ManualClock};
use hotline::crypto::DataKey;
use hotline::outbox::{Delivery, Outbox, OutboxSettings, TwilioDelivery};
use hotline::store::{NewOutboxMessage, OutboxMessage, Store};
use hotline::telephony::client::TwilioClient;

use crate::databases::TestDatabase;
use crate::helpers::{HOTLINE_NUMBER, PUBLIC_URL};
use fake_provider::{ACCOUNT_SID, Answer, FakeProvider, PROVIDER_TOKEN};

pub const LAWYER: &str = "+77015550101";
pub const COORDINATOR: &str = "+77015550100";
/// The client's time limits here: a hung provider costs a test this much real time.
const CLIENT_LIMIT: Duration = Duration::from_millis(700);

/// A store, a fake provider and an outbox worker wired between them, on one manual clock.
pub struct Rig {
    pub store: Arc<dyn Store>,
    pub data_key: DataKey,
    pub clock: Arc<ManualClock>,
    pub provider: FakeProvider,
    _database: TestDatabase,
}

impl Rig {
    pub async fn new(answers: impl IntoIterator<Item = Answer>) -> Self {
        Self::on(TestDatabase::sqlite(), answers).await
    }

    pub async fn on(database: TestDatabase, answers: impl IntoIterator<Item = Answer>) -> Self {
        let clock = Arc::new(ManualClock::new(
            chrono::DateTime::parse_from_rfc3339("2026-11-24T22:00:00Z")
                .expect("a time")
                .to_utc(),
        ));
        Self {
            store: database.open().await,
            data_key: DataKey::from_hex(&DataKey::generate_hex()).expect("a key"),
            provider: FakeProvider::start(clock.clone(), answers).await,
            clock,
            _database: database,
        }
    }

    /// A worker as `hotline serve` starts one (a new one is a restarted server).
    pub fn outbox(&self) -> Outbox {
        self.outbox_with(OutboxSettings::default())
    }

    pub fn outbox_with(&self, settings: OutboxSettings) -> Outbox {
        self.outbox_to(self.provider.base.clone(), settings)
    }

    pub fn outbox_to(&self, base: url::Url, settings: OutboxSettings) -> Outbox {
        let client = TwilioClient::with_timeouts(
            base,
            ACCOUNT_SID,
            PROVIDER_TOKEN.to_owned().into(),
            CLIENT_LIMIT,
            CLIENT_LIMIT,
        )
        .expect("a client");
        let delivery = Delivery::Twilio(Box::new(TwilioDelivery {
            client,
            from: HOTLINE_NUMBER.to_owned(),
            status_callback: Some(
                url::Url::parse(&format!("{PUBLIC_URL}/webhooks/messages/status")).expect("a URL"),
            ),
            public_url: Some(url::Url::parse(PUBLIC_URL).expect("a URL")),
        }));
        Outbox::new(
            self.store.clone(),
            self.data_key.clone(),
            self.clock.clone(),
            delivery,
            settings,
        )
    }

    /// Queues a text to `to` now; returns its id.
    pub async fn text(&self, key: &str, channel: &str, to: &str, body: &str) -> i64 {
        let message = NewOutboxMessage {
            idempotency_key: key.to_owned(),
            channel: channel.to_owned(),
            to_sealed: self.data_key.seal(to),
            body_sealed: self.data_key.seal(body),
            created_at: self.clock.now(),
            contact_hash: None,
        };
        assert!(self.store.enqueue_outbox(&message).await.expect("queued"));
        self.store
            .pending_outbox(1000)
            .await
            .expect("read")
            .into_iter()
            .find(|m| m.idempotency_key == key)
            .expect("queued")
            .id
    }

    pub async fn message(&self, id: i64) -> OutboxMessage {
        self.store
            .outbox_message(id)
            .await
            .expect("read")
            .expect("exists")
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn later(&self, seconds: i64) {
        self.clock.advance(chrono::Duration::seconds(seconds));
    }

    /// What reached people: (to, body) of each message the provider created.
    pub fn delivered(&self) -> Vec<(String, String)> {
        self.provider
            .created()
            .into_iter()
            .map(|m| (m.to, m.body))
            .collect()
    }
}
