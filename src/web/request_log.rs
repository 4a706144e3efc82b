//! The span each request is logged in names the route as written in the router
//! (`/welcome/{token}`), never the path as asked: a path or query can hold a one-time link's
//! token, a calendar feed's secret or a filter someone typed, and none of that belongs in a log.

use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};
use tracing::Span;

/// Makes a request's span from its method and matched route only.
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteSpan;

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        tracing::debug_span!(
            "request",
            method = %request.method(),
            route = route_of(request),
        )
    }
}

/// The route template the request matched, or a fixed word for a path no route knows.
pub fn route_of<B>(request: &Request<B>) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str)
}

/// The tracing layer of the whole application.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan> {
    TraceLayer::new_for_http().make_span_with(RouteSpan)
}
