//! `/api/v1/calls`: the call log — every call, the people rung and how each attempt ended, the
//! wait before a person and the outcome. Callers' numbers are shown masked only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use hotline_routes::call::CallOutcome;
use hotline_schedules::{Language, Service};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, QueryParams};
use crate::log::{self, CallFilter, LONGEST_RANGE, RevealRefused};
use crate::store::CallRecord;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallsQuery {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// Only calls to this hotline number.
    #[serde(default)]
    line: Option<String>,
    #[serde(default)]
    service: Option<Service>,
    /// answered, voicemail, missed, abandoned, blocked, closed
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    language: Option<Language>,
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
    log::number(&state.secrets.data_key, &call.caller_sealed).masked()
}

/// `GET /api/v1/calls?from=&to=[&line=&service=&outcome=&language=]`: the calls that started in
/// the range, oldest first.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<CallsQuery>,
) -> Result<Json<Vec<CallView>>, ApiError> {
    if !log::range_is_readable(query.from, query.to) {
        return Err(ApiError::invalid(
            "to",
            format!(
                "to must be after from, by at most {} days",
                LONGEST_RANGE.num_days()
            ),
        ));
    }
    let outcome = match query.outcome.as_deref() {
        None => None,
        Some(name) => Some(CallOutcome::from_name(name).ok_or_else(|| {
            ApiError::invalid(
                "outcome",
                "one of answered, voicemail, missed, abandoned, blocked, closed",
            )
        })?),
    };
    let filter = CallFilter {
        from: query.from,
        to: query.to,
        line: query.line,
        service: query.service,
        outcome,
        language: query.language,
    };
    let mut views = Vec::new();
    for call in log::calls(state.store.as_ref(), &filter).await? {
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

#[derive(Debug, Serialize)]
pub struct Revealed {
    id: i64,
    caller: String,
}

/// `POST /api/v1/calls/{id}/reveal`: her whole number, for a coordinator who must call her
/// back. Every reveal is written to the audit log, with who and when, before it is answered.
pub async fn reveal(
    State(state): State<AppState>,
    actor: Actor,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<Revealed>, ApiError> {
    let revealed = log::reveal(
        state.store.as_ref(),
        &state.secrets.data_key,
        id,
        actor.0,
        state.clock.now(),
    )
    .await;
    match revealed {
        Ok(number) => Ok(Json(Revealed { id, caller: number })),
        Err(RevealRefused::NoSuchCall) => Err(ApiError::not_found("call")),
        Err(refused @ (RevealRefused::Erased | RevealRefused::Unreadable)) => {
            Err(ApiError::conflict(refused.to_string()))
        }
        Err(RevealRefused::Store(error)) => Err(error.into()),
    }
}
