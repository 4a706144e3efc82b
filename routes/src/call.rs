//! A call's way through the hotline, as pure functions: whom to ring next, when to offer
//! voicemail, what the caller hears at each step, and how the call is counted when it ends.
//! Never reads the clock or the database: the caller of these functions brings the facts.

use hotline_schedules::{Service, StaffMember};

use crate::twiml::{Dial, Number, Record, Say, VoiceResponse};

/// How long one person's phone rings before the next is tried, in seconds.
pub const RING_SECONDS: u32 = 20;
/// The longest voicemail, in seconds.
pub const VOICEMAIL_SECONDS: u32 = 180;

/// The services a call goes to until the caller can choose one from a menu: the victims' lines,
/// never the men's line.
pub const DEFAULT_SERVICES: [Service; 2] = [Service::Legal, Service::Psychological];

/// Where Twilio reports the end of a dial attempt; the attempt number rides in the query.
pub fn dial_action(attempt: i64) -> String {
    format!("/webhooks/voice/dial?attempt={attempt}")
}
/// Where Twilio posts a finished voicemail.
pub const VOICEMAIL_ACTION: &str = "/webhooks/voice/voicemail";
/// Where Twilio says a recording's file is ready.
pub const RECORDING_STATUS: &str = "/webhooks/voice/recording";

const RUSSIAN: &str = "ru-RU";
const HOLD: &str = "Пожалуйста, оставайтесь на линии. Соединяем вас со специалистом.";
const EMERGENCY: &str = "Если вам угрожает опасность прямо сейчас, звоните 102 или 112.";
const NOBODY_FREE: &str = "К сожалению, сейчас никто не может ответить.";
const LEAVE_MESSAGE: &str =
    "Оставьте сообщение после сигнала, и мы перезвоним вам. Когда закончите, нажмите решётку.";
const NO_MESSAGE: &str = "Сообщение не записано. Позвоните нам ещё раз. До свидания.";
const THANKS: &str = "Спасибо. Ваше сообщение записано, мы свяжемся с вами. До свидания.";
const APOLOGY: &str = "Извините, произошла техническая ошибка.";

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
named!(CallOutcome { Answered => "answered", Voicemail => "voicemail", Missed => "missed", Abandoned => "abandoned" });

/// What happens next on a call, with the TwiML that does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ring `staff_id`; the attempt is numbered so its result can be matched to the leg.
    Ring {
        staff_id: i64,
        attempt: i64,
        twiml: VoiceResponse,
    },
    /// Nobody (more) to ring: take a voicemail.
    Voicemail { twiml: VoiceResponse },
}

/// The next step for a call on `line_number` (the hotline number, shown as caller id so staff
/// never see her number and she never learns theirs). `on_duty` is the rota's ordered list for
/// now; `already_rung` the people this call has rung; `attempt` the number of the next attempt.
pub fn next_step(
    line_number: &str,
    on_duty: &[&StaffMember],
    already_rung: &[i64],
    attempt: i64,
) -> Step {
    match on_duty
        .iter()
        .find(|person| !already_rung.contains(&person.id))
    {
        Some(person) => Step::Ring {
            staff_id: person.id,
            attempt,
            twiml: ring(line_number, person, attempt),
        },
        None => Step::Voicemail {
            twiml: voicemail(NOBODY_FREE),
        },
    }
}

fn ring(line_number: &str, person: &StaffMember, attempt: i64) -> VoiceResponse {
    VoiceResponse::new().say(say(HOLD)).dial(
        Dial::new()
            .caller_id(line_number)
            .action(dial_action(attempt))
            .timeout(RING_SECONDS)
            // She hears ringing, not silence, until someone picks up.
            .answer_on_bridge(true)
            .number(Number::new(person.phone.as_e164())),
    )
}

fn voicemail(reason: &str) -> VoiceResponse {
    VoiceResponse::new()
        .say(say(reason))
        .say(say(EMERGENCY))
        .say(say(LEAVE_MESSAGE))
        .record(
            Record::new()
                .action(VOICEMAIL_ACTION)
                .max_length(VOICEMAIL_SECONDS)
                .play_beep(true)
                .finish_on_key("#")
                .recording_status_callback(RECORDING_STATUS),
        )
        // Reached only when nothing was recorded: Twilio then skips the action and goes on.
        .say(say(NO_MESSAGE))
        .hangup()
}

