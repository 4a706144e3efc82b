//! Queueing and claiming: one message per key, one worker at a time, a lapsed claim taken over
//! in doubt, a failed attempt waiting its turn, a message given up shown to the coordinator.

use std::sync::Arc;

use hotline::store::*;

use super::{claim, message, queued, read};
use crate::at;

pub async fn outbox_messages_are_queued_once_per_key(store: Arc<dyn Store>) {
    assert!(
        store
            .enqueue_outbox(&message("voicemail:1:1"))
            .await
            .expect("queued")
    );
    assert!(
        !store
            .enqueue_outbox(&message("voicemail:1:1"))
            .await
            .expect("a repeat is fine"),
        "the same event and person make one message"
    );
    assert!(
        store
            .enqueue_outbox(&message("voicemail:1:2"))
            .await
            .expect("queued")
    );
    let pending = store.pending_outbox(10).await.expect("read");
    let keys: Vec<&str> = pending.iter().map(|m| m.idempotency_key.as_str()).collect();
    assert_eq!(keys, vec!["voicemail:1:1", "voicemail:1:2"]);
    assert_eq!(pending[0].status, OutboxStatus::Queued);
    assert_eq!(pending[0].attempts, 0);
    assert_eq!(
        pending[0].next_attempt_at,
        at(10, 0),
        "due as soon as it is queued"
    );
    assert_eq!(
        store.pending_outbox(1).await.expect("read").len(),
        1,
        "the limit holds"
    );
}

