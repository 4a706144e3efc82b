//! Twilio's voice webhooks: a call comes in, she chooses at the menus, people are rung and
//! screened, a voicemail is left, the call ends. Each handler records what happened and answers
//! with the TwiML that `hotline_routes` chooses, from our own state, in milliseconds: nothing
//! here calls the provider. `callback` is the call a staff member's `CALL K7Q` places. A caller never gets an HTTP error: when the server cannot do its
//! part she hears an apology, the emergency numbers and a voicemail prompt.

mod callback;
mod ending;
mod menus;
mod ringing;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline_routes::call;
use hotline_routes::twiml::VoiceResponse;

use hotline_routes::line::Line;
use hotline_schedules::{Language, Service};

use super::AppState;
use super::webhook::WebhookRefusal;
use crate::store::{CallRecord, StoreError};

pub use callback::{callback_answered, callback_connect, callback_status};
pub use ending::{fallback, open_follow_up, recording_ready, status, voicemail};
pub use menus::{incoming, language_chosen, service_chosen};
pub use ringing::{dial_ended, leg_status, whisper, whisper_answer};

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

/// A call the provider names that we never recorded is a request we cannot follow.
fn unknown_call() -> StoreError {
    StoreError::Corrupt("a webhook named a call never recorded".into())
}

/// The call a webhook names by its CallSid, and the line it came to.
async fn call_and_line(state: &AppState, call_sid: &str) -> Result<(CallRecord, Line), StoreError> {
    let call = state
        .store
        .call_by_sid(call_sid)
        .await?
        .ok_or_else(unknown_call)?;
    let line = crate::lines::for_number(state.store.as_ref(), &call.line_number).await?;
    Ok((call, line))
}

/// The language she chose, or the line's default until she has.
fn language_of(call: &CallRecord, line: &Line) -> Language {
    call.language.unwrap_or(line.default_language)
}

/// The service she chose, or the line's first until she has.
fn service_of(call: &CallRecord, line: &Line) -> Service {
    call.service.unwrap_or(line.services[0])
}

/// The answer to a callback that only records: 204 when kept; 500 when not, so the provider
/// may try again, with the cause in the log.
fn acknowledged(
    step: &'static str,
    result: Result<(), StoreError>,
) -> Result<StatusCode, WebhookRefusal> {
    match result {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(error) => {
            tracing::error!(%error, step, "could not keep what a callback reported");
            Ok(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}
