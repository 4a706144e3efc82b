//! What happened on a simulated call, in order, and how it reads when printed. The caller's
//! number is masked whenever it is printed; staff numbers are shown, since the point of a
//! simulation is to see who was rung.

use std::fmt;

use hotline_schedules::PhoneNumber;

/// Why a staff phone did not take the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegStatus {
    /// It rang until the dial gave up.
    NoAnswer,
    /// It declined the call.
    Busy,
    /// Someone else took the call first, so Twilio hung this one up.
    Canceled,
    /// It picked up, but the whisper did not get the key that accepts the call.
    NotAccepted,
}

impl LegStatus {
    /// Twilio's `CallStatus` for the leg.
    pub fn call_status(self) -> &'static str {
        match self {
            LegStatus::NoAnswer => "no-answer",
            LegStatus::Busy => "busy",
            LegStatus::Canceled => "canceled",
            // The leg was answered, then hung up by the whisper.
            LegStatus::NotAccepted => "completed",
        }
    }
}

impl fmt::Display for LegStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LegStatus::NoAnswer => "no answer",
            LegStatus::Busy => "busy",
            LegStatus::Canceled => "canceled",
            LegStatus::NotAccepted => "picked up but did not accept",
        })
    }
}

/// One thing that happened on the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The call is placed.
    Placed {
        from: String,
        to: String,
        call_sid: String,
    },
    /// The caller hears text-to-speech.
    Heard {
        text: String,
        language: Option<String>,
    },
    /// The caller hears an audio file (Kazakh prompts are recordings).
    Played { url: String },
    /// Silence.
    Paused { seconds: u32 },
    /// The caller presses keys at a `<Gather>`.
    Pressed(String),
    /// The caller presses nothing and the `<Gather>` times out.
    NoInput { seconds: u32 },
    /// A staff phone rings.
    Ringing { number: String },
    /// The person (or voicemail) who picked up hears the whisper.
    StaffHeard {
        number: String,
        text: String,
        language: Option<String>,
    },
    /// The person who picked up hears an audio file in the whisper.
    StaffPlayed { number: String, url: String },
    /// The person who picked up presses keys in the whisper.
    StaffPressed { number: String, digits: String },
    /// Whoever picked up presses nothing when the whisper asks.
    StaffSilent { number: String },
    /// A staff phone did not take the call.
    NotAnswered { number: String, status: LegStatus },
    /// A personal voicemail, not a person, took the call: what a whisper is there to prevent.
    PersonalVoicemail { number: String },
    /// The caller is put through.
    Connected { number: String },
    /// The conversation lasts this long, then the staff side hangs up.
    Talked { seconds: u32 },
    /// A `<Dial>` ended with Twilio's `DialCallStatus`.
    DialEnded { status: String },
    /// The caller leaves a message at a `<Record>`.
    Recorded { seconds: u32 },
    /// The caller hangs up.
    CallerHungUp,
    /// The hotline hangs up (`<Hangup>`).
    HungUp,
    /// The hotline rejects the call (`<Reject>`).
    Rejected { reason: String },
    /// The TwiML ran out without `<Hangup>`: Twilio ends the call.
    TwimlEnded,
    /// A request the simulator made, shown only in verbose output.
    Request {
        method: &'static str,
        url: String,
        status: u16,
        params: Vec<(String, String)>,
    },
    /// The call is over; Twilio's final `CallStatus` and `CallDuration`.
    Ended { status: String, seconds: u32 },
}

/// Parameters every request carries, left out of verbose output to keep it readable (and the
/// caller's number out of it).
const COMMON_PARAMS: [&str; 13] = [
    "AccountSid",
    "ApiVersion",
    "CallSid",
    "Called",
    "Caller",
    "Direction",
    "From",
    "FromCountry",
    "To",
    "ToCountry",
    "ParentCallSid",
    "Timestamp",
    "CallbackSource",
];

/// The caller's number as it may be printed.
pub fn mask(number: &str) -> String {
    match PhoneNumber::parse(number) {
        Ok(number) => number.masked(),
        // Not a number (a withheld caller id): show its shape, never its digits.
        Err(_) => "•".repeat(number.chars().count().min(12)),
    }
}

fn spoken(who: &str, language: &Option<String>, text: &str) -> String {
    match language {
        Some(language) => format!("{who} ({language}): {text}"),
        None => format!("{who}: {text}"),
    }
}

