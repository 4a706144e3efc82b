//! The blocklist: a blocked number is found by its hash until its block ends or it is unblocked.

use std::sync::Arc;

use hotline::store::*;

use crate::{at, audit};

pub async fn a_blocked_number_is_found_by_hash_until_its_block_ends(store: Arc<dyn Store>) {
    let id = store
        .block("hash-a", at(12, 0), "threats", &audit())
        .await
        .expect("blocked");
    assert!(store.is_blocked("hash-a", at(11, 59)).await.expect("read"));
    assert!(
        !store.is_blocked("hash-a", at(12, 0)).await.expect("read"),
        "the block has ended"
    );
    assert!(!store.is_blocked("hash-b", at(11, 0)).await.expect("read"));
    assert_eq!(
        store
            .blocklist()
            .await
            .expect("read")
            .iter()
            .map(|b| b.reason.as_str())
            .collect::<Vec<_>>(),
        vec!["threats"]
    );
    assert!(store.unblock(id, &audit()).await.expect("unblocked"));
    assert!(!store.is_blocked("hash-a", at(11, 0)).await.expect("read"));
}
