//! `/account`: a signed-in user's own account: her name, login and role, the language of her
//! pages (the layout's `/language` form, brought back here), and changing her password. The
//! current password is required, and a wrong one counts towards the sign-in throttle as a failed
//! sign-in would; once changed, every session of hers ends and this browser gets a new one.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::client::ClientAddress;
use super::csrf::Posted;
use super::layout::{self, Layout, render_with};
use super::passwords;
use super::session::{self, SignedIn};
use super::throttle;
use super::words::Text;
use crate::store::{AuditEntry, Role};
use crate::web::AppState;

#[derive(Debug, Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub page: Layout,
    pub login: String,
    pub role: &'static str,
    /// Said once, on the page she lands on after changing her password.
    pub changed: bool,
    pub problem: Option<String>,
}

fn account_page(user: &SignedIn, changed: bool, problem: Option<String>) -> AccountPage {
    let t = user.words();
    AccountPage {
        page: Layout::new(user, Text::Account),
        login: user.user.login.clone(),
        role: t.say(match user.user.role {
            Role::Coordinator => Text::Coordinator,
            Role::Staff => Text::Staff,
        }),
        changed,
        problem,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
}

/// `GET /account`
pub async fn page(user: SignedIn, Query(query): Query<AccountQuery>) -> Response {
    render_with(
        StatusCode::OK,
        &account_page(&user, query.changed.is_some(), None),
    )
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

/// `POST /account/password`
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddress(ip): ClientAddress,
    posted: Posted<PasswordForm>,
) -> Response {
    let (user, form) = (&posted.user, posted.form);
    let t = user.words();
    let again = |problem: String, status: StatusCode| {
        render_with(status, &account_page(user, false, Some(problem)))
    };
    if form.password.chars().count() < passwords::SHORTEST {
        return again(
            t.say(Text::NewPasswordTooShort).to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if form.password != form.repeat {
        return again(
            t.say(Text::PasswordsDiffer).to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let login = user.user.login.clone();
    let now = state.clock.now();
    // A stolen session must not become a way round the sign-in throttle.
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
        tracing::warn!(%ip, user = user.user.id, "password change refused: too many failures");
        return again(
            format!("{} {local}.", t.say(Text::Throttled)),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let (current, hash) = (form.current, user.user.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&current, Some(&hash)))
        .await
        .unwrap_or(false);
    if !matches {
        if let Err(error) = state
            .store
            .record_failed_sign_in(&login, &ip, now, now - throttle::LOOK_BACK)
            .await
        {
            return layout::server_error(error);
        }
        return again(
            t.say(Text::CurrentPasswordWrong).to_owned(),
            StatusCode::UNAUTHORIZED,
        );
    }
    let password = form.password;
    let hash = match tokio::task::spawn_blocking(move || passwords::hash(&password)).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(error)) => return layout::server_error(error),
        Err(error) => return layout::server_error(error),
    };
    let audit = AuditEntry {
        at: now,
        actor: user.actor(),
        action: "change-password".to_owned(),
        subject: String::new(),
        before: None,
        after: None,
    };
    match state
        .store
        .change_password(user.user.id, &hash, &audit)
        .await
    {
        Ok(true) => {}
        Ok(false) => return layout::not_found(user),
        Err(error) => return layout::server_error(error),
    }
    tracing::info!(
        user = user.user.id,
        "changed her password; her other sessions ended"
    );
    // Every session of hers ended with the change, this one too: this browser gets a new id.
    session::start(&state, user.user.id, now, "/account?changed=1")
        .await
        .unwrap_or_else(|response| response)
}