impl Event {
    /// The event as a line of the printed conversation; `None` when it is shown only verbosely.
    pub fn line(&self, verbose: bool) -> Option<String> {
        Some(match self {
            Event::Placed { from, to, call_sid } => {
                format!("☎ caller {} dials {to} ({call_sid})", mask(from))
            }
            Event::Heard { text, language } => spoken("hotline", language, text),
            Event::Played { url } => format!("hotline ▶ {url}"),
            Event::Paused { seconds } => format!("hotline … ({seconds} s of silence)"),
            Event::Pressed(digits) => format!("caller presses {digits}"),
            Event::NoInput { seconds } => format!("caller presses nothing ({seconds} s)"),
            Event::Ringing { number } => format!("↳ ringing {number}"),
            Event::StaffHeard {
                number,
                text,
                language,
            } => {
                format!("  {}", spoken(&format!("{number} hears"), language, text))
            }
            Event::StaffPlayed { number, url } => format!("  {number} hears ▶ {url}"),
            Event::StaffPressed { number, digits } => format!("  {number} presses {digits}"),
            Event::StaffSilent { number } => format!("  {number} presses nothing"),
            Event::NotAnswered { number, status } => format!("✗ {number}: {status}"),
            Event::PersonalVoicemail { number } => {
                format!("⚠ {number}'s personal voicemail took the call")
            }
            Event::Connected { number } => format!("✓ connected to {number}"),
            Event::Talked { seconds } => format!("  … {seconds} s of conversation"),
            Event::DialEnded { status } => format!("↳ dial ended: {status}"),
            Event::Recorded { seconds } => format!("● caller leaves a {seconds}-second message"),
            Event::CallerHungUp => "✕ caller hangs up".to_owned(),
            Event::HungUp => "✕ hotline hangs up".to_owned(),
            Event::Rejected { reason } => format!("✕ hotline rejects the call ({reason})"),
            Event::TwimlEnded => "✕ the TwiML ends, so the call ends".to_owned(),
            Event::Request {
                method,
                url,
                status,
                params,
            } => {
                if !verbose {
                    return None;
                }
                let shown: Vec<String> = params
                    .iter()
                    .filter(|(name, _)| !COMMON_PARAMS.contains(&name.as_str()))
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect();
                format!("    → {method} {url} [{}] ← {status}", shown.join(" "))
            }
            Event::Ended { status, seconds } => format!("☎ call {status} after {seconds} s"),
        })
    }
}

/// A whole simulated call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub call_sid: String,
    pub events: Vec<Event>,
}

impl Transcript {
    /// The printed conversation, one line per event; `verbose` adds every request made.
    pub fn lines(&self, verbose: bool) -> Vec<String> {
        self.events.iter().filter_map(|e| e.line(verbose)).collect()
    }

    /// The staff number the caller was put through to, if any.
    pub fn connected_to(&self) -> Option<&str> {
        self.events.iter().find_map(|event| match event {
            Event::Connected { number } => Some(number.as_str()),
            _ => None,
        })
    }

    /// Every staff number rung, in order.
    pub fn rang(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Ringing { number } => Some(number.as_str()),
                _ => None,
            })
            .collect()
    }

    /// How long a message the caller left, if she left one.
    pub fn voicemail_seconds(&self) -> Option<u32> {
        self.events.iter().find_map(|event| match event {
            Event::Recorded { seconds } => Some(*seconds),
            _ => None,
        })
    }

    /// Everything the caller heard spoken, in order.
    pub fn heard(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Heard { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines(false) {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callers_number_is_masked_and_staff_numbers_are_shown() {
        let transcript = Transcript {
            call_sid: "CA1".to_owned(),
            events: vec![
                Event::Placed {
                    from: "+77075550112".to_owned(),
                    to: "+77010000000".to_owned(),
                    call_sid: "CA1".to_owned(),
                },
                Event::Ringing {
                    number: "+77015550101".to_owned(),
                },
                Event::Request {
                    method: "POST",
                    url: "http://h/webhooks/voice".to_owned(),
                    status: 200,
                    params: vec![("From".to_owned(), "+77075550112".to_owned())],
                },
            ],
        };
        let printed = transcript.to_string();
        assert!(!printed.contains("5550112"), "{printed}");
        assert!(printed.contains("+7••••••••12"), "{printed}");
        assert!(printed.contains("↳ ringing +77015550101"), "{printed}");
        let verbose = transcript.lines(true).join("\n");
        assert!(
            verbose.contains("→ POST http://h/webhooks/voice"),
            "{verbose}"
        );
        assert!(!verbose.contains("5550112"), "{verbose}");
        assert_eq!(mask("anonymous"), "•••••••••");
    }
}
