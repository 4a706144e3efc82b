//! `/sign-in` and `/sign-out`: a login and an argon2id password give a new session; failures
//! are counted per login and per address, and past the limit (`throttle.rs`) sign-in is refused
//! with the time it opens again, before any password is checked.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::csrf::{self, Posted, SignedOutForm};
use super::layout::{self, render_with};
use super::session;
use super::throttle;
use super::words::{Text, Words};
use crate::store::PageLanguage;
use crate::web::AppState;

#[derive(Debug, Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub t: Words,
    pub csrf: String,
    pub login: String,
    /// What went wrong with the last try, in full.
    pub problem: Option<String>,
    pub languages: [PageLanguage; 3],
}

impl SignInPage {
    pub fn own_name(&self, language: &PageLanguage) -> &'static str {
        Words::own_name(language)
    }
}

#[derive(Debug, Deserialize)]
pub struct LanguageQuery {
    #[serde(default)]
    lang: Option<String>,
}

fn language(query: &LanguageQuery) -> PageLanguage {
    query
        .lang
        .as_deref()
        .and_then(PageLanguage::from_name)
        .unwrap_or_default()
}

/// `GET /sign-in`
pub async fn page(
    State(state): State<AppState>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
) -> Response {
    let (token, cookie) = csrf::signed_out_token(&state, &headers);
    let page = SignInPage {
        t: Words(language(&query)),
        csrf: token,
        login: String::new(),
        problem: None,
        languages: PageLanguage::ALL,
    };
    csrf::with_form_cookie(render_with(StatusCode::OK, &page), cookie)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    login: String,
    password: String,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /sign-in`
pub async fn sign_in(State(state): State<AppState>, posted: SignedOutForm<SignInForm>) -> Response {
    let SignedOutForm {
        form,
        headers,
        peer,
    } = posted;
    let t = Words(language(&LanguageQuery {
        lang: form.lang.clone(),
    }));
    let login = form.login.trim().to_lowercase();
    let ip = super::client::address(&state, peer, &headers);
    let now = state.clock.now();
    let again = |problem: String, status: StatusCode| {
        let page = SignInPage {
            t,
            csrf: session::cookie(&headers, csrf::FORM_COOKIE)
                .unwrap_or_default()
                .to_owned(),
            login: login.clone(),
            problem: Some(problem),
            languages: PageLanguage::ALL,
        };
        render_with(status, &page)
    };
    let failures = match state
        .store
        .failed_sign_ins(&login, &ip, now - throttle::LOOK_BACK)
        .await
    {
        Ok(failures) => failures,
        Err(error) => return layout::server_error(error),
    };
    let refused = throttle::refused_until(&failures.for_login, now)
        .max(throttle::refused_until(&failures.from_ip, now));
    if let Some(until) = refused {
        let local = until.with_timezone(&state.schedule.zone).format("%H:%M");
        tracing::warn!(%ip, "sign-in refused: too many failures");
        return again(
            format!("{} {local}.", t.say(Text::Throttled)),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let user = match state.store.user_by_login(&login).await {
        Ok(user) => user.filter(|user| user.active),
        Err(error) => return layout::server_error(error),
    };
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    let password = form.password;
    let matches =
        tokio::task::spawn_blocking(move || super::passwords::verify(&password, hash.as_deref()))
            .await
            .unwrap_or(false);
    let Some(user) = user.filter(|_| matches) else {
        let forget_before = now - throttle::LOOK_BACK;
        if let Err(error) = state
            .store
            .record_failed_sign_in(&login, &ip, now, forget_before)
            .await
        {
            return layout::server_error(error);
        }
        return again(
            t.say(Text::WrongPassword).to_owned(),
            StatusCode::UNAUTHORIZED,
        );
    };
    if let Err(error) = state.store.forget_failed_sign_ins(&login).await {
        return layout::server_error(error);
    }
    // Whatever session the browser came with ends: the new one has a new id.
    let response = match session::start(&state, user.id, now, "/").await {
        Ok(response) => response,
        Err(response) => return response,
    };
    if let Some(old) = session::cookie(&headers, session::SESSION_COOKIE)
        && let Err(error) = state.store.end_session(&session::token_hash(old)).await
    {
        return layout::server_error(error);
    }
    tracing::info!(user = user.id, "signed in");
    response
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// `POST /sign-out`
pub async fn sign_out(State(state): State<AppState>, posted: Posted<Nothing>) -> Response {
    if let Err(error) = state.store.end_session(posted.user.token_hash()).await {
        return layout::server_error(error);
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        session::set_cookie(
            &state,
            session::SESSION_COOKIE,
            "",
            chrono::Duration::zero(),
        ),
    );
    response
}
