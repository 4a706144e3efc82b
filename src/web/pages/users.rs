//! `/users`: who may sign in. A coordinator sees everyone with role, staff member, language and
//! whether they may sign in; adds a user, who gets a one-time link (shown once, to pass on) to
//! choose her own password; changes a user's role and staff member; deactivates one (her
//! sessions end at once) or reactivates her; resets a password with a new link. No change may
//! leave the hotline without an active coordinator. Every change is audited, without password
//! hashes or tokens. For coordinators only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;

use super::csrf::Posted;
use super::layout::{self, Layout, Notice, render, render_with};
use super::session::{self, Coordinator, SignedIn};
use super::words::Text;
use crate::store::{
    AuditEntry, NO_PASSWORD, NewLink, NewUser, PageLanguage, Role, Standing, StandingChanged, User,
};
use crate::web::AppState;

/// How long a link to set a password works.
pub const LINK_LASTS: Duration = Duration::hours(24);

/// One user in the list.
#[derive(Debug)]
pub struct UserLine {
    pub user: User,
    pub role: &'static str,
    pub staff: String,
    pub language: &'static str,
}

/// A staff member a user may be linked to.
#[derive(Debug, Clone)]
pub struct StaffChoice {
    pub id: i64,
    pub name: String,
}

/// The link to pass on, shown once, on the answer to the form that made it.
#[derive(Debug)]
pub struct MadeLink {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub page: Layout,
    pub users: Vec<UserLine>,
    /// Staff members a user may be linked to: id and name.
    pub staff: Vec<StaffChoice>,
    /// The add form as filled in, shown again with what is wrong.
    pub name: String,
    pub login: String,
    pub role: String,
    pub staff_id: Option<i64>,
    pub problem: Option<&'static str>,
    pub link: Option<MadeLink>,
}

#[derive(Debug, Template)]
#[template(path = "user.html")]
pub struct UserPage {
    pub page: Layout,
    pub user: User,
    pub staff: Vec<StaffChoice>,
    pub problem: Option<&'static str>,
    pub link: Option<MadeLink>,
}

impl UserPage {
    pub fn picked(&self, choice: &StaffChoice) -> bool {
        self.user.staff_id == Some(choice.id)
    }

    pub fn role_name(&self, role: &str) -> &'static str {
        role_words(&self.page, Role::from_name(role).unwrap_or(Role::Staff))
    }
}

impl UsersPage {
    pub fn picked(&self, choice: &StaffChoice) -> bool {
        self.staff_id == Some(choice.id)
    }

    pub fn role_name(&self, role: &str) -> &'static str {
        role_words(&self.page, Role::from_name(role).unwrap_or(Role::Staff))
    }
}

fn role_words(page: &Layout, role: Role) -> &'static str {
    page.t.say(match role {
        Role::Coordinator => Text::Coordinator,
        Role::Staff => Text::Staff,
    })
}

/// What an audit entry says of a user: never her password's hash.
fn described(user: &User) -> String {
    serde_json::json!({
        "name": user.name,
        "login": user.login,
        "role": user.role.as_str(),
        "staff_id": user.staff_id,
        "language": user.language.as_str(),
        "active": user.active,
    })
    .to_string()
}

fn entry(
    user: &SignedIn,
    state: &AppState,
    action: &str,
    before: Option<String>,
    after: Option<String>,
) -> AuditEntry {
    AuditEntry {
        at: state.clock.now(),
        actor: user.actor(),
        action: action.to_owned(),
        subject: String::new(),
        before,
        after,
    }
}

/// A new link's token, kept only as its hash, and the address to pass on.
fn new_link(state: &AppState, headers: &HeaderMap) -> (NewLink, String) {
    let token = session::random_token();
    let now = state.clock.now();
    let base = crate::web::webhook::public_base(state, headers);
    (
        NewLink {
            token_hash: session::token_hash(&token),
            created_at: now,
            expires_at: now + LINK_LASTS,
        },
        format!("{base}/set-password/{token}"),
    )
}

