//! Ringing the people on duty: whom next (asked of the rota and `hotline_routes::call`), the
//! whisper each person hears, the first to press 1 winning the call atomically, and how each
//! attempt ended. A leg the provider could not place leads on, and the coordinators are told.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hotline_routes::call::{self, Candidate, Ringing, Step};
use hotline_routes::line::Line;
use hotline_routes::twiml::VoiceResponse;
use hotline_schedules::model::Slot;
use hotline_schedules::{Language, Service};

use super::{Twiml, acknowledged, language_of, or_apology, service_of, unknown_call};
use crate::store::{AfterChoice, CallRecord, CallStage, LegEnd, NewLeg, StoreError};
use crate::web::AppState;
use crate::web::webhook::{Webhook, WebhookRefusal};

/// Her choice at the menus, not yet written: it is kept with the step it leads to, in one write.
#[derive(Debug, Clone, Copy)]
pub struct HerChoice {
    pub language: Language,
    pub service: Service,
}

/// Rings the next people for attempt `attempt`, or offers voicemail. A repeated request for the
/// same attempt (Twilio retrying) rings the same people again rather than new ones.
/// `unwritten` is her choice when it is not yet kept: it decides whom to ring, and is kept with
/// them; otherwise the call's own choice (or the line's defaults) does.
pub async fn ring_next(
    state: &AppState,
    call: &CallRecord,
    line: &Line,
    attempt: i64,
    now: DateTime<Utc>,
    unwritten: Option<HerChoice>,
) -> Result<VoiceResponse, StoreError> {
    let (language, service) = match unwritten {
        Some(her) => (her.language, her.service),
        None => (language_of(call, line), service_of(call, line)),
    };
    let (staff, rota) = crate::rota::load(
        state.store.as_ref(),
        now,
        now + chrono::Duration::seconds(1),
    )
    .await?;
    let legs = state.store.legs(call.id).await?;
    let already_rung: Vec<i64> = legs
        .iter()
        .filter(|leg| leg.attempt < attempt)
        .map(|leg| leg.staff_id)
        .collect();
    let repeated: Vec<i64> = legs
        .iter()
        .filter(|leg| leg.attempt == attempt)
        .map(|leg| leg.staff_id)
        .collect();
    let candidates: Vec<Candidate<'_>> = rota
        .on_duty(service, Some(language), now)
        .iter()
        .filter(|duty| repeated.is_empty() || repeated.contains(&duty.staff_id))
        .filter_map(|duty| {
            let person = staff.iter().find(|p| p.id == duty.staff_id)?;
            Some(Candidate {
                person,
                coordinator: duty.slot == Slot::Coordinator,
            })
        })
        .collect();
    let busy = state.store.busy_staff(call.id).await?;
    let waited = call
        .ringing_since
        .map_or(0, |since| (now - since).num_seconds());
    let ringing = Ringing {
        line,
        line_number: &call.line_number,
        call_id: call.id,
        language,
        service,
        candidates: &candidates,
        already_rung: &already_rung,
        busy: &busy,
        waited_seconds: waited,
        attempt,
    };
    match call::next_step(&ringing) {
        Step::Ring {
            staff_ids,
            attempt,
            twiml,
        } => {
            let legs: Vec<NewLeg> = staff_ids
                .iter()
                .map(|&staff_id| NewLeg {
                    call_id: call.id,
                    attempt,
                    staff_id,
                    started_at: now,
                })
                .collect();
            keep_step(state, call.id, unwritten, AfterChoice::Ring(legs, now)).await?;
            tracing::info!(
                call_id = call.id,
                ?staff_ids,
                attempt,
                "ringing the people on duty"
            );
            Ok(twiml)
        }
        Step::Voicemail { twiml } => {
            let then = AfterChoice::Stage(CallStage::Voicemail);
            keep_step(state, call.id, unwritten, then).await?;
            tracing::info!(
                call_id = call.id,
                "nobody (more) to ring; offering voicemail"
            );
            state
                .metrics
                .count("hotline_call_events_total", "event", "voicemail_offered");
            Ok(twiml)
        }
    }
}

