//! Durable jobs, on both backends: scheduled once per key, claimed in batches soonest first and
//! by one runner at a time even when two race, held longer when a runner asks, fenced from a
//! runner whose lease lapsed, and given up into a list the coordinator sees.

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

/// Claims what is due at `now` until `until`, at most `limit`, in the order given.
async fn claim(
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
    until: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> Vec<Job> {
    store
        .claim_due_jobs(now, until, limit)
        .await
        .expect("claimed")
}

pub async fn a_claim_takes_the_soonest_due_first_and_no_more_than_asked(store: Arc<dyn Store>) {
    for (key, minute) in [("c", 3), ("a", 1), ("later", 9), ("b", 2), ("d", 4)] {
        store
            .enqueue_job(&job(key, at(10, minute)))
            .await
            .expect("queued");
    }
    let first = claim(store.as_ref(), at(10, 5), at(10, 7), 3).await;
    let keys: Vec<&str> = first.iter().map(|j| j.idempotency_key.as_str()).collect();
    assert_eq!(keys, vec!["a", "b", "c"], "the soonest due, in order");
    for claimed in &first {
        assert_eq!(claimed.status, JobStatus::Running);
        assert_eq!(claimed.attempts, 1, "the attempt is counted");
        assert_eq!(claimed.lease_until, Some(at(10, 7)));
    }
    let second = claim(store.as_ref(), at(10, 5), at(10, 7), 3).await;
    let keys: Vec<&str> = second.iter().map(|j| j.idempotency_key.as_str()).collect();
    assert_eq!(
        keys,
        vec!["d"],
        "the claimed are held; the one not due waits"
    );
    assert!(
        claim(store.as_ref(), at(10, 6), at(10, 8), 3)
            .await
            .is_empty()
    );
    let stored = store
        .job_by_key("later")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!((stored.status, stored.attempts), (JobStatus::Queued, 0));
}

pub async fn of_two_runners_racing_for_due_jobs_each_job_goes_to_one(store: Arc<dyn Store>) {
    for n in 0..60 {
        store
            .enqueue_job(&job(&format!("race:{n}"), at(10, 0)))
            .await
            .expect("queued");
    }
    // Small batches, again and again, so the two runners' claims overlap in time.
    let runner = |store: Arc<dyn Store>| async move {
        let mut won = Vec::new();
        loop {
            let claimed = claim(store.as_ref(), at(10, 0), at(10, 2), 3).await;
            if claimed.is_empty() {
                return won;
            }
            won.extend(claimed.iter().map(|j| j.id));
        }
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
    assert_eq!(all.len(), 60, "every due job claimed");
    assert!(
        store
            .due_jobs(at(10, 1), 100)
            .await
            .expect("read")
            .is_empty(),
        "held while leased"
    );
    for id in all {
        let held = store.job(id).await.expect("read").expect("kept");
        assert_eq!((held.status, held.attempts), (JobStatus::Running, 1));
        assert_eq!(held.lease_until, Some(at(10, 2)));
    }
}

pub async fn a_lapsed_job_is_claimed_again_and_fences_the_old_runner(store: Arc<dyn Store>) {
    store
        .enqueue_job(&job("lapse", at(10, 0)))
        .await
        .expect("queued");
    let first = claim(store.as_ref(), at(10, 0), at(10, 2), 10).await;
    assert_eq!(first.len(), 1, "claimed");
    let (id, first) = (first[0].id, first[0].attempts);
    assert!(
        claim(store.as_ref(), at(10, 1), at(10, 3), 10)
            .await
            .is_empty(),
        "leased"
    );
    let second = claim(store.as_ref(), at(10, 2), at(10, 4), 10).await;
    assert_eq!(second.len(), 1, "lapsed, so claimed again");
    assert_eq!((second[0].id, second[0].attempts), (id, 2));
    let second = second[0].attempts;
    assert!(
        !store
            .extend_job_lease(id, first, at(10, 9))
            .await
            .expect("asked"),
        "fenced"
    );
    assert!(
        !store.finish_job(id, first, at(10, 3)).await.expect("asked"),
        "fenced"
    );
    assert!(
        !store
            .retry_job(id, first, at(10, 5), "late")
            .await
            .expect("asked"),
        "fenced"
    );
    assert!(
        !store
            .bury_job(id, first, "late", at(10, 3))
            .await
            .expect("asked"),
        "fenced"
    );
    let held = store.job(id).await.expect("read").expect("kept");
    assert_eq!(
        held.lease_until,
        Some(at(10, 4)),
        "the old runner moved nothing"
    );
    assert!(
        store
            .finish_job(id, second, at(10, 3))
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
    assert!(
        claim(store.as_ref(), at(12, 0), at(12, 2), 10)
            .await
            .is_empty(),
        "and never claimed again"
    );
    assert!(
        !store
            .extend_job_lease(id, second, at(12, 9))
            .await
            .expect("asked"),
        "a finished job holds no lease"
    );
}

pub async fn an_extended_lease_holds_a_job_past_its_first(store: Arc<dyn Store>) {
    store
        .enqueue_job(&job("long", at(10, 0)))
        .await
        .expect("queued");
    let claimed = claim(store.as_ref(), at(10, 0), at(10, 2), 10).await;
    let (id, attempt) = (claimed[0].id, claimed[0].attempts);
    assert!(
        store
            .extend_job_lease(id, attempt, at(10, 5))
            .await
            .expect("asked")
    );
    assert!(
        claim(store.as_ref(), at(10, 3), at(10, 6), 10)
            .await
            .is_empty(),
        "held past the first lease"
    );
    let again = claim(store.as_ref(), at(10, 5), at(10, 7), 10).await;
    assert_eq!(again.len(), 1, "until the extended one runs out");
    assert_eq!(again[0].attempts, attempt + 1);
}

pub async fn a_job_retried_waits_and_one_given_up_is_listed(store: Arc<dyn Store>) {
    store
        .enqueue_job(&job("dies", at(10, 0)))
        .await
        .expect("queued");
    let claimed = claim(store.as_ref(), at(10, 0), at(10, 2), 10).await;
    let (id, attempt) = (claimed[0].id, claimed[0].attempts);
    assert!(
        store
            .retry_job(id, attempt, at(10, 10), "down")
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
    assert!(
        claim(store.as_ref(), at(10, 9), at(10, 11), 10)
            .await
            .is_empty(),
        "and is not claimed before it"
    );
    let retried = store.job(id).await.expect("read").expect("kept");
    assert_eq!(retried.status, JobStatus::Queued);
    assert_eq!(retried.last_error.as_deref(), Some("down"));
    let claimed = claim(store.as_ref(), at(10, 10), at(10, 12), 10).await;
    assert_eq!(claimed.len(), 1, "due");
    assert_eq!(claimed[0].attempts, 2);
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

pub async fn done_jobs_are_forgotten_after_a_while_and_the_dead_are_kept(store: Arc<dyn Store>) {
    for key in ["done", "dead", "waiting"] {
        store
            .enqueue_job(&job(key, at(10, 0)))
            .await
            .expect("queued");
    }
    store
        .enqueue_job(&job("later", at(12, 0)))
        .await
        .expect("queued");
    let claimed = store
        .claim_due_jobs(at(10, 0), at(10, 2), 2)
        .await
        .expect("claimed");
    let by_key = |key: &str| {
        claimed
            .iter()
            .find(|j| j.idempotency_key == key)
            .unwrap_or_else(|| panic!("{key} claimed"))
            .clone()
    };
    let (done, dead) = (by_key("done"), by_key("dead"));
    assert!(store.finish_job(done.id, 1, at(10, 1)).await.expect("done"));
    assert!(
        store
            .bury_job(dead.id, 1, "broken", at(10, 1))
            .await
            .expect("buried")
    );

    assert_eq!(
        store.forget_done_jobs(at(10, 1)).await.expect("ran"),
        0,
        "not before"
    );
    assert_eq!(store.forget_done_jobs(at(11, 0)).await.expect("ran"), 1);
    assert!(store.job(done.id).await.expect("read").is_none());
    for key in ["dead", "waiting", "later"] {
        assert!(
            store.job_by_key(key).await.expect("read").is_some(),
            "{key} kept"
        );
    }
}
