//! `/api/v1/calls`: the call log — every call, the people rung and how each attempt ended, the
//! wait before a person and the outcome. Callers' numbers are shown masked only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use hotline_schedules::{Language, PhoneNumber, Service};
use serde::{Deserialize, Serialize};

use super::duty::LONGEST_RANGE;
use super::error::ApiError;
use super::extract::{Actor, QueryParams};
use crate::store::CallRecord;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallsQuery {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct LegView {
    attempt: i64,
    staff_id: i64,
    /// accepted, declined, no-answer, not-accepted, busy, failed, canceled, too-late
    result: Option<String>,
    talk_secs: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct CallView {
    id: i64,
    line: String,
    caller: String,
    started_at: DateTime<Utc>,
    language: Option<Language>,
    service: Option<Service>,
    outcome: Option<&'static str>,
    answered_by: Option<i64>,
    /// Seconds from the call's start to a person accepting.
    wait_secs: Option<i64>,
    /// Seconds from the call's start to its end (for an abandoned call: how long she waited).
    duration_secs: Option<i64>,
    legs: Vec<LegView>,
}

fn masked_caller(state: &AppState, call: &CallRecord) -> String {
    if call.caller_sealed.is_empty() {
        // Retention erased it: the call is still counted.
        return "(erased)".to_owned();
    }
    match state.secrets.data_key.open(&call.caller_sealed) {
        Ok(number) => PhoneNumber::parse(&number)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "(withheld)".to_owned()),
        Err(_) => "(unreadable)".to_owned(),
    }
}

/// `GET /api/v1/calls?from=&to=`: the calls that started in the range, oldest first.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<CallsQuery>,
) -> Result<Json<Vec<CallView>>, ApiError> {
    if query.to <= query.from || query.to - query.from > LONGEST_RANGE {
        return Err(ApiError::invalid(
            "to",
            format!(
                "to must be after from, by at most {} days",
                LONGEST_RANGE.num_days()
            ),
        ));
    }
    let mut views = Vec::new();
    for call in state.store.calls_between(query.from, query.to).await? {
        let legs = state.store.legs(call.id).await?;
        views.push(CallView {
            id: call.id,
            line: call.line_number.clone(),
            caller: masked_caller(&state, &call),
            started_at: call.started_at,
            language: call.language,
            service: call.service,
            outcome: call.outcome.map(|o| o.as_str()),
            answered_by: call.answered_by,
            wait_secs: call
                .answered_at
                .map(|at| (at - call.started_at).num_seconds()),
            duration_secs: call.ended_at.map(|at| (at - call.started_at).num_seconds()),
            legs: legs
                .into_iter()
                .map(|leg| LegView {
                    attempt: leg.attempt,
                    staff_id: leg.staff_id,
                    result: leg.result,
                    talk_secs: leg.duration_secs,
                })
                .collect(),
        });
    }
    Ok(Json(views))
}
