//! Twilio's voice webhooks: a call comes in, a dial attempt ends, a voicemail is left, the call's
//! status changes. Each records what happened and answers with the TwiML that `routes::call`
//! chooses. A caller never gets an HTTP error: when the server cannot do its part she hears an
//! apology, the emergency numbers and a voicemail prompt.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hotline_routes::call::{self, Step};
use hotline_routes::twiml::VoiceResponse;
use hotline_schedules::model::{OnDuty, Slot};
use hotline_schedules::{PhoneNumber, StaffMember};

use super::AppState;
use super::webhook::{Webhook, WebhookRefusal};
use crate::store::{
    CallRecord, CallStage, CallStatusUpdate, LegEnd, NewCall, NewLeg, NewOutboxMessage,
    NewVoicemail, StoreError,
};

/// TwiML as Twilio expects it.
pub struct Twiml(pub VoiceResponse);

impl IntoResponse for Twiml {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            self.0.to_xml(),
        )
            .into_response()
    }
}

/// Turns a failure on a caller's path into the apology she hears; the cause goes to the log.
fn or_apology(
    state: &AppState,
    step: &'static str,
    result: Result<VoiceResponse, StoreError>,
) -> Twiml {
    match result {
        Ok(twiml) => Twiml(twiml),
        Err(error) => {
            tracing::error!(%error, step, "could not handle a call step; the caller hears an apology");
            state
                .metrics
                .count("hotline_call_apologies_total", "step", step);
            Twiml(call::apology())
        }
    }
}

/// `POST /webhooks/voice`: a call comes in.
pub async fn incoming(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let from = webhook.required("From")?;
    let to = webhook.required("To")?;
    state
        .metrics
        .count("hotline_calls_total", "event", "incoming");
    let now = state.clock.now();
    let result = async {
        let call = state
            .store
            .record_call(&new_call(&state, call_sid, from, to, now))
            .await?;
        continue_call(&state, &call, now).await
    }
    .await;
    Ok(or_apology(&state, "incoming", result))
}

fn new_call(state: &AppState, call_sid: &str, from: &str, to: &str, now: DateTime<Utc>) -> NewCall {
    // A withheld or foreign caller id is still kept (sealed), so repeat calls can be matched.
    let caller = PhoneNumber::parse(from)
        .map(|n| n.as_e164().to_owned())
        .unwrap_or_else(|_| from.to_owned());
    let key = &state.secrets.data_key;
    NewCall {
        call_sid: call_sid.to_owned(),
        line_number: to.to_owned(),
        caller_sealed: key.seal(&caller),
        caller_hash: key.hash(&caller),
        status: "ringing".to_owned(),
        started_at: now,
    }
}

/// Rings the next person on duty whom this call has not rung, or offers voicemail.
async fn continue_call(
    state: &AppState,
    call: &CallRecord,
    now: DateTime<Utc>,
) -> Result<VoiceResponse, StoreError> {
    let (staff, rota) = crate::rota::load(
        state.store.as_ref(),
        now,
        now + chrono::Duration::seconds(1),
    )
    .await?;
    let mut duties: Vec<OnDuty> = call::DEFAULT_SERVICES
        .iter()
        .flat_map(|service| rota.on_duty(*service, None, now))
        .collect();
    // The coordinator is the last resort after the people of every service (a stable sort).
    duties.sort_by_key(|duty| duty.slot == Slot::Coordinator);
    let mut people: Vec<&StaffMember> = Vec::new();
    for duty in duties {
        let person = staff.iter().find(|p| p.id == duty.staff_id);
        if let Some(person) = person.filter(|p| !people.iter().any(|q| q.id == p.id)) {
            people.push(person);
        }
    }
    let legs = state.store.legs(call.id).await?;
    // A leg still open is one Twilio is asking about again (a retried webhook): ring it again.
    let finished: Vec<i64> = legs
        .iter()
        .filter(|leg| leg.result.is_some())
        .map(|leg| leg.staff_id)
        .collect();
    let attempt = finished.len() as i64;
    match call::next_step(&call.line_number, &people, &finished, attempt) {
        Step::Ring {
            staff_id,
            attempt,
            twiml,
        } => {
            state
                .store
                .start_leg(&NewLeg {
                    call_id: call.id,
                    attempt,
                    staff_id,
                    started_at: now,
                })
                .await?;
            state
                .store
                .set_call_stage(call.id, CallStage::Ringing)
                .await?;
            tracing::info!(
                call_id = call.id,
                staff_id,
                attempt,
                "ringing the person on duty"
            );
            Ok(twiml)
        }
        Step::Voicemail { twiml } => {
            state
                .store
                .set_call_stage(call.id, CallStage::Voicemail)
                .await?;
            tracing::info!(
                call_id = call.id,
                "nobody (more) to ring; offering voicemail"
            );
            state
                .metrics
                .count("hotline_calls_total", "event", "voicemail_offered");
            Ok(twiml)
        }
    }
}

