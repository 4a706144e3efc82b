//! Twilio retrying requests and delivering status callbacks late and shuffled: nothing changes,
//! one record, the same talk time, and a message kept once and followed up once.

use hotline::simulate::{Behaviour, CallScript, Event};
use hotline::store::CallOutcome;
use hotline_schedules::Service;

use super::{BACKUP, LAWYER, lawyer_and_backup, she_never_waited_in_silence};
use crate::helpers::spawn_app;

#[tokio::test]
async fn retries_and_late_shuffled_callbacks_change_nothing() {
    let mut talk_times = Vec::new();
    for (duplicate_requests, shuffle_status_callbacks, seed) in [
        (false, false, 0),
        (true, false, 0),
        (false, true, 1),
        (true, true, 2),
    ] {
        let app = spawn_app().await;
        let (lawyer, backup) = lawyer_and_backup(&app).await;
        let script = CallScript {
            duplicate_requests,
            shuffle_status_callbacks,
            seed,
            ..CallScript::default()
                .digits(["2", "1"])
                .phone(LAWYER, Behaviour::Voicemail)
                .phone(BACKUP, Behaviour::Accept)
        };
        let call = app.she_calls(script).await;
        let case = format!("retries {duplicate_requests}, shuffled {shuffle_status_callbacks}");
        assert_eq!(
            call.transcript.retry_differences(),
            Vec::<&Event>::new(),
            "{case}: {}",
            call.transcript
        );
        let calls = app
            .store
            .calls_between(
                call.record.started_at - chrono::Duration::hours(1),
                call.record.started_at + chrono::Duration::hours(1),
            )
            .await
            .expect("read");
        assert_eq!(calls.len(), 1, "{case}: one record");
        assert_eq!(call.record.outcome, Some(CallOutcome::Answered), "{case}");
        assert_eq!(call.record.answered_by, Some(backup), "{case}");
        assert_eq!(
            call.leg_results(),
            [(lawyer, Some("no-answer")), (backup, Some("accepted"))],
            "{case}"
        );
        talk_times.push(call.legs[1].duration_secs);
        assert!(call.follow_ups.is_empty(), "{case}");
        assert_eq!(
            call.record.duration_secs,
            Some(i64::from(call.transcript.duration())),
            "{case}"
        );
    }
    talk_times.dedup();
    assert_eq!(
        talk_times.len(),
        1,
        "the same talk time each way: {talk_times:?}"
    );
}

#[tokio::test]
async fn a_message_left_with_retries_and_shuffled_callbacks_is_kept_once_and_followed_up_once() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let script = CallScript {
        duplicate_requests: true,
        shuffle_status_callbacks: true,
        seed: 3,
        ..CallScript::default()
            .digits(["2", "1"])
            .phone(LAWYER, Behaviour::Decline)
    };
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .does_not_take_the_call(LAWYER)
        .leaves_a_message();
    she_never_waited_in_silence(&call);
    assert_eq!(call.record.outcome, Some(CallOutcome::Voicemail));
    assert_eq!(call.follow_up_kinds(), ["voicemail"]);
    assert_eq!(
        app.store.pending_outbox(50).await.expect("read").len(),
        1,
        "the lawyer on duty is told once"
    );
}
