//! Calls nobody takes: with nobody on duty she leaves a message after the coordinator is rung,
//! and if she hangs up while it rings the call is abandoned, owed an answer, and nobody else is
//! recorded as rung.

use hotline::simulate::{Behaviour, CallScript, HangUp, LegStatus};
use hotline::store::CallOutcome;
use hotline_schedules::Service;

use super::{COORDINATOR, LAWYER, lawyer_and_backup, she_never_waited_in_silence};
use crate::helpers::spawn_app;

#[tokio::test]
async fn with_nobody_on_duty_the_coordinator_is_rung_then_she_leaves_a_message_and_is_owed_a_call()
{
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(COORDINATOR, Behaviour::NoAnswer);
    let call = app.she_calls(script).await;
    call.story()
        .rings(COORDINATOR)
        .does_not_take_the_call(COORDINATOR)
        .hears("102 или 112")
        .leaves_a_message()
        .hears("Ваше сообщение записано");
    she_never_waited_in_silence(&call);
    assert_eq!(call.record.outcome, Some(CallOutcome::Voicemail));
    assert!(call.voicemail, "the message is kept");
    assert_eq!(call.follow_up_kinds(), ["voicemail"]);
}

#[tokio::test]
async fn she_hangs_up_while_the_lawyer_rings_so_the_call_is_abandoned_and_owed_an_answer() {
    let app = spawn_app().await;
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(LAWYER, Behaviour::NoAnswer)
        .hang_up(HangUp::WhileRinging(8));
    let call = app.she_calls(script).await;
    call.story().rings(LAWYER).hangs_up();
    assert_eq!(
        call.transcript.unanswered_legs(),
        [(LAWYER, LegStatus::Canceled)]
    );
    assert_eq!(
        call.record.outcome,
        Some(CallOutcome::Abandoned),
        "she hung up while it rang:\n{}",
        call.transcript
    );
    assert_eq!(call.follow_up_kinds(), ["abandoned"]);
    assert_eq!(
        call.legs.iter().map(|l| l.staff_id).collect::<Vec<_>>(),
        [lawyer],
        "nobody else was rung"
    );
}

#[tokio::test]
async fn she_hangs_up_while_the_lawyer_rings_and_the_backup_is_never_recorded_as_rung() {
    let app = spawn_app().await;
    let (lawyer, _) = lawyer_and_backup(&app).await;
    let script = CallScript {
        other_phones: Behaviour::NoAnswer,
        ..CallScript::default()
            .digits(["2", "1"])
            .hang_up(HangUp::WhileRinging(8))
    };
    let call = app.she_calls(script).await;
    assert_eq!(call.transcript.rang(), [LAWYER]);
    assert_eq!(call.record.outcome, Some(CallOutcome::Abandoned));
    assert_eq!(
        call.legs.iter().map(|l| l.staff_id).collect::<Vec<_>>(),
        [lawyer],
        "the backup's phone never rang:\n{}",
        call.transcript
    );
}
