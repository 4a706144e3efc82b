//! What the simulated people do: the caller's key presses and patience, and how each staff phone
//! behaves when the hotline rings it. Plain data, so a test can write a call in a few lines.

use hotline_schedules::PhoneNumber;

/// The hotline number dialled when none is given.
pub const DEFAULT_TO: &str = "+77010000000";
/// A made-up Kazakh mobile number for the caller.
pub const DEFAULT_FROM: &str = "+77075550112";
/// How long a caller leaves a message for at a `<Record>`, in seconds.
pub const DEFAULT_VOICEMAIL_SECONDS: u32 = 12;
/// How phones not named in the script answer: the person on duty picks up, so that a plain
/// `hotline simulate call` shows a call put through.
pub const DEFAULT_OTHER_PHONES: Behaviour = Behaviour::Accept;
/// How many TwiML documents a call may fetch before the simulator assumes it loops.
pub const DEFAULT_MAX_STEPS: usize = 50;

/// How a staff phone answers when the hotline rings it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Behaviour {
    /// Picks up, and presses 1 when a whisper asks.
    Accept,
    /// Rejects the call: Twilio reports it busy.
    Decline,
    /// Rings until the dial gives up.
    NoAnswer,
    /// A personal voicemail picks up: the leg is answered, but nothing is pressed at a whisper.
    Voicemail,
    /// The provider cannot place the call at all (a number out of service, a carrier error).
    Failed,
    /// Picks up, hears the whisper, and presses 2: she cannot take this call.
    Refuse,
    /// Picks up, hears the whisper, and hangs up without pressing anything.
    HangUpAtWhisper,
}

impl Behaviour {
    /// Every behaviour, for property tests and help texts.
    pub const ALL: [Behaviour; 7] = [
        Behaviour::Accept,
        Behaviour::Decline,
        Behaviour::NoAnswer,
        Behaviour::Voicemail,
        Behaviour::Failed,
        Behaviour::Refuse,
        Behaviour::HangUpAtWhisper,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::Accept => "accept",
            Behaviour::Decline => "decline",
            Behaviour::NoAnswer => "no-answer",
            Behaviour::Voicemail => "voicemail",
            Behaviour::Failed => "failed",
            Behaviour::Refuse => "refuse",
            Behaviour::HangUpAtWhisper => "hang-up-at-whisper",
        }
    }
}

/// When the caller gives up and hangs up, on the simulated clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangUp {
    /// This many seconds after the call began, whatever she is hearing then (a menu, ringing,
    /// the voicemail prompt, her own message, the conversation).
    AfterSeconds(u32),
    /// This many seconds after the first `<Dial>` starts ringing: the moment a test usually means.
    WhileRinging(u32),
}

/// One simulated call: who calls, what she presses, how the staff phones behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallScript {
    /// The caller's number (`From`).
    pub from: String,
    /// The hotline number dialled (`To`).
    pub to: String,
    /// What the caller presses at each `<Gather>`, in order; when they run out, a Gather times out.
    pub digits: Vec<String>,
    /// How named staff phones behave; the first entry for a number wins.
    pub phones: Vec<(String, Behaviour)>,
    /// How every other phone behaves.
    pub other_phones: Behaviour,
    /// How long an accepted conversation lasts, in seconds.
    pub talk_seconds: u32,
    /// At a `<Record>`, leave a message (`true`) or hang up (`false`).
    pub leave_voicemail: bool,
    /// How long the message is, in seconds.
    pub voicemail_seconds: u32,
    /// The URL Twilio is told to call (`HOTLINE_PUBLIC_URL`), when the server sits behind a proxy:
    /// signatures and relative TwiML URLs are taken against it, while requests go to the base URL.
    pub public_url: Option<String>,
    /// The most TwiML documents one call may fetch.
    pub max_steps: usize,
    /// A fixed CallSid (to replay a call, as Twilio retries do); a fresh one when `None`.
    pub call_sid: Option<String>,
    /// A fixed AccountSid; a fresh one when `None`.
    pub account_sid: Option<String>,
    /// When she hangs up; `None`: she stays until the hotline or the staff side ends the call.
    pub hang_up: Option<HangUp>,
    /// Send every webhook request twice, as Twilio does when an answer is slow or lost; the
    /// second answer is followed, and any difference between the two is recorded.
    pub duplicate_requests: bool,
    /// Hold back every status callback (the call's and each leg's) and deliver them at the end
    /// in a shuffled order, as they may arrive over the internet; each keeps its SequenceNumber.
    pub shuffle_status_callbacks: bool,
    /// Seeds the shuffle, so that a failing order can be replayed.
    pub seed: u64,
}

