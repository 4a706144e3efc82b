//! `POST /follow-ups/{id}/assign`: a follow-up given to one staff member. A coordinator gives it
//! to any active staff member who offers its service, or takes it back from whoever had it; a
//! staff member takes one that is nobody's, for herself, and nothing else. Checked, changed and
//! audited as `POST /api/v1/follow-ups/{id}/assign` (`api::follow_ups::assign`), never a copy.
//! Another staff member's follow-up is "not found" here as everywhere.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::csrf::Posted;
use super::follow_ups::{detail, in_sight};
use super::layout::{self, Notice};
use super::session::SignedIn;
use super::words::Text;
use crate::store::FollowUp;
use crate::web::AppState;
use crate::web::api::follow_ups::{assign as assign_audited, may_hold};

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    /// A staff member's id; empty for nobody.
    #[serde(default)]
    staff_id: String,
}

/// What the form asks for, once checked: the staff member to give it to (none: nobody), or
/// the page to answer with.
async fn checked(
    state: &AppState,
    user: &SignedIn,
    before: &FollowUp,
    staff_id: &str,
) -> Result<Option<i64>, (StatusCode, Text)> {
    let to = match staff_id.trim() {
        "" => None,
        id => Some(
            id.parse::<i64>()
                .map_err(|_| (StatusCode::UNPROCESSABLE_ENTITY, Text::FormRefused))?,
        ),
    };
    if !user.is_coordinator() {
        // She takes it for herself, or asks for nothing.
        if to.is_none() || to != user.user.staff_id {
            return Err((StatusCode::FORBIDDEN, Text::Forbidden));
        }
        return Ok(to);
    }
    if let Some(staff_id) = to {
        let member = state
            .store
            .staff_member(staff_id)
            .await
            .map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, Text::FormRefused))?;
        if !member.is_some_and(|m| may_hold(&m, before.service)) {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, Text::NotForThisService));
        }
    }
    Ok(to)
}

/// `POST /follow-ups/{id}/assign`
pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<AssignForm>,
) -> Response {
    let user = &posted.user;
    let (before, sight) = match in_sight(&state, user, id).await {
        Ok(seen) => seen,
        Err(response) => return response,
    };
    let to = match checked(&state, user, &before, &posted.form.staff_id).await {
        Ok(to) => to,
        Err((StatusCode::FORBIDDEN, text)) => {
            return layout::notice(StatusCode::FORBIDDEN, &Notice::for_user(user, text));
        }
        Err((status, text)) => {
            let problem = Some(user.words().say(text));
            return match detail(&state, user, &sight, before, problem).await {
                Ok(page) => layout::render_with(status, &page),
                Err(response) => response,
            };
        }
    };
    // A staff member takes only what is open and nobody's; she cannot take it from another.
    let taking = !user.is_coordinator();
    let unchanged = before.assignee.as_ref().map(|a| a.staff_id) == to;
    let allowed = !taking || sight.may_take(&before).is_some();
    let changed = if allowed && !unchanged && before.status == "open" {
        match assign_audited(&state, &user.actor(), &before, to).await {
            Ok(changed) => changed,
            Err(error) => return layout::server_error(error),
        }
    } else {
        false
    };
    if changed || unchanged {
        return Redirect::to(&format!("/follow-ups/{id}")).into_response();
    }
    // Someone else got there first, or it was answered: show it as it is now.
    let now = match in_sight(&state, user, id).await {
        Ok(seen) => seen,
        Err(response) => return response,
    };
    let problem = Some(user.words().say(Text::AssignmentChanged));
    match detail(&state, user, &now.1, now.0, problem).await {
        Ok(page) => layout::render_with(StatusCode::CONFLICT, &page),
        Err(response) => response,
    }
}
