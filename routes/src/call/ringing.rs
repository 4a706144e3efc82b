//! Whom to ring next for a call: primary, backup, then the coordinator; busy people and people
//! already rung passed over; one at a time or several at once; never past the line's wait
//! limit. Pure: the caller brings the rota's answer and the call's history.

use hotline_schedules::{Gender, Language, Service, StaffMember};

use super::speech::{speak, voicemail};
use super::{dial_action, leg_status_url, whisper_url};
use crate::line::{Line, MOST_AT_ONCE, RingStrategy};
use crate::prompts::{Prompt, utter};
use crate::twiml::{Dial, Number, VoiceResponse};

/// An attempt shorter than this is not worth starting: she goes to voicemail instead.
pub const SHORTEST_ATTEMPT: u32 = 5;

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
}
