//! `/staff`: the people the hotline rings. A coordinator sees everyone with their whole phone
//! number, adds and edits them, deactivates and reactivates them; a staff user sees only her own
//! entry, her number masked. Each person's page shows the calendar address they subscribe to.
//! Every change goes through the same checks, store calls and audit entries as `/api/v1/staff`
//! (`api::staff`), never a copy of them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hotline_schedules::{Gender, Language, Service, StaffMember};
use serde::Deserialize;

use super::csrf::Posted;
use super::layout::{self, Layout, Notice, render, render_with};
use super::session::{Coordinator, SignedIn};
use super::words::{Text, Words};
use crate::store::{NewStaff, StoreError};
use crate::web::AppState;
use crate::web::api::staff::{self as api, StaffProblem};

/// One person in the list.
#[derive(Debug)]
pub struct StaffLine {
    pub id: i64,
    pub name: String,
    /// Whole for a coordinator, masked for anyone else.
    pub phone: String,
    pub services: String,
    pub languages: String,
    pub coordinator: bool,
    pub active: bool,
}

#[derive(Debug, Template)]
#[template(path = "staff.html")]
pub struct StaffPage {
    pub page: Layout,
    pub staff: Vec<StaffLine>,
}

/// A checkbox: its field name, its words, whether it is ticked.
#[derive(Debug)]
pub struct Choice {
    pub field: String,
    pub label: &'static str,
    pub checked: bool,
}

/// The form's values as entered (or as kept), to show again with what is wrong next to them.
#[derive(Debug)]
pub struct StaffFields {
    pub name: String,
    pub phone: String,
    pub gender: String,
    pub services: Vec<Choice>,
    pub languages: Vec<Choice>,
    pub coordinator: bool,
}

#[derive(Debug, Template)]
#[template(path = "staff_member.html")]
pub struct StaffMemberPage {
    pub page: Layout,
    /// `None` while adding someone new.
    pub id: Option<i64>,
    /// Whether this user may change the form (a coordinator); otherwise it is shown read-only.
    pub editable: bool,
    pub active: bool,
    pub fields: StaffFields,
    /// Shown masked to a staff user looking at her own entry.
    pub phone_shown: String,
    pub name_problem: Option<&'static str>,
    pub phone_problem: Option<&'static str>,
    /// The address of the person's own duties, and a coordinator's one per service.
    pub calendar: Option<String>,
    pub service_calendars: Vec<(&'static str, String)>,
}

impl StaffMemberPage {
    pub fn gender_options(&self) -> [(&'static str, &'static str); 3] {
        let t = self.page.t;
        [
            ("", t.say(Text::GenderUnstated)),
            (Gender::Female.as_str(), t.say(Text::Female)),
            (Gender::Male.as_str(), t.say(Text::Male)),
        ]
    }

    pub fn gender_shown(&self) -> &'static str {
        self.gender_options()
            .into_iter()
            .find(|(value, _)| *value == self.fields.gender)
            .map_or("", |(_, label)| label)
    }
}

fn language_name(t: Words, language: Language) -> &'static str {
    t.say(match language {
        Language::Kk => Text::LanguageKk,
        Language::Ru => Text::LanguageRu,
    })
}

fn service_field(service: Service) -> String {
    format!("service-{}", service.as_str())
}

fn language_field(language: Language) -> String {
    format!("language-{}", language.as_str())
}

impl StaffFields {
    fn of(t: Words, person: Option<&NewStaff>) -> Self {
        let services = person.map(|p| p.services.as_slice()).unwrap_or_default();
        let languages = person.map(|p| p.languages.as_slice()).unwrap_or_default();
        StaffFields {
            name: person.map(|p| p.name.clone()).unwrap_or_default(),
            phone: person
                .map(|p| p.phone.as_e164().to_owned())
                .unwrap_or_default(),
            gender: person
                .and_then(|p| p.gender)
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default(),
            services: Service::ALL
                .into_iter()
                .map(|s| Choice {
                    field: service_field(s),
                    label: t.service(Some(s)),
                    checked: services.contains(&s),
                })
                .collect(),
            languages: Language::ALL
                .into_iter()
                .map(|l| Choice {
                    field: language_field(l),
                    label: language_name(t, l),
                    checked: languages.contains(&l),
                })
                .collect(),
            coordinator: person.is_some_and(|p| p.is_coordinator),
        }
    }
}

