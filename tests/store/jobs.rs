//! Durable jobs, on both backends: scheduled once per key, claimed by one runner at a time even
//! when two race, fenced from a runner whose lease lapsed, and given up into a list the
//! coordinator sees.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;

use crate::at;

pub fn job(key: &str, due: chrono::DateTime<chrono::Utc>) -> NewJob {
    NewJob {
        kind: "test".into(),
        payload: r#"{"n":1}"#.into(),
        idempotency_key: key.to_owned(),
        due_at: due,
        created_at: at(10, 0),
    }
}

pub async fn jobs_are_scheduled_once_per_key(store: Arc<dyn Store>) {
    assert!(
        store
            .enqueue_job(&job("a", at(10, 5)))
            .await
            .expect("queued")
    );
    assert!(
        !store
            .enqueue_job(&job("a", at(10, 9)))
            .await
            .expect("a repeat is fine"),
        "one job per key"
    );
    let stored = store.job_by_key("a").await.expect("read").expect("kept");
    assert_eq!(stored.status, JobStatus::Queued);
    assert_eq!(stored.due_at, at(10, 5), "the first schedule stands");
    assert_eq!(stored.payload, r#"{"n":1}"#);
    assert_eq!(stored.attempts, 0);
    assert!(
        store
            .due_jobs(at(10, 4), 10)
            .await
            .expect("read")
            .is_empty(),
        "not yet due"
    );
    assert_eq!(store.due_jobs(at(10, 5), 10).await.expect("read").len(), 1);
}

pub async fn of_two_runners_racing_for_due_jobs_each_job_goes_to_one(store: Arc<dyn Store>) {
    for n in 0..20 {
        store
            .enqueue_job(&job(&format!("race:{n}"), at(10, 0)))
            .await
            .expect("queued");
    }
    let runner = |store: Arc<dyn Store>| async move {
        let mut won = Vec::new();
        for due in store.due_jobs(at(10, 0), 100).await.expect("read") {
            if let Some(job) = store
                .claim_job(due.id, at(10, 0), at(10, 2))
                .await
                .expect("asked")
            {
                won.push(job.id);
            }
        }
        won
    };
    let (first, second) = tokio::join!(
        tokio::spawn(runner(store.clone())),
        tokio::spawn(runner(store.clone()))
    );
    let (first, second) = (first.expect("ran"), second.expect("ran"));
    let mut all: Vec<i64> = first.iter().chain(second.iter()).copied().collect();
    all.sort_unstable();
    let claimed = all.len();
    all.dedup();
    assert_eq!(
        claimed,
        all.len(),
        "no job claimed twice: {first:?} {second:?}"
    );
    assert_eq!(all.len(), 20, "every due job claimed");
    assert!(
        store
            .due_jobs(at(10, 1), 100)
            .await
            .expect("read")
            .is_empty(),
        "held while leased"
    );
    let id = all[0];
    let held = store.job(id).await.expect("read").expect("kept");
    assert_eq!((held.status, held.attempts), (JobStatus::Running, 1));
    assert_eq!(held.lease_until, Some(at(10, 2)));
}

pub async fn a_lapsed_job_is_claimed_again_and_fences_the_old_runner(store: Arc<dyn Store>) {
    store
        .enqueue_job(&job("lapse", at(10, 0)))
        .await
        .expect("queued");
    let id = store
        .job_by_key("lapse")
        .await
        .expect("read")
        .expect("kept")
        .id;
    let first = store
        .claim_job(id, at(10, 0), at(10, 2))
        .await
        .expect("asked")
        .expect("claimed");
    assert!(
        store
            .claim_job(id, at(10, 1), at(10, 3))
            .await
            .expect("asked")
            .is_none(),
        "leased"
    );
    let second = store
        .claim_job(id, at(10, 2), at(10, 4))
        .await
        .expect("asked")
        .expect("lapsed");
    assert_eq!(second.attempts, 2);
    assert!(
        !store
            .finish_job(id, first.attempts, at(10, 3))
            .await
            .expect("asked"),
        "fenced"
    );
    assert!(
        !store
            .retry_job(id, first.attempts, at(10, 5), "late")
            .await
            .expect("asked"),
        "fenced"
    );
    assert!(
        !store
            .bury_job(id, first.attempts, "late", at(10, 3))
            .await
            .expect("asked"),
        "fenced"
    );
    assert!(
        store
            .finish_job(id, second.attempts, at(10, 3))
            .await
            .expect("asked")
    );
    let done = store.job(id).await.expect("read").expect("kept");
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.finished_at, Some(at(10, 3)));
    assert!(
        store
            .due_jobs(at(12, 0), 10)
            .await
            .expect("read")
            .is_empty(),
        "done is done"
    );
}

pub async fn a_job_retried_waits_and_one_given_up_is_listed(store: Arc<dyn Store>) {
    store
        .enqueue_job(&job("dies", at(10, 0)))
        .await
        .expect("queued");
    let id = store
        .job_by_key("dies")
        .await
        .expect("read")
        .expect("kept")
        .id;
    let claim = store
        .claim_job(id, at(10, 0), at(10, 2))
        .await
        .expect("asked")
        .expect("claimed");
    assert!(
        store
            .retry_job(id, claim.attempts, at(10, 10), "down")
            .await
            .expect("asked")
    );
    assert!(
        store
            .due_jobs(at(10, 9), 10)
            .await
            .expect("read")
            .is_empty(),
        "waits its turn"
    );
    let retried = store.job(id).await.expect("read").expect("kept");
    assert_eq!(retried.status, JobStatus::Queued);
    assert_eq!(retried.last_error.as_deref(), Some("down"));
    let claim = store
        .claim_job(id, at(10, 10), at(10, 12))
        .await
        .expect("asked")
        .expect("due");
    assert_eq!(claim.attempts, 2);
    assert!(
        store
            .bury_job(id, 2, "still down", at(10, 11))
            .await
            .expect("asked")
    );
    let dead = store.dead_jobs(10).await.expect("read");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].status, JobStatus::Dead);
    assert_eq!(dead[0].last_error.as_deref(), Some("still down"));
    assert!(
        store
            .due_jobs(at(10, 0) + Duration::days(1), 10)
            .await
            .expect("read")
            .is_empty(),
        "a dead job stays dead"
    );
}
