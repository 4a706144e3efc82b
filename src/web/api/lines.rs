//! `/api/v1/lines` and `/api/v1/blocklist`: how each hotline number answers, and the numbers
//! kept from calling (found by keyed hash; the number itself is never kept or shown).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hotline_routes::line::Line;
use hotline_schedules::PhoneNumber;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::store::AuditEntry;
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

fn line_key(number: &str) -> Result<String, ApiError> {
    if number == crate::lines::DEFAULT_LINE {
        return Ok(number.to_owned());
    }
    PhoneNumber::parse(number)
        .map(|n| n.as_e164().to_owned())
        .map_err(|e| ApiError::invalid("number", e.to_string()))
}

/// `PUT /api/v1/lines/{number}`: a number's settings (`default` for every other number).
pub async fn put(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
    JsonBody(line): JsonBody<Line>,
) -> Result<Json<LineView>, ApiError> {
    let number = line_key(&number)?;
    line.validate()
        .map_err(|e| ApiError::invalid(e.field, e.problem))?;
    let body = serde_json::to_string(&line).map_err(|e| ApiError::invalid("", e.to_string()))?;
    state
        .store
        .put_line(
            &number,
            &body,
            &audit(&state, actor, "update", Some(body.clone())),
        )
        .await?;
    Ok(Json(LineView { number, line }))
}

/// `DELETE /api/v1/lines/{number}`: the number answers with the default line again.
pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
) -> Result<StatusCode, ApiError> {
    let number = line_key(&number)?;
    if state
        .store
        .delete_line(&number, &audit(&state, actor, "delete", None))
        .await?
    {
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
