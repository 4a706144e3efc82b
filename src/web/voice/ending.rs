//! The end of a call: the voicemail she leaves (kept from the recording callback, when the file
//! exists), the final status that decides the outcome, the follow-up every unanswered call
//! opens, and the fallback Twilio calls when the main handler failed.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hotline_routes::call::{self, CallOutcome};
use hotline_routes::prompts::service_russian;

use super::{Twiml, acknowledged, call_and_line, language_of, or_apology, unknown_call};
use crate::store::{CallRecord, CallStatusUpdate, NewFollowUp, NewVoicemail, StoreError};
use crate::web::AppState;
use crate::web::webhook::{Webhook, WebhookRefusal};

/// `POST /webhooks/voice/voicemail`: she finished recording. The recording is kept when its
/// callback says the file exists; here she is thanked.
pub async fn voicemail(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let result = async {
        let (call, line) = call_and_line(&state, call_sid).await?;
        Ok(call::after_voicemail(&line, language_of(&call, &line)))
    }
    .await;
    Ok(or_apology(&state, "voicemail", result))
}

/// `POST /webhooks/voice/recording`: the recording file is ready: the voicemail is kept, a
/// follow-up opened, and its audio's fetching scheduled (`jobs::recordings`).
pub async fn recording_ready(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<StatusCode, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let recording_sid = webhook.required("RecordingSid")?;
    let url = webhook.required("RecordingUrl")?;
    if webhook
        .param("RecordingStatus")
        .is_some_and(|s| s != "completed")
    {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now();
    let result = async {
        let call = state
            .store
            .call_by_sid(call_sid)
            .await?
            .ok_or_else(unknown_call)?;
        let voicemail = NewVoicemail {
            call_id: call.id,
            recording_sid: recording_sid.to_owned(),
            recording_sealed: state.secrets.data_key.seal(url),
            duration_secs: webhook
                .param("RecordingDuration")
                .and_then(|d| d.parse().ok()),
            created_at: now,
        };
        if state.store.record_voicemail(&voicemail).await? {
            state
                .metrics
                .count("hotline_call_events_total", "event", "voicemail");
            tracing::info!(call_id = call.id, "voicemail kept");
            open_follow_up(&state, &call, CallOutcome::Voicemail, now).await?;
        }
        // Scheduled on a repeat too (keyed on the sid, so once): a first callback may have
        // kept the voicemail and failed before this. The audio is fetched by the job, never
        // here: the provider is not called while it waits for our answer.
        crate::jobs::recordings::schedule(&state, call.id, recording_sid).await?;
        Ok::<_, StoreError>(())
    }
    .await;
    acknowledged("recording", result)
}

/// Opens the follow-up an unanswered call is owed, once, and tells the people on duty.
pub async fn open_follow_up(
    state: &AppState,
    call: &CallRecord,
    kind: CallOutcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let follow_up = NewFollowUp {
        call_id: call.id,
        kind,
        service: call.service,
        line_number: call.line_number.clone(),
        created_at: now,
    };
    let Some(id) = state.store.open_follow_up(&follow_up).await? else {
        return Ok(());
    };
    let what = match kind {
        CallOutcome::Voicemail => "голосовое сообщение",
        CallOutcome::Abandoned => "звонок, прерванный до ответа",
        _ => "пропущенный звонок",
    };
    let service = call
        .service
        .map(service_russian)
        .unwrap_or("услуга не выбрана");
    let body = format!(
        "Горячая линия {}: {what} ({service}). Обращение №{id} ждёт ответа.",
        call.line_number
    );
    crate::notify::on_duty_and_coordinators(
        state,
        call.service,
        &format!("follow-up:{id}"),
        &body,
        now,
    )
    .await?;
    // The notice above told them at once; the first reminder comes one interval on.
    crate::jobs::reminders::schedule_first(state, id, now, true).await?;
    Ok(())
}

/// `POST /webhooks/voice/status`: Twilio reports the call's status; the final one completes the
/// record. Callbacks may come late, twice or out of order: the sequence number decides, and an
/// outcome once decided stays.
pub async fn status(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<StatusCode, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let status = webhook.required("CallStatus")?;
    let sequence = match webhook.param("SequenceNumber") {
        Some(n) => n
            .parse()
            .map_err(|_| WebhookRefusal::Invalid("SequenceNumber"))?,
        None => 0,
    };
    let now = state.clock.now();
    let result = async {
        let Some(call) = state.store.call_by_sid(call_sid).await? else {
            tracing::warn!("a status callback for a call never recorded; ignored");
            return Ok(());
        };
        let is_final = call::is_final_status(status);
        let outcome = match (is_final, call.outcome) {
            (true, None) => Some(call::outcome_when_ended(
                call.stage,
                state.store.has_voicemail(call.id).await?,
            )),
            _ => None,
        };
        let update = CallStatusUpdate {
            call_sid: call_sid.to_owned(),
            status: status.to_owned(),
            sequence,
            ended_at: is_final.then_some(now),
            duration_secs: webhook.param("CallDuration").and_then(|d| d.parse().ok()),
            outcome,
        };
        state.store.apply_call_status(&update).await?;
        if is_final {
            // She may hang up during the hold message, before anyone's phone rings.
            state.store.settle_legs(call.id, now).await?;
        }
        if let Some(outcome) = outcome.filter(|o| call::owes_follow_up(*o)) {
            open_follow_up(&state, &call, outcome, now).await?;
        }
        Ok::<_, StoreError>(())
    }
    .await;
    acknowledged("status", result)
}

/// `POST /webhooks/voice/fallback`: Twilio's fallback URL, called when the main handler failed:
/// an apology and a voicemail, from nothing but the request itself.
pub async fn fallback(State(state): State<AppState>, _: Webhook) -> Twiml {
    state
        .metrics
        .count("hotline_call_apologies_total", "step", "fallback");
    Twiml(call::apology())
}
