//! The provider's side: the id a sent message keeps, and the status callbacks that move it on,
//! never back, and find a message whose create answer was lost.

use std::sync::Arc;

use hotline::store::*;

use super::{claim, queued, read, sid_update};
use crate::at;

pub async fn a_sent_message_keeps_its_first_provider_id(store: Arc<dyn Store>) {
    let id = queued(&store, "m").await;
    claim(&store, id, at(10, 0)).await;
    assert!(
        store
            .mark_outbox_sent(id, "SM01", at(10, 1))
            .await
            .expect("sent")
    );
    assert!(
        !store
            .mark_outbox_sent(id, "SM02", at(10, 2))
            .await
            .expect("asked"),
        "a second id means it was sent twice: the first is kept"
    );
    let sent = read(&store, id).await;
    assert_eq!(
        (sent.status, sent.provider_sid.as_deref(), sent.sent_at),
        (OutboxStatus::Sent, Some("SM01"), Some(at(10, 1)))
    );
    assert_eq!(
        store
            .outbox_by_sid("SM01")
            .await
            .expect("read")
            .map(|m| m.id),
        Some(id)
    );
    assert_eq!(store.outbox_by_sid("SM02").await.expect("read"), None);
    assert!(
        store
            .due_outbox(at(11, 0), 10)
            .await
            .expect("read")
            .is_empty(),
        "never sent again"
    );
}

pub async fn status_callbacks_move_a_message_on_and_never_back(store: Arc<dyn Store>) {
    let id = queued(&store, "m").await;
    claim(&store, id, at(10, 0)).await;
    store
        .mark_outbox_sent(id, "SM01", at(10, 0))
        .await
        .expect("sent");
    assert!(
        store
            .apply_outbox_status(&sid_update("SM01", OutboxStatus::Delivered, 2))
            .await
            .expect("applied")
    );
    assert!(
        !store
            .apply_outbox_status(&sid_update("SM01", OutboxStatus::Sent, 3))
            .await
            .expect("asked"),
        "a late 'sent' does not undo 'delivered'"
    );
    assert!(
        !store
            .apply_outbox_status(&sid_update("SM01", OutboxStatus::Delivered, 4))
            .await
            .expect("asked"),
        "a repeat changes nothing"
    );
    let mut failed = sid_update("SM01", OutboxStatus::Failed, 5);
    failed.error_code = Some(30003);
    assert!(!store.apply_outbox_status(&failed).await.expect("asked"));
    let delivered = read(&store, id).await;
    assert_eq!(delivered.status, OutboxStatus::Delivered);
    assert_eq!(delivered.finished_at, Some(at(10, 2)));
    assert_eq!(delivered.error_code, None);
    assert!(
        !store
            .apply_outbox_status(&sid_update("SM99", OutboxStatus::Delivered, 2))
            .await
            .expect("asked"),
        "an id we never sent changes nothing"
    );

    let other = queued(&store, "n").await;
    claim(&store, other, at(10, 0)).await;
    store
        .mark_outbox_sent(other, "SM02", at(10, 0))
        .await
        .expect("sent");
    let mut opted_out = sid_update("SM02", OutboxStatus::Undeliverable, 1);
    opted_out.error_code = Some(21610);
    opted_out.error_message = Some("opted out".into());
    assert!(
        store
            .apply_outbox_status(&opted_out)
            .await
            .expect("applied")
    );
    let ended = read(&store, other).await;
    assert_eq!(
        (
            ended.status,
            ended.error_code,
            ended.error_message.as_deref()
        ),
        (OutboxStatus::Undeliverable, Some(21610), Some("opted out"))
    );
}

pub async fn a_status_callback_finds_a_message_whose_answer_was_lost(store: Arc<dyn Store>) {
    let id = queued(&store, "m").await;
    // The create reached the provider, but its answer never came back: no id is kept.
    claim(&store, id, at(10, 0)).await;
    let mut update = sid_update("SM01", OutboxStatus::Sent, 1);
    update.outbox_id = Some(id);
    assert!(store.apply_outbox_status(&update).await.expect("applied"));
    let found = read(&store, id).await;
    assert_eq!(
        (found.status, found.provider_sid.as_deref()),
        (OutboxStatus::Sent, Some("SM01"))
    );
    assert!(
        store
            .due_outbox(at(11, 0), 10)
            .await
            .expect("read")
            .is_empty(),
        "never sent again"
    );
    let mut stray = sid_update("SM01", OutboxStatus::Delivered, 2);
    stray.outbox_id = Some(queued(&store, "n").await);
    store.apply_outbox_status(&stray).await.expect("applied");
    assert_eq!(read(&store, id).await.status, OutboxStatus::Delivered);
    assert_eq!(
        read(&store, stray.outbox_id.expect("set"))
            .await
            .provider_sid,
        None,
        "an id that is another message's is not taken"
    );
}
