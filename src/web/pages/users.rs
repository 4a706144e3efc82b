//! `/users`: who may sign in, with their role and language. For coordinators only.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::layout::{self, Layout, render};
use super::session::Coordinator;
use super::words::Text;
use crate::store::{Role, User};
use crate::web::AppState;

#[derive(Debug, Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub page: Layout,
    pub users: Vec<User>,
}

impl UsersPage {
    pub fn role(&self, user: &User) -> &'static str {
        self.page.t.say(match user.role {
            Role::Coordinator => Text::Coordinator,
            Role::Staff => Text::Staff,
        })
    }
}

pub async fn list(State(state): State<AppState>, Coordinator(user): Coordinator) -> Response {
    match state.store.users().await {
        Ok(users) => render(&UsersPage {
            page: Layout::new(&user, Text::Users),
            users,
        }),
        Err(error) => layout::server_error(error),
    }
}
