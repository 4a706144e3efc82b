//! `/api/v1/planned-follow-ups`: "call her back on the day of the court" — a follow-up a staff
//! member plans on a conversation (by its code) or a call, for a set time; the staff member is
//! texted then. Listed while upcoming; cancelled (audited) before it comes due. The note is
//! sealed at rest and kept out of the audit log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::store::{AuditEntry, NewPlannedFollowUp, PlannedFollowUp};
use crate::web::AppState;

/// The longest note kept, the longest text to her (two SMS in Cyrillic), and the most plans
/// listed.
const LONGEST_NOTE: usize = 500;
const LONGEST_TEXT_TO_HER: usize = 134;
const LONGEST_LIST: i64 = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// The conversation's code (K7Q); or `call_id`.
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    call_id: Option<i64>,
    /// Who is texted when it comes due.
    staff_id: i64,
    /// When.
    at: DateTime<Utc>,
    /// What to do, for the staff member's text (the court's time, what was agreed).
    #[serde(default)]
    note: Option<String>,
    /// A text to her at that time ("Напоминаем: завтра в 10:00"), on a conversation only; sent
    /// only if her consent allows it then (her hours, STOP, expiry). Never name the hotline in
    /// it: her phone may not be hers alone.
    #[serde(default)]
    her_text: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PlanView {
    id: i64,
    code: Option<String>,
    call_id: Option<i64>,
    staff_id: i64,
    at: DateTime<Utc>,
    note: Option<String>,
    her_text: Option<String>,
    /// planned, done, cancelled
    status: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

async fn view(state: &AppState, plan: PlannedFollowUp) -> Result<PlanView, ApiError> {
    let code = match plan.conversation_id {
        Some(id) => state.store.conversation(id).await?.map(|c| c.code),
        None => None,
    };
    let open = |sealed: &Option<Vec<u8>>| {
        sealed
            .as_ref()
            .and_then(|sealed| state.secrets.data_key.open(sealed).ok())
    };
    let (note, her_text) = (open(&plan.note_sealed), open(&plan.her_text_sealed));
    Ok(PlanView {
        id: plan.id,
        code,
        call_id: plan.call_id,
        staff_id: plan.staff_id,
        at: plan.due_at,
        note,
        her_text,
        status: plan.status,
        created_by: plan.created_by,
        created_at: plan.created_at,
    })
}

/// `POST /api/v1/planned-follow-ups`.
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(input): JsonBody<PlanInput>,
) -> Result<(StatusCode, Json<PlanView>), ApiError> {
    let now = state.clock.now();
    let store = state.store.as_ref();
    let (conversation_id, call_id) = match (&input.code, input.call_id) {
        (Some(code), None) => {
            let code = code.trim().to_uppercase();
            let Some(conversation) = store.conversation_by_code(&code).await? else {
                return Err(ApiError::invalid("code", "no conversation has this code"));
            };
            (Some(conversation.id), None)
        }
        (None, Some(call_id)) => {
            if store.call_by_id(call_id).await?.is_none() {
                return Err(ApiError::invalid("call_id", "no call has this id"));
            }
            (None, Some(call_id))
        }
        _ => {
            return Err(ApiError::invalid(
                "code",
                "give either a conversation's code or a call_id",
            ));
        }
    };
    match store.staff_member(input.staff_id).await? {
        Some(person) if person.active => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "staff_id",
                "this staff member is deactivated",
            ));
        }
        None => return Err(ApiError::invalid("staff_id", "no staff member has this id")),
    }
    if input.at <= now {
        return Err(ApiError::invalid(
            "at",
            "a plan is for a time still to come",
        ));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > LONGEST_NOTE) {
        return Err(ApiError::invalid(
            "note",
            format!("a note is at most {LONGEST_NOTE} characters"),
        ));
    }
    let her_text = input
        .her_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(text) = her_text {
        if conversation_id.is_none() {
            return Err(ApiError::invalid(
                "her_text",
                "a text to her needs a conversation: she agreed to texts by writing to us",
            ));
        }
        if text.chars().count() > LONGEST_TEXT_TO_HER {
            return Err(ApiError::invalid(
                "her_text",
                format!("a text to her is at most {LONGEST_TEXT_TO_HER} characters"),
            ));
        }
    }
    let plan = NewPlannedFollowUp {
        conversation_id,
        call_id,
        staff_id: input.staff_id,
        due_at: input.at,
        note_sealed: note.map(|n| state.secrets.data_key.seal(n)),
        her_text_sealed: her_text.map(|t| state.secrets.data_key.seal(t)),
        created_by: actor.0.clone(),
        created_at: now,
    };
    let audit = AuditEntry {
        at: now,
        actor: actor.0,
        action: "plan-follow-up".to_owned(),
        subject: String::new(),
        before: None,
        // The note and the text may say something of her: only whether there are.
        after: Some(
            serde_json::json!({ "conversation_id": conversation_id, "call_id": call_id,
                "staff_id": input.staff_id, "at": input.at, "note": note.is_some(),
                "her_text": her_text.is_some() })
            .to_string(),
        ),
    };
    let id = store.plan_follow_up(&plan, &audit).await?;
    let kept = store
        .planned_follow_up(id)
        .await?
        .ok_or_else(|| ApiError::not_found("planned follow-up"))?;
    Ok((StatusCode::CREATED, Json(view(&state, kept).await?)))
}

/// `GET /api/v1/planned-follow-ups`: those still to come, soonest first.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<PlanView>>, ApiError> {
    let mut views = Vec::new();
    for plan in state.store.upcoming_follow_ups(LONGEST_LIST).await? {
        views.push(view(&state, plan).await?);
    }
    Ok(Json(views))
}

/// `DELETE /api/v1/planned-follow-ups/{id}`: cancelled before it comes due. Audited.
pub async fn cancel(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let audit = AuditEntry {
        at: state.clock.now(),
        actor: actor.0,
        action: "cancel-planned-follow-up".to_owned(),
        subject: format!("planned-follow-up/{id}"),
        before: None,
        after: None,
    };
    match state.store.planned_follow_up(id).await? {
        None => Err(ApiError::not_found("planned follow-up")),
        Some(_) if state.store.cancel_planned(id, &audit).await? => Ok(StatusCode::NO_CONTENT),
        Some(_) => Err(ApiError::conflict(
            "this planned follow-up is already done or cancelled",
        )),
    }
}