/// The form as posted. Checkboxes come as `service-legal=on`, `language-kk=on`, `coordinator=on`,
/// each under its own name: a form's repeated names do not make a list here.
#[derive(Debug, Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    gender: String,
    #[serde(flatten)]
    ticked: BTreeMap<String, String>,
}

impl StaffForm {
    fn services(&self) -> Vec<Service> {
        Service::ALL
            .into_iter()
            .filter(|s| self.ticked.contains_key(&service_field(*s)))
            .collect()
    }

    fn languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|l| self.ticked.contains_key(&language_field(*l)))
            .collect()
    }

    /// The form as the fields to show again when something in it is wrong.
    fn fields(&self, t: Words) -> StaffFields {
        let (services, languages) = (self.services(), self.languages());
        let mut fields = StaffFields::of(t, None);
        fields.name = self.name.clone();
        fields.phone = self.phone.clone();
        fields.gender = self.gender.clone();
        fields.coordinator = self.ticked.contains_key("coordinator");
        for choice in &mut fields.services {
            choice.checked = services.iter().any(|s| service_field(*s) == choice.field);
        }
        for choice in &mut fields.languages {
            choice.checked = languages.iter().any(|l| language_field(*l) == choice.field);
        }
        fields
    }

    fn checked(&self, active: bool) -> Result<NewStaff, StaffProblem> {
        api::checked_staff(
            &self.name,
            &self.phone,
            self.services(),
            self.languages(),
            self.gender.parse::<Gender>().ok(),
            self.ticked.contains_key("coordinator"),
            active,
        )
    }
}

fn line(user: &SignedIn, person: &StaffMember) -> StaffLine {
    let t = user.words();
    StaffLine {
        id: person.id,
        name: person.name.clone(),
        phone: if user.is_coordinator() {
            person.phone.as_e164().to_owned()
        } else {
            person.phone.masked()
        },
        services: person
            .services
            .iter()
            .map(|s| t.service(Some(*s)))
            .collect::<Vec<_>>()
            .join(", "),
        languages: person
            .languages
            .iter()
            .map(|l| language_name(t, *l))
            .collect::<Vec<_>>()
            .join(", "),
        coordinator: person.is_coordinator,
        active: person.active,
    }
}

/// `GET /staff`: everyone for a coordinator; her own entry for a staff user.
pub async fn list(State(state): State<AppState>, user: SignedIn) -> Response {
    let staff = match state.store.staff().await {
        Ok(staff) => staff,
        Err(error) => return layout::server_error(error),
    };
    render(&StaffPage {
        staff: staff
            .iter()
            .filter(|p| user.is_coordinator() || user.user.staff_id == Some(p.id))
            .map(|p| line(&user, p))
            .collect(),
        page: Layout::new(&user, Text::StaffList),
    })
}

/// The person if this user may see them (a coordinator anyone, a staff user herself); else 404.
async fn in_sight(state: &AppState, user: &SignedIn, id: i64) -> Result<StaffMember, Response> {
    if !user.is_coordinator() && user.user.staff_id != Some(id) {
        return Err(layout::not_found(user));
    }
    state
        .store
        .staff_member(id)
        .await
        .map_err(layout::server_error)?
        .ok_or_else(|| layout::not_found(user))
}

fn blank(user: &SignedIn) -> StaffMemberPage {
    StaffMemberPage {
        page: Layout::new(user, Text::AddStaff),
        id: None,
        editable: true,
        active: true,
        fields: StaffFields::of(user.words(), None),
        phone_shown: String::new(),
        name_problem: None,
        phone_problem: None,
        calendar: None,
        service_calendars: Vec::new(),
    }
}

