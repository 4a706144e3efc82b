//! `/follow-ups` and `/follow-ups/{id}`: the contacts owed an answer (open first, oldest first),
//! one with its reminders sent so far, and marking it answered with a note — through the same
//! audited store call as `POST /api/v1/follow-ups/{id}/answered`. A staff user sees only what
//! `access.rs` puts in their sight; anything else is "not found".

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{Sight, masked_caller};
use super::csrf::Posted;
use super::layout::{self, Layout, Notice, render};
use super::session::SignedIn;
use super::words::Text;
use crate::store::{AuditEntry, FollowUp};
use crate::web::AppState;

/// At most this many follow-ups in the list.
const LONGEST_LIST: i64 = 500;
/// The longest note kept, as the API keeps it.
const LONGEST_NOTE: usize = 1000;

#[derive(Debug)]
pub struct FollowUpLine {
    pub id: i64,
    pub service: &'static str,
    pub kind: String,
    pub open: bool,
    pub opened: String,
    pub age: String,
    pub reminders_sent: i64,
}

#[derive(Debug, Template)]
#[template(path = "follow_ups.html")]
pub struct FollowUpsPage {
    pub page: Layout,
    pub follow_ups: Vec<FollowUpLine>,
}

#[derive(Debug, Template)]
#[template(path = "follow_up.html")]
pub struct FollowUpPage {
    pub page: Layout,
    pub follow_up: FollowUpLine,
    pub caller: String,
    pub answered: Option<String>,
    pub note: Option<String>,
    pub problem: Option<&'static str>,
}

fn local(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.schedule.zone)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

fn line(state: &AppState, user: &SignedIn, follow_up: &FollowUp) -> FollowUpLine {
    let t = user.words();
    let until = follow_up.answered_at.unwrap_or_else(|| state.clock.now());
    FollowUpLine {
        id: follow_up.id,
        service: t.service(follow_up.service),
        kind: t.follow_up_kind(&follow_up.kind),
        open: follow_up.status == "open",
        opened: local(state, follow_up.created_at),
        age: t.age((until - follow_up.created_at).num_seconds()),
        reminders_sent: follow_up.reminders_sent,
    }
}

/// `GET /follow-ups`
pub async fn list(State(state): State<AppState>, user: SignedIn) -> Response {
    let sight = match Sight::of(&state, &user).await {
        Ok(sight) => sight,
        Err(response) => return response,
    };
    let follow_ups = match state.store.follow_ups(LONGEST_LIST).await {
        Ok(follow_ups) => follow_ups,
        Err(error) => return layout::server_error(error),
    };
    render(&FollowUpsPage {
        follow_ups: follow_ups
            .iter()
            .filter(|f| sight.sees(f.service))
            .map(|f| line(&state, &user, f))
            .collect(),
        page: Layout::new(&user, Text::FollowUps),
    })
}

/// The follow-up if it exists and is in this user's sight; otherwise the 404 page.
async fn in_sight(state: &AppState, user: &SignedIn, id: i64) -> Result<FollowUp, Response> {
    let sight = Sight::of(state, user).await?;
    let follow_up = state
        .store
        .follow_up(id)
        .await
        .map_err(layout::server_error)?;
    follow_up
        .filter(|f| sight.sees(f.service))
        .ok_or_else(|| layout::not_found(user))
}

async fn detail(
    state: &AppState,
    user: &SignedIn,
    follow_up: FollowUp,
    problem: Option<&'static str>,
) -> Result<FollowUpPage, Response> {
    let caller = match follow_up.call_id {
        Some(call_id) => state
            .store
            .call_by_id(call_id)
            .await
            .map_err(layout::server_error)?
            .map_or_else(
                || "—".to_owned(),
                |call| masked_caller(state, &call.caller_sealed),
            ),
        None => follow_up.code.clone().unwrap_or_else(|| "—".to_owned()),
    };
    let answered_by = match follow_up.answered_by {
        Some(staff_id) => state
            .store
            .staff_member(staff_id)
            .await
            .map_err(layout::server_error)?
            .map(|member| member.name),
        None => None,
    };
    let answered = follow_up.answered_at.map(|at| match &answered_by {
        Some(name) => format!("{} — {name}", local(state, at)),
        None => local(state, at),
    });
    Ok(FollowUpPage {
        page: Layout::new(user, Text::FollowUps),
        follow_up: line(state, user, &follow_up),
        caller,
        answered,
        note: follow_up.answer_note.clone(),
        problem,
    })
}

/// `GET /follow-ups/{id}`
pub async fn show(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    let result = async {
        let follow_up = in_sight(&state, &user, id).await?;
        detail(&state, &user, follow_up, None).await
    }
    .await;
    match result {
        Ok(page) => render(&page),
        Err(response) => response,
    }
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    note: String,
}

/// `POST /follow-ups/{id}/answered`: she has been answered; her reminders stop. Audited.
pub async fn answered(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<AnswerForm>,
) -> Response {
    let user = &posted.user;
    let before = match in_sight(&state, user, id).await {
        Ok(follow_up) => follow_up,
        Err(response) => return response,
    };
    let note = posted.form.note.trim();
    if note.chars().count() > LONGEST_NOTE {
        return layout::notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Notice::for_user(user, Text::FormRefused),
        );
    }
    let note = (!note.is_empty()).then_some(note);
    let now = state.clock.now();
    let audit = AuditEntry {
        at: now,
        actor: user.actor(),
        action: "answer-follow-up".to_owned(),
        subject: format!("follow-up/{id}"),
        before: Some(serde_json::json!({ "status": before.status }).to_string()),
        after: Some(
            serde_json::json!({ "status": "answered", "staff_id": user.user.staff_id, "note": note })
                .to_string(),
        ),
    };
    match state
        .store
        .answer_follow_up(id, user.user.staff_id, note, &audit)
        .await
    {
        Ok(true) => Redirect::to(&format!("/follow-ups/{id}")).into_response(),
        Ok(false) => {
            let problem = Some(user.words().say(Text::AlreadyAnswered));
            match detail(&state, user, before, problem).await {
                Ok(page) => layout::render_with(StatusCode::CONFLICT, &page),
                Err(response) => response,
            }
        }
        Err(error) => layout::server_error(error),
    }
}
