//! What a call leaves for later: a follow-up opened once per call, and a voicemail kept once that
//! counts the call as one.

use std::sync::Arc;

use hotline::store::*;
use hotline_schedules::Service;

use crate::{at, call};

pub async fn a_follow_up_is_opened_once_per_call(store: Arc<dyn Store>) {
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let follow_up = NewFollowUp {
        call_id: call.id,
        kind: CallOutcome::Missed,
        service: Some(Service::Legal),
        line_number: "+77010000000".into(),
        created_at: at(10, 5),
    };
    let id = store.open_follow_up(&follow_up).await.expect("opened");
    assert!(id.is_some());
    assert_eq!(
        store.open_follow_up(&follow_up).await.expect("again"),
        None,
        "once per call"
    );
    let open = store.open_follow_ups().await.expect("read");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (
            open[0].kind.as_str(),
            open[0].service,
            open[0].status.as_str()
        ),
        ("missed", Some(Service::Legal), "open")
    );
}

pub async fn a_voicemail_is_kept_once_and_counts_the_call(store: Arc<dyn Store>) {
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let voicemail = NewVoicemail {
        call_id: call.id,
        recording_sid: "RE01".into(),
        recording_sealed: vec![9, 9],
        duration_secs: Some(12),
        created_at: at(10, 3),
    };
    assert!(!store.has_voicemail(call.id).await.expect("read"));
    assert!(store.record_voicemail(&voicemail).await.expect("kept"));
    assert!(
        !store
            .record_voicemail(&voicemail)
            .await
            .expect("a repeat is fine"),
        "kept once"
    );
    assert!(store.has_voicemail(call.id).await.expect("read"));
    let call = store
        .call_by_sid("CA01")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(call.outcome, Some(CallOutcome::Voicemail));
}
