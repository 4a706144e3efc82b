//! The TwiML verbs and nouns as plain values with builder methods, attributes named as Twilio
//! spells them (in snake case). Never does I/O, and checks nothing beyond what XML itself
//! requires: whether Twilio accepts a value is Twilio's to say.

use super::write::{trim_xml_space, xml_chars};

/// Builder methods that set an optional attribute; `text` ones also drop characters XML cannot
/// carry, so a built value always survives `parse(to_xml())` unchanged.
macro_rules! setters {
    ($($field:ident: $kind:ident;)*) => { $( setters!(@one $field: $kind); )* };
    (@one $field:ident: text) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](field@Self::", stringify!($field), ").")]
        #[must_use]
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(xml_chars(value.into()));
            self
        }
    };
    (@one $field:ident: $ty:ident) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](field@Self::", stringify!($field), ").")]
        #[must_use]
        pub fn $field(mut self, value: $ty) -> Self {
            self.$field = Some(value);
            self
        }
    };
}

/// The HTTP method Twilio uses to fetch a callback URL (Twilio's default is POST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// As written in TwiML: `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// `<Say>`: text spoken by Twilio's text-to-speech. Twilio has no Kazakh voice, so in practice
/// this is for Russian; Kazakh prompts are recordings played with [`Play`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Say {
    /// What is spoken, kept exactly (whitespace included).
    pub text: String,
    /// `language`, e.g. `"ru-RU"`.
    pub language: Option<String>,
    /// `voice`, e.g. `"Polly.Tatyana"`.
    pub voice: Option<String>,
    /// `loop`: how many times; 0 repeats until the caller hangs up.
    pub loops: Option<u32>,
}

impl Say {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: xml_chars(text.into()),
            ..Self::default()
        }
    }

    setters! { language: text; voice: text; loops: u32; }
}

/// `<Play>`: an audio file, such as a recorded Kazakh prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Play {
    /// The audio URL, without surrounding whitespace.
    pub url: String,
    /// `loop`: how many times; 0 repeats until the caller hangs up.
    pub loops: Option<u32>,
}

impl Play {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: trim_xml_space(xml_chars(url.into())),
            ..Self::default()
        }
    }

    setters! { loops: u32; }
}

/// `<Pause>`: silence (Twilio's default is one second).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Pause {
    /// `length` in seconds.
    pub length: Option<u32>,
}

impl Pause {
    pub fn new() -> Self {
        Self::default()
    }

    setters! { length: u32; }
}

/// What [`Gather`] plays while it listens for keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Say(Say),
    Play(Play),
    Pause(Pause),
}

/// `<Gather>`: plays its prompts and collects the keys the caller presses (a menu choice, or
/// "press 1 to accept" in a whisper).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Gather {
    /// `input`: `"dtmf"` for keys.
    pub input: Option<String>,
    /// `numDigits`: stop after this many keys.
    pub num_digits: Option<u32>,
    /// `timeout`: seconds of silence before giving up.
    pub timeout: Option<u32>,
    /// `action`: where Twilio sends the `Digits`.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: Option<Method>,
    /// `finishOnKey`: the key that ends input; `""` for none.
    pub finish_on_key: Option<String>,
    /// `actionOnEmptyResult`: call `action` even when nothing was pressed, instead of moving on
    /// to the next verb.
    pub action_on_empty_result: Option<bool>,
    /// The nested `<Say>`, `<Play>` and `<Pause>`, in order.
    pub prompts: Vec<Prompt>,
}

impl Gather {
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        input: text;
        num_digits: u32;
        timeout: u32;
        action: text;
        method: Method;
        finish_on_key: text;
        action_on_empty_result: bool;
    }

    #[must_use]
    pub fn say(mut self, say: Say) -> Self {
        self.prompts.push(Prompt::Say(say));
        self
    }

    #[must_use]
    pub fn play(mut self, play: Play) -> Self {
        self.prompts.push(Prompt::Play(play));
        self
    }

    #[must_use]
    pub fn pause(mut self, pause: Pause) -> Self {
        self.prompts.push(Prompt::Pause(pause));
        self
    }
}

/// Whom a [`Dial`] rings. Twilio accepts either one bare number as the element's text, or
/// `<Number>` nouns (needed for a whisper URL or status callbacks per leg), never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callees {
    /// `<Number>` nouns, rung at the same time by Twilio.
    Numbers(Vec<Number>),
    /// `<Dial>+77011234567</Dial>`.
    Plain(String),
}

impl Default for Callees {
    fn default() -> Self {
        Callees::Numbers(Vec::new())
    }
}

impl Callees {
    /// The phone numbers rung, whichever way they were written.
    pub fn phone_numbers(&self) -> Vec<&str> {
        match self {
            Callees::Numbers(numbers) => numbers.iter().map(|n| n.phone_number.as_str()).collect(),
            Callees::Plain(number) => vec![number.as_str()],
        }
    }
}

