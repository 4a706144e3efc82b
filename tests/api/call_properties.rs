//! Calls with random staff behaviour (accepts, refuses, hangs up at the whisper, rings out,
//! busy, fails, voicemail picks up) for one to four people on duty, on sequential and
//! simultaneous lines, with the caller hanging up at a random second and Twilio retrying and
//! reordering: every call ends in exactly one outcome, the record tells what happened, and she
//! never waits in silence.

use hotline::simulate::{Behaviour, CallScript, HangUp, LegStatus, Transcript};
use hotline::store::CallOutcome;
use hotline_schedules::Service;
use proptest::prelude::*;

use crate::call_flow::Placed;
use crate::helpers::{TestApp, audit, spawn_app};

/// Each case is a whole call over loopback HTTP, a few dozen requests: few cases, still many
/// paths, since every case mixes several random choices.
const CASES: u32 = 40;

#[derive(Debug, Clone)]
struct Case {
    /// How each person on duty answers, primary first.
    people: Vec<Behaviour>,
    /// The last person is the coordinator rather than someone on the rota.
    coordinator_last: bool,
    simultaneous: bool,
    /// When she hangs up, if she does, in seconds since she dialled.
    hang_up: Option<u32>,
    retries: bool,
    shuffled: bool,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(prop::sample::select(Behaviour::ALL.to_vec()), 1..=4),
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.6, 0u32..240),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(people, coordinator_last, simultaneous, hang_up, retries, shuffled, seed)| Case {
                people,
                coordinator_last,
                simultaneous,
                hang_up,
                retries,
                shuffled,
                seed,
            },
        )
}

fn phone(index: usize) -> String {
    format!("+7701555020{index}")
}

/// Puts the case's people on duty; returns their phones with their staff ids.
async fn staff(app: &TestApp, case: &Case) -> Vec<(String, i64)> {
    let mut people = Vec::new();
    for index in 0..case.people.len() {
        let number = phone(index);
        let name = format!("Сотрудник {index}");
        let coordinator = case.coordinator_last && index + 1 == case.people.len();
        let id = if coordinator {
            app.add_staff(&name, &number, vec![], true).await
        } else {
            let position = u8::try_from(index).expect("a few people");
            app.on_duty_at(&name, &number, Service::Legal, position)
                .await
        };
        people.push((number, id));
    }
    if case.simultaneous {
        app.store
            .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
            .await
            .expect("kept");
    }
    people
}

/// The outcome a call must be counted as, from what happened on it.
fn outcome_of(transcript: &Transcript) -> CallOutcome {
    // The voicemail prompt begins with "nobody can answer now"; after it, a call that leaves no
    // message is missed rather than abandoned.
    let offered_voicemail = transcript
        .heard()
        .iter()
        .any(|text| text.contains("никто не может ответить"));
    if transcript.connected_to().is_some() {
        CallOutcome::Answered
    } else if transcript.voicemail_seconds().is_some() {
        CallOutcome::Voicemail
    } else if offered_voicemail {
        CallOutcome::Missed
    } else {
        CallOutcome::Abandoned
    }
}

fn check(call: &Placed, people: &[(String, i64)]) -> Result<(), TestCaseError> {
    let transcript = &call.transcript;
    let id_of = |number: &str| people.iter().find(|(n, _)| n == number).map(|(_, id)| *id);
    let shown = format!("\nthe call was:\n{transcript}");
    let expected = outcome_of(transcript);
    prop_assert_eq!(call.record.outcome, Some(expected), "{}", shown);
    prop_assert_eq!(
        call.record.answered_by,
        transcript.connected_to().and_then(id_of),
        "answered by whoever was put through{}",
        shown
    );
    prop_assert_eq!(
        call.voicemail,
        transcript.voicemail_seconds().is_some(),
        "{}",
        shown
    );
    let owed = matches!(
        expected,
        CallOutcome::Voicemail | CallOutcome::Missed | CallOutcome::Abandoned
    );
    let kinds = call.follow_up_kinds();
    if owed {
        prop_assert_eq!(kinds, [expected.as_str()], "{}", shown);
    } else {
        prop_assert!(kinds.is_empty(), "{:?}{}", kinds, shown);
    }
    prop_assert_eq!(transcript.silences(), [], "she waited in silence{}", shown);
    prop_assert!(
        transcript.retry_differences().is_empty(),
        "a retry changed an answer{}",
        shown
    );
    let mut rung: Vec<i64> = transcript.rang().into_iter().filter_map(id_of).collect();
    let mut recorded: Vec<i64> = call.legs.iter().map(|leg| leg.staff_id).collect();
    rung.sort_unstable();
    recorded.sort_unstable();
    prop_assert_eq!(
        recorded,
        rung,
        "the legs recorded are the phones rung{}",
        shown
    );
    // What Twilio says of a leg itself (busy, failed) is what the record keeps for it.
    for (number, status) in transcript.unanswered_legs() {
        let kept = match status {
            LegStatus::Busy => "busy",
            LegStatus::Failed => "failed",
            _ => continue,
        };
        let results: Vec<Option<&str>> = call
            .legs
            .iter()
            .filter(|leg| Some(leg.staff_id) == id_of(number))
            .map(|leg| leg.result.as_deref())
            .collect();
        prop_assert_eq!(results, [Some(kept)], "{}'s leg{}", number, shown);
    }
    for leg in &call.legs {
        prop_assert!(leg.result.is_some(), "every leg ended: {:?}{}", leg, shown);
        let accepted = leg.result.as_deref() == Some("accepted");
        prop_assert_eq!(
            accepted,
            call.record.answered_by == Some(leg.staff_id),
            "only the leg put through is accepted: {:?}{}",
            leg,
            shown
        );
    }
    Ok(())
}

async fn place(case: &Case) -> Result<(), TestCaseError> {
    let app = spawn_app().await;
    let people = staff(&app, case).await;
    let mut script = CallScript {
        duplicate_requests: case.retries,
        shuffle_status_callbacks: case.shuffled,
        seed: case.seed,
        other_phones: Behaviour::NoAnswer,
        ..CallScript::default().digits(["2", "1"])
    };
    for ((number, _), behaviour) in people.iter().zip(&case.people) {
        script = script.phone(number.as_str(), *behaviour);
    }
    if let Some(seconds) = case.hang_up {
        script = script.hang_up(HangUp::AfterSeconds(seconds));
    }
    let call = app.she_calls(script).await;
    check(&call, &people)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        // A failing call is printed whole; a short shrink keeps a failure quick to read.
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_call_ends_in_one_outcome_that_tells_what_happened(case in case()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(place(&case))?;
    }
}