async fn staff_choices(state: &AppState) -> Result<Vec<StaffChoice>, Response> {
    Ok(state
        .store
        .staff()
        .await
        .map_err(layout::server_error)?
        .into_iter()
        .map(|member| StaffChoice {
            id: member.id,
            name: member.name,
        })
        .collect())
}

async fn list_page(state: &AppState, user: &SignedIn) -> Result<UsersPage, Response> {
    let staff = staff_choices(state).await?;
    let names: HashMap<i64, String> = staff.iter().map(|c| (c.id, c.name.clone())).collect();
    let page = Layout::new(user, Text::Users);
    let users = state
        .store
        .users()
        .await
        .map_err(layout::server_error)?
        .into_iter()
        .map(|u| UserLine {
            role: role_words(&page, u.role),
            language: super::words::Words::own_name(&u.language),
            staff: u
                .staff_id
                .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
                .unwrap_or_default(),
            user: u,
        })
        .collect();
    Ok(UsersPage {
        page,
        users,
        staff,
        name: String::new(),
        login: String::new(),
        role: Role::Staff.as_str().to_owned(),
        staff_id: None,
        problem: None,
        link: None,
    })
}

/// `GET /users`
pub async fn list(State(state): State<AppState>, Coordinator(user): Coordinator) -> Response {
    match list_page(&state, &user).await {
        Ok(page) => render(&page),
        Err(response) => response,
    }
}

fn forbidden(user: &SignedIn) -> Response {
    layout::notice(
        StatusCode::FORBIDDEN,
        &Notice::for_user(user, Text::Forbidden),
    )
}

/// A role and staff member as posted: `staff_id` empty for none.
#[derive(Debug, Deserialize)]
pub struct StandingForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    staff_id: String,
}

impl StandingForm {
    fn staff_id(&self) -> Option<i64> {
        self.staff_id.trim().parse().ok()
    }

    /// The role and staff member, if they make sense together: a staff user must be someone on
    /// the staff list (she sees that person's services), a coordinator may be or not.
    fn checked(&self, staff: &[StaffChoice]) -> Result<(Role, Option<i64>), Text> {
        let role = Role::from_name(self.role.trim()).ok_or(Text::FormRefused)?;
        let staff_id = self.staff_id();
        if staff_id.is_some_and(|id| !staff.iter().any(|choice| choice.id == id)) {
            return Err(Text::FormRefused);
        }
        if role == Role::Staff && staff_id.is_none() {
            return Err(Text::StaffNeedsMember);
        }
        Ok((role, staff_id))
    }
}

