//! `/api/v1/follow-ups`: the contacts owed an answer — open ones first, oldest first, with their
//! age, the reminders sent and whom each is assigned to — marking one answered, which stops its
//! reminders, and assigning one to a staff member (or nobody), which the coordinator's page
//! does through the same `assign`.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use hotline_schedules::{Service, StaffMember};
use serde::{Deserialize, Deserializer, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::crypto::DataKey;
use crate::store::{AuditEntry, FollowUp, StoreError};
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
    /// The staff member it is assigned to, and since when.
    assigned_to: Option<i64>,
    assigned_at: Option<DateTime<Utc>>,
}

impl FollowUpView {
    fn new(follow_up: FollowUp, now: DateTime<Utc>, key: &DataKey) -> Self {
        let until = follow_up.answered_at.unwrap_or(now);
        let note = crate::log::follow_up_note(key, &follow_up);
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
            note,
            assigned_to: follow_up.assignee.as_ref().map(|a| a.staff_id),
            assigned_at: follow_up.assignee.as_ref().map(|a| a.since),
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
            .map(|f| FollowUpView::new(f, now, &state.secrets.data_key))
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
    let note_sealed = input
        .note
        .as_deref()
        .map(|n| state.secrets.data_key.seal(n));
    let audit = AuditEntry {
        at: now,
        actor: actor.0,
        action: "answer-follow-up".to_owned(),
        subject: format!("follow-up/{id}"),
        before: Some(serde_json::json!({ "status": before.status }).to_string()),
        after: Some(
            // Whether a note was left, never its words: the note is kept sealed.
            serde_json::json!({ "status": "answered", "staff_id": input.staff_id, "note": input.note.is_some() })
                .to_string(),
        ),
    };
    let answered = state
        .store
        .answer_follow_up(id, input.staff_id, note_sealed.as_deref(), &audit)
        .await?;
    if !answered {
        return Err(ApiError::conflict("this follow-up is already answered"));
    }
    let after = state
        .store
        .follow_up(id)
        .await?
        .ok_or_else(|| ApiError::not_found("follow-up"))?;
    Ok(Json(FollowUpView::new(after, now, &state.secrets.data_key)))
}

/// Whether `member` may be given a follow-up for `service`: she is active and offers it (any
/// active staff member, when the caller chose no service).
pub fn may_hold(member: &StaffMember, service: Option<Service>) -> bool {
    member.active && service.is_none_or(|service| member.services.contains(&service))
}

/// Gives `before` to staff member `to` (nobody, with `None`) for `actor`, audited as
/// `assign-follow-up` with whom it belonged to before and after. False, changing nothing, when
/// it is not open or someone changed it since `before` was read.
pub async fn assign(
    state: &AppState,
    actor: &str,
    before: &FollowUp,
    to: Option<i64>,
) -> Result<bool, StoreError> {
    let from = before.assignee.as_ref().map(|a| a.staff_id);
    let audit = AuditEntry {
        at: state.clock.now(),
        actor: actor.to_owned(),
        action: "assign-follow-up".to_owned(),
        subject: format!("follow-up/{}", before.id),
        before: Some(serde_json::json!({ "assigned_to": from }).to_string()),
        after: Some(serde_json::json!({ "assigned_to": to }).to_string()),
    };
    state
        .store
        .assign_follow_up(before.id, from, to, &audit)
        .await
}

/// A field that must be sent, though it may be `null`: present, it is `Some(value)`.
fn sent<'de, D: Deserializer<'de>>(input: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(input).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The staff member it is given to; `null` takes it back from whoever had it.
    #[serde(default, deserialize_with = "sent")]
    staff_id: Option<Option<i64>>,
}

/// `POST /api/v1/follow-ups/{id}/assign`: gives an open follow-up to an active staff member who
/// offers its service, or to nobody; from then on its reminders go to her. Audited.
pub async fn assign_one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AssignInput>,
) -> Result<Json<FollowUpView>, ApiError> {
    let Some(to) = input.staff_id else {
        return Err(ApiError::invalid(
            "staff_id",
            "send a staff member's id, or null to assign it to nobody",
        ));
    };
    let Some(before) = state.store.follow_up(id).await? else {
        return Err(ApiError::not_found("follow-up"));
    };
    if let Some(staff_id) = to {
        let member = state.store.staff_member(staff_id).await?;
        if !member.is_some_and(|m| may_hold(&m, before.service)) {
            return Err(ApiError::invalid(
                "staff_id",
                "no active staff member with this id offers this follow-up's service",
            ));
        }
    }
    if before.status != "open" {
        return Err(ApiError::conflict("this follow-up is already answered"));
    }
    let unchanged = before.assignee.as_ref().map(|a| a.staff_id) == to;
    if !unchanged && !assign(&state, &actor.0, &before, to).await? {
        return Err(ApiError::conflict(
            "this follow-up was changed meanwhile; read it again",
        ));
    }
    let after = state
        .store
        .follow_up(id)
        .await?
        .ok_or_else(|| ApiError::not_found("follow-up"))?;
    Ok(Json(FollowUpView::new(
        after,
        state.clock.now(),
        &state.secrets.data_key,
    )))
}
