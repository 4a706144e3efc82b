//! What happens on a simulated call, one event at a time, and how each reads when printed. The
//! caller's number is masked whenever it is printed; staff numbers are shown, since the point of
//! a simulation is to see who was rung.

use std::fmt;

use hotline_schedules::PhoneNumber;

/// Why a staff phone did not take the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegStatus {
    /// It rang until the dial gave up.
    NoAnswer,
    /// It declined the call.
    Busy,
    /// The provider could not place the call.
    Failed,
    /// It was still ringing when someone else took the call or the caller hung up, so Twilio
    /// hung it up.
    Canceled,
    /// It picked up, but the whisper ended the leg without putting it through (silence, another
    /// key, or a colleague had accepted first).
    NotAccepted,
    /// It picked up, and the person hung up during the whisper.
    HungUp,
    /// It picked up and was still in the whisper when someone else took the call or the caller
    /// hung up, so Twilio hung it up.
    CutOff,
}

impl LegStatus {
    /// Twilio's `CallStatus` for the leg.
    pub fn call_status(self) -> &'static str {
        match self {
            LegStatus::NoAnswer => "no-answer",
            LegStatus::Busy => "busy",
            LegStatus::Failed => "failed",
            LegStatus::Canceled => "canceled",
            // These legs were answered, then ended.
            LegStatus::NotAccepted | LegStatus::HungUp | LegStatus::CutOff => "completed",
        }
    }

    /// Whether the leg was answered (by a person or a machine) before it ended.
    pub fn picked_up(self) -> bool {
        self.call_status() == "completed"
    }
}

impl fmt::Display for LegStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LegStatus::NoAnswer => "no answer",
            LegStatus::Busy => "busy",
            LegStatus::Failed => "failed",
            LegStatus::Canceled => "canceled",
            LegStatus::NotAccepted => "picked up but was not put through",
            LegStatus::HungUp => "picked up and hung up at the whisper",
            LegStatus::CutOff => "picked up, cut off before the whisper ended",
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
    /// A staff phone (or its voicemail) picks up; the whisper, if any, starts.
    PickedUp { number: String },
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
    /// The person who picked up hangs up during the whisper.
    StaffHungUp { number: String },
    /// A whisper ended as if accepted after the call had been put through to someone else: two
    /// people were each told the call was theirs.
    AcceptedTooLate { number: String },
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
    /// The hotline answered a request made after the caller hung up; Twilio ignores that answer.
    AnswerIgnored { url: String },
    /// A request sent twice (as Twilio retries) got two different answers: the handler is not
    /// idempotent. `first` and `second` are the two answers (TwiML, or an HTTP status).
    RetryDiffered {
        url: String,
        first: String,
        second: String,
    },
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
            Event::StaffHungUp { number } => format!("  {number} hangs up"),
            Event::PickedUp { number } => format!("  {number} picks up"),
            Event::AcceptedTooLate { number } => {
                format!("⚠ {number} was also told the call is theirs, after it went to a colleague")
            }
            Event::AnswerIgnored { url } => {
                format!("  (the caller is gone: Twilio ignores the answer from {url})")
            }
            Event::RetryDiffered { url, first, second } => format!(
                "⚠ a retry of {url} got a different answer:\n    first:  {first}\n    second: {second}"
            ),
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
