//! Forged forms are refused. A signed-in form carries its session's secret in the hidden field
//! `csrf`; `Posted<T>` checks it (constant time) before the form is read, and answers 403,
//! having changed nothing, when it is missing or wrong. A signed-out form (sign-in, the first
//! coordinator's link) has no session yet: it carries the value of a `hotline_form` cookie set
//! with the page, which another site can neither read nor send (SameSite=Strict).

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::layout::{self, Notice};
use super::session::{self, SignedIn};
use super::words::Text;
use crate::store::PageLanguage;
use crate::web::AppState;

/// The signed-out forms' cookie.
pub const FORM_COOKIE: &str = "hotline_form";
/// The largest form body read.
const LARGEST_FORM: usize = 64 * 1024;

#[derive(Debug, Default, Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && a.as_bytes().ct_eq(b.as_bytes()).into()
}

async fn read_form(request: Request) -> Result<(axum::http::request::Parts, Vec<u8>), StatusCode> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, LARGEST_FORM)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)?;
    Ok((parts, bytes.to_vec()))
}

/// A form posted by a signed-in user with their session's token; `T` ignores the `csrf` field.
#[derive(Debug)]
pub struct Posted<T> {
    pub user: SignedIn,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = read_form(request).await.map_err(|status| {
            layout::notice(
                status,
                &Notice::signed_out(PageLanguage::Ru, Text::FormRefused),
            )
        })?;
        let user = SignedIn::from_request_parts(&mut parts, state).await?;
        let token: Token = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        if !same(&token.csrf, &user.csrf) {
            tracing::warn!(
                user = user.user.id,
                "a form without its session's token was refused"
            );
            return Err(layout::notice(
                StatusCode::FORBIDDEN,
                &Notice::for_user(&user, Text::FormRefused),
            ));
        }
        let form = serde_urlencoded::from_bytes(&body).map_err(|_| {
            layout::notice(
                StatusCode::BAD_REQUEST,
                &Notice::for_user(&user, Text::FormRefused),
            )
        })?;
        Ok(Posted { user, form })
    }
}

/// The longest token field read from a multipart form; a session's token is 64 characters.
const LONGEST_TOKEN: usize = 256;

/// A multipart form (an upload) carries its session's token as its FIRST field, checked before
/// any other field, the file above all, is read: a forged upload is refused (403) having read
/// and stored nothing of it.
pub async fn multipart_token(user: &SignedIn, multipart: &mut Multipart) -> Result<(), Response> {
    let refused = || {
        tracing::warn!(
            user = user.user.id,
            "an upload without its session's token was refused"
        );
        layout::notice(
            StatusCode::FORBIDDEN,
            &Notice::for_user(user, Text::FormRefused),
        )
    };
    let mut field = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => field,
        _ => return Err(refused()),
    };
    let mut token = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| refused())? {
        token.extend_from_slice(&chunk);
        if token.len() > LONGEST_TOKEN {
            return Err(refused());
        }
    }
    if same(&String::from_utf8_lossy(&token), &user.csrf) {
        Ok(())
    } else {
        Err(refused())
    }
}

/// A form posted before sign-in, whose `csrf` field matched the `hotline_form` cookie.
#[derive(Debug)]
pub struct SignedOutForm<T> {
    pub form: T,
    pub headers: axum::http::HeaderMap,
    pub peer: Option<std::net::SocketAddr>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for SignedOutForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, _: &AppState) -> Result<Self, Response> {
        let refused = |status| {
            layout::notice(
                status,
                &Notice::signed_out(PageLanguage::Ru, Text::FormRefused),
            )
        };
        let (parts, body) = read_form(request).await.map_err(refused)?;
        let token: Token = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        let expected = session::cookie(&parts.headers, FORM_COOKIE).unwrap_or_default();
        if !same(&token.csrf, expected) {
            return Err(refused(StatusCode::FORBIDDEN));
        }
        let form =
            serde_urlencoded::from_bytes(&body).map_err(|_| refused(StatusCode::BAD_REQUEST))?;
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0);
        Ok(SignedOutForm {
            form,
            headers: parts.headers,
            peer,
        })
    }
}

/// The token a signed-out page puts in its form: the cookie's, or a new one set with the page.
pub fn signed_out_token(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> (String, Option<axum::http::HeaderValue>) {
    match session::cookie(headers, FORM_COOKIE).filter(|t| t.len() == 64) {
        Some(token) => (token.to_owned(), None),
        None => {
            let token = session::random_token();
            let cookie = session::set_cookie(state, FORM_COOKIE, &token, session::IDLE);
            (token, Some(cookie))
        }
    }
}

/// Adds the form cookie, when a new one was made, to a signed-out page.
pub fn with_form_cookie(
    mut response: Response,
    cookie: Option<axum::http::HeaderValue>,
) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}