/// `<Dial>`: connects the caller to someone on duty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Dial {
    /// `callerId`: the hotline's number, so staff never see, and callers never learn, a personal
    /// number.
    pub caller_id: Option<String>,
    /// `action`: where Twilio reports how the dial ended.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: Option<Method>,
    /// `timeout`: seconds to let it ring.
    pub timeout: Option<u32>,
    /// `answerOnBridge`: the caller keeps hearing ringing until someone accepts.
    pub answer_on_bridge: Option<bool>,
    /// `timeLimit`: longest call in seconds.
    pub time_limit: Option<u32>,
    /// `record`, e.g. `"do-not-record"` or `"record-from-answer"`.
    pub record: Option<String>,
    /// Whom to ring.
    pub callees: Callees,
}

impl Dial {
    /// A dial with no one to ring yet; add people with [`Dial::number`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A dial of one bare number, written as the element's text.
    pub fn plain(number: impl Into<String>) -> Self {
        let number = trim_xml_space(xml_chars(number.into()));
        // An empty text would write `<Dial />`, which reads back as no numbers at all.
        let callees = if number.is_empty() {
            Callees::default()
        } else {
            Callees::Plain(number)
        };
        Self {
            callees,
            ..Self::default()
        }
    }

    setters! {
        caller_id: text;
        action: text;
        method: Method;
        timeout: u32;
        answer_on_bridge: bool;
        time_limit: u32;
        record: text;
    }

    /// Adds a `<Number>`; a bare number set by [`Dial::plain`] becomes a `<Number>` too, since
    /// Twilio does not allow both.
    #[must_use]
    pub fn number(mut self, number: Number) -> Self {
        match &mut self.callees {
            Callees::Numbers(numbers) => numbers.push(number),
            Callees::Plain(plain) => {
                let first = Number::new(std::mem::take(plain));
                self.callees = Callees::Numbers(vec![first, number]);
            }
        }
        self
    }
}

/// `<Number>`: one phone to ring inside a [`Dial`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Number {
    /// The number rung, without surrounding whitespace.
    pub phone_number: String,
    /// `url`: the whisper, TwiML run on the callee's leg before connecting, so a personal
    /// voicemail that picks up never swallows the call.
    pub url: Option<String>,
    /// `method` for `url`.
    pub method: Option<Method>,
    /// `statusCallback`: where Twilio reports this leg's progress.
    pub status_callback: Option<String>,
    /// `statusCallbackEvent`: space-separated, e.g. `"initiated ringing answered completed"`.
    pub status_callback_event: Option<String>,
    /// `statusCallbackMethod`.
    pub status_callback_method: Option<Method>,
}

impl Number {
    pub fn new(phone_number: impl Into<String>) -> Self {
        Self {
            phone_number: trim_xml_space(xml_chars(phone_number.into())),
            ..Self::default()
        }
    }

    setters! {
        url: text;
        method: Method;
        status_callback: text;
        status_callback_event: text;
        status_callback_method: Method;
    }
}

/// `<Record>`: takes a voicemail after the beep.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Record {
    /// `action`: where Twilio sends the recording when the caller finishes.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: Option<Method>,
    /// `maxLength` in seconds.
    pub max_length: Option<u32>,
    /// `timeout`: seconds of silence that end the recording.
    pub timeout: Option<u32>,
    /// `playBeep`.
    pub play_beep: Option<bool>,
    /// `finishOnKey`: keys that end the recording.
    pub finish_on_key: Option<String>,
    /// `recordingStatusCallback`: where Twilio says the recording file is ready.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod`.
    pub recording_status_callback_method: Option<Method>,
    /// `trim`: `"trim-silence"` or `"do-not-trim"`.
    pub trim: Option<String>,
}

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        action: text;
        method: Method;
        max_length: u32;
        timeout: u32;
        play_beep: bool;
        finish_on_key: text;
        recording_status_callback: text;
        recording_status_callback_method: Method;
        trim: text;
    }
}

/// `<Redirect>`: continue with the TwiML at another URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Redirect {
    /// The URL, without surrounding whitespace.
    pub url: String,
    /// `method` for `url`.
    pub method: Option<Method>,
}

impl Redirect {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: trim_xml_space(xml_chars(url.into())),
            ..Self::default()
        }
    }

    setters! { method: Method; }
}

/// `<Reject>`: refuse the call unanswered (e.g. a blocked number), so it is not billed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Reject {
    /// `reason`: `"rejected"` or `"busy"`, the tone the caller hears.
    pub reason: Option<String>,
}

impl Reject {
    pub fn new() -> Self {
        Self::default()
    }

    setters! { reason: text; }
}
