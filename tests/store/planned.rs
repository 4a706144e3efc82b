//! Follow-ups planned for a set time: kept with their reminder job and audit entry, listed while
//! upcoming, cancelled or done once.

use std::sync::Arc;

use hotline::store::*;

use crate::{at, audit, call, lawyer};

pub async fn a_plan_is_kept_with_its_job_and_ends_once(store: Arc<dyn Store>) {
    let staff_id = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let plan = |hour| NewPlannedFollowUp {
        conversation_id: None,
        call_id: Some(call.id),
        staff_id,
        due_at: at(hour, 0),
        note_sealed: Some(vec![1, 2, 3]),
        her_text_sealed: None,
        created_by: "token:test".to_owned(),
        created_at: at(9, 0),
    };
    let later = store
        .plan_follow_up(&plan(16), &audit())
        .await
        .expect("kept");
    let sooner = store
        .plan_follow_up(&plan(12), &audit())
        .await
        .expect("kept");
    let job = store
        .job_by_key(&planned_job_key(sooner))
        .await
        .expect("read")
        .expect("its job is kept with it");
    assert_eq!(job.kind, PLANNED_JOB);
    assert_eq!(job.due_at, at(12, 0));
    assert_eq!(job.payload, format!("{{\"planned\":{sooner}}}"));
    let upcoming: Vec<i64> = store
        .upcoming_follow_ups(10)
        .await
        .expect("read")
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(upcoming, vec![sooner, later]);
    let audited = store.audit_log(10).await.expect("read");
    assert!(
        audited
            .iter()
            .any(|e| e.entry.subject == format!("planned-follow-up/{sooner}"))
    );

    assert!(store.finish_planned(sooner, at(12, 0)).await.expect("done"));
    assert!(!store.finish_planned(sooner, at(12, 1)).await.expect("once"));
    assert!(
        !store
            .cancel_planned(sooner, &audit())
            .await
            .expect("done already")
    );
    assert!(
        store
            .cancel_planned(later, &audit())
            .await
            .expect("cancelled")
    );
    assert!(!store.cancel_planned(later, &audit()).await.expect("once"));
    assert!(
        !store
            .finish_planned(later, at(16, 0))
            .await
            .expect("cancelled")
    );
    let kept = store
        .planned_follow_up(later)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(kept.status, "cancelled");
    assert_eq!(kept.note_sealed, Some(vec![1, 2, 3]));
    assert!(
        store
            .upcoming_follow_ups(10)
            .await
            .expect("read")
            .is_empty()
    );
}
