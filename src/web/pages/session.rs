//! Who is signed in: the session cookie, looked up by its hash in our own database; the
//! `SignedIn` extractor every page takes (no session → to `/sign-in`), the `Coordinator` guard
//! (a staff member gets the 403 page), and starting and ending sessions. The token itself is
//! only ever in the cookie; the store keeps its SHA-256.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::layout::{self, Notice};
use super::words::Text;
use crate::store::{NewSession, Role, User};
use crate::web::AppState;

pub const SESSION_COOKIE: &str = "hotline_session";
/// A session unused this long ends.
pub const IDLE: Duration = Duration::hours(12);
/// A session ends this long after sign-in, however busy.
pub const LONGEST: Duration = Duration::days(7);
/// Seen again within this, a session is not written to: one page, one read.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A signed-in user, as every page sees them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    /// What this session's forms carry (see `csrf.rs`).
    pub csrf: String,
    /// The path this request asked for: where a language switch comes back to.
    pub path: String,
    token_hash: String,
}

impl SignedIn {
    pub fn is_coordinator(&self) -> bool {
        self.user.role == Role::Coordinator
    }

    /// Who the audit log names for what this user does: never a caller's anything.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user.login)
    }

    pub fn words(&self) -> super::words::Words {
        super::words::Words(self.user.language)
    }
}

/// 32 random bytes, hex: a session token, a form secret, a link token.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` for `name`: HttpOnly and SameSite=Strict always, Secure when the hotline is
/// served over https; `max_age` 0 removes it.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Duration) -> HeaderValue {
    let secure = state
        .public_url
        .as_ref()
        .is_some_and(|url| url.scheme() == "https");
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        max_age.num_seconds().max(0)
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Starts a new session for `user_id` (always a new token: a session id known before sign-in
/// is never promoted) and answers with its cookie and a redirect to `to`.
pub async fn start(
    state: &AppState,
    user_id: i64,
    now: DateTime<Utc>,
    to: &str,
) -> Result<Response, Response> {
    let token = random_token();
    let session = NewSession {
        token_hash: token_hash(&token),
        user_id,
        csrf_secret: random_token(),
        created_at: now,
        expires_at: now + IDLE,
    };
    state
        .store
        .start_session(&session)
        .await
        .map_err(layout::server_error)?;
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(state, SESSION_COOKIE, &token, LONGEST),
    );
    Ok(response)
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_sign_in = || Redirect::to("/sign-in").into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        let token_hash = token_hash(token);
        let now = state.clock.now();
        let session = state
            .store
            .session(&token_hash, now)
            .await
            .map_err(layout::server_error)?
            .ok_or_else(to_sign_in)?;
        if now - session.last_seen_at >= TOUCH_EVERY {
            let expires_at = (now + IDLE).min(session.created_at + LONGEST);
            state
                .store
                .touch_session(&token_hash, now, expires_at)
                .await
                .map_err(layout::server_error)?;
        }
        Ok(SignedIn {
            user: session.user,
            csrf: session.csrf_secret,
            path: parts.uri.path().to_owned(),
            token_hash,
        })
    }
}

impl SignedIn {
    /// The hash of this session's token, to end it.
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }
}

/// A signed-in coordinator; anyone else signed in gets the 403 page.
#[derive(Debug, Clone)]
pub struct Coordinator(pub SignedIn);

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        if user.is_coordinator() {
            Ok(Coordinator(user))
        } else {
            Err(layout::notice(
                StatusCode::FORBIDDEN,
                &Notice::for_user(&user, Text::Forbidden),
            ))
        }
    }
}
