//! The JSON API under `/api/v1/`, for tools and the coordinator's scripts: staff, the rota's
//! rules, and who is on duty. Every request needs a bearer token from `hotline token create`.

mod audit;
mod calls;
mod consent;
mod conversations;
mod duty;
mod error;
mod extract;
pub(super) mod follow_ups;
mod jobs;
pub(super) mod lines;
mod planned;
mod reports;
mod rules;
pub(super) mod staff;

pub use duty::source_name;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;
use crate::rota::spec::{OverrideSpec, RotationSpec, ShiftSpec};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/staff", get(staff::list).post(staff::create))
        .route(
            "/api/v1/staff/{id}",
            get(staff::show)
                .put(staff::update)
                .delete(staff::deactivate),
        )
        .route(
            "/api/v1/staff/{id}/calendar",
            get(staff::calendar).post(staff::renew_calendar),
        )
        .route("/api/v1/staff/{id}/pause", post(staff::pause))
        .route("/api/v1/staff/{id}/resume", post(staff::resume))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/conversations", get(conversations::list))
        .route("/api/v1/calls", get(calls::list))
        .route("/api/v1/calls/{id}/reveal", post(calls::reveal))
        .route(
            "/api/v1/conversations/{code}/consent",
            get(consent::show).put(consent::put),
        )
        .route("/api/v1/follow-ups", get(follow_ups::list))
        .route(
            "/api/v1/follow-ups/{id}/answered",
            post(follow_ups::answered),
        )
        .route(
            "/api/v1/follow-ups/{id}/assign",
            post(follow_ups::assign_one),
        )
        .route(
            "/api/v1/planned-follow-ups",
            get(planned::list).post(planned::create),
        )
        .route(
            "/api/v1/planned-follow-ups/{id}",
            axum::routing::delete(planned::cancel),
        )
        .route("/api/v1/jobs/dead", get(jobs::dead))
        .route("/api/v1/reports/monthly", get(reports::monthly))
        .route("/api/v1/reports/monthly.csv", get(reports::monthly_csv))
        .route("/api/v1/reports/monthly.svg", get(reports::monthly_svg))
        .route("/api/v1/lines", get(lines::list))
        .route(
            "/api/v1/lines/{number}",
            get(lines::show).put(lines::put).delete(lines::delete),
        )
        .route(
            "/api/v1/blocklist",
            get(lines::blocklist).post(lines::block),
        )
        .route(
            "/api/v1/blocklist/{id}",
            axum::routing::delete(lines::unblock),
        )
        .route("/api/v1/on-duty", get(duty::on_duty))
        .route("/api/v1/rota", get(duty::rota))
        .route("/api/v1/gaps", get(duty::gaps))
        .route("/api/v1/swaps", post(duty::swap))
        .route(
            "/api/v1/rotations",
            get(rules::list::<RotationSpec>).post(rules::create::<RotationSpec>),
        )
        .route(
            "/api/v1/rotations/{id}",
            get(rules::show::<RotationSpec>)
                .put(rules::replace::<RotationSpec>)
                .delete(rules::close::<RotationSpec>),
        )
        .route(
            "/api/v1/shifts",
            get(rules::list::<ShiftSpec>).post(rules::create::<ShiftSpec>),
        )
        .route(
            "/api/v1/shifts/{id}",
            get(rules::show::<ShiftSpec>)
                .put(rules::replace::<ShiftSpec>)
                .delete(rules::close::<ShiftSpec>),
        )
        .route(
            "/api/v1/overrides",
            get(rules::list::<OverrideSpec>).post(rules::create::<OverrideSpec>),
        )
        .route(
            "/api/v1/overrides/{id}",
            get(rules::show::<OverrideSpec>)
                .put(rules::replace::<OverrideSpec>)
                .delete(rules::close::<OverrideSpec>),
        )
}

/// The API's description, for client generators and readers.
async fn openapi() -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}
