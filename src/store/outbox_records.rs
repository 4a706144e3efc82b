//! The shapes of the outbox's messages: queued, claimed, tried, ended, and what the provider
//! says of them later. Recipients and bodies arrive here already sealed.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct NewOutboxMessage {
    /// Makes a retried enqueue a no-op: one message per event and recipient.
    pub idempotency_key: String,
    /// `sms` or `whatsapp`.
    pub channel: String,
    pub to_sealed: Vec<u8>,
    pub body_sealed: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// The keyed hash of her number when the message goes to (or, for a callback, ends in a
    /// call to) a caller: the sender then checks her consent at the moment of sending. `None`
    /// for texts to staff.
    pub contact_hash: Option<String>,
}

/// Where an outbound message is: `Queued` → `Sending` → `Sent` → `Delivered`, or it ends
/// `Failed` (a person should look) or `Undeliverable` (the recipient cannot get it: opted out,
/// outside WhatsApp's window) or `Withheld` (never sent: her consent did not allow it when it
/// was due).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    Failed,
    Undeliverable,
    Withheld,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 7] = [
        OutboxStatus::Queued,
        OutboxStatus::Sending,
        OutboxStatus::Sent,
        OutboxStatus::Delivered,
        OutboxStatus::Failed,
        OutboxStatus::Undeliverable,
        OutboxStatus::Withheld,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Delivered => "delivered",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Undeliverable => "undeliverable",
            OutboxStatus::Withheld => "withheld",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// Nothing more will happen to the message.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OutboxStatus::Delivered
                | OutboxStatus::Failed
                | OutboxStatus::Undeliverable
                | OutboxStatus::Withheld
        )
    }
}

impl std::fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub idempotency_key: String,
    pub channel: String,
    pub to_sealed: Vec<u8>,
    pub body_sealed: Vec<u8>,
    pub status: OutboxStatus,
    /// Attempts claimed so far; also the fencing token of the current claim.
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    /// While `Sending`: the claim holds until then, and is anyone's after.
    pub lease_until: Option<DateTime<Utc>>,
    /// Set when an attempt since then may have reached the provider without us hearing its
    /// answer: the message is looked up there before it is sent again.
    pub uncertain_since: Option<DateTime<Utc>>,
    pub provider_sid: Option<String>,
    /// The provider's error code (Twilio's, like 21610) of the last failure.
    pub error_code: Option<i64>,
    /// What went wrong last, for the coordinator: never the recipient or the body.
    pub error_message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Set when it goes to a caller: see [`NewOutboxMessage::contact_hash`].
    pub contact_hash: Option<String>,
}

/// An attempt that did not send, to be tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRetry {
    pub next_attempt_at: DateTime<Utc>,
    pub error_code: Option<i64>,
    pub error_message: String,
    /// The attempt may have reached the provider (a timeout, a 5xx): look it up before the next.
    pub uncertain: bool,
}

/// An attempt that ends the message: `Failed`, `Undeliverable` or `Withheld`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxFailure {
    pub status: OutboxStatus,
    pub error_code: Option<i64>,
    pub error_message: String,
    pub at: DateTime<Utc>,
}

/// What a delivery status callback says about a message the provider has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStatusUpdate {
    pub provider_sid: String,
    /// The outbox row named in the callback URL: finds a message whose create answer was lost.
    pub outbox_id: Option<i64>,
    /// `Sent`, `Delivered`, `Failed` or `Undeliverable`.
    pub status: OutboxStatus,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub at: DateTime<Utc>,
}