/// `POST /webhooks/voice/dial?attempt=N`: a dial attempt ended.
pub async fn dial_ended(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let status = webhook.required("DialCallStatus")?;
    let attempt: i64 = webhook
        .query("attempt")
        .and_then(|a| a.parse().ok())
        .ok_or(WebhookRefusal::Invalid("attempt"))?;
    let now = state.clock.now();
    let end = LegEnd {
        result: status.to_owned(),
        dial_call_sid: webhook.param("DialCallSid").map(str::to_owned),
        duration_secs: webhook
            .param("DialCallDuration")
            .and_then(|d| d.parse().ok()),
        ended_at: now,
    };
    let result = async {
        let Some(call) = state.store.call_by_sid(call_sid).await? else {
            return Err(StoreError::Corrupt(
                "a dial ended for a call never recorded".into(),
            ));
        };
        state.store.finish_leg(call.id, attempt, &end).await?;
        if call::dial_was_answered(status) {
            let legs = state.store.legs(call.id).await?;
            if let Some(leg) = legs.iter().find(|leg| leg.attempt == attempt) {
                // Twilio reports when the conversation ended and how long it lasted.
                let talked = chrono::Duration::seconds(end.duration_secs.unwrap_or(0));
                state
                    .store
                    .mark_answered(call.id, leg.staff_id, now - talked)
                    .await?;
            }
            state
                .metrics
                .count("hotline_calls_total", "event", "answered");
            return Ok(call::after_conversation());
        }
        continue_call(&state, &call, now).await
    }
    .await;
    Ok(or_apology(&state, "dial_ended", result))
}

/// `POST /webhooks/voice/voicemail`: the caller finished recording.
pub async fn voicemail(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let result = keep_voicemail(&state, &webhook)
        .await
        .map(|()| call::after_voicemail());
    Ok(or_apology(&state, "voicemail", result))
}

/// `POST /webhooks/voice/recording`: the recording file is ready. Also keeps the voicemail,
/// since Twilio may skip the action when she hangs up while recording.
pub async fn recording_ready(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<StatusCode, WebhookRefusal> {
    if webhook
        .param("RecordingStatus")
        .is_some_and(|s| s != "completed")
    {
        return Ok(StatusCode::NO_CONTENT);
    }
    match keep_voicemail(&state, &webhook).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(error) => {
            tracing::error!(%error, "could not keep a voicemail");
            Ok(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

async fn keep_voicemail(state: &AppState, webhook: &Webhook) -> Result<(), StoreError> {
    let (Some(call_sid), Some(recording_sid), Some(url)) = (
        webhook.param("CallSid"),
        webhook.param("RecordingSid"),
        webhook.param("RecordingUrl"),
    ) else {
        return Err(StoreError::Corrupt(
            "a voicemail arrived without its recording".into(),
        ));
    };
    let Some(call) = state.store.call_by_sid(call_sid).await? else {
        return Err(StoreError::Corrupt(
            "a voicemail arrived for a call never recorded".into(),
        ));
    };
    let now = state.clock.now();
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
            .count("hotline_calls_total", "event", "voicemail");
        tracing::info!(call_id = call.id, "voicemail kept");
        tell_coordinators_of_voicemail(state, &call, now).await?;
    }
    Ok(())
}

/// Until follow-ups chase every missed contact, a coordinator learns of each voicemail by text.
/// The text names the line and the time, never the caller.
async fn tell_coordinators_of_voicemail(
    state: &AppState,
    call: &CallRecord,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let key = &state.secrets.data_key;
    for coordinator in state
        .store
        .staff()
        .await?
        .iter()
        .filter(|p| p.is_coordinator && p.active)
    {
        let body = format!(
            "Горячая линия {}: новое голосовое сообщение (звонок №{}). Прослушайте и перезвоните.",
            call.line_number, call.id
        );
        let message = NewOutboxMessage {
            idempotency_key: format!("voicemail:{}:{}", call.id, coordinator.id),
            channel: "sms".to_owned(),
            to_sealed: key.seal(coordinator.phone.as_e164()),
            body_sealed: key.seal(&body),
            created_at: now,
        };
        state.store.enqueue_outbox(&message).await?;
    }
    Ok(())
}

/// `POST /webhooks/voice/status`: Twilio reports the call's status; the final one completes the
/// record. Callbacks may come late or out of order: the sequence number decides.
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
    let result = async {
        let Some(call) = state.store.call_by_sid(call_sid).await? else {
            tracing::warn!("a status callback for a call never recorded; ignored");
            return Ok(());
        };
        let is_final = call::is_final_status(status);
        let outcome = if is_final {
            Some(call::outcome_when_ended(
                call.stage,
                state.store.has_voicemail(call.id).await?,
            ))
        } else {
            None
        };
        let update = CallStatusUpdate {
            call_sid: call_sid.to_owned(),
            status: status.to_owned(),
            sequence,
            ended_at: is_final.then(|| state.clock.now()),
            duration_secs: webhook.param("CallDuration").and_then(|d| d.parse().ok()),
            outcome,
        };
        state.store.apply_call_status(&update).await
    }
    .await;
    match result {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(error) => {
            tracing::error!(%error, "could not apply a call status");
            Ok(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}
