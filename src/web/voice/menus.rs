//! A call comes in and she chooses: blocked numbers and closed hours are answered first, then
//! the language menu (Kazakh first) and the service menu.

use axum::extract::State;
use chrono::{DateTime, Utc};
use hotline_routes::call;
use hotline_routes::line::Line;
use hotline_routes::menu::{self, Choice};
use hotline_routes::twiml::VoiceResponse;
use hotline_schedules::{Language, PhoneNumber, Service};

use super::{Twiml, call_and_line, or_apology, ringing};
use crate::store::{CallOutcome, CallRecord, CallStage, NewCall, StoreError};
use crate::web::AppState;
use crate::web::webhook::{Webhook, WebhookRefusal};

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
        .count("hotline_call_events_total", "event", "incoming");
    let now = state.clock.now();
    let result = async {
        let new = new_call(&state, call_sid, from, to, now);
        let call = state.store.record_call(&new).await?;
        let line = crate::lines::for_number(state.store.as_ref(), to).await?;
        if state.store.is_blocked(&new.caller_hash, now).await? {
            tracing::info!(call_id = call.id, "a blocked number called");
            state
                .store
                .set_call_outcome(call.id, CallOutcome::Blocked)
                .await?;
            return Ok(call::blocked(&line));
        }
        if line.hours.as_ref().is_some_and(|hours| !hours.is_open(now)) {
            state
                .store
                .set_call_stage(call.id, CallStage::Voicemail)
                .await?;
            return Ok(call::closed(&line, line.default_language));
        }
        match line.languages.as_slice() {
            [only] => after_language(&state, &call, &line, *only, now).await,
            _ => Ok(menu::language_menu(&line, 1, false)),
        }
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

/// The menu's try number, from our own action URL.
fn attempt(webhook: &Webhook) -> u8 {
    webhook
        .query("try")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1)
}

/// `POST /webhooks/voice/language?try=N`: her key at the language menu (or none).
pub async fn language_chosen(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let digits = webhook.param("Digits").unwrap_or_default();
    let now = state.clock.now();
    let result = async {
        let (call, line) = call_and_line(&state, call_sid).await?;
        match menu::language_choice(&line, digits, attempt(&webhook)) {
            Choice::Again(next) => Ok(menu::language_menu(&line, next, !digits.is_empty())),
            Choice::Chosen(language) | Choice::Default(language) => {
                after_language(&state, &call, &line, language, now).await
            }
        }
    }
    .await;
    Ok(or_apology(&state, "language", result))
}

async fn after_language(
    state: &AppState,
    call: &CallRecord,
    line: &Line,
    language: Language,
    now: DateTime<Utc>,
) -> Result<VoiceResponse, StoreError> {
    match line.services.as_slice() {
        // A line of one service asks nothing more: her language and that service are kept with
        // the people rung for her.
        [only] => ring_with_her_choice(state, call, line, language, *only, now).await,
        _ => {
            state.store.set_call_choice(call.id, language, None).await?;
            Ok(menu::service_menu(line, language, 1, false))
        }
    }
}

/// Rings the first people for her choice, kept with them in one write: one synced commit on
/// her way to a person, where there were two.
async fn ring_with_her_choice(
    state: &AppState,
    call: &CallRecord,
    line: &Line,
    language: Language,
    service: Service,
    now: DateTime<Utc>,
) -> Result<VoiceResponse, StoreError> {
    let her = ringing::HerChoice { language, service };
    ringing::ring_next(state, call, line, 0, now, Some(her)).await
}

/// `POST /webhooks/voice/service?language=L&try=N`: her key at the service menu (or none).
pub async fn service_chosen(
    State(state): State<AppState>,
    webhook: Webhook,
) -> Result<Twiml, WebhookRefusal> {
    let call_sid = webhook.required("CallSid")?;
    let digits = webhook.param("Digits").unwrap_or_default();
    let language: Language = webhook
        .query("language")
        .and_then(|l| l.parse().ok())
        .ok_or(WebhookRefusal::Invalid("language"))?;
    let now = state.clock.now();
    let result = async {
        let (call, line) = call_and_line(&state, call_sid).await?;
        match menu::service_choice(&line, digits, attempt(&webhook)) {
            Choice::Again(next) => Ok(menu::service_menu(
                &line,
                language,
                next,
                !digits.is_empty(),
            )),
            Choice::Chosen(service) | Choice::Default(service) => {
                ring_with_her_choice(&state, &call, &line, language, service, now).await
            }
        }
    }
    .await;
    Ok(or_apology(&state, "service", result))
}
