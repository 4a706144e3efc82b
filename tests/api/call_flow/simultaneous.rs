//! Simultaneous lines, where every phone rings at once: of two accepting at the same instant
//! exactly one wins on either store, and late leg callbacks still tell who was busy.

use hotline::simulate::{Behaviour, CallScript, Event};

use super::{BACKUP, LAWYER, lawyer_and_backup, she_never_waited_in_silence};
use crate::databases::TestDatabase;
use crate::helpers::{TestApp, audit, spawn_app, spawn_app_on};

#[tokio::test]
async fn on_a_simultaneous_line_both_phones_accept_at_once_and_exactly_one_wins() {
    // Both presses reach the server at the same instant; each store must let one win.
    for app in [
        spawn_app().await,
        spawn_app_on(TestDatabase::postgres().await).await,
    ] {
        both_accept_at_once(&app).await;
    }
}

async fn both_accept_at_once(app: &TestApp) {
    lawyer_and_backup(app).await;
    app.store
        .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(LAWYER, Behaviour::Accept)
        .phone(BACKUP, Behaviour::Accept);
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .rings(BACKUP)
        .presses_at_whisper(LAWYER, "1")
        .presses_at_whisper(BACKUP, "1");
    let winner = call
        .transcript
        .connected_to()
        .unwrap_or_else(|| panic!("someone takes the call:\n{}", call.transcript))
        .to_owned();
    let loser = if winner == LAWYER { BACKUP } else { LAWYER };
    call.story()
        .whisper_says(loser, "уже принят")
        .does_not_take_the_call(loser);
    assert!(
        !call
            .transcript
            .events
            .iter()
            .any(|e| matches!(e, Event::AcceptedTooLate { .. })),
        "only one was told the call is theirs:\n{}",
        call.transcript
    );
    assert_eq!(call.record.answered_by, Some(app.staff_id(&winner).await));
    let results: Vec<Option<&str>> = call.legs.iter().map(|l| l.result.as_deref()).collect();
    assert!(
        results.contains(&Some("accepted")) && results.contains(&Some("too-late")),
        "{results:?}"
    );
    she_never_waited_in_silence(&call);
}

#[tokio::test]
async fn on_a_simultaneous_line_late_leg_callbacks_still_tell_who_was_busy() {
    let app = spawn_app().await;
    let (lawyer, backup) = lawyer_and_backup(&app).await;
    app.store
        .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    // The leg callbacks arrive after the dial's action, as they may over the internet.
    let script = CallScript {
        shuffle_status_callbacks: true,
        ..CallScript::default()
            .digits(["2", "1"])
            .phone(LAWYER, Behaviour::Decline)
            .phone(BACKUP, Behaviour::Accept)
    };
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .rings(BACKUP)
        .does_not_take_the_call(LAWYER)
        .connects_her_to(BACKUP);
    assert_eq!(
        call.leg_results(),
        [(lawyer, Some("busy")), (backup, Some("accepted"))],
        "the lawyer declined; she was not merely cut off:\n{}",
        call.transcript
    );
}
