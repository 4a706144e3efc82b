//! The callback `CALL K7Q` asks for, as the provider drives it: the outbox rang the staff member
//! (from the hotline number), who hears which conversation it is and presses 1; only then, and
//! only while she still consents to a call, is she dialled from the hotline number. Her number
//! leaves the server only in that `<Dial>` to the provider: it is never logged, never texted.
//! The staff member never gets an HTTP error, only a sentence saying she was not called.

use axum::extract::State;
use axum::http::StatusCode;
use hotline_routes::callback::{self, Refusal};
use hotline_routes::consent::{self, Decision};
use hotline_routes::messages::Code;
use hotline_schedules::HOTLINE_ZONE;

use super::Twiml;
use crate::store::{Channel, Conversation, OutboxStatus, OutboxStatusUpdate, StoreError};
use crate::web::AppState;
use crate::web::webhook::{Webhook, WebhookRefusal};

/// `POST /webhooks/voice/callback?conversation=ID&staff=SID`: the staff member picked up.
pub async fn callback_answered(State(state): State<AppState>, webhook: Webhook) -> Twiml {
    let result = async {
        let Some((conversation, code, staff_id)) = named(&state, &webhook).await? else {
            return Ok(callback::refused(Refusal::Closed));
        };
        Ok(callback::ask_to_connect(&code, conversation.id, staff_id))
    }
    .await;
    or_refusal(result)
}

/// `POST /webhooks/voice/callback/connect?…`: the staff member's key press.
pub async fn callback_connect(State(state): State<AppState>, webhook: Webhook) -> Twiml {
    let result = async {
        if !callback::connects(webhook.param("Digits").unwrap_or_default()) {
            return Ok(callback::refused(Refusal::NoKey));
        }
        let Some((conversation, _, staff_id)) = named(&state, &webhook).await? else {
            return Ok(callback::refused(Refusal::Closed));
        };
        // Asked again now: a STOP since `CALL`, or her consent's end, must keep her phone from
        // ringing. Her hours were weighed by the outbox when it placed this call, moments ago.
        let consent = state
            .store
            .latest_consent(&conversation.contact_hash, Channel::Voice)
            .await?;
        let terms = consent.as_ref().map(crate::store::Consent::terms);
        let now = state.clock.now();
        if let Decision::Withhold(_) = consent::decide(terms.as_ref(), now, HOTLINE_ZONE) {
            tracing::info!(
                conversation = conversation.id,
                staff_id,
                "a callback was not connected: her consent to a call is withdrawn"
            );
            return Ok(callback::refused(Refusal::NoConsent));
        }
        let her = state
            .secrets
            .data_key
            .open(&conversation.contact_sealed)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tracing::info!(
            conversation = conversation.id,
            staff_id,
            "a callback connects her"
        );
        state
            .metrics
            .count("hotline_messages_total", "event", "callback_connected");
        Ok(callback::dial_her(&conversation.line_number, &her))
    }
    .await;
    or_refusal(result)
}

/// `POST /webhooks/voice/callback/status?outbox=ID`: the end of the call to the staff member
/// moves its outbox row on, so an unanswered callback is visible like an undelivered text.
pub async fn callback_status(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<StatusCode, WebhookRefusal> {
    let sid = webhook.required("CallSid")?;
    let reported = webhook.required("CallStatus")?;
    let status = match reported {
        "completed" => OutboxStatus::Delivered,
        "busy" | "no-answer" | "failed" | "canceled" => OutboxStatus::Failed,
        _ => return Ok(StatusCode::NO_CONTENT),
    };
    let update = OutboxStatusUpdate {
        provider_sid: sid.to_owned(),
        outbox_id: webhook.query("outbox").and_then(|id| id.parse().ok()),
        status,
        error_code: None,
        error_message: (status == OutboxStatus::Failed)
            .then(|| format!("the staff member did not take the callback ({reported})")),
        at: state.clock.now(),
    };
    match state.store.apply_outbox_status(&update).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(error) => {
            tracing::error!(%error, %sid, "could not record a callback's status");
            Ok(StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// The open conversation and the staff member the callback's URL names.
async fn named(
    state: &AppState,
    webhook: &Webhook,
) -> Result<Option<(Conversation, Code, i64)>, StoreError> {
    let number = |name: &str| webhook.query(name).and_then(|v| v.parse::<i64>().ok());
    let (Some(conversation_id), Some(staff_id)) = (number("conversation"), number("staff")) else {
        return Ok(None);
    };
    let Some(conversation) = state.store.conversation(conversation_id).await? else {
        return Ok(None);
    };
    if !conversation.open {
        return Ok(None);
    }
    let code = Code::parse(&conversation.code).ok_or_else(|| {
        StoreError::Corrupt(format!("conversation {} has no code", conversation.id))
    })?;
    Ok(Some((conversation, code, staff_id)))
}

fn or_refusal(result: Result<hotline_routes::twiml::VoiceResponse, StoreError>) -> Twiml {
    match result {
        Ok(twiml) => Twiml(twiml),
        Err(error) => {
            tracing::error!(%error, "could not handle a callback step");
            Twiml(callback::refused(Refusal::Trouble))
        }
    }
}
