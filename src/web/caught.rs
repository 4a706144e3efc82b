//! A handler that panics must not leave a caller with a dropped line. The panic is caught here:
//! on a step where she is listening she hears the apology, the emergency numbers and the
//! voicemail prompt; anywhere else the answer is a plain 500. The panic's own text stays out of
//! the answer (and, by `crate::panics`, out of the log).

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use hotline_routes::call;

use super::request_log::route_of;
use super::voice::Twiml;

/// The voice steps whose answer is what she hears next.
const SPOKEN_STEPS: [&str; 6] = [
    "/webhooks/voice",
    "/webhooks/voice/language",
    "/webhooks/voice/service",
    "/webhooks/voice/dial",
    "/webhooks/voice/voicemail",
    "/webhooks/voice/fallback",
];

/// Runs the rest of the request, catching a panic.
pub async fn catch_panics(request: Request, next: Next) -> Response {
    let spoken = SPOKEN_STEPS.contains(&route_of(&request));
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) if spoken => Twiml(call::apology()).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::routing::post;
    use tower::ServiceExt;

    async fn panicking() -> &'static str {
        panic!("a handler's bug")
    }

    fn app() -> Router {
        Router::new()
            .route("/webhooks/voice/language", post(panicking))
            .route("/webhooks/voice/status", post(panicking))
            .layer(axum::middleware::from_fn(catch_panics))
    }

    async fn answer(path: &str) -> (StatusCode, String) {
        let request = Request::post(path).body(Body::empty()).expect("a request");
        let response = app().oneshot(request).await.expect("an answer");
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_panic_on_her_line_becomes_the_apology_and_elsewhere_a_500() {
        let (status, twiml) = answer("/webhooks/voice/language").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            twiml.contains("<Record") && twiml.contains("112"),
            "{twiml}"
        );
        assert!(!twiml.contains("bug"));
        let (status, text) = answer("/webhooks/voice/status").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!text.contains("bug"));
    }
}
