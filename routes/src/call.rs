//! A call's way through the hotline, as pure functions: whom to ring next, when to offer
//! voicemail, what the caller hears at each step, and how the call is counted when it ends.
//! Never reads the clock or the database: the caller of these functions brings the facts.

use hotline_schedules::{Gender, Language, Service, StaffMember};

use crate::line::{Line, MOST_AT_ONCE, RingStrategy};
use crate::prompts::{
    Prompt, RUSSIAN_VOICE, Utterance, language_russian, say, service_russian, utter,
};
use crate::twiml::{Dial, Gather, Number, Record, Say, VoiceResponse};

/// The longest voicemail, in seconds.
pub const VOICEMAIL_SECONDS: u32 = 180;
/// An attempt shorter than this is not worth starting: she goes to voicemail instead.
pub const SHORTEST_ATTEMPT: u32 = 5;
/// How long a person has to press 1 at the whisper, in seconds.
pub const WHISPER_SECONDS: u32 = 8;

/// Where Twilio reports the end of a dial attempt; the attempt number rides in the query.
pub fn dial_action(attempt: i64) -> String {
    format!("/webhooks/voice/dial?attempt={attempt}")
}

fn leg_query(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!("call={call_id}&staff={staff_id}&attempt={attempt}")
}

/// The whisper a person hears on picking up, before she is connected.
pub fn whisper_url(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!(
        "/webhooks/voice/whisper?{}",
        leg_query(call_id, staff_id, attempt)
    )
}

/// Where the whisper's key press goes.
pub fn whisper_answer_url(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!(
        "/webhooks/voice/whisper/answer?{}",
        leg_query(call_id, staff_id, attempt)
    )
}

/// Where Twilio reports each ringing leg's progress.
pub fn leg_status_url(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!(
        "/webhooks/voice/leg?{}",
        leg_query(call_id, staff_id, attempt)
    )
}

/// Where Twilio posts a finished voicemail.
pub const VOICEMAIL_ACTION: &str = "/webhooks/voice/voicemail";
/// Where Twilio says a recording's file is ready; the voicemail is kept from here, since the
/// recording may not exist yet when the action is requested.
pub const RECORDING_STATUS: &str = "/webhooks/voice/recording";

/// Where a call is in the flow: what the caller was hearing when it ended tells its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStage {
    /// Answered by the server; nobody rung yet.
    Greeting,
    /// Someone's phone is ringing.
    Ringing,
    /// A person accepted the call.
    Connected,
    /// The caller was offered voicemail.
    Voicemail,
}

/// How a call ended, as the log and the reports count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    Answered,
    Voicemail,
    /// Nobody answered and she left no voicemail: someone owes her a call back.
    Missed,
    /// She hung up before anyone could answer.
    Abandoned,
    /// Her number is on the blocklist.
    Blocked,
    /// The provider never told us the call ended; the watchdog closed it.
    Closed,
}

/// Stable names for the log and the database: changing one is a migration.
macro_rules! named {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub fn as_str(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some($type::$variant),)+ _ => None }
            }
        }
    };
}

named!(CallStage { Greeting => "greeting", Ringing => "ringing", Connected => "connected", Voicemail => "voicemail" });
named!(CallOutcome {
    Answered => "answered",
    Voicemail => "voicemail",
    Missed => "missed",
    Abandoned => "abandoned",
    Blocked => "blocked",
    Closed => "closed",
});

/// Someone the rota offers for this call, in the rota's order.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub person: &'a StaffMember,
    /// The coordinator's fallback, after everyone on the rota.
    pub coordinator: bool,
}

/// What the server knows when it decides whom to ring next.
#[derive(Debug, Clone)]
pub struct Ringing<'a> {
    pub line: &'a Line,
    /// The hotline number she dialled: shown to staff as caller id, never her number.
    pub line_number: &'a str,
    pub call_id: i64,
    pub language: Language,
    pub service: Service,
    /// The rota's answer for this service and language, in order.
    pub candidates: &'a [Candidate<'a>],
    /// People this call has rung already.
    pub already_rung: &'a [i64],
    /// People on another hotline call right now.
    pub busy: &'a [i64],
    /// Seconds she has waited for a person so far.
    pub waited_seconds: i64,
    /// The number of the next attempt.
    pub attempt: i64,
}

/// What happens next on a call, with the TwiML that does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ring these people (one, or several at once); the attempt is numbered so its result can
    /// be matched to the legs.
    Ring {
        staff_ids: Vec<i64>,
        attempt: i64,
        twiml: VoiceResponse,
    },
    /// Nobody (more) to ring, or she has waited long enough: take a voicemail.
    Voicemail { twiml: VoiceResponse },
}

