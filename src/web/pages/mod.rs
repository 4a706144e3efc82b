//! The coordinator's pages: server-rendered HTML (askama templates in `templates/`, checked at
//! compile time), plain forms and no JavaScript, in Russian, Kazakh or English per user. Each
//! page is one file here; every one takes `SignedIn` (or the `Coordinator` guard), renders a
//! template with a `page: Layout` field, and every form posts through `Posted<T>`, which refuses
//! a form without its session's token. Callers' numbers appear masked, never whole.

mod access;
mod account;
mod audit;
mod client;
mod csrf;
mod erase;
mod follow_up_assign;
mod follow_ups;
mod groups;
mod language;
mod layout;
mod line_form;
mod line_hours;
mod line_recordings;
mod lines;
mod log;
mod now;
mod passwords;
mod prompt_names;
mod reports;
mod rota;
mod rota_changes;
mod rota_refusal;
mod rotation_form;
mod rotations;
mod session;
mod set_password;
mod sign_in;
mod staff;
mod throttle;
mod users;
mod voicemail_audio;
mod welcome;
mod words;

pub use access::Sight;
pub use csrf::Posted;
pub use layout::{Layout, render};
pub use passwords::{SHORTEST as SHORTEST_PASSWORD, hash as hash_password};
pub use session::{Coordinator, SignedIn};
pub use welcome::first_coordinator_link;
pub use words::{Text, Words};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(now::page))
        .route("/sign-in", get(sign_in::page).post(sign_in::sign_in))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/welcome/{token}", get(welcome::page).post(welcome::create))
        .route("/language", post(language::switch))
        .route("/follow-ups", get(follow_ups::list))
        .route("/follow-ups/{id}", get(follow_ups::show))
        .route("/follow-ups/{id}/answered", post(follow_ups::answered))
        .route("/follow-ups/{id}/voicemail", get(voicemail_audio::play))
        // Accounts: users, her own account, the set-password link (accounts).
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::show).post(users::update))
        .route("/users/{id}/active", post(users::set_active))
        .route("/users/{id}/password-link", post(users::reset_password))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route(
            "/set-password/{token}",
            get(set_password::page).post(set_password::set),
        )
        .route("/follow-ups/{id}/assign", post(follow_up_assign::assign))
        .route("/staff", get(staff::list).post(staff::create))
        .route("/staff/new", get(staff::new))
        .route("/staff/{id}", get(staff::show).post(staff::update))
        .route("/staff/{id}/active", post(staff::set_active))
        .route("/audit", get(audit::list))
        .route("/rota", get(rota::page))
        .route("/rota/shifts", post(rota_changes::add_shift))
        .route("/rota/shifts/{id}", post(rota_changes::move_shift))
        .route("/rota/shifts/{id}/remove", post(rota_changes::remove_shift))
        .route("/rota/overrides", post(rota_changes::add_override))
        .route("/rota/swaps", post(rota_changes::swap))
        .route(
            "/rota/rotations",
            get(rotations::page).post(rotations::create),
        )
        .route("/rota/rotations/{id}", post(rotations::update))
        .route("/rota/rotations/{id}/end", post(rotations::end))
        .route("/static/rota.css", get(rota::stylesheet))
        .route("/log", get(log::page))
        .route(
            "/log/calls/{id}/reveal",
            get(log::revealed).post(log::reveal),
        )
        .route("/log/calls/{id}/erase", post(erase::erase_caller))
        .route("/log/calls/{id}/voicemail", get(voicemail_audio::play_call))
        .route("/reports", get(reports::page))
        .route("/reports/monthly.csv", get(reports::monthly_csv))
        .route("/lines", get(lines::list).post(lines::create))
        .route("/lines/{number}", get(lines::show).post(lines::update))
        .route("/lines/{number}/remove", post(lines::remove))
        .route(
            "/lines/{number}/recordings",
            post(line_recordings::upload)
                .layer(DefaultBodyLimit::max(line_recordings::LARGEST_UPLOAD)),
        )
        .route(
            "/lines/{number}/recordings/remove",
            post(line_recordings::remove),
        )
        .route("/static/hotline.css", get(stylesheet))
        .layer(axum::middleware::map_response(guarded))
}

/// The one stylesheet, ours, small enough to come with the first page on a weak connection.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/hotline.css"),
    )
}

/// Every page: scripts, frames and other sites' resources refused; no referrer leaks a path;
/// and nothing personal is kept in a shared cache.
async fn guarded(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
