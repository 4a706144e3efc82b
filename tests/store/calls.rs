//! The call record: kept once per call SID, her choices and its first outcome kept, and late
//! status callbacks that do not undo later ones.

use std::sync::Arc;

use hotline::store::*;
use hotline_schedules::{Language, Service};

use crate::{at, call};

pub async fn a_call_is_recorded_once_per_call_sid(store: Arc<dyn Store>) {
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    let mut retry = call("CA01");
    retry.started_at = at(10, 1);
    let again = store.record_call(&retry).await.expect("a retry is fine");
    assert_eq!(first, again, "a retry returns the first record unchanged");
    assert_eq!(first.stage, CallStage::Greeting);
    assert_eq!(first.caller_sealed, vec![1, 2, 3]);
    // Whichever connection wrote it (SQLite's committer has its own), it reads back the same.
    assert_eq!(
        store.call_by_sid("CA01").await.expect("read"),
        Some(first.clone())
    );
    store
        .record_call(&call("CA02"))
        .await
        .expect("another call");
    let calls = store
        .calls_between(at(0, 0), at(23, 0))
        .await
        .expect("listed");
    assert_eq!(
        calls
            .iter()
            .map(|c| c.call_sid.as_str())
            .collect::<Vec<_>>(),
        vec!["CA01", "CA02"]
    );
    assert_eq!(store.call_by_sid("CA99").await.expect("read"), None);
}

pub async fn a_call_keeps_her_choices_and_its_first_outcome(store: Arc<dyn Store>) {
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    store
        .set_call_choice(call.id, Language::Kk, None)
        .await
        .expect("language");
    store
        .set_call_choice(call.id, Language::Kk, Some(Service::Psychological))
        .await
        .expect("service");
    store
        .set_call_outcome(call.id, CallOutcome::Blocked)
        .await
        .expect("counted");
    store
        .set_call_outcome(call.id, CallOutcome::Missed)
        .await
        .expect("kept first");
    let call = store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("exists");
    // A provider's retry of the first step, after all that, returns the call as it now is.
    let retried = store
        .record_call(&super::call("CA01"))
        .await
        .expect("retried");
    assert_eq!(retried, call);
    assert_eq!(
        (call.language, call.service, call.outcome),
        (
            Some(Language::Kk),
            Some(Service::Psychological),
            Some(CallOutcome::Blocked)
        )
    );
}

/// Her choice kept with what it led to, all of it or nothing: her language and service with the
/// people rung, or with the voicemail stage when nobody could be.
pub async fn her_choice_is_kept_with_the_step_it_led_to_or_not_at_all(store: Arc<dyn Store>) {
    let lawyer = store
        .upsert_staff(&crate::lawyer("+77015550101"), &crate::audit())
        .await
        .expect("staff");
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    let ring = |staff_id| {
        let leg = NewLeg {
            call_id: first.id,
            attempt: 0,
            staff_id,
            started_at: at(10, 1),
        };
        AfterChoice::Ring(vec![leg], at(10, 1))
    };
    let choose = |call_id, then| {
        let store = store.clone();
        async move {
            store
                .set_call_choice_then(call_id, Language::Ru, Some(Service::Legal), &then)
                .await
        }
    };
    let read = |call_id| {
        let store = store.clone();
        async move {
            store
                .call_by_id(call_id)
                .await
                .expect("read")
                .expect("there")
        }
    };
    // Someone who does not exist: the database refuses the leg, and her choice with it.
    assert!(choose(first.id, ring(987_654)).await.is_err());
    let kept = read(first.id).await;
    assert_eq!(
        (kept.language, kept.service, kept.stage),
        (None, None, CallStage::Greeting),
        "nothing of it kept"
    );
    assert!(store.legs(first.id).await.expect("read").is_empty());

    choose(first.id, ring(lawyer)).await.expect("kept");
    let kept = read(first.id).await;
    assert_eq!(
        (kept.language, kept.service, kept.stage, kept.ringing_since),
        (
            Some(Language::Ru),
            Some(Service::Legal),
            CallStage::Ringing,
            Some(at(10, 1))
        )
    );
    let rung: Vec<i64> = store
        .legs(first.id)
        .await
        .expect("read")
        .iter()
        .map(|leg| leg.staff_id)
        .collect();
    assert_eq!(rung, [lawyer]);

    let second = store.record_call(&call("CA02")).await.expect("recorded");
    choose(second.id, AfterChoice::Stage(CallStage::Voicemail))
        .await
        .expect("kept");
    let kept = read(second.id).await;
    assert_eq!(
        (kept.language, kept.service, kept.stage),
        (
            Some(Language::Ru),
            Some(Service::Legal),
            CallStage::Voicemail
        )
    );
}

pub async fn late_status_callbacks_do_not_undo_later_ones(store: Arc<dyn Store>) {
    store.record_call(&call("CA01")).await.expect("recorded");
    let completed = CallStatusUpdate {
        call_sid: "CA01".into(),
        status: "completed".into(),
        sequence: 3,
        ended_at: Some(at(10, 5)),
        duration_secs: Some(300),
        outcome: Some(CallOutcome::Abandoned),
    };
    store.apply_call_status(&completed).await.expect("applied");
    let late = CallStatusUpdate {
        status: "in-progress".into(),
        sequence: 1,
        ended_at: None,
        duration_secs: None,
        outcome: None,
        ..completed.clone()
    };
    store.apply_call_status(&late).await.expect("ignored");
    let call = store
        .call_by_sid("CA01")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(call.status, "completed");
    assert_eq!(
        (call.ended_at, call.duration_secs),
        (Some(at(10, 5)), Some(300))
    );
    assert_eq!(call.outcome, Some(CallOutcome::Abandoned));
    let replay = CallStatusUpdate {
        outcome: Some(CallOutcome::Missed),
        ..completed
    };
    store.apply_call_status(&replay).await.expect("applied");
    let call = store
        .call_by_sid("CA01")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        call.outcome,
        Some(CallOutcome::Abandoned),
        "an outcome, once decided, stays"
    );
}
