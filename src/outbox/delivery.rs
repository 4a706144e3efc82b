//! Where the outbox's messages go: the console (the log), when no provider is configured, or
//! Twilio through the REST client. Each can send a message and look for one sent earlier whose
//! answer was lost. It never decides what to do about a failure: `retry` does.
//!
//! A [`CALLBACK_CHANNEL`] row is not a text but a call to a staff member (`CALL K7Q`): its body
//! is the path the provider fetches the call's TwiML from, joined to the public URL here. Calls
//! cannot be looked up, so a callback whose create answer was lost may ring the staff member
//! twice; that is a nuisance to staff, never a call to her, who is dialled only after a key press.

use chrono::{DateTime, Utc};
use hotline_schedules::PhoneNumber;

use crate::store::OutboxMessage;
use url::Url;

use crate::telephony::client::{
    CallInstructions, OutgoingCall, OutgoingMessage, ProviderError, TwilioClient,
};

/// The outbox channel of a call to a staff member that connects her (`CALL K7Q`).
pub const CALLBACK_CHANNEL: &str = "callback";
/// The callback's progress the provider reports: only its end changes the row.
const CALLBACK_EVENTS: [&str; 1] = ["completed"];

/// How far the provider's clock may be from ours when comparing creation times.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// Written to the log: for trying the hotline without a provider.
    Console,
    Twilio(Box<TwilioDelivery>),
}

#[derive(Debug, Clone)]
pub struct TwilioDelivery {
    pub client: TwilioClient,
    /// The hotline's number texts come from, E.164; WhatsApp messages come from
    /// `whatsapp:` and it.
    pub from: String,
    /// `…/webhooks/messages/status`, when the server knows its public URL; each message's
    /// callback adds `?outbox=ID`, so a callback can find a message whose create answer was lost.
    pub status_callback: Option<Url>,
    /// `HOTLINE_PUBLIC_URL`: where the provider fetches a callback's TwiML; without it a
    /// callback cannot be placed and fails visibly.
    pub public_url: Option<Url>,
}

impl TwilioDelivery {
    /// Rings the staff member from the hotline number; the TwiML at `path` asks them for 1.
    async fn place_callback(
        &self,
        outbox_id: i64,
        to: &str,
        path: &str,
    ) -> Result<String, ProviderError> {
        let Some(base) = &self.public_url else {
            return Err(ProviderError::Refused {
                http_status: 0,
                code: None,
                message: "HOTLINE_PUBLIC_URL is not set: a callback cannot be placed".into(),
            });
        };
        // As the webhook gate reads it: the public URL, then the path and query.
        let base = base.as_str().trim_end_matches('/');
        let join = |path: &str| Url::parse(&format!("{base}{path}"));
        let url = join(path).map_err(|_| ProviderError::Refused {
            http_status: 0,
            code: None,
            message: "a callback's URL could not be made".into(),
        })?;
        let status = join(&hotline_routes::callback::status_url(outbox_id)).ok();
        let call = OutgoingCall {
            to,
            from: &self.from,
            instructions: CallInstructions::Url(&url),
            status_callback: status.as_ref(),
            status_events: &CALLBACK_EVENTS,
        };
        self.client.create_call(&call).await.map(|c| c.sid)
    }
}

/// What the console prints instead of a private text's words.
const WITHHELD: &str = "(words withheld: hers, or written to her)";

/// Whether a text's words are someone's own: her words relayed to staff, a staff member's reply
/// to her, anything sent to her. The console prints the others (notices, reminders, digests),
/// which is what trying the hotline without a provider needs to see.
pub fn carries_private_words(message: &OutboxMessage) -> bool {
    message.contact_hash.is_some()
        || ["relay:", "reply:"]
            .iter()
            .any(|kind| message.idempotency_key.starts_with(kind))
}

/// The address of `number` on `channel`: WhatsApp's are prefixed, an already prefixed one
/// passes through.
pub fn address(channel: &str, number: &str) -> String {
    if channel == "whatsapp" && !number.starts_with("whatsapp:") {
        format!("whatsapp:{number}")
    } else {
        number.to_owned()
    }
}

impl Delivery {
    /// Sends one message; returns the provider's id for it. A `private` body is never printed
    /// by the console.
    pub async fn send(
        &self,
        outbox_id: i64,
        channel: &str,
        to: &str,
        body: &str,
        private: bool,
    ) -> Result<String, ProviderError> {
        match self {
            Delivery::Console => {
                let bare = to.trim_start_matches("whatsapp:");
                let to = PhoneNumber::parse(bare)
                    .map(|n| n.masked())
                    .unwrap_or_else(|_| "(not a phone number)".into());
                let body = if private { WITHHELD } else { body };
                tracing::info!(outbox_id, %channel, %to, %body, "console outbox: message");
                Ok(format!("console-{outbox_id}"))
            }
            Delivery::Twilio(twilio) if channel == CALLBACK_CHANNEL => {
                twilio.place_callback(outbox_id, to, body).await
            }
            Delivery::Twilio(twilio) => {
                let callback = twilio.status_callback.as_ref().map(|base| {
                    let mut url = base.clone();
                    url.query_pairs_mut()
                        .append_pair("outbox", &outbox_id.to_string());
                    url
                });
                let to = address(channel, to);
                let from = address(channel, &twilio.from);
                let message = OutgoingMessage {
                    to: &to,
                    from: &from,
                    body,
                    status_callback: callback.as_ref(),
                };
                twilio.client.send_message(&message).await.map(|m| m.sid)
            }
        }
    }

    /// The provider's ids of messages to `to` with this `body` created since `since` (give or
    /// take clock skew), newest first: an earlier attempt that reached the provider is among
    /// them, unless the look-up stopped at its page bound first (then it says so). The console
    /// keeps no record, so it finds none.
    pub async fn look_up(
        &self,
        channel: &str,
        to: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Result<LookUp, ProviderError> {
        let Delivery::Twilio(twilio) = self else {
            return Ok(LookUp::nothing());
        };
        if channel == CALLBACK_CHANNEL {
            // The client lists messages, not calls: a doubtful callback is placed again.
            return Ok(LookUp::nothing());
        }
        let back_to = since - CLOCK_SKEW;
        let listed = twilio
            .client
            .list_messages(
                &address(channel, to),
                &address(channel, &twilio.from),
                back_to,
            )
            .await?;
        Ok(LookUp {
            sids: listed
                .messages
                .into_iter()
                .filter(|m| m.body.trim() == body.trim())
                .filter(|m| m.created_at.is_some_and(|at| at >= back_to))
                .map(|m| m.sid)
                .collect(),
            pages: listed.pages,
            complete: listed.complete,
        })
    }
}

/// What a look-up for a doubtful attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookUp {
    /// The candidates, newest first.
    pub sids: Vec<String>,
    /// Pages of the provider's list read.
    pub pages: usize,
    /// It read back to the doubtful attempt; `false` when it stopped at
    /// [`crate::telephony::client::LOOK_UP_PAGES`] with older messages still unread.
    pub complete: bool,
}

impl LookUp {
    fn nothing() -> Self {
        Self {
            sids: Vec::new(),
            pages: 0,
            complete: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_numbers_are_prefixed_once() {
        assert_eq!(address("whatsapp", "+77015550101"), "whatsapp:+77015550101");
        assert_eq!(
            address("whatsapp", "whatsapp:+77015550101"),
            "whatsapp:+77015550101"
        );
        assert_eq!(address("sms", "+77015550101"), "+77015550101");
    }
}
