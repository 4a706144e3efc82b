//! The operator's endpoints: alive, ready, counters.

use crate::databases::TestDatabase;
use crate::helpers::{spawn_app, spawn_app_on};

#[tokio::test]
async fn healthz_and_readyz_answer_on_both_stores() {
    for app in [
        spawn_app().await,
        spawn_app_on(TestDatabase::postgres().await).await,
    ] {
        assert_eq!(app.get("/healthz").await.status(), 200);
        assert_eq!(app.get("/readyz").await.status(), 200);
        let metrics = app.get("/metrics").await;
        assert_eq!(metrics.status(), 200);
        assert!(
            metrics.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/plain")
        );
    }
}
