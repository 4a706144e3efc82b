//! `POST /log/calls/{id}/erase`: a coordinator erases everything about the woman who made a
//! call — her number, her words and the texts carrying them, notes, plans, her consents — as
//! `hotline erase` does, once she has ticked that she understands it cannot be undone. The
//! erasure is audited with counts only; the page answers with the counts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::csrf::Posted;
use super::layout::{self, Notice};
use super::words::Text;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    pub understood: Option<String>,
}

pub async fn erase_caller(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<EraseForm>,
) -> Response {
    let user = &posted.user;
    let refuse = |status, message| layout::notice(status, &Notice::for_user(user, message));
    if !user.is_coordinator() {
        return refuse(StatusCode::FORBIDDEN, Text::Forbidden);
    }
    if posted.form.understood.is_none() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, Text::EraseNeedsConsent);
    }
    let call = match state.store.call_by_id(id).await {
        Ok(Some(call)) => call,
        Ok(None) => return layout::not_found(user),
        Err(error) => return layout::server_error(error),
    };
    if call.caller_sealed.is_empty() {
        return refuse(StatusCode::CONFLICT, Text::NumberErased);
    }
    let Ok(number) = state.secrets.data_key.open(&call.caller_sealed) else {
        return refuse(StatusCode::CONFLICT, Text::NumberUnreadable);
    };
    let erased = match crate::erasure::erase_number(
        state.store.as_ref(),
        &state.secrets.data_key,
        &number,
        &user.actor(),
        state.clock.now(),
    )
    .await
    {
        Ok(erased) => erased,
        Err(error) => return layout::server_error(error),
    };
    let t = user.words();
    let told = t
        .say(Text::ErasedCounts)
        .replace("{calls}", &erased.calls.to_string())
        .replace("{conversations}", &erased.conversations.to_string())
        .replace("{messages}", &erased.messages.to_string())
        .replace("{notes}", &erased.notes.to_string());
    layout::render_with(StatusCode::OK, &Notice::told(user, Text::EraseCaller, told))
}
