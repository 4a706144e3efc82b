//! The HTTP face of the server: Twilio's webhooks, the operator's endpoints and the
//! coordinator's pages. Handlers record and wire; what to answer is decided in `hotline-routes`.

mod api;
mod calendar;
mod caught;
pub mod client_address;
pub mod ics;
mod messages;
mod messages_status;
mod ops;
pub mod pages;
mod request_log;
pub mod voice;
pub mod webhook;
mod webhook_latency;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::secrets::Secrets;
use crate::store::Store;

/// Everything a handler may use, cheap to clone: axum clones it for every request, once per
/// layer that holds it, so every field is shared, none copied (the schedule's recurrences
/// alone were a dozen allocations a clone).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<Secrets>,
    pub public_url: Option<Arc<url::Url>>,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<dyn Clock>,
    /// Where recorded prompts are served from, at `/prompts/FILE`.
    pub prompts_dir: Arc<std::path::Path>,
    /// How often missed contacts are reminded of, and when they escalate.
    pub reminders: Arc<hotline_routes::follow_up::ReminderSettings>,
    /// The hotline's zone, and when its own work comes round.
    pub schedule: Arc<crate::jobs::settings::ScheduleSettings>,
    /// The proxies whose word on a client's address sign-in throttling takes.
    pub trusted_proxies: client_address::TrustedProxies,
}

/// The whole HTTP application, without a socket, so tests can drive it either way.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/webhooks/voice", post(voice::incoming))
        .route("/webhooks/voice/language", post(voice::language_chosen))
        .route("/webhooks/voice/service", post(voice::service_chosen))
        .route("/webhooks/voice/dial", post(voice::dial_ended))
        .route("/webhooks/voice/whisper", post(voice::whisper))
        .route(
            "/webhooks/voice/whisper/answer",
            post(voice::whisper_answer),
        )
        .route("/webhooks/voice/leg", post(voice::leg_status))
        .route("/webhooks/voice/voicemail", post(voice::voicemail))
        .route("/webhooks/voice/recording", post(voice::recording_ready))
        .route("/webhooks/voice/status", post(voice::status))
        .route("/webhooks/voice/fallback", post(voice::fallback))
        .route("/webhooks/voice/callback", post(voice::callback_answered))
        .route(
            "/webhooks/voice/callback/connect",
            post(voice::callback_connect),
        )
        .route(
            "/webhooks/voice/callback/status",
            post(voice::callback_status),
        )
        .route("/webhooks/messages", post(messages::incoming))
        .route(
            "/webhooks/messages/status",
            post(messages_status::message_status),
        )
        .route("/calendar/{file}", get(calendar::own_feed))
        .route("/calendar/{secret}/{file}", get(calendar::service_feed))
        .nest_service(
            "/prompts",
            tower_http::services::ServeDir::new(&state.prompts_dir),
        )
        .merge(api::routes())
        .merge(pages::routes())
        // After routing, so the matched route's template is known: webhooks are timed by it.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            webhook_latency::observe,
        ))
        // A request that cannot be answered in this time (a database that hangs, a client
        // that trickles its upload) is ended, so it holds no connection or lock for long.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(60),
        ))
        .layer(axum::middleware::from_fn(caught::catch_panics))
        .layer(request_log::layer())
        .with_state(state)
}
