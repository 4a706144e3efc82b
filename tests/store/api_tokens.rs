//! API tokens: found by the hash of the token, never by the token itself.

use std::sync::Arc;

use hotline::store::*;

use crate::at;

pub async fn api_tokens_are_found_by_hash(store: Arc<dyn Store>) {
    store
        .create_api_token("reports", "abc123", at(9, 0))
        .await
        .expect("created");
    assert_eq!(
        store
            .api_token_name("abc123")
            .await
            .expect("read")
            .as_deref(),
        Some("reports")
    );
    assert_eq!(store.api_token_name("abc124").await.expect("read"), None);
}