/// Whether Twilio's `DialCallStatus` means a person picked up.
pub fn dial_was_answered(dial_call_status: &str) -> bool {
    matches!(dial_call_status, "completed" | "answered")
}

/// After a connected call ends, the caller's leg ends too.
pub fn after_conversation() -> VoiceResponse {
    VoiceResponse::new().hangup()
}

/// After a voicemail is recorded.
pub fn after_voicemail() -> VoiceResponse {
    VoiceResponse::new().say(say(THANKS)).hangup()
}

/// What the caller hears when the server cannot do its part (the database is down, a request
/// is malformed): an apology, the emergency numbers, and a voicemail, never silence.
pub fn apology() -> VoiceResponse {
    voicemail(APOLOGY)
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

/// Whether Twilio's `CallStatus` is one a call never leaves.
pub fn is_final_status(call_status: &str) -> bool {
    matches!(
        call_status,
        "completed" | "busy" | "failed" | "no-answer" | "canceled"
    )
}

fn say(text: &str) -> Say {
    Say::new(text).language(RUSSIAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twiml::Verb;
    use hotline_schedules::{Language, PhoneNumber, Service};

    fn lawyer(id: i64) -> StaffMember {
        StaffMember {
            id,
            name: format!("Lawyer {id}"),
            phone: PhoneNumber::parse(&format!("+7701555000{id}")).expect("valid"),
            services: vec![Service::Legal],
            languages: vec![Language::Ru, Language::Kk],
            gender: None,
            is_coordinator: false,
            active: true,
        }
    }

    fn dialled(twiml: &VoiceResponse) -> Vec<(String, Option<String>, Option<String>)> {
        twiml
            .verbs
            .iter()
            .filter_map(|verb| match verb {
                Verb::Dial(dial) => Some((
                    dial.callees.phone_numbers().join(","),
                    dial.caller_id.clone(),
                    dial.action.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_first_person_on_duty_is_rung_from_the_hotline_number() {
        let (first, second) = (lawyer(1), lawyer(2));
        let Step::Ring {
            staff_id,
            attempt,
            twiml,
        } = next_step("+77010000000", &[&first, &second], &[], 0)
        else {
            panic!("someone is on duty, so someone is rung");
        };
        assert_eq!((staff_id, attempt), (1, 0));
        assert_eq!(
            dialled(&twiml),
            vec![(
                "+77015550001".into(),
                Some("+77010000000".into()),
                Some("/webhooks/voice/dial?attempt=0".into())
            )]
        );
        assert!(
            matches!(twiml.verbs.first(), Some(Verb::Say(_))),
            "she hears a hold message, not silence"
        );
    }

    #[test]
    fn after_a_missed_attempt_the_next_person_is_rung_then_voicemail() {
        let (first, second) = (lawyer(1), lawyer(2));
        let on_duty = [&first, &second];
        assert!(matches!(
            next_step("+77010000000", &on_duty, &[1], 1),
            Step::Ring {
                staff_id: 2,
                attempt: 1,
                ..
            }
        ));
        assert!(matches!(
            next_step("+77010000000", &on_duty, &[1, 2], 2),
            Step::Voicemail { .. }
        ));
    }

    #[test]
    fn with_nobody_on_duty_she_hears_the_emergency_numbers_and_can_leave_a_message() {
        let Step::Voicemail { twiml } = next_step("+77010000000", &[], &[], 0) else {
            panic!("nobody is on duty");
        };
        let xml = twiml.to_xml();
        assert!(xml.contains("102") && xml.contains("112"), "{xml}");
        assert!(twiml.verbs.iter().any(
            |verb| matches!(verb, Verb::Record(r) if r.action.as_deref() == Some(VOICEMAIL_ACTION))
        ));
        assert!(
            matches!(twiml.verbs.last(), Some(Verb::Hangup)),
            "the call never ends in silence"
        );
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
        assert_eq!(
            outcome_when_ended(CallStage::Greeting, false),
            CallOutcome::Abandoned
        );
    }

    #[test]
    fn only_twilios_final_statuses_end_a_call() {
        for status in ["completed", "busy", "failed", "no-answer", "canceled"] {
            assert!(is_final_status(status), "{status}");
        }
        for status in ["queued", "ringing", "in-progress"] {
            assert!(!is_final_status(status), "{status}");
        }
    }
}
