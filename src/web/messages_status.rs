//! `POST /webhooks/messages/status`: the provider reports what became of a text the outbox
//! sent (queued, sent, delivered, read, undelivered, failed). The report moves the message on
//! and never back: a late `sent` does not undo `delivered`, a repeat changes nothing. It must
//! never answer an error for a report it cannot place (the provider would only retry it), and
//! never log a number or a body.

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use super::webhook::{Webhook, WebhookRefusal};
use crate::outbox::status;
use crate::store::OutboxStatusUpdate;

pub async fn message_status(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<StatusCode, WebhookRefusal> {
    let sid = webhook.required("MessageSid")?;
    let reported = webhook.required("MessageStatus")?;
    let error_code = match webhook.param("ErrorCode").filter(|c| !c.is_empty()) {
        Some(code) => Some(
            code.parse::<i64>()
                .map_err(|_| WebhookRefusal::Invalid("ErrorCode"))?,
        ),
        None => None,
    };
    let Some(new_status) = status::from_callback(reported, error_code) else {
        tracing::debug!(%sid, reported, "a message status that says nothing about delivery");
        return Ok(StatusCode::NO_CONTENT);
    };
    let update = OutboxStatusUpdate {
        provider_sid: sid.to_owned(),
        outbox_id: webhook.query("outbox").and_then(|id| id.parse().ok()),
        status: new_status,
        error_code,
        error_message: error_code.map(|code| status::describe(Some(code), "")),
        at: state.clock.now(),
    };
    match state.store.apply_outbox_status(&update).await {
        Ok(changed) => {
            tracing::info!(%sid, reported, changed, "a message status was reported");
            if error_code == Some(status::OPTED_OUT) {
                note_opt_out(&state, sid, update.at).await;
            }
            Ok(StatusCode::NO_CONTENT)
        }
        Err(error) => {
            // Not recorded: an error shows in the provider's debugger, and a later report for
            // the same message still moves it on.
            tracing::error!(%error, %sid, "could not record a message status");
            Ok(StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// Her opt-out, as the provider reports it, withdraws her consent; a failure to record it is
/// logged, and the next report or send that meets the opt-out records it.
async fn note_opt_out(state: &AppState, sid: &str, at: chrono::DateTime<chrono::Utc>) {
    let store = state.store.as_ref();
    let recorded = match store.outbox_by_sid(sid).await {
        Ok(Some(message)) => crate::consent_words::opted_out_at_provider(store, &message, at).await,
        Ok(None) => Ok(false),
        Err(error) => Err(error),
    };
    match recorded {
        Ok(true) => {
            tracing::info!(%sid, "the provider says she opted out; her consent is withdrawn")
        }
        Ok(false) => {}
        Err(error) => tracing::error!(%error, %sid, "could not record her opt-out"),
    }
}
