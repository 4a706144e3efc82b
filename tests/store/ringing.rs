//! Ringing staff: a call leg keeps its first result, of two people accepting at once exactly one
//! wins, and whoever is ringing or talking is busy until the call ends.

use std::sync::Arc;

use hotline::store::*;

use crate::{at, audit, call, lawyer};

pub async fn a_call_leg_keeps_its_first_result(store: Arc<dyn Store>) {
    let one = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let two = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let legs = [one, two].map(|staff_id| NewLeg {
        call_id: call.id,
        attempt: 0,
        staff_id,
        started_at: at(10, 0),
    });
    store.start_legs(&legs, at(10, 0)).await.expect("started");
    store
        .start_legs(&legs, at(10, 1))
        .await
        .expect("a retried start changes nothing");
    let ringing = store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (ringing.stage, ringing.ringing_since),
        (CallStage::Ringing, Some(at(10, 0))),
        "the wait counts from the first ring"
    );
    let end = LegEnd {
        result: "declined".into(),
        dial_call_sid: Some("CA10".into()),
        duration_secs: None,
        ended_at: at(10, 1),
    };
    store
        .finish_leg(call.id, 0, Some(one), &end)
        .await
        .expect("one leg");
    let rest = LegEnd {
        result: "no-answer".into(),
        ..end.clone()
    };
    store
        .finish_leg(call.id, 0, None, &rest)
        .await
        .expect("every open leg of the attempt");
    store
        .finish_leg(call.id, 0, Some(one), &rest)
        .await
        .expect("a repeat changes nothing");
    let results: Vec<_> = store
        .legs(call.id)
        .await
        .expect("read")
        .into_iter()
        .map(|l| (l.staff_id, l.result))
        .collect();
    assert_eq!(
        results,
        vec![
            (one, Some("declined".into())),
            (two, Some("no-answer".into()))
        ]
    );
}

pub async fn of_two_people_accepting_at_once_exactly_one_wins(store: Arc<dyn Store>) {
    let one = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let two = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let (first, second) = tokio::join!(
        store.claim_call(call.id, one, at(10, 1)),
        store.claim_call(call.id, two, at(10, 1))
    );
    let (first, second) = (first.expect("claimed"), second.expect("claimed"));
    assert_eq!(first, second, "both see the same winner");
    let winner = first.expect("someone won");
    assert!(winner == one || winner == two);
    let call = store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (call.answered_by, call.stage, call.outcome),
        (
            Some(winner),
            CallStage::Connected,
            Some(CallOutcome::Answered)
        )
    );
    assert_eq!(
        store
            .claim_call(call.id, winner, at(10, 2))
            .await
            .expect("again"),
        Some(winner),
        "a retried accept is still hers"
    );
}

pub async fn people_ringing_or_talking_are_busy_until_the_call_ends(store: Arc<dyn Store>) {
    let one = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let two = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    let second = store.record_call(&call("CA02")).await.expect("recorded");
    let legs = [one, two].map(|staff_id| NewLeg {
        call_id: first.id,
        attempt: 0,
        staff_id,
        started_at: at(10, 0),
    });
    store.start_legs(&legs, at(10, 0)).await.expect("ringing");
    assert_eq!(
        store.busy_staff(second.id).await.expect("read"),
        vec![one, two],
        "both are ringing"
    );
    assert!(
        store.busy_staff(first.id).await.expect("read").is_empty(),
        "a call never waits on itself"
    );
    store
        .claim_call(first.id, one, at(10, 1))
        .await
        .expect("claimed");
    let end = LegEnd {
        result: "canceled".into(),
        dial_call_sid: None,
        duration_secs: None,
        ended_at: at(10, 1),
    };
    store
        .finish_leg(first.id, 0, Some(two), &end)
        .await
        .expect("finished");
    assert_eq!(
        store.busy_staff(second.id).await.expect("read"),
        vec![one],
        "one is talking"
    );
    let ended = CallStatusUpdate {
        call_sid: "CA01".into(),
        status: "completed".into(),
        sequence: 1,
        ended_at: Some(at(10, 9)),
        duration_secs: Some(500),
        outcome: None,
    };
    store.apply_call_status(&ended).await.expect("ended");
    assert!(store.busy_staff(second.id).await.expect("read").is_empty());
    assert_eq!(
        store
            .unfinished_calls(at(11, 0))
            .await
            .expect("read")
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![second.id]
    );
    assert!(
        store
            .unfinished_calls(at(9, 0))
            .await
            .expect("read")
            .is_empty()
    );
}
