//! `hotline simulate`: plays Twilio's part against a running hotline server, so anyone can try
//! the hotline, and end-to-end tests can drive whole calls, without a Twilio account. Places a
//! call, signs every request as Twilio does, follows the TwiML (menus, dials, whispers,
//! voicemail) with scripted people on both ends, and records the conversation on a simulated
//! clock. It also plays Twilio's awkward moments, so that tests meet them before callers do: a
//! caller who hangs up at any second, staff phones that fail, refuse or let a voicemail answer,
//! every request sent twice, and status callbacks that arrive late and out of order.
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

mod callbacks;
mod caller;
pub mod cli;
mod dial;
mod event;
mod http;
mod message;
mod record;
mod ringing;
mod script;
mod session;
mod sign;
mod transcript;
mod twilio;
mod whisper;

#[cfg(test)]
mod tests;

use hotline_routes::twiml::TwimlError;

pub use event::{Event, LegStatus, mask};
pub use message::{MessageScript, TextSent, send_texts};
pub use script::{Behaviour, CallScript, HangUp, parse_phone, parse_press};
pub use sign::{Signer, TokenSigner, signing_token_from_file};
pub use transcript::{Hearing, Span, Transcript};

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

/// Told what happens on a simulated call as it happens: to print a call live, to see how far a
/// failing call got, and to move a test server's clock along with the call's.
pub trait Observer: Send {
    /// Something happened, `at` simulated seconds into the call.
    fn event(&mut self, at: u32, event: &Event) {
        let _ = (at, event);
    }

    /// Twilio is about to send requests, `second` simulated seconds into the call: a server
    /// with a test clock should read this moment as "now".
    fn before_requests(&mut self, second: u32) {
        let _ = second;
    }
}

/// A closure observes the events.
impl<F: FnMut(&Event) + Send> Observer for F {
    fn event(&mut self, _at: u32, event: &Event) {
        self(event);
    }
}

/// Places one call to the server at `base_url` and follows it to the end.
pub async fn run_call(
    base_url: &str,
    script: &CallScript,
    signer: &dyn Signer,
) -> Result<Transcript, SimulateError> {
    run_call_with(base_url, script, signer, &mut |_: &Event| {}).await
}

/// As [`run_call`], telling `observer` what happens as it happens.
pub async fn run_call_with(
    base_url: &str,
    script: &CallScript,
    signer: &dyn Signer,
    observer: &mut dyn Observer,
) -> Result<Transcript, SimulateError> {
    let mut session = session::Session::new(base_url, script, signer, observer)?;
    session.run().await?;
    Ok(Transcript {
        call_sid: session.call_sid,
        events: session.events,
        times: session.times,
        hearing: session.hearing,
    })
}
