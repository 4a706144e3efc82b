//! Texts to the hotline number, end to end through the signed webhook: she writes, the person
//! on duty gets it with a code, replies through the hotline number, and closes it. What leaves
//! the server is read back from the outbox, opened with the server's key, as the provider would
//! get it.

mod callback;
mod commands;
mod privacy;
mod replies;
mod simulate;
mod story;

use hotline::store::OutboxMessage;

use crate::helpers::{HOTLINE_NUMBER, TestApp, params};

pub const LAWYER: &str = "+77015550101";
pub const PSYCHOLOGIST: &str = "+77015550102";
pub const BACKUP_LAWYER: &str = "+77015550103";
pub const HER: &str = "+77071234567";

/// One text in the outbox, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub key: String,
    pub channel: String,
    pub to: String,
    pub body: String,
}

impl TestApp {
    /// Posts a text as Twilio would, from `from` (`whatsapp:+…` for WhatsApp) to the hotline.
    pub async fn text(&self, sid: &str, from: &str, body: &str) -> reqwest::Response {
        let to = if from.starts_with("whatsapp:") {
            format!("whatsapp:{HOTLINE_NUMBER}")
        } else {
            HOTLINE_NUMBER.to_owned()
        };
        let mut pairs = params(&[
            ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
            ("ApiVersion", "2010-04-01"),
            ("MessageSid", sid),
            ("SmsSid", sid),
            ("SmsMessageSid", sid),
            ("SmsStatus", "received"),
            ("From", from),
            ("To", &to),
            ("Body", body),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
        ]);
        if from.starts_with("whatsapp:") {
            pairs.extend(params(&[
                ("ProfileName", "Айгуль"),
                ("WaId", from.trim_start_matches("whatsapp:+")),
            ]));
        }
        let response = self.post_signed("/webhooks/messages", &pairs).await;
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(content_type.starts_with("text/xml"), "{content_type}");
        response
    }

    /// Every text queued so far, oldest first.
    pub async fn outbox(&self) -> Vec<Sent> {
        let messages: Vec<OutboxMessage> =
            self.store.pending_outbox(1000).await.expect("the outbox");
        messages
            .into_iter()
            .map(|m| Sent {
                key: m.idempotency_key,
                channel: m.channel,
                to: self.data_key.open(&m.to_sealed).expect("sealed by us"),
                body: self.data_key.open(&m.body_sealed).expect("sealed by us"),
            })
            .collect()
    }

    /// The texts queued to `to` so far.
    pub async fn texts_to(&self, to: &str) -> Vec<Sent> {
        self.outbox()
            .await
            .into_iter()
            .filter(|s| s.to == to)
            .collect()
    }

    /// The latest text queued to `to`.
    pub async fn last_text_to(&self, to: &str) -> Sent {
        self.texts_to(to)
            .await
            .pop()
            .unwrap_or_else(|| panic!("a text to {to}"))
    }
}

/// The code a relay to staff names: the first three-character word.
pub fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| hotline_routes::messages::Code::parse(w).is_some() && w.len() == 3)
        .unwrap_or_else(|| panic!("a code in {text:?}"))
        .to_owned()
}
