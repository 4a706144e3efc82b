//! The first coordinator's way in: on an empty users table `hotline serve` makes a one-time
//! link (`/welcome/TOKEN`, valid a day, used once) where the first coordinator chooses a name,
//! login and password. Using the link and adding the user are one transaction.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::csrf::{self, SignedOutForm};
use super::layout::{self, Notice, render_with};
use super::passwords;
use super::session;
use super::words::{Text, Words};
use crate::store::{NewUser, PageLanguage, Role, Store, StoreResult};
use crate::web::AppState;

/// How long the first coordinator's link works.
pub const LINK_LASTS: Duration = Duration::hours(24);

/// On an empty users table, a new one-time link for the first coordinator, under `base`.
pub async fn first_coordinator_link(
    store: &dyn Store,
    base: &url::Url,
    now: DateTime<Utc>,
) -> StoreResult<Option<String>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let token = session::random_token();
    store
        .create_sign_in_link(&session::token_hash(&token), now, now + LINK_LASTS)
        .await?;
    Ok(Some(format!(
        "{}/welcome/{token}",
        base.as_str().trim_end_matches('/')
    )))
}

#[derive(Debug, Template)]
#[template(path = "welcome.html")]
pub struct WelcomePage {
    pub t: Words,
    pub csrf: String,
    pub action: String,
    pub problem: Option<&'static str>,
}

fn gone() -> Response {
    layout::notice(
        StatusCode::GONE,
        &Notice::signed_out(PageLanguage::Ru, Text::LinkUsed),
    )
}

/// `GET /welcome/{token}`
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state
        .store
        .sign_in_link_open(&session::token_hash(&token), state.clock.now())
        .await
    {
        Ok(true) => {}
        Ok(false) => return gone(),
        Err(error) => return layout::server_error(error),
    }
    let (csrf, cookie) = csrf::signed_out_token(&state, &headers);
    let page = WelcomePage {
        t: Words(PageLanguage::Ru),
        csrf,
        action: format!("/welcome/{token}"),
        problem: None,
    };
    csrf::with_form_cookie(render_with(StatusCode::OK, &page), cookie)
}

#[derive(Debug, Deserialize)]
pub struct WelcomeForm {
    name: String,
    login: String,
    password: String,
}

/// `POST /welcome/{token}`
pub async fn create(
    State(state): State<AppState>,
    Path(token): Path<String>,
    posted: SignedOutForm<WelcomeForm>,
) -> Response {
    let form = posted.form;
    let login = form.login.trim().to_lowercase();
    let again = |problem: Text| {
        let page = WelcomePage {
            t: Words(PageLanguage::Ru),
            csrf: session::cookie(&posted.headers, csrf::FORM_COOKIE)
                .unwrap_or_default()
                .to_owned(),
            action: format!("/welcome/{token}"),
            problem: Some(Words(PageLanguage::Ru).say(problem)),
        };
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    if login.is_empty() || form.password.chars().count() < passwords::SHORTEST {
        return again(Text::PasswordTooShort);
    }
    let password = form.password;
    let hash = match tokio::task::spawn_blocking(move || passwords::hash(&password)).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(error)) => return layout::server_error(error),
        Err(error) => return layout::server_error(error),
    };
    let now = state.clock.now();
    let name = form.name.trim();
    let user = NewUser {
        name: if name.is_empty() {
            login.clone()
        } else {
            name.to_owned()
        },
        login: login.clone(),
        password_hash: hash,
        role: Role::Coordinator,
        staff_id: None,
        language: PageLanguage::Ru,
        created_at: now,
    };
    let id = match state
        .store
        .create_user_with_link(&session::token_hash(&token), &user)
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => {
            return match state.store.user_by_login(&login).await {
                Ok(Some(_)) => again(Text::LoginTaken),
                Ok(None) => gone(),
                Err(error) => layout::server_error(error),
            };
        }
        Err(error) => return layout::server_error(error),
    };
    tracing::info!(
        user = id,
        "the first coordinator signed up with the one-time link"
    );
    session::start(&state, id, now, "/")
        .await
        .unwrap_or_else(|r| r)
}
