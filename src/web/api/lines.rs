//! `/api/v1/lines` and `/api/v1/blocklist`: how each hotline number answers, and the numbers
//! kept from calling (found by keyed hash; the number itself is never kept or shown).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hotline_routes::line::{Line, LineError};
use hotline_schedules::{PhoneError, PhoneNumber};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::store::{AuditEntry, StoreError, StoreResult};
use crate::web::AppState;

fn audit(state: &AppState, actor: Actor, action: &str, after: Option<String>) -> AuditEntry {
    AuditEntry {
        at: state.clock.now(),
        actor: actor.0,
        action: action.to_owned(),
        subject: String::new(),
        before: None,
        after,
    }
}

/// A line's settings as the audit log keeps them: the JSON the store holds.
fn line_audit(
    state: &AppState,
    actor: &str,
    action: &str,
    before: Option<String>,
    after: Option<String>,
) -> AuditEntry {
    AuditEntry {
        at: state.clock.now(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        // The store names the line (`line/{number}`) itself.
        subject: String::new(),
        before,
        after,
    }
}

/// The key a line is kept under: `default`, or a number written as E.164.
pub fn line_key(number: &str) -> Result<String, PhoneError> {
    if number == crate::lines::DEFAULT_LINE {
        return Ok(number.to_owned());
    }
    PhoneNumber::parse(number).map(|n| n.as_e164().to_owned())
}

/// Why a line's settings were not kept.
#[derive(Debug)]
pub enum SaveProblem {
    Invalid(LineError),
    Store(StoreError),
}

impl From<StoreError> for SaveProblem {
    fn from(error: StoreError) -> Self {
        SaveProblem::Store(error)
    }
}

/// Keeps `line` as the settings of `number` (a key from [`line_key`]) once it is valid, with
/// what it replaced and what it became in the audit log. The API and the Lines page both save
/// through here.
pub async fn save_line(
    state: &AppState,
    actor: &str,
    number: &str,
    line: &Line,
) -> Result<(), SaveProblem> {
    line.validate().map_err(SaveProblem::Invalid)?;
    let body = serde_json::to_string(line).map_err(|e| {
        SaveProblem::Invalid(LineError {
            field: "",
            problem: e.to_string(),
        })
    })?;
    let before = state.store.line(number).await?;
    let action = if before.is_some() { "update" } else { "create" };
    let entry = line_audit(state, actor, action, before, Some(body.clone()));
    state.store.put_line(number, &body, &entry).await?;
    Ok(())
}

/// Removes a number's own settings (it answers with the default line again), audited with
/// what they were; false when it had none.
pub async fn remove_line(state: &AppState, actor: &str, number: &str) -> StoreResult<bool> {
    let Some(before) = state.store.line(number).await? else {
        return Ok(false);
    };
    let entry = line_audit(state, actor, "delete", Some(before), None);
    state.store.delete_line(number, &entry).await
}

#[derive(Debug, Serialize)]
pub struct LineView {
    number: String,
    #[serde(flatten)]
    line: Line,
}

/// `GET /api/v1/lines`: every number with its own settings, and `default`.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<LineView>>, ApiError> {
    let mut views = Vec::new();
    for (number, _) in state.store.lines().await? {
        let line = crate::lines::for_number(state.store.as_ref(), &number).await?;
        views.push(LineView { number, line });
    }
    Ok(Json(views))
}

/// `GET /api/v1/lines/{number}`: how a number answers (its own settings, or the default's).
pub async fn show(
    State(state): State<AppState>,
    _: Actor,
    Path(number): Path<String>,
) -> Result<Json<LineView>, ApiError> {
    let line = crate::lines::for_number(state.store.as_ref(), &number).await?;
    Ok(Json(LineView { number, line }))
}

fn api_line_key(number: &str) -> Result<String, ApiError> {
    line_key(number).map_err(|e| ApiError::invalid("number", e.to_string()))
}

/// `PUT /api/v1/lines/{number}`: a number's settings (`default` for every other number).
pub async fn put(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
    JsonBody(line): JsonBody<Line>,
) -> Result<Json<LineView>, ApiError> {
    let number = api_line_key(&number)?;
    match save_line(&state, &actor.0, &number, &line).await {
        Ok(()) => Ok(Json(LineView { number, line })),
        Err(SaveProblem::Invalid(e)) => Err(ApiError::invalid(e.field, e.problem)),
        Err(SaveProblem::Store(e)) => Err(e.into()),
    }
}

/// `DELETE /api/v1/lines/{number}`: the number answers with the default line again.
pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
) -> Result<StatusCode, ApiError> {
    let number = api_line_key(&number)?;
    if remove_line(&state, &actor.0, &number).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("line"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    number: String,
    until: DateTime<Utc>,
    reason: String,
}

#[derive(Debug, Serialize)]
pub struct BlockView {
    id: i64,
    until: DateTime<Utc>,
    reason: String,
    created_at: DateTime<Utc>,
}

/// `GET /api/v1/blocklist`.
pub async fn blocklist(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<BlockView>>, ApiError> {
    let entries = state.store.blocklist().await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| BlockView {
                id: e.id,
                until: e.until,
                reason: e.reason,
                created_at: e.created_at,
            })
            .collect(),
    ))
}

/// `POST /api/v1/blocklist`: keeps a number from calling until `until`. Only its keyed hash
/// is kept.
pub async fn block(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(input): JsonBody<BlockInput>,
) -> Result<(StatusCode, Json<BlockView>), ApiError> {
    let number = PhoneNumber::parse(&input.number)
        .map_err(|e| ApiError::invalid("number", e.to_string()))?;
    if input.until <= state.clock.now() {
        return Err(ApiError::invalid("until", "a block ends in the future"));
    }
    if input.reason.trim().is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "say why, for whoever reviews the blocklist",
        ));
    }
    let hash = state.secrets.data_key.hash(number.as_e164());
    let entry = audit(
        &state,
        actor,
        "block",
        Some(format!("{} until {}", number.masked(), input.until)),
    );
    let id = state
        .store
        .block(&hash, input.until, input.reason.trim(), &entry)
        .await?;
    let view = BlockView {
        id,
        until: input.until,
        reason: input.reason.trim().to_owned(),
        created_at: entry.at,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// `DELETE /api/v1/blocklist/{id}`.
pub async fn unblock(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .unblock(id, &audit(&state, actor, "unblock", None))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("block"))
    }
}
