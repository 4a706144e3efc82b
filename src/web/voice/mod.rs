//! Twilio's voice webhooks: a call comes in, she chooses at the menus, people are rung and
//! screened, a voicemail is left, the call ends. Each handler records what happened and answers
//! with the TwiML that `hotline_routes` chooses, from our own state, in milliseconds: nothing
//! here calls the provider. A caller never gets an HTTP error: when the server cannot do its
//! part she hears an apology, the emergency numbers and a voicemail prompt.

mod ending;
mod menus;
mod ringing;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use hotline_routes::call;
use hotline_routes::twiml::VoiceResponse;

use super::AppState;
use crate::store::StoreError;

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
