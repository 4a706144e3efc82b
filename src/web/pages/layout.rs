//! The frame every signed-in page sits in (`templates/layout.html`: the user's name, the
//! language switch, sign-out, and the links coordinators and staff may follow), rendering a
//! template to a response, and the short notice pages (403, 404, a refused form, an error).
//! An error's cause goes to the log; the page says only what is the user's to know.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::session::SignedIn;
use super::words::{Text, Words};
use crate::store::PageLanguage;

/// What the layout shows around a signed-in page; every page template has it as `page`.
#[derive(Debug, Clone)]
pub struct Layout {
    pub t: Words,
    pub title: &'static str,
    pub user_name: String,
    pub coordinator: bool,
    pub csrf: String,
    /// This page's path, for the language switch to come back to.
    pub here: String,
    pub language: PageLanguage,
    pub languages: [PageLanguage; 3],
}

impl Layout {
    pub fn new(user: &SignedIn, title: Text) -> Self {
        let t = user.words();
        Layout {
            t,
            title: t.say(title),
            user_name: user.user.name.clone(),
            coordinator: user.is_coordinator(),
            csrf: user.csrf.clone(),
            here: user.path.clone(),
            language: user.user.language,
            languages: PageLanguage::ALL,
        }
    }

    pub fn own_name(&self, language: &PageLanguage) -> &'static str {
        Words::own_name(language)
    }
}

/// A template as an HTML page with `status`; a template that fails to render is logged.
pub fn render_with(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => server_error(error),
    }
}

pub fn render(template: &impl Template) -> Response {
    render_with(StatusCode::OK, template)
}

/// A page of one sentence: refused, not found, or gone wrong.
#[derive(Debug, Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub t: Words,
    pub message: String,
    /// The layout, when someone is signed in.
    pub page: Option<Layout>,
}

impl Notice {
    pub fn for_user(user: &SignedIn, message: Text) -> Self {
        Notice {
            t: user.words(),
            message: user.words().say(message).to_owned(),
            page: Some(Layout::new(user, message)),
        }
    }

    /// A sentence made for this answer, under the page title `title`.
    pub fn told(user: &SignedIn, title: Text, message: String) -> Self {
        Notice {
            t: user.words(),
            message,
            page: Some(Layout::new(user, title)),
        }
    }

    pub fn signed_out(language: PageLanguage, message: Text) -> Self {
        Notice {
            t: Words(language),
            message: Words(language).say(message).to_owned(),
            page: None,
        }
    }
}

pub fn notice(status: StatusCode, notice: &Notice) -> Response {
    render_with(status, notice)
}

/// 404 for what does not exist and for what this user may not see alike, so ids are not probed.
pub fn not_found(user: &SignedIn) -> Response {
    notice(
        StatusCode::NOT_FOUND,
        &Notice::for_user(user, Text::NotFound),
    )
}

/// Logs the cause and shows a plain apology.
pub fn server_error(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "a page failed");
    let apology = Notice::signed_out(PageLanguage::Ru, Text::SomethingWrong);
    // Not through `render_with`, which would come back here if the notice itself failed.
    match apology.render() {
        Ok(html) => (StatusCode::INTERNAL_SERVER_ERROR, Html(html)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, apology.message).into_response(),
    }
}
