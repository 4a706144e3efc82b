//! A row to her: it keeps the hash of her number, and may end `withheld`, for good.

use std::sync::Arc;

use hotline::store::*;

use super::{claim, message, read};
use crate::at;

pub async fn a_row_to_her_keeps_her_hash_and_ends_withheld_for_good(store: Arc<dyn Store>) {
    let to_her = NewOutboxMessage {
        contact_hash: Some("her".into()),
        ..message("reply:SM1")
    };
    assert!(store.enqueue_outbox(&to_her).await.expect("queued"));
    assert!(
        store
            .enqueue_outbox(&message("answer:SM1"))
            .await
            .expect("queued")
    );
    let pending = store.pending_outbox(10).await.expect("read");
    assert_eq!(pending[0].contact_hash.as_deref(), Some("her"));
    assert_eq!(pending[1].contact_hash, None, "a text to staff has none");

    let id = pending[0].id;
    let claimed = claim(&store, id, at(10, 0)).await;
    let withheld = OutboxFailure {
        status: OutboxStatus::Withheld,
        error_code: None,
        error_message: "not sent: she withdrew her consent to this channel".into(),
        at: at(10, 0),
    };
    assert!(
        store
            .fail_outbox(id, claimed.attempts, &withheld)
            .await
            .expect("ended")
    );
    let ended = read(&store, id).await;
    assert_eq!(ended.status, OutboxStatus::Withheld);
    assert!(ended.status.is_final());
    assert_eq!(ended.finished_at, Some(at(10, 0)));
    assert_eq!(
        ended.error_message.as_deref(),
        Some("not sent: she withdrew her consent to this channel")
    );
    assert!(
        store
            .due_outbox(at(23, 0), 10)
            .await
            .expect("read")
            .iter()
            .all(|m| m.id != id),
        "never due again"
    );
    assert!(
        !store
            .mark_outbox_sent(id, "SM-late", at(10, 5))
            .await
            .expect("asked"),
        "a withheld message is never taken for sent"
    );
    let late = OutboxStatusUpdate {
        provider_sid: "SM-late".into(),
        outbox_id: Some(id),
        status: OutboxStatus::Delivered,
        error_code: None,
        error_message: None,
        at: at(10, 6),
    };
    store.apply_outbox_status(&late).await.expect("applied");
    assert_eq!(read(&store, id).await.status, OutboxStatus::Withheld);
}