impl Default for CallScript {
    fn default() -> Self {
        Self {
            from: DEFAULT_FROM.to_owned(),
            to: DEFAULT_TO.to_owned(),
            digits: Vec::new(),
            phones: Vec::new(),
            other_phones: DEFAULT_OTHER_PHONES,
            talk_seconds: 30,
            leave_voicemail: true,
            voicemail_seconds: DEFAULT_VOICEMAIL_SECONDS,
            public_url: None,
            max_steps: DEFAULT_MAX_STEPS,
            call_sid: None,
            account_sid: None,
            hang_up: None,
            duplicate_requests: false,
            shuffle_status_callbacks: false,
            seed: 0,
        }
    }
}

impl CallScript {
    /// Sets how `number` behaves when rung.
    #[must_use]
    pub fn phone(mut self, number: impl Into<String>, behaviour: Behaviour) -> Self {
        self.phones.push((number.into(), behaviour));
        self
    }

    /// Sets what the caller presses at each `<Gather>`, in order.
    #[must_use]
    pub fn digits<I, S>(mut self, presses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.digits = presses.into_iter().map(Into::into).collect();
        self
    }

    /// Sets when she hangs up.
    #[must_use]
    pub fn hang_up(mut self, when: HangUp) -> Self {
        self.hang_up = Some(when);
        self
    }

    /// How `number` behaves, comparing numbers however they are written.
    pub fn behaviour_of(&self, number: &str) -> Behaviour {
        let wanted = normalized(number);
        self.phones
            .iter()
            .find(|(listed, _)| normalized(listed) == wanted)
            .map_or(self.other_phones, |(_, behaviour)| *behaviour)
    }
}

/// A number in E.164 form when it is one, so `+7 701 555 01 01` matches `+77015550101`.
fn normalized(number: &str) -> String {
    PhoneNumber::parse(number).map_or_else(|_| number.trim().to_owned(), |n| n.as_e164().to_owned())
}

/// Reads `NUMBER=BEHAVIOUR`, as `--phone` takes it.
pub fn parse_phone(text: &str) -> Result<(String, Behaviour), String> {
    let (number, behaviour) = text.split_once('=').ok_or_else(|| {
        format!("expected NUMBER=BEHAVIOUR, like +77015550101=accept, not {text:?}")
    })?;
    let number = PhoneNumber::parse(number)
        .map_err(|error| format!("{number:?}: {error}"))?
        .as_e164()
        .to_owned();
    let behaviour =
        <Behaviour as clap::ValueEnum>::from_str(behaviour.trim(), true).map_err(|_| {
            let names: Vec<&str> = Behaviour::ALL.iter().map(|b| b.as_str()).collect();
            format!("{behaviour:?} is not a behaviour; use {}", names.join(", "))
        })?;
    Ok((number, behaviour))
}

/// Checks one `--digits` press: the keys of a phone, as Twilio's `Digits` carries them.
pub fn parse_press(text: &str) -> Result<String, String> {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
    {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?} is not a key press; use 0-9, * and #"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_option_names_a_number_and_a_behaviour() {
        assert_eq!(
            parse_phone("+7 701 555 01 01=no-answer"),
            Ok(("+77015550101".to_owned(), Behaviour::NoAnswer))
        );
        assert_eq!(
            parse_phone("+77015550102=Voicemail"),
            Ok(("+77015550102".to_owned(), Behaviour::Voicemail))
        );
        assert_eq!(
            parse_phone("+77015550103=hang-up-at-whisper"),
            Ok(("+77015550103".to_owned(), Behaviour::HangUpAtWhisper))
        );
        for behaviour in Behaviour::ALL {
            let text = format!("+77015550101={}", behaviour.as_str());
            assert_eq!(parse_phone(&text).map(|(_, b)| b), Ok(behaviour), "{text}");
        }
        assert!(parse_phone("+77015550101").is_err(), "no behaviour");
        assert!(parse_phone("+77015550101=maybe").is_err());
        assert!(parse_phone("87015550101=accept").is_err(), "not E.164");
    }

    #[test]
    fn presses_are_phone_keys() {
        assert_eq!(parse_press("12#"), Ok("12#".to_owned()));
        assert!(parse_press("").is_err());
        assert!(parse_press("1a").is_err());
    }

    #[test]
    fn unlisted_phones_behave_as_told_and_numbers_match_however_written() {
        let script = CallScript::default().phone("+77015550101", Behaviour::Decline);
        assert_eq!(
            script.behaviour_of("+7 (701) 555-01-01"),
            Behaviour::Decline
        );
        assert_eq!(script.behaviour_of("+77015550102"), Behaviour::Accept);
        let script = CallScript {
            other_phones: Behaviour::NoAnswer,
            ..script
        };
        assert_eq!(script.behaviour_of("+77015550102"), Behaviour::NoAnswer);
    }
}