/// `POST /users`: adds a user with no password and shows, once, the link she sets it with.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<StandingForm>,
) -> Response {
    let (user, form) = (&posted.user, &posted.form);
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let mut page = match list_page(&state, user).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let login = form.login.trim().to_lowercase();
    let again = |mut page: UsersPage, problem: Text, status: StatusCode| {
        page.name = form.name.trim().to_owned();
        page.login = login.clone();
        page.role = form.role.clone();
        page.staff_id = form.staff_id();
        page.problem = Some(user.words().say(problem));
        render_with(status, &page)
    };
    let (role, staff_id) = match form.checked(&page.staff) {
        Ok(checked) => checked,
        Err(problem) => return again(page, problem, StatusCode::UNPROCESSABLE_ENTITY),
    };
    if login.is_empty() || login.chars().any(char::is_whitespace) {
        return again(page, Text::LoginNeeded, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let name = match form.name.trim() {
        "" => login.clone(),
        name => name.to_owned(),
    };
    let new = NewUser {
        name: name.clone(),
        login: login.clone(),
        password_hash: NO_PASSWORD.to_owned(),
        role,
        staff_id,
        language: PageLanguage::Ru,
        created_at: state.clock.now(),
    };
    let after = serde_json::json!({
        "name": new.name, "login": new.login, "role": role.as_str(), "staff_id": staff_id,
        "language": new.language.as_str(), "active": true,
    })
    .to_string();
    let (link, url) = new_link(&state, &headers);
    let audit = entry(user, &state, "create-user", None, Some(after));
    match state.store.add_user_with_link(&new, &link, &audit).await {
        Ok(Some(_)) => {}
        Ok(None) => return again(page, Text::LoginTaken, StatusCode::CONFLICT),
        Err(error) => return layout::server_error(error),
    }
    // The list again, with her in it and the link to pass on.
    page = match list_page(&state, user).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    page.link = Some(MadeLink { name, url });
    render(&page)
}

async fn user_page(state: &AppState, user: &SignedIn, id: i64) -> Result<UserPage, Response> {
    let found = state
        .store
        .user(id)
        .await
        .map_err(layout::server_error)?
        .ok_or_else(|| layout::not_found(user))?;
    Ok(UserPage {
        page: Layout::new(user, Text::Users),
        user: found,
        staff: staff_choices(state).await?,
        problem: None,
        link: None,
    })
}

/// `GET /users/{id}`
pub async fn show(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Path(id): Path<i64>,
) -> Response {
    match user_page(&state, &user, id).await {
        Ok(page) => render(&page),
        Err(response) => response,
    }
}

/// Writes a change of standing, or shows the user's page with why it was refused.
async fn change(state: &AppState, user: &SignedIn, page: UserPage, standing: Standing) -> Response {
    let before = page.user.clone();
    let after = User {
        role: standing.role,
        staff_id: standing.staff_id,
        active: standing.active,
        ..before.clone()
    };
    let action = match (before.active, standing.active) {
        (true, false) => "deactivate-user",
        (false, true) => "reactivate-user",
        _ => "update-user",
    };
    let audit = entry(
        user,
        state,
        action,
        Some(described(&before)),
        Some(described(&after)),
    );
    let id = before.id;
    match state.store.change_standing(id, &standing, &audit).await {
        Ok(StandingChanged::Done) => Redirect::to(&format!("/users/{id}")).into_response(),
        Ok(StandingChanged::NoSuchUser) => layout::not_found(user),
        Ok(StandingChanged::LastCoordinator) => {
            let page = UserPage {
                problem: Some(user.words().say(Text::LastCoordinator)),
                ..page
            };
            render_with(StatusCode::CONFLICT, &page)
        }
        Err(error) => layout::server_error(error),
    }
}

/// `POST /users/{id}`: her role and staff member; whether she may sign in stays as it was.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<StandingForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let page = match user_page(&state, user, id).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let (role, staff_id) = match posted.form.checked(&page.staff) {
        Ok(checked) => checked,
        Err(problem) => {
            let page = UserPage {
                problem: Some(user.words().say(problem)),
                ..page
            };
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let active = page.user.active;
    change(
        &state,
        user,
        page,
        Standing {
            role,
            staff_id,
            active,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: bool,
}

/// `POST /users/{id}/active`: deactivates her (every session of hers ends at once) or lets her
/// sign in again.
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ActiveForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let page = match user_page(&state, user, id).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let standing = Standing {
        role: page.user.role,
        staff_id: page.user.staff_id,
        active: posted.form.active,
    };
    change(&state, user, page, standing).await
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {}

/// `POST /users/{id}/password-link`: a new one-time link for her to choose a new password; her
/// older links stop working and her sessions end. The link is shown once, on this answer.
pub async fn reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    posted: Posted<ResetForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let mut page = match user_page(&state, user, id).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let (link, url) = new_link(&state, &headers);
    let audit = entry(user, &state, "reset-password", None, None);
    match state.store.reset_password(id, &link, &audit).await {
        Ok(true) => {}
        Ok(false) => return layout::not_found(user),
        Err(error) => return layout::server_error(error),
    }
    page.link = Some(MadeLink {
        name: page.user.name.clone(),
        url,
    });
    render(&page)
}