/// Whom to ring next, primary first, then backup, then the coordinator; busy people and
/// people already rung are passed over; the line's preferred gender goes first within each.
pub fn next_step(ringing: &Ringing<'_>) -> Step {
    let line = ringing.line;
    let remaining = i64::from(line.wait_limit_seconds) - ringing.waited_seconds;
    if remaining < i64::from(SHORTEST_ATTEMPT) {
        return Step::Voicemail {
            twiml: voicemail(line, ringing.language, Prompt::NobodyFree),
        };
    }
    let mut free: Vec<Candidate<'_>> = ringing
        .candidates
        .iter()
        .filter(|c| {
            !ringing.already_rung.contains(&c.person.id) && !ringing.busy.contains(&c.person.id)
        })
        .copied()
        .collect();
    free.sort_by_key(|c| (c.coordinator, !prefers(line.prefer_gender, c.person)));
    let Some(first) = free.first() else {
        return Step::Voicemail {
            twiml: voicemail(line, ringing.language, Prompt::NobodyFree),
        };
    };
    let at_once = match line.ring {
        RingStrategy::Sequential => 1,
        RingStrategy::Simultaneous => MOST_AT_ONCE,
    };
    // Ring the rota's people together, and the coordinators only once they are all tried.
    let tier = first.coordinator;
    let chosen: Vec<&StaffMember> = free
        .iter()
        .filter(|c| c.coordinator == tier)
        .take(at_once)
        .map(|c| c.person)
        .collect();
    let ring_seconds = line
        .ring_seconds
        .min(u32::try_from(remaining).unwrap_or(u32::MAX));
    let hold = if ringing.attempt == 0 {
        Prompt::Hold
    } else {
        Prompt::HoldAgain
    };
    let mut dial = Dial::new()
        .caller_id(ringing.line_number)
        .action(dial_action(ringing.attempt))
        .timeout(ring_seconds)
        // She hears ringing, not silence, until someone accepts.
        .answer_on_bridge(true);
    for person in &chosen {
        dial = dial.number(
            Number::new(person.phone.as_e164())
                .url(whisper_url(ringing.call_id, person.id, ringing.attempt))
                .status_callback(leg_status_url(ringing.call_id, person.id, ringing.attempt))
                .status_callback_event("initiated ringing answered completed"),
        );
    }
    let twiml = speak(VoiceResponse::new(), utter(line, ringing.language, hold)).dial(dial);
    Step::Ring {
        staff_ids: chosen.iter().map(|p| p.id).collect(),
        attempt: ringing.attempt,
        twiml,
    }
}

fn prefers(gender: Option<Gender>, person: &StaffMember) -> bool {
    gender.is_none_or(|wanted| person.gender == Some(wanted))
}

