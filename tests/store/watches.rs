//! What the watches last saw: nothing before the first look, then the latest body kept.

use std::sync::Arc;

use hotline::store::*;

use crate::at;

pub async fn a_watch_keeps_only_what_it_saw_last(store: Arc<dyn Store>) {
    assert_eq!(store.watched("duty-stretches").await.expect("read"), None);
    store
        .keep_watched("duty-stretches", r#"{"n":1}"#, at(10, 0))
        .await
        .expect("kept");
    store
        .keep_watched("duty-stretches", r#"{"n":2}"#, at(10, 5))
        .await
        .expect("kept");
    store
        .keep_watched("shift-reminders", r#"{"n":9}"#, at(10, 5))
        .await
        .expect("kept");
    assert_eq!(
        store
            .watched("duty-stretches")
            .await
            .expect("read")
            .as_deref(),
        Some(r#"{"n":2}"#)
    );
    assert_eq!(
        store
            .watched("shift-reminders")
            .await
            .expect("read")
            .as_deref(),
        Some(r#"{"n":9}"#)
    );
}
