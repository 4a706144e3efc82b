//! TwiML, the XML that tells Twilio what to do with a call: a typed builder that writes exactly
//! what Twilio's own Python helper library writes, and a parser that reads a document back verb by
//! verb, for tests and the call simulator. Pure: never does I/O, never reads the clock, and never
//! panics on a document from outside.
//!
//! ```
//! use hotline_routes::twiml::{Dial, Number, Say, VoiceResponse};
//!
//! let xml = VoiceResponse::new()
//!     .say(Say::new("Здравствуйте").language("ru-RU"))
//!     .dial(
//!         Dial::new()
//!             .caller_id("+77000000000")
//!             .action("/webhooks/voice/dial?call=1")
//!             .number(Number::new("+77011234567").url("/webhooks/voice/whisper")),
//!     )
//!     .to_xml();
//! assert_eq!(hotline_routes::twiml::parse(&xml).map(|r| r.verbs.len()), Ok(2));
//! ```

mod parse;
mod tree;
mod verbs;
mod write;

#[cfg(test)]
mod tests;

pub use parse::{TwimlError, parse};
pub use verbs::{
    Callees, Dial, Gather, Method, Number, Pause, Play, Prompt, Record, Redirect, Reject, Say,
};

/// A whole TwiML document for a voice call: the verbs Twilio follows, in order.
///
/// An empty one, `VoiceResponse::new().to_xml()`, writes `<Response />` as Twilio's Python library
/// does; that is also the answer to an incoming SMS or WhatsApp message we do not reply to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct VoiceResponse {
    /// The verbs, in the order Twilio carries them out.
    pub verbs: Vec<Verb>,
}

/// One TwiML verb directly under `<Response>`.
///
/// Not `#[non_exhaustive]` on purpose: the call simulator matches every verb, and a new verb
/// should break its build rather than be silently skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Say(Say),
    Play(Play),
    Pause(Pause),
    Gather(Gather),
    Dial(Dial),
    Record(Record),
    Redirect(Redirect),
    Hangup,
    Reject(Reject),
}

impl Verb {
    /// The element name Twilio knows the verb by, e.g. `"Gather"`.
    pub fn name(&self) -> &'static str {
        match self {
            Verb::Say(_) => "Say",
            Verb::Play(_) => "Play",
            Verb::Pause(_) => "Pause",
            Verb::Gather(_) => "Gather",
            Verb::Dial(_) => "Dial",
            Verb::Record(_) => "Record",
            Verb::Redirect(_) => "Redirect",
            Verb::Hangup => "Hangup",
            Verb::Reject(_) => "Reject",
        }
    }
}

macro_rules! verb_from {
    ($($verb:ident),*) => {$(
        impl From<$verb> for Verb {
            fn from(verb: $verb) -> Self {
                Verb::$verb(verb)
            }
        }
    )*};
}
verb_from!(Say, Play, Pause, Gather, Dial, Record, Redirect, Reject);

impl VoiceResponse {
    /// An empty document; add verbs with the builder methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any verb; the named methods below read better at call sites.
    #[must_use]
    pub fn verb(mut self, verb: impl Into<Verb>) -> Self {
        self.verbs.push(verb.into());
        self
    }

    #[must_use]
    pub fn say(self, say: Say) -> Self {
        self.verb(say)
    }

    #[must_use]
    pub fn play(self, play: Play) -> Self {
        self.verb(play)
    }

    #[must_use]
    pub fn pause(self, pause: Pause) -> Self {
        self.verb(pause)
    }

    #[must_use]
    pub fn gather(self, gather: Gather) -> Self {
        self.verb(gather)
    }

    #[must_use]
    pub fn dial(self, dial: Dial) -> Self {
        self.verb(dial)
    }

    #[must_use]
    pub fn record(self, record: Record) -> Self {
        self.verb(record)
    }

    #[must_use]
    pub fn redirect(self, redirect: Redirect) -> Self {
        self.verb(redirect)
    }

    #[must_use]
    pub fn hangup(mut self) -> Self {
        self.verbs.push(Verb::Hangup);
        self
    }

    #[must_use]
    pub fn reject(self, reject: Reject) -> Self {
        self.verb(reject)
    }

    /// The document as Twilio expects it: XML declaration, no whitespace between elements,
    /// attributes in alphabetical order, byte for byte what `twilio` 9.x for Python writes.
    pub fn to_xml(&self) -> String {
        write::document(self)
    }
}