/// Keeps the step `ring_next` took, with her choice when it is still to be kept.
async fn keep_step(
    state: &AppState,
    call_id: i64,
    unwritten: Option<HerChoice>,
    then: AfterChoice,
) -> Result<(), StoreError> {
    let store = state.store.as_ref();
    match (unwritten, then) {
        (Some(her), then) => {
            store
                .set_call_choice_then(call_id, her.language, Some(her.service), &then)
                .await
        }
        (None, AfterChoice::Ring(legs, at)) => store.start_legs(&legs, at).await,
        (None, AfterChoice::Stage(stage)) => store.set_call_stage(call_id, stage).await,
    }
}

/// Our own action URLs carry the attempt (and the call and person for a leg).
fn query_number(webhook: &Webhook, name: &'static str) -> Result<i64, WebhookRefusal> {
    webhook
        .query(name)
        .and_then(|value| value.parse().ok())
        .ok_or(WebhookRefusal::Invalid(name))
}

/// The call, person and attempt a leg's URL names (our own whisper and status URLs).
fn leg_named(webhook: &Webhook) -> Result<(i64, i64, i64), WebhookRefusal> {
    Ok((
        query_number(webhook, "call")?,
        query_number(webhook, "staff")?,
        query_number(webhook, "attempt")?,
    ))
}

/// `POST /webhooks/voice/dial?attempt=N`: an attempt ended: the conversation is over, or the
/// next people are rung.
pub async fn dial_ended(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let status = webhook.required("DialCallStatus")?;
    let attempt = query_number(&webhook, "attempt")?;
    let now = state.clock.now();
    let result = async {
        let call = state
            .store
            .call_by_sid(call_sid)
            .await?
            .ok_or_else(unknown_call)?;
        let end = |result: &str, duration_secs| LegEnd {
            result: result.to_owned(),
            dial_call_sid: webhook.param("DialCallSid").map(str::to_owned),
            duration_secs,
            ended_at: now,
        };
        let legs = state.store.legs(call.id).await?;
        let attempt_legs: Vec<i64> = legs
            .iter()
            .filter(|leg| leg.attempt == attempt)
            .map(|leg| leg.staff_id)
            .collect();
        if let Some(answered_by) = call.answered_by {
            let talked = webhook
                .param("DialCallDuration")
                .and_then(|d| d.parse().ok());
            state
                .store
                .finish_leg(
                    call.id,
                    attempt,
                    Some(answered_by),
                    &end("accepted", talked),
                )
                .await?;
            // The other legs of a simultaneous attempt end as their own callbacks say.
            return Ok(call::after_conversation());
        }
        // With one leg, the dial's status is that leg's; with several, each leg's own callback
        // tells how it ended (busy, failed, no answer), which one status for all would hide.
        if let [staff_id] = attempt_legs.as_slice() {
            // Answered but never accepted at the whisper (a personal voicemail, say) is not an answer.
            let result = if status == "completed" || status == "answered" {
                "not-accepted"
            } else {
                status
            };
            state
                .store
                .finish_leg(call.id, attempt, Some(*staff_id), &end(result, None))
                .await?;
            if status == "failed" {
                alert_coordinators_of_failed_dial(&state, &call, *staff_id, now).await?;
            }
        }
        // Twilio asks for the dial's action even after she hung up; nobody more is rung then,
        // and the call keeps the stage it ended in (abandoned while ringing, not missed).
        if webhook
            .param("CallStatus")
            .is_some_and(call::is_final_status)
        {
            return Ok(call::after_conversation());
        }
        let line = crate::lines::for_number(state.store.as_ref(), &call.line_number).await?;
        ring_next(&state, &call, &line, attempt + 1, now, None).await
    }
    .await;
    Ok(or_apology(&state, "dial_ended", result))
}

