//! `hotline simulate`: plays Twilio's part against a running hotline server, so anyone can try
//! the hotline, and end-to-end tests can drive whole calls, without a Twilio account. Places a
//! call, signs every request as Twilio does, follows the TwiML (menus, dials, whispers,
//! voicemail) with scripted people on both ends, and records the conversation.
//!
//! ```no_run
//! # async fn example() -> Result<(), hotline::simulate::SimulateError> {
//! use hotline::simulate::{Behaviour, CallScript, TokenSigner, run_call};
//!
//! let script = CallScript::default().phone("+77015550101", Behaviour::NoAnswer);
//! let signer = TokenSigner("the-auth-token".to_owned());
//! let transcript = run_call("http://127.0.0.1:8080", &script, &signer).await?;
//! print!("{transcript}");
//! # Ok(())
//! # }
//! ```

mod caller;
pub mod cli;
mod dial;
mod script;
mod session;
mod sign;
mod transcript;
mod twilio;
mod whisper;

#[cfg(test)]
mod tests;

use hotline_routes::twiml::TwimlError;

pub use script::{Behaviour, CallScript, parse_phone, parse_press};
pub use sign::{Signer, TokenSigner, signing_token_from_file};
pub use transcript::{Event, LegStatus, Transcript, mask};

/// Why a simulated call could not be followed to its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulateError {
    #[error("{url:?} is not a URL the simulator can call: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the server answered {method} {url} with HTTP {status}: {body}")]
    HttpStatus {
        method: &'static str,
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url} answered with TwiML that cannot be followed: {error}\n{body}")]
    BadTwiml {
        url: String,
        error: Box<TwimlError>,
        body: String,
    },
    #[error(
        "the call fetched more than {0} TwiML documents; stopped there, as it looks like a loop"
    )]
    TooManySteps(usize),
    #[error("{0}")]
    Unsupported(String),
}

/// Places one call to the server at `base_url` and follows it to the end.
pub async fn run_call(
    base_url: &str,
    script: &CallScript,
    signer: &dyn Signer,
) -> Result<Transcript, SimulateError> {
    run_call_with(base_url, script, signer, &mut |_: &Event| {}).await
}

/// As [`run_call`], telling `on_event` each event as it happens (to print a call live, and to
/// see how far a failing call got).
pub async fn run_call_with(
    base_url: &str,
    script: &CallScript,
    signer: &dyn Signer,
    on_event: &mut (dyn FnMut(&Event) + Send),
) -> Result<Transcript, SimulateError> {
    let mut session = session::Session::new(base_url, script, signer, on_event)?;
    session.run().await?;
    Ok(Transcript {
        call_sid: session.call_sid,
        events: session.events,
    })
}
