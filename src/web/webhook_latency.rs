//! How long each webhook takes to answer, kept per route: a caller hears silence while Twilio
//! waits for us. The route is the path template the router matched (`/webhooks/voice/status`),
//! never the URI as sent, so nothing from the request becomes a label.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// Times the request when its matched route is a webhook; passes any other by untouched.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .filter(|matched| matched.as_str().starts_with("/webhooks/"))
        .map(|matched| matched.as_str().to_owned());
    let Some(route) = route else {
        return next.run(request).await;
    };
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe_webhook(&route, started.elapsed());
    response
}
