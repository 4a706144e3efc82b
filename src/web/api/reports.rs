//! `/api/v1/reports/monthly`: the donors' monthly report as JSON, as CSV (totals only) and as
//! SVG charts. Counts only: nothing here can name, number or quote anyone.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hotline_routes::report::svg::{self, Chart};
use hotline_routes::report::{MonthlyReport, csv};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Actor, QueryParams};
use crate::reports::{self, Month};
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthQuery {
    /// `2026-11`; this month (in the hotline's zone) when left out.
    month: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartQuery {
    month: Option<String>,
    chart: String,
}

async fn report_of(state: &AppState, month: Option<&str>) -> Result<MonthlyReport, ApiError> {
    let zone = state.schedule.zone;
    let month = match month {
        Some(text) => {
            Month::parse(text).map_err(|error| ApiError::invalid("month", error.to_string()))?
        }
        None => Month::containing(state.clock.now(), zone),
    };
    Ok(reports::monthly(state.store.as_ref(), month, zone).await?)
}

/// `GET /api/v1/reports/monthly?month=2026-11`.
pub async fn monthly(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<MonthQuery>,
) -> Result<Json<MonthlyReport>, ApiError> {
    Ok(Json(report_of(&state, query.month.as_deref()).await?))
}

/// `GET /api/v1/reports/monthly.csv?month=2026-11`: a download named by its month.
pub async fn monthly_csv(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<MonthQuery>,
) -> Result<Response, ApiError> {
    let report = report_of(&state, query.month.as_deref()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"hotline-{}.csv\"", report.month),
            ),
        ],
        csv::monthly_csv(&report),
    )
        .into_response())
}

/// `GET /api/v1/reports/monthly.svg?month=2026-11&chart=services`.
pub async fn monthly_svg(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<ChartQuery>,
) -> Result<Response, ApiError> {
    let chart = Chart::from_name(&query.chart).ok_or_else(|| {
        let names: Vec<&str> = Chart::ALL.iter().map(|c| c.as_str()).collect();
        ApiError::invalid("chart", format!("chart is one of {}", names.join(", ")))
    })?;
    let report = report_of(&state, query.month.as_deref()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            // Shown as an image even if opened on its own, and never allowed to run anything.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
        ],
        svg::chart(&report, chart),
    )
        .into_response())
}
