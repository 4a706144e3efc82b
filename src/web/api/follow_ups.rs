//! `/api/v1/follow-ups`: the contacts owed an answer — open ones first, oldest first, with their
//! age and the reminders sent — and marking one answered, which stops its reminders.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use hotline_schedules::Service;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::store::{AuditEntry, FollowUp};
use crate::web::AppState;

/// At most this many follow-ups in a list.
const LONGEST_LIST: i64 = 500;

#[derive(Debug, Serialize)]
pub struct FollowUpView {
    id: i64,
    /// missed, abandoned, voicemail, message
    kind: String,
    service: Option<Service>,
    line: String,
    /// open, answered
    status: String,
    call_id: Option<i64>,
    /// The conversation's code, for a text conversation.
    code: Option<String>,
    opened_at: DateTime<Utc>,
    /// Seconds since it opened, while open; from opening to its answer once answered.
    age_secs: i64,
    reminders_sent: i64,
    answered_at: Option<DateTime<Utc>>,
    answered_by: Option<i64>,
    note: Option<String>,
}

impl FollowUpView {
    fn new(follow_up: FollowUp, now: DateTime<Utc>) -> Self {
        let until = follow_up.answered_at.unwrap_or(now);
        Self {
            id: follow_up.id,
            kind: follow_up.kind,
            service: follow_up.service,
            line: follow_up.line_number,
            status: follow_up.status,
            call_id: follow_up.call_id,
            code: follow_up.code,
            opened_at: follow_up.created_at,
            age_secs: (until - follow_up.created_at).num_seconds().max(0),
            reminders_sent: follow_up.reminders_sent,
            answered_at: follow_up.answered_at,
            answered_by: follow_up.answered_by,
            note: follow_up.answer_note,
        }
    }
}

/// `GET /api/v1/follow-ups`: open ones first, oldest first; then answered ones.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<FollowUpView>>, ApiError> {
    let now = state.clock.now();
    let follow_ups = state.store.follow_ups(LONGEST_LIST).await?;
    Ok(Json(
        follow_ups
            .into_iter()
            .map(|f| FollowUpView::new(f, now))
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnsweredInput {
    /// What was done, for the record (never her number).
    #[serde(default)]
    note: Option<String>,
    /// The staff member who answered her, when it was one.
    #[serde(default)]
    staff_id: Option<i64>,
}

/// The longest note kept.
const LONGEST_NOTE: usize = 1000;

/// `POST /api/v1/follow-ups/{id}/answered`: she has been answered; reminders stop. Audited.
pub async fn answered(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AnsweredInput>,
) -> Result<Json<FollowUpView>, ApiError> {
    if input
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > LONGEST_NOTE)
    {
        return Err(ApiError::invalid(
            "note",
            format!("a note is at most {LONGEST_NOTE} characters"),
        ));
    }
    if let Some(staff_id) = input.staff_id
        && state.store.staff_member(staff_id).await?.is_none()
    {
        return Err(ApiError::invalid("staff_id", "no staff member has this id"));
    }
    let Some(before) = state.store.follow_up(id).await? else {
        return Err(ApiError::not_found("follow-up"));
    };
    let now = state.clock.now();
    let audit = AuditEntry {
        at: now,
        actor: actor.0,
        action: "answer-follow-up".to_owned(),
        subject: format!("follow-up/{id}"),
        before: Some(serde_json::json!({ "status": before.status }).to_string()),
        after: Some(
            serde_json::json!({ "status": "answered", "staff_id": input.staff_id, "note": input.note })
                .to_string(),
        ),
    };
    let answered = state
        .store
        .answer_follow_up(id, input.staff_id, input.note.as_deref(), &audit)
        .await?;
    if !answered {
        return Err(ApiError::conflict("this follow-up is already answered"));
    }
    let after = state
        .store
        .follow_up(id)
        .await?
        .ok_or_else(|| ApiError::not_found("follow-up"))?;
    Ok(Json(FollowUpView::new(after, now)))
}