/// A provider that refuses to place a leg is a fault a person must look at.
async fn alert_coordinators_of_failed_dial(
    state: &AppState,
    call: &CallRecord,
    staff_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let who = state
        .store
        .staff_member(staff_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let body = format!(
        "Горячая линия {}: провайдер не смог позвонить дежурному ({who}, звонок №{}). Проверьте номер и счёт у провайдера.",
        call.line_number, call.id
    );
    crate::notify::coordinators(
        state,
        &format!("dial-failed:{}:{staff_id}", call.id),
        &body,
        now,
    )
    .await
}

/// `POST /webhooks/voice/whisper?call=&staff=&attempt=`: a person picked up; before she is
/// connected, they hear which call this is and are asked to press 1.
pub async fn whisper(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let (call_id, staff_id, attempt) = leg_named(&webhook)?;
    let result = async {
        let call = state
            .store
            .call_by_id(call_id)
            .await?
            .ok_or_else(unknown_call)?;
        if call.answered_by.is_some_and(|by| by != staff_id) || call.ended_at.is_some() {
            return Ok(call::taken_by_colleague());
        }
        let line = crate::lines::for_number(state.store.as_ref(), &call.line_number).await?;
        let language = language_of(&call, &line);
        let service = service_of(&call, &line);
        Ok(call::whisper(
            &line,
            service,
            language,
            call::whisper_answer_url(call_id, staff_id, attempt),
        ))
    }
    .await;
    Ok(or_apology(&state, "whisper", result))
}

/// `POST /webhooks/voice/whisper/answer?call=&staff=&attempt=`: the key the person pressed (or
/// none). The first to press 1 is connected; anyone else's leg ends.
pub async fn whisper_answer(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let (call_id, staff_id, attempt) = leg_named(&webhook)?;
    let digits = webhook.param("Digits").unwrap_or_default();
    let now = state.clock.now();
    let result = async {
        if !call::accepts(digits) {
            let result = if digits.is_empty() {
                "no-answer"
            } else {
                "declined"
            };
            let end = LegEnd {
                result: result.to_owned(),
                dial_call_sid: None,
                duration_secs: None,
                ended_at: now,
            };
            state
                .store
                .finish_leg(call_id, attempt, Some(staff_id), &end)
                .await?;
            return Ok(call::leg_refused());
        }
        let answered_by = state.store.claim_call(call_id, staff_id, now).await?;
        if answered_by == Some(staff_id) {
            tracing::info!(call_id, staff_id, "a person accepted the call");
            state
                .metrics
                .count("hotline_call_events_total", "event", "answered");
            Ok(call::connect())
        } else {
            let end = LegEnd {
                result: "too-late".to_owned(),
                dial_call_sid: None,
                duration_secs: None,
                ended_at: now,
            };
            state
                .store
                .finish_leg(call_id, attempt, Some(staff_id), &end)
                .await?;
            Ok(call::taken_by_colleague())
        }
    }
    .await;
    Ok(or_apology(&state, "whisper_answer", result))
}

/// `POST /webhooks/voice/leg?call=&staff=&attempt=`: a ringing leg's progress. Its end is kept
/// once; the accepted leg's end is kept with the talk time.
pub async fn leg_status(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<StatusCode, WebhookRefusal> {
    let (call_id, staff_id, attempt) = leg_named(&webhook)?;
    let status = webhook.required("CallStatus")?;
    let leg_sid = webhook.required("CallSid")?;
    let now = state.clock.now();
    let result = async {
        let call = state
            .store
            .call_by_id(call_id)
            .await?
            .ok_or_else(unknown_call)?;
        let leg = NewLeg {
            call_id,
            attempt,
            staff_id,
            started_at: now,
        };
        if !call::is_final_status(status) {
            // Placed or ringing: the person's phone really rang.
            return state.store.report_leg(&leg, leg_sid, None).await;
        }
        let accepted = call.answered_by == Some(staff_id);
        let result = match status {
            _ if accepted => "accepted",
            "completed" => "not-accepted",
            other => other,
        };
        let talked = if accepted {
            webhook.param("CallDuration").and_then(|d| d.parse().ok())
        } else {
            None
        };
        let end = LegEnd {
            result: result.to_owned(),
            dial_call_sid: None,
            duration_secs: talked,
            ended_at: now,
        };
        state.store.report_leg(&leg, leg_sid, Some(&end)).await?;
        if status == "failed" {
            alert_coordinators_of_failed_dial(&state, &call, staff_id, now).await?;
        }
        Ok(())
    }
    .await;
    acknowledged("leg_status", result)
}
