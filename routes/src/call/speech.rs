//! What the caller and the people rung hear at each turn of a call: voicemail, closed hours, a
//! blocked number, the whisper that screens each leg, the apology when the server fails.

use hotline_schedules::{Language, Service};

use super::{RECORDING_STATUS, VOICEMAIL_ACTION};
use crate::line::Line;
use crate::prompts::{
    Prompt, RUSSIAN_VOICE, Utterance, language_russian, say, service_russian, utter,
};
use crate::twiml::{Gather, Record, Say, VoiceResponse};

/// The longest voicemail, in seconds.
pub const VOICEMAIL_SECONDS: u32 = 180;
/// How long a person has to press 1 at the whisper, in seconds.
pub const WHISPER_SECONDS: u32 = 8;

pub(super) fn speak(twiml: VoiceResponse, utterance: Utterance) -> VoiceResponse {
    match utterance {
        Utterance::Say(say) => twiml.say(say),
        Utterance::Play(play) => twiml.play(play),
    }
}

/// Voicemail, after `reason` and the emergency numbers.
pub fn voicemail(line: &Line, language: Language, reason: Prompt) -> VoiceResponse {
    voicemail_after(line, language, vec![utter(line, language, reason)])
}

fn voicemail_after(line: &Line, language: Language, lead: Vec<Utterance>) -> VoiceResponse {
    let mut twiml = VoiceResponse::new();
    let then =
        [Prompt::Emergency, Prompt::LeaveMessage].map(|prompt| utter(line, language, prompt));
    for utterance in lead.into_iter().chain(then) {
        twiml = speak(twiml, utterance);
    }
    let twiml = twiml.record(
        Record::new()
            .action(VOICEMAIL_ACTION)
            .max_length(VOICEMAIL_SECONDS)
            .play_beep(true)
            .finish_on_key("#")
            .recording_status_callback(RECORDING_STATUS),
    );
    // Reached only when nothing was recorded: Twilio then skips the action and goes on.
    speak(twiml, utter(line, language, Prompt::NoMessage)).hangup()
}

/// Outside opening hours: that the line is closed, its hours, the emergency numbers, voicemail.
pub fn closed(line: &Line, language: Language) -> VoiceResponse {
    let mut lead = vec![utter(line, language, Prompt::Closed)];
    lead.extend(line.hours.as_ref().map(|hours| say(hours.describe_ru())));
    voicemail_after(line, language, lead)
}

/// A blocked number hears a short message, and the call ends.
pub fn blocked(line: &Line) -> VoiceResponse {
    speak(
        VoiceResponse::new(),
        utter(line, line.default_language, Prompt::Blocked),
    )
    .hangup()
}

/// What a person hears on picking up a hotline call: which line, service and language, and to
/// press 1 to accept. Anything else, or silence (a personal voicemail), hangs up this leg only,
/// so a voicemail never swallows her call.
pub fn whisper(
    line: &Line,
    service: Service,
    language: Language,
    answer_url: String,
) -> VoiceResponse {
    let text = format!(
        "{}. Звонок: {}, язык: {}. Чтобы принять звонок, нажмите 1.",
        line.name,
        service_russian(service),
        language_russian(language)
    );
    let gather = Gather::new()
        .input("dtmf")
        .num_digits(1)
        .timeout(WHISPER_SECONDS)
        .action(answer_url)
        .action_on_empty_result(true);
    VoiceResponse::new()
        .gather(gather.say(Say::new(text).language(RUSSIAN_VOICE)))
        .hangup()
}

/// Whether the whisper's key press accepts the call.
pub fn accepts(digits: &str) -> bool {
    digits.trim() == "1"
}

/// The person accepted first: an empty document connects the leg to her.
pub fn connect() -> VoiceResponse {
    VoiceResponse::new()
}

/// The person accepted, but a colleague was quicker.
pub fn taken_by_colleague() -> VoiceResponse {
    speak(
        VoiceResponse::new(),
        say("Звонок уже принят коллегой. Спасибо."),
    )
    .hangup()
}

/// The person did not accept: this leg ends, the caller waits for the next.
pub fn leg_refused() -> VoiceResponse {
    VoiceResponse::new().hangup()
}

/// After a connected call ends, the caller's leg ends too.
pub fn after_conversation() -> VoiceResponse {
    VoiceResponse::new().hangup()
}

/// After a voicemail is recorded.
pub fn after_voicemail(line: &Line, language: Language) -> VoiceResponse {
    speak(VoiceResponse::new(), utter(line, language, Prompt::Thanks)).hangup()
}

/// What the caller hears when the server cannot do its part (the database is down, a request
/// is malformed): an apology, the emergency numbers, and a voicemail, never silence.
pub fn apology() -> VoiceResponse {
    voicemail(&Line::default(), Language::Ru, Prompt::Apology)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::whisper_answer_url;
    use crate::twiml::Verb;

    #[test]
    fn voicemail_says_the_emergency_numbers_and_never_ends_in_silence() {
        let twiml = voicemail(&Line::default(), Language::Ru, Prompt::NobodyFree);
        let xml = twiml.to_xml();
        assert!(xml.contains("102") && xml.contains("112"), "{xml}");
        assert!(twiml.verbs.iter().any(|verb| matches!(verb, Verb::Record(r) if r.recording_status_callback.as_deref() == Some(RECORDING_STATUS))));
        assert!(matches!(twiml.verbs.last(), Some(Verb::Hangup)));
    }

    #[test]
    fn the_whisper_names_the_call_and_asks_for_1() {
        let twiml = whisper(
            &Line::default(),
            Service::Psychological,
            Language::Kk,
            whisper_answer_url(7, 2, 0),
        );
        let xml = twiml.to_xml();
        assert!(
            xml.contains("психологическая помощь")
                && xml.contains("казахский")
                && xml.contains("нажмите 1"),
            "{xml}"
        );
        assert!(
            matches!(twiml.verbs.last(), Some(Verb::Hangup)),
            "silence hangs up this leg"
        );
        assert!(accepts("1") && !accepts("2") && !accepts(""));
    }
}
