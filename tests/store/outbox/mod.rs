//! The outbox's promises, on both backends: a message is queued once per key, held by one
//! worker at a time, fenced from a worker whose lease lapsed, and moved on (never back) by the
//! provider's status callbacks.

mod claims;
mod reports;
mod withheld;

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;

pub use claims::*;
pub use reports::*;
pub use withheld::*;

use crate::at;

pub fn message(key: &str) -> NewOutboxMessage {
    NewOutboxMessage {
        idempotency_key: key.to_owned(),
        channel: "sms".into(),
        to_sealed: vec![1],
        body_sealed: vec![2],
        created_at: at(10, 0),
        contact_hash: None,
    }
}

pub async fn queued(store: &Arc<dyn Store>, key: &str) -> i64 {
    assert!(store.enqueue_outbox(&message(key)).await.expect("queued"));
    store
        .pending_outbox(100)
        .await
        .expect("read")
        .into_iter()
        .find(|m| m.idempotency_key == key)
        .expect("pending")
        .id
}

pub async fn read(store: &Arc<dyn Store>, id: i64) -> OutboxMessage {
    store
        .outbox_message(id)
        .await
        .expect("read")
        .expect("exists")
}

/// Claims `id` at `now` for two minutes.
pub async fn claim(
    store: &Arc<dyn Store>,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> OutboxMessage {
    store
        .claim_outbox(id, now, now + Duration::minutes(2))
        .await
        .expect("claimed")
        .expect("it was due")
}

pub fn sid_update(sid: &str, status: OutboxStatus, minute: u32) -> OutboxStatusUpdate {
    OutboxStatusUpdate {
        provider_sid: sid.to_owned(),
        outbox_id: None,
        status,
        error_code: None,
        error_message: None,
        at: at(10, minute),
    }
}
