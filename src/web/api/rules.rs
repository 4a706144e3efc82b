//! `/api/v1/rotations`, `/shifts`, `/overrides` and `/swaps`: the rota's rules. An edit makes a
//! new version from now on and answers with its id; the old version stays readable, closed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::rota::edit::{EditError, Editor, RuleBody};
use crate::store::StoredRule;
use crate::web::AppState;

/// A rule as the API shows it: its fields, and the span of time it is in force.
#[derive(Debug, Serialize)]
pub struct RuleView {
    pub id: i64,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// The newer version, when this one was edited.
    pub replaced_by: Option<i64>,
    #[serde(flatten)]
    pub body: serde_json::Value,
}

impl RuleView {
    pub fn from_stored(rule: StoredRule) -> Result<Self, ApiError> {
        let body = serde_json::from_str(&rule.body)
            .map_err(|e| ApiError::from(crate::store::StoreError::Corrupt(e.to_string())))?;
        Ok(RuleView {
            id: rule.id,
            valid_from: rule.valid_from,
            valid_until: rule.valid_until,
            replaced_by: rule.replaced_by,
            body,
        })
    }
}

impl From<EditError> for ApiError {
    fn from(error: EditError) -> Self {
        match error {
            EditError::Invalid { field, problem } => ApiError::invalid(field, problem.to_string()),
            EditError::Conflict(conflict) => ApiError::conflict(conflict.to_string()),
            EditError::NotFound(what) => ApiError::not_found(what),
            EditError::Store(error) => error.into(),
        }
    }
}

fn editor<'a>(state: &'a AppState, actor: Actor) -> Editor<'a> {
    Editor {
        store: state.store.as_ref(),
        actor: actor.0,
        now: state.clock.now(),
    }
}

async fn view(state: &AppState, id: i64) -> Result<RuleView, ApiError> {
    let rule = state
        .store
        .rule(id)
        .await?
        .ok_or_else(|| ApiError::not_found("rule"))?;
    RuleView::from_stored(rule)
}

/// The rules of this kind in force now or later.
pub async fn list<B: RuleBody>(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    let now = state.clock.now();
    let rules = state
        .store
        .rules_between(now, now + Duration::days(36_500))
        .await?;
    let current = rules
        .into_iter()
        .filter(|r| r.kind == B::KIND && r.valid_until.is_none());
    Ok(Json(
        current
            .map(RuleView::from_stored)
            .collect::<Result<_, _>>()?,
    ))
}

/// Any version of a rule, in force or not.
pub async fn show<B: RuleBody>(
    State(state): State<AppState>,
    _: Actor,
    Path(id): Path<i64>,
) -> Result<Json<RuleView>, ApiError> {
    match state.store.rule(id).await? {
        Some(rule) if rule.kind == B::KIND => Ok(Json(RuleView::from_stored(rule)?)),
        _ => Err(ApiError::not_found(B::NAME)),
    }
}

pub async fn create<B: RuleBody>(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<B>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    let id = editor(&state, actor).create(&body).await?;
    Ok((StatusCode::CREATED, Json(view(&state, id).await?)))
}

pub async fn replace<B: RuleBody>(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<B>,
) -> Result<Json<RuleView>, ApiError> {
    let new_id = editor(&state, actor).replace(id, &body).await?;
    Ok(Json(view(&state, new_id).await?))
}

pub async fn close<B: RuleBody>(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    editor(&state, actor).close::<B>(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
