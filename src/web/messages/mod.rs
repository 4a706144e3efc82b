//! `POST /webhooks/messages`: SMS, MMS and WhatsApp texts to a hotline number. A text from a
//! known staff number is a reply or a command (`staff`); anything else is someone reaching out
//! (`contact`). Every text is kept once per MessageSid, sealed. The answer is always an empty
//! `<Response/>` as XML: any text in it would be texted back to her, and her phone may be read
//! by the person she fears. Nothing here logs her number or her words.

mod contact;
mod staff;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hotline_schedules::StaffMember;

use super::AppState;
use super::webhook::{Webhook, WebhookRefusal};
use crate::store::{Channel, NewOutboxMessage, StoreError};

/// The empty TwiML answer: nothing is sent back by the provider.
pub struct NoReply(StatusCode);

impl IntoResponse for NoReply {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#,
        )
            .into_response()
    }
}

/// One text as it arrived, with the channel read off its addresses.
pub(crate) struct Incoming<'a> {
    pub sid: &'a str,
    pub channel: Channel,
    /// The sender's number, without the `whatsapp:` prefix.
    pub from: &'a str,
    /// The hotline number written to, without the prefix.
    pub line_number: &'a str,
    pub body: String,
    pub now: DateTime<Utc>,
}

pub async fn incoming(State(state): State<AppState>, webhook: Webhook) -> NoReply {
    let Ok(incoming) = read(&webhook, &state) else {
        tracing::warn!("a message webhook without its sender, recipient or id; ignored");
        return NoReply(StatusCode::BAD_REQUEST);
    };
    let result = async {
        let staff = state.store.staff().await?;
        match staff
            .iter()
            .find(|p| p.active && p.phone.as_e164() == incoming.from)
        {
            Some(person) => staff::handle(&state, &incoming, person).await,
            None => contact::handle(&state, &incoming).await,
        }
    }
    .await;
    match result {
        Ok(()) => NoReply(StatusCode::OK),
        Err(error) => {
            // Shown in the provider's debugger; the cause stays in our log.
            tracing::error!(%error, sid = incoming.sid, "could not handle an incoming text");
            state
                .metrics
                .count("hotline_messages_total", "event", "failed");
            NoReply(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

fn read<'a>(webhook: &'a Webhook, state: &AppState) -> Result<Incoming<'a>, WebhookRefusal> {
    let sid = webhook
        .param("MessageSid")
        .or_else(|| webhook.param("SmsSid"))
        .filter(|s| !s.is_empty())
        .ok_or(WebhookRefusal::Missing("MessageSid"))?;
    let from = webhook.required("From")?;
    let to = webhook.required("To")?;
    let channel = if from.starts_with("whatsapp:") {
        Channel::Whatsapp
    } else {
        Channel::Sms
    };
    let mut body = webhook.param("Body").unwrap_or_default().trim().to_owned();
    let media: u32 = webhook
        .param("NumMedia")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if media > 0 {
        // Pictures and voice notes stay with the provider for now; staff learn one came.
        let note = format!("[вложений: {media}]");
        body = if body.is_empty() {
            note
        } else {
            format!("{body} {note}")
        };
    }
    Ok(Incoming {
        sid,
        channel,
        from: from.trim_start_matches("whatsapp:"),
        line_number: to.trim_start_matches("whatsapp:"),
        body,
        now: state.clock.now(),
    })
}

/// Queues a text from the hotline number to a staff member, once per `key`.
pub(crate) async fn text_staff(
    state: &AppState,
    person: &StaffMember,
    key: String,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    state
        .store
        .enqueue_outbox(&staff_text(state, person, key, body, now))
        .await?;
    Ok(())
}

/// A text from the hotline number to a staff member, sealed, to be queued once per `key`.
pub(crate) fn staff_text(
    state: &AppState,
    person: &StaffMember,
    key: String,
    body: &str,
    now: DateTime<Utc>,
) -> NewOutboxMessage {
    let data_key = &state.secrets.data_key;
    NewOutboxMessage {
        idempotency_key: key,
        channel: Channel::Sms.as_str().to_owned(),
        to_sealed: data_key.seal(person.phone.as_e164()),
        body_sealed: data_key.seal(body),
        created_at: now,
        contact_hash: None,
    }
}