async fn person_page(
    state: &AppState,
    user: &SignedIn,
    headers: &HeaderMap,
    person: &StaffMember,
) -> Result<StaffMemberPage, Response> {
    let t = user.words();
    // An inactive person's feed answers nothing, so there is no address to give.
    let (calendar, service_calendars) = if person.active {
        let links = api::feed_links(state, headers, person, false)
            .await
            .map_err(layout::server_error)?;
        let services = links
            .services
            .into_iter()
            .map(|(s, url)| (t.service(Some(s)), url))
            .collect();
        (Some(links.url), services)
    } else {
        (None, Vec::new())
    };
    Ok(StaffMemberPage {
        page: Layout::new(user, Text::StaffList),
        id: Some(person.id),
        editable: user.is_coordinator(),
        active: person.active,
        fields: StaffFields::of(t, Some(&NewStaff::from(person))),
        phone_shown: line(user, person).phone,
        name_problem: None,
        phone_problem: None,
        calendar,
        service_calendars,
    })
}

/// `GET /staff/new`: the form to add someone.
pub async fn new(Coordinator(user): Coordinator) -> Response {
    render(&blank(&user))
}

/// `GET /staff/{id}`: a person's entry, editable by a coordinator, and their calendar address.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let person = in_sight(&state, &user, id).await?;
        person_page(&state, &user, &headers, &person).await
    }
    .await;
    match result {
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

/// The form again, with what is wrong next to its field.
fn refused(
    user: &SignedIn,
    mut page: StaffMemberPage,
    form: &StaffForm,
    problem: StaffProblem,
) -> Response {
    let t = user.words();
    page.fields = form.fields(t);
    match problem {
        StaffProblem::NoName => page.name_problem = Some(t.say(Text::NameNeeded)),
        StaffProblem::Phone(_) => page.phone_problem = Some(t.say(Text::PhoneInvalid)),
    }
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn phone_taken(user: &SignedIn, mut page: StaffMemberPage, form: &StaffForm) -> Response {
    page.fields = form.fields(user.words());
    page.phone_problem = Some(user.words().say(Text::PhoneTaken));
    render_with(StatusCode::CONFLICT, &page)
}

/// `POST /staff`: adds someone, audited as the API's `create`.
pub async fn create(State(state): State<AppState>, posted: Posted<StaffForm>) -> Response {
    let (user, form) = (&posted.user, &posted.form);
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let staff = match form.checked(true) {
        Ok(staff) => staff,
        Err(problem) => return refused(user, blank(user), form, problem),
    };
    let entry = api::audit(
        &user.actor(),
        &state,
        "create",
        String::new(),
        None,
        Some(&staff),
    );
    match state.store.create_staff(&staff, &entry).await {
        Ok(Some(id)) => Redirect::to(&format!("/staff/{id}")).into_response(),
        Ok(None) => phone_taken(user, blank(user), form),
        Err(error) => layout::server_error(error),
    }
}

/// `POST /staff/{id}`: changes someone, audited as the API's `update`; active stays as it was.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    posted: Posted<StaffForm>,
) -> Response {
    let (user, form) = (&posted.user, &posted.form);
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let before = match in_sight(&state, user, id).await {
        Ok(person) => person,
        Err(response) => return response,
    };
    let page = match person_page(&state, user, &headers, &before).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let staff = match form.checked(before.active) {
        Ok(staff) => staff,
        Err(problem) => return refused(user, page, form, problem),
    };
    let entry = api::audit(
        &user.actor(),
        &state,
        "update",
        format!("staff/{id}"),
        Some(&before),
        Some(&staff),
    );
    match state.store.update_staff(id, &staff, &entry).await {
        Ok(true) => Redirect::to(&format!("/staff/{id}")).into_response(),
        Ok(false) => layout::not_found(user),
        Err(StoreError::Conflict(_)) => phone_taken(user, page, form),
        Err(error) => layout::server_error(error),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: bool,
}

/// `POST /staff/{id}/active`: deactivates (never rung again) or reactivates, as the API does.
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ActiveForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let before = match in_sight(&state, user, id).await {
        Ok(person) => person,
        Err(response) => return response,
    };
    match api::set_active(&state, &user.actor(), &before, posted.form.active).await {
        Ok(true) => Redirect::to(&format!("/staff/{id}")).into_response(),
        Ok(false) => layout::not_found(user),
        Err(error) => layout::server_error(error),
    }
}
