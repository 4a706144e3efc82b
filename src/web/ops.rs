//! What an operator or a platform's health checker asks: alive, ready, and the metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::AppState;

/// Alive: the process answers. Says nothing about the database, so a database outage does not
/// make the platform restart a server that is still taking calls with apologies.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
        }
    }
}

/// `GET /metrics`: what the records say, then what this process did (see `crate::metrics`).
/// Always 200: a group of records that cannot be read is left out and counted, never the page.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut page = crate::metrics::Exposition::default();
    crate::metrics::write_records(
        state.store.as_ref(),
        &state.metrics,
        state.clock.now(),
        &mut page,
    )
    .await;
    state.metrics.write(&mut page);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        page.finish(),
    )
}
