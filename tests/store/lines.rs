//! Lines: kept by their number, replaced and deleted, every change audited.

use std::sync::Arc;

use hotline::store::*;

use crate::audit;

pub async fn lines_are_kept_by_number_and_audited(store: Arc<dyn Store>) {
    assert_eq!(store.line("+77010000000").await.expect("read"), None);
    store
        .put_line("+77010000000", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    store
        .put_line("+77010000000", r#"{"ring":"sequential"}"#, &audit())
        .await
        .expect("replaced");
    store
        .put_line("default", "{}", &audit())
        .await
        .expect("kept");
    assert_eq!(
        store.line("+77010000000").await.expect("read").as_deref(),
        Some(r#"{"ring":"sequential"}"#)
    );
    assert_eq!(store.lines().await.expect("read").len(), 2);
    assert!(
        store
            .delete_line("default", &audit())
            .await
            .expect("deleted")
    );
    assert!(!store.delete_line("default", &audit()).await.expect("gone"));
    assert_eq!(store.audit_log(10).await.expect("read").len(), 4);
}