pub async fn an_outbox_message_is_claimed_by_one_worker_at_a_time(store: Arc<dyn Store>) {
    let id = queued(&store, "m").await;
    assert!(
        store
            .due_outbox(at(9, 59), 10)
            .await
            .expect("read")
            .is_empty(),
        "not due before it was queued"
    );
    assert_eq!(
        store.due_outbox(at(10, 0), 10).await.expect("read").len(),
        1
    );
    let first = store.claim_outbox(id, at(10, 0), at(10, 2));
    let second = store.claim_outbox(id, at(10, 0), at(10, 2));
    let (first, second) = tokio::join!(first, second);
    let winners = [first.expect("asked"), second.expect("asked")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    assert_eq!(winners.len(), 1, "of two workers, exactly one gets it");
    assert_eq!(winners[0].status, OutboxStatus::Sending);
    assert_eq!(winners[0].attempts, 1);
    assert_eq!(winners[0].lease_until, Some(at(10, 2)));
    assert_eq!(winners[0].uncertain_since, None);
    assert!(
        store
            .due_outbox(at(10, 1), 10)
            .await
            .expect("read")
            .is_empty(),
        "held while the lease lasts"
    );
    assert!(store.pending_outbox(10).await.expect("read").is_empty());
}

pub async fn a_lapsed_claim_is_claimed_again_in_doubt_and_fences_the_old_worker(
    store: Arc<dyn Store>,
) {
    let id = queued(&store, "m").await;
    let lapsed = claim(&store, id, at(10, 0)).await;
    // The first worker died (or hangs) while sending: its lease runs out at 10:02.
    assert_eq!(
        store.due_outbox(at(10, 2), 10).await.expect("read").len(),
        1
    );
    let again = claim(&store, id, at(10, 3)).await;
    assert_eq!(again.attempts, 2);
    assert_eq!(
        again.uncertain_since,
        Some(at(10, 0)),
        "the lapsed attempt may have reached the provider"
    );
    let retry = OutboxRetry {
        next_attempt_at: at(10, 5),
        error_code: None,
        error_message: "late".into(),
        uncertain: false,
    };
    assert!(
        !store
            .retry_outbox(id, lapsed.attempts, &retry)
            .await
            .expect("asked"),
        "the old worker can no longer requeue it"
    );
    let failure = OutboxFailure {
        status: OutboxStatus::Failed,
        error_code: None,
        error_message: "late".into(),
        at: at(10, 5),
    };
    assert!(
        !store
            .fail_outbox(id, lapsed.attempts, &failure)
            .await
            .expect("asked")
    );
    assert!(
        !store
            .release_outbox(id, lapsed.attempts, at(10, 5))
            .await
            .expect("asked")
    );
    assert_eq!(read(&store, id).await.status, OutboxStatus::Sending);
}

pub async fn a_failed_attempt_waits_its_turn_and_keeps_its_doubt(store: Arc<dyn Store>) {
    let id = queued(&store, "m").await;
    let first = claim(&store, id, at(10, 0)).await;
    let timed_out = OutboxRetry {
        next_attempt_at: at(10, 1),
        error_code: None,
        error_message: "the provider did not answer in time".into(),
        uncertain: true,
    };
    assert!(
        store
            .retry_outbox(id, first.attempts, &timed_out)
            .await
            .expect("requeued")
    );
    let waiting = read(&store, id).await;
    assert_eq!(waiting.status, OutboxStatus::Queued);
    assert_eq!(waiting.uncertain_since, Some(at(10, 0)));
    assert_eq!(
        waiting.error_message.as_deref(),
        Some("the provider did not answer in time")
    );
    assert!(
        store
            .due_outbox(at(10, 0), 10)
            .await
            .expect("read")
            .is_empty(),
        "not before its time"
    );
    let second = claim(&store, id, at(10, 1)).await;
    assert_eq!(second.attempts, 2);
    let refused_connection = OutboxRetry {
        next_attempt_at: at(10, 3),
        error_code: None,
        error_message: "could not connect".into(),
        uncertain: false,
    };
    assert!(
        store
            .retry_outbox(id, second.attempts, &refused_connection)
            .await
            .expect("requeued")
    );
    assert_eq!(
        read(&store, id).await.uncertain_since,
        Some(at(10, 0)),
        "a certain failure later does not clear an earlier doubt"
    );
}

pub async fn a_rate_limited_claim_is_handed_back_uncounted(store: Arc<dyn Store>) {
    let id = queued(&store, "m").await;
    let claimed = claim(&store, id, at(10, 0)).await;
    assert!(
        store
            .release_outbox(id, claimed.attempts, at(10, 1))
            .await
            .expect("released")
    );
    let back = read(&store, id).await;
    assert_eq!((back.status, back.attempts), (OutboxStatus::Queued, 0));
    assert_eq!(back.next_attempt_at, at(10, 1));
}

pub async fn a_message_given_up_is_shown_to_the_coordinator(store: Arc<dyn Store>) {
    let opted_out = queued(&store, "opted-out").await;
    let broken = queued(&store, "broken").await;
    let claimed = claim(&store, opted_out, at(10, 0)).await;
    let failure = OutboxFailure {
        status: OutboxStatus::Undeliverable,
        error_code: Some(21610),
        error_message: "the recipient has opted out".into(),
        at: at(10, 1),
    };
    assert!(
        store
            .fail_outbox(opted_out, claimed.attempts, &failure)
            .await
            .expect("ended")
    );
    let claimed = claim(&store, broken, at(10, 2)).await;
    let failure = OutboxFailure {
        status: OutboxStatus::Failed,
        error_code: None,
        error_message: "gave up after 10 attempts".into(),
        at: at(10, 3),
    };
    assert!(
        store
            .fail_outbox(broken, claimed.attempts, &failure)
            .await
            .expect("ended")
    );
    let shown = store.failed_outbox(10).await.expect("read");
    let seen: Vec<(i64, OutboxStatus, Option<i64>)> = shown
        .iter()
        .map(|m| (m.id, m.status, m.error_code))
        .collect();
    assert_eq!(
        seen,
        vec![
            (broken, OutboxStatus::Failed, None),
            (opted_out, OutboxStatus::Undeliverable, Some(21610))
        ],
        "newest first"
    );
    assert_eq!(
        shown[1].error_message.as_deref(),
        Some("the recipient has opted out")
    );
    assert_eq!(shown[1].finished_at, Some(at(10, 1)));
    assert!(
        store
            .due_outbox(at(12, 0), 10)
            .await
            .expect("read")
            .is_empty(),
        "never tried again"
    );
    // A provider id found later (its status callback) shows the give-up was wrong.
    assert!(
        store
            .mark_outbox_sent(broken, "SM09", at(10, 4))
            .await
            .expect("asked")
    );
    assert_eq!(read(&store, broken).await.status, OutboxStatus::Sent);
    assert!(
        !store
            .mark_outbox_sent(opted_out, "SM10", at(10, 4))
            .await
            .expect("asked"),
        "undeliverable stays so"
    );
}
