//! `/set-password/{token}`: where a user added (or reset) by a coordinator chooses her own
//! password with the one-time link she was given. The link works once, for a day; using it and
//! setting the password are one transaction, which also ends any session of hers. Then she signs
//! in with her login as anyone does.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::csrf::{self, SignedOutForm};
use super::layout::{self, Notice, render_with};
use super::passwords;
use super::session;
use super::words::{Text, Words};
use crate::store::{AuditEntry, PageLanguage, User};
use crate::web::AppState;

#[derive(Debug, Template)]
#[template(path = "set_password.html")]
pub struct SetPasswordPage {
    pub t: Words,
    pub csrf: String,
    pub action: String,
    pub login: String,
    pub problem: Option<&'static str>,
}

fn gone() -> Response {
    layout::notice(
        StatusCode::GONE,
        &Notice::signed_out(PageLanguage::Ru, Text::LinkUsed),
    )
}

async fn whose(state: &AppState, token: &str) -> Result<User, Response> {
    state
        .store
        .password_link_user(&session::token_hash(token), state.clock.now())
        .await
        .map_err(layout::server_error)?
        .ok_or_else(gone)
}

/// `GET /set-password/{token}`
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let user = match whose(&state, &token).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let (csrf, cookie) = csrf::signed_out_token(&state, &headers);
    let page = SetPasswordPage {
        t: Words(user.language),
        csrf,
        action: format!("/set-password/{token}"),
        login: user.login,
        problem: None,
    };
    csrf::with_form_cookie(render_with(StatusCode::OK, &page), cookie)
}

#[derive(Debug, Deserialize)]
pub struct SetPasswordForm {
    password: String,
    #[serde(default)]
    repeat: String,
}

/// `POST /set-password/{token}`
pub async fn set(
    State(state): State<AppState>,
    Path(token): Path<String>,
    posted: SignedOutForm<SetPasswordForm>,
) -> Response {
    let user = match whose(&state, &token).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let t = Words(user.language);
    let form = posted.form;
    let again = |problem: Text| {
        let page = SetPasswordPage {
            t,
            csrf: session::cookie(&posted.headers, csrf::FORM_COOKIE)
                .unwrap_or_default()
                .to_owned(),
            action: format!("/set-password/{token}"),
            login: user.login.clone(),
            problem: Some(t.say(problem)),
        };
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    if form.password.chars().count() < passwords::SHORTEST {
        return again(Text::NewPasswordTooShort);
    }
    if form.password != form.repeat {
        return again(Text::PasswordsDiffer);
    }
    let password = form.password;
    let hash = match tokio::task::spawn_blocking(move || passwords::hash(&password)).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(error)) => return layout::server_error(error),
        Err(error) => return layout::server_error(error),
    };
    let audit = AuditEntry {
        at: state.clock.now(),
        actor: format!("user:{}", user.login),
        action: "set-password".to_owned(),
        subject: String::new(),
        before: None,
        after: None,
    };
    match state
        .store
        .set_password_with_link(&session::token_hash(&token), &hash, &audit)
        .await
    {
        Ok(Some(id)) => {
            tracing::info!(user = id, "a user set her password with her one-time link");
            Redirect::to("/sign-in").into_response()
        }
        Ok(None) => gone(),
        Err(error) => layout::server_error(error),
    }
}
