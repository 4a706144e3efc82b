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

impl CallsQuery {
    fn admits(&self, call: &CallRecord) -> bool {
        self.line
            .as_ref()
            .is_none_or(|line| &call.line_number == line)
            && self
                .service
                .is_none_or(|service| call.service == Some(service))
            && self
                .outcome
                .as_deref()
                .is_none_or(|outcome| call.outcome.map(|o| o.as_str()) == Some(outcome))
            && self
                .language
                .is_none_or(|language| call.language == Some(language))
    }
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

/// `GET /api/v1/calls?from=&to=[&line=&service=&outcome=&language=]`: the calls that started in
/// the range, oldest first.
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
    if let Some(outcome) = query.outcome.as_deref()
        && hotline_routes::call::CallOutcome::from_name(outcome).is_none()
    {
        return Err(ApiError::invalid(
            "outcome",
            "one of answered, voicemail, missed, abandoned, blocked, closed",
        ));
    }
    let mut views = Vec::new();
    let calls = state.store.calls_between(query.from, query.to).await?;
    for call in calls.into_iter().filter(|call| query.admits(call)) {
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
    let Some(call) = state.store.call_by_id(id).await? else {
        return Err(ApiError::not_found("call"));
    };
    if call.caller_sealed.is_empty() {
        return Err(ApiError::conflict("her number was erased by retention"));
    }
    let number = state
        .secrets
        .data_key
        .open(&call.caller_sealed)
        .map_err(|_| ApiError::conflict("her number cannot be opened with this key"))?;
    let audit = crate::store::AuditEntry {
        at: state.clock.now(),
        actor: actor.0,
        action: "reveal-number".to_owned(),
        subject: format!("call/{id}"),
        before: None,
        after: None,
    };
    state.store.record_audit(&audit).await?;
    Ok(Json(Revealed { id, caller: number }))
}