fn speak(twiml: VoiceResponse, utterance: Utterance) -> VoiceResponse {
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

/// How a call is counted once Twilio says it ended.
pub fn outcome_when_ended(stage: CallStage, has_voicemail: bool) -> CallOutcome {
    match (stage, has_voicemail) {
        (CallStage::Connected, _) => CallOutcome::Answered,
        (_, true) => CallOutcome::Voicemail,
        (CallStage::Voicemail, false) => CallOutcome::Missed,
        (CallStage::Greeting | CallStage::Ringing, false) => CallOutcome::Abandoned,
    }
}

/// Whether an outcome leaves an answer owed to her: every call that reached nobody.
pub fn owes_follow_up(outcome: CallOutcome) -> bool {
    matches!(
        outcome,
        CallOutcome::Voicemail | CallOutcome::Missed | CallOutcome::Abandoned | CallOutcome::Closed
    )
}

/// Whether Twilio's `CallStatus` is one a call never leaves.
pub fn is_final_status(call_status: &str) -> bool {
    matches!(
        call_status,
        "completed" | "busy" | "failed" | "no-answer" | "canceled"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twiml::Verb;
    use hotline_schedules::PhoneNumber;

    fn person(id: i64, gender: Gender) -> StaffMember {
        StaffMember {
            id,
            name: format!("Staff {id}"),
            phone: PhoneNumber::parse(&format!("+7701555000{id}")).expect("valid"),
            services: vec![Service::Legal],
            languages: vec![Language::Ru, Language::Kk],
            gender: Some(gender),
            is_coordinator: false,
            active: true,
        }
    }

    fn ringing<'a>(
        line: &'a Line,
        candidates: &'a [Candidate<'a>],
        rung: &'a [i64],
        busy: &'a [i64],
        waited: i64,
    ) -> Ringing<'a> {
        Ringing {
            line,
            line_number: "+77010000000",
            call_id: 7,
            language: Language::Ru,
            service: Service::Legal,
            candidates,
            already_rung: rung,
            busy,
            waited_seconds: waited,
            attempt: rung.len() as i64,
        }
    }

    fn dialled(twiml: &VoiceResponse) -> Option<&Dial> {
        twiml.verbs.iter().find_map(|verb| match verb {
            Verb::Dial(dial) => Some(dial),
            _ => None,
        })
    }

    #[test]
    fn the_primary_is_rung_from_the_hotline_number_with_a_whisper() {
        let (primary, backup) = (person(1, Gender::Female), person(2, Gender::Female));
        let candidates = [
            Candidate {
                person: &primary,
                coordinator: false,
            },
            Candidate {
                person: &backup,
                coordinator: false,
            },
        ];
        let line = Line::default();
        let Step::Ring {
            staff_ids,
            attempt,
            twiml,
        } = next_step(&ringing(&line, &candidates, &[], &[], 0))
        else {
            panic!("someone is on duty, so someone is rung");
        };
        assert_eq!((staff_ids, attempt), (vec![1], 0));
        let dial = dialled(&twiml).expect("a dial");
        assert_eq!(dial.caller_id.as_deref(), Some("+77010000000"));
        assert_eq!(
            dial.answer_on_bridge,
            Some(true),
            "she hears ringing, not silence"
        );
        let crate::twiml::Callees::Numbers(numbers) = &dial.callees else {
            panic!("numbers")
        };
        assert_eq!(
            numbers[0].url.as_deref(),
            Some("/webhooks/voice/whisper?call=7&staff=1&attempt=0")
        );
        assert!(
            matches!(twiml.verbs.first(), Some(Verb::Say(_))),
            "a hold message first"
        );
    }

    #[test]
    fn busy_and_already_rung_people_are_passed_over_then_the_coordinator_then_voicemail() {
        let (a, b, c, boss) = (
            person(1, Gender::Female),
            person(2, Gender::Female),
            person(3, Gender::Female),
            person(9, Gender::Female),
        );
        let candidates = [
            Candidate {
                person: &a,
                coordinator: false,
            },
            Candidate {
                person: &b,
                coordinator: false,
            },
            Candidate {
                person: &c,
                coordinator: false,
            },
            Candidate {
                person: &boss,
                coordinator: true,
            },
        ];
        let line = Line::default();
        let next = |rung: &[i64], busy: &[i64]| match next_step(&ringing(
            &line,
            &candidates,
            rung,
            busy,
            10,
        )) {
            Step::Ring { staff_ids, .. } => staff_ids,
            Step::Voicemail { .. } => vec![],
        };
        assert_eq!(next(&[1], &[2]), vec![3], "the backup is on another call");
        assert_eq!(
            next(&[1, 3], &[2]),
            vec![9],
            "the coordinator is the last resort"
        );
        assert_eq!(next(&[1, 3, 9], &[2]), Vec::<i64>::new(), "then voicemail");
    }

    #[test]
    fn a_simultaneous_line_rings_the_rota_together_and_prefers_women() {
        let (man, woman, boss) = (
            person(1, Gender::Male),
            person(2, Gender::Female),
            person(9, Gender::Female),
        );
        let candidates = [
            Candidate {
                person: &man,
                coordinator: false,
            },
            Candidate {
                person: &woman,
                coordinator: false,
            },
            Candidate {
                person: &boss,
                coordinator: true,
            },
        ];
        let line = Line {
            ring: RingStrategy::Simultaneous,
            prefer_gender: Some(Gender::Female),
            ..Line::default()
        };
        let Step::Ring { staff_ids, .. } = next_step(&ringing(&line, &candidates, &[], &[], 0))
        else {
            panic!("rings")
        };
        assert_eq!(
            staff_ids,
            vec![2, 1],
            "the rota together, women first, the coordinator not yet"
        );
    }

    #[test]
    fn after_the_wait_limit_she_is_offered_voicemail_and_the_last_attempt_is_shortened() {
        let a = person(1, Gender::Female);
        let candidates = [Candidate {
            person: &a,
            coordinator: false,
        }];
        let line = Line::default();
        assert!(matches!(
            next_step(&ringing(&line, &candidates, &[], &[], 87)),
            Step::Voicemail { .. }
        ));
        let Step::Ring { twiml, .. } = next_step(&ringing(&line, &candidates, &[], &[], 80)) else {
            panic!("rings")
        };
        assert_eq!(dialled(&twiml).and_then(|d| d.timeout), Some(10));
    }

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

    #[test]
    fn a_call_is_counted_by_where_it_ended() {
        assert_eq!(
            outcome_when_ended(CallStage::Connected, false),
            CallOutcome::Answered
        );
        assert_eq!(
            outcome_when_ended(CallStage::Voicemail, true),
            CallOutcome::Voicemail
        );
        assert_eq!(
            outcome_when_ended(CallStage::Voicemail, false),
            CallOutcome::Missed
        );
        assert_eq!(
            outcome_when_ended(CallStage::Ringing, false),
            CallOutcome::Abandoned
        );
        assert!(
            owes_follow_up(CallOutcome::Missed)
                && !owes_follow_up(CallOutcome::Answered)
                && !owes_follow_up(CallOutcome::Blocked)
        );
    }
}
