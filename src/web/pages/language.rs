//! `POST /language`: a user switches the language of their pages; kept with the user.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::csrf::Posted;
use super::layout;
use crate::store::PageLanguage;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    language: String,
    /// The page to go back to: only a path of ours.
    #[serde(default)]
    back: String,
}

pub async fn switch(State(state): State<AppState>, posted: Posted<LanguageForm>) -> Response {
    let Some(language) = PageLanguage::from_name(&posted.form.language) else {
        return layout::not_found(&posted.user);
    };
    if let Err(error) = state
        .store
        .set_user_language(posted.user.user.id, language)
        .await
    {
        return layout::server_error(error);
    }
    let back = &posted.form.back;
    // Never `//elsewhere` or a full URL: a switch must not become a way off the site; nor a
    // control character, which no header may hold.
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    Redirect::to(if local { back } else { "/" }).into_response()
}
