//! The coordinator's changes to the rota from the rota page: a one-off shift added, moved or
//! removed, an override (someone replaced, added or removed for a span), two duties swapped.
//! Each goes through `crate::rota::edit::Editor` exactly as the JSON API does, so a conflict is
//! refused with the editor's own message and every change is audited. A refused change shows
//! the page again with that message and what was typed, having changed nothing. Times are typed
//! as local dates and times in the hotline's zone.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hotline_schedules::model::Slot;
use hotline_schedules::{DutyShift, Service, StaffMember, instant_of};
use serde::Deserialize;

use super::csrf::Posted;
use super::layout::{self, Notice};
use super::rota::{self, Place, RotaQuery};
use super::session::SignedIn;
use super::words::Text;
use crate::rota::edit::{EditError, Editor, invalid};
use crate::rota::refusal::Problem;
use crate::rota::spec::{ChangeSpec, OverrideSpec, ShiftSpec};
use crate::rota::swap::{DutyKey, swap_duties};
use crate::store::{RuleKind, StoredRule};
use crate::web::AppState;

/// A one-off shift as its form is typed: a person, a service, local start and end.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ShiftForm {
    #[serde(default)]
    pub staff_id: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub start_time: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub end_time: String,
}

/// An override as its form is typed: `kind` is replace, add or remove; `person` is the one
/// replaced, added or removed; `present` the one who comes instead; no service means all.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub present: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub start_time: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub end_time: String,
}

/// Two duties as the page lists them: `staff_id@starts_at`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SwapForm {
    #[serde(default)]
    pub first: String,
    #[serde(default)]
    pub second: String,
}

/// A form that is only its button (and its token).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct NoFields {}

/// What a refused form had in it, to show it again.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub shift: ShiftForm,
    /// The shift being moved, and its form as typed.
    pub moving: Option<(i64, ShiftForm)>,
    pub change: OverrideForm,
    pub swap: SwapForm,
}

#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A one-off shift in force over the page's days, with its move form's values.
#[derive(Debug)]
pub struct ShiftLine {
    pub id: i64,
    pub label: String,
    pub form: ShiftForm,
}

/// The forms on a coordinator's rota page.
#[derive(Debug)]
pub struct Editing {
    pub people: Vec<Choice>,
    pub services: Vec<Choice>,
    pub shifts: Vec<ShiftLine>,
    /// This service's scheduled duties not yet over: what can be swapped.
    pub duties: Vec<Choice>,
    pub typed: Typed,
}

fn local_parts(state: &AppState, at: DateTime<Utc>) -> (String, String) {
    let local = at.with_timezone(&state.schedule.zone);
    (
        local.format("%Y-%m-%d").to_string(),
        local.format("%H:%M").to_string(),
    )
}

fn duty_value(staff_id: i64, starts_at: DateTime<Utc>) -> String {
    format!("{staff_id}@{}", starts_at.to_rfc3339())
}

impl Editing {
    pub fn new(
        state: &AppState,
        user: &SignedIn,
        place: &Place,
        staff: &[StaffMember],
        rules: &[StoredRule],
        duties: &[DutyShift],
        mut typed: Typed,
    ) -> Self {
        let t = user.words();
        let people = staff
            .iter()
            .filter(|member| member.active)
            .map(|member| Choice {
                value: member.id.to_string(),
                label: member.name.clone(),
            })
            .collect();
        let name = |id: i64| {
            staff
                .iter()
                .find(|member| member.id == id)
                .map_or_else(|| format!("#{id}"), |member| member.name.clone())
        };
        let services = Service::ALL
            .into_iter()
            .map(|service| Choice {
                value: service.as_str().to_owned(),
                label: t.service(Some(service)).to_owned(),
            })
            .collect();
        let shifts = rules
            .iter()
            .filter(|rule| rule.kind == RuleKind::Shift && rule.valid_until.is_none())
            .filter_map(|rule| {
                let spec: ShiftSpec = serde_json::from_str(&rule.body).ok()?;
                (spec.service == place.service).then_some((rule.id, spec))
            })
            .map(|(id, spec)| {
                let (start_date, start_time) = local_parts(state, spec.starts_at);
                let (end_date, end_time) = local_parts(state, spec.ends_at);
                let label = format!(
                    "{} · {start_date} {start_time} – {end_date} {end_time}",
                    name(spec.staff_id)
                );
                let form = match typed.moving.take() {
                    Some((moving, form)) if moving == id => form,
                    other => {
                        typed.moving = other;
                        ShiftForm {
                            staff_id: spec.staff_id.to_string(),
                            service: spec.service.as_str().to_owned(),
                            position: spec.position.to_string(),
                            start_date,
                            start_time,
                            end_date,
                            end_time,
                        }
                    }
                };
                ShiftLine { id, label, form }
            })
            .collect();
        let now = state.clock.now();
        let duties = duties
            .iter()
            .filter(|duty| duty.service == place.service && duty.ends_at > now)
            .filter(|duty| matches!(duty.slot, Slot::Scheduled(_)))
            .map(|duty| {
                let (date, from) = local_parts(state, duty.starts_at);
                let (_, to) = local_parts(state, duty.ends_at);
                Choice {
                    value: duty_value(duty.staff_id, duty.starts_at),
                    label: format!("{} · {date} {from}–{to}", name(duty.staff_id)),
                }
            })
            .collect();
        if typed.shift.service.is_empty() {
            typed.shift.service = place.service.as_str().to_owned();
        }
        if typed.change.kind.is_empty() {
            typed.change.kind = "replace".to_owned();
            typed.change.service = place.service.as_str().to_owned();
        }
        Editing {
            people,
            services,
            shifts,
            duties,
            typed,
        }
    }
}

/// A form that does not say what it means: a field left out or mistyped.
fn unreadable(field: &str) -> EditError {
    invalid(field, Problem::Unreadable)
}

fn staff_id(text: &str, field: &str) -> Result<i64, EditError> {
    text.trim().parse().map_err(|_| unreadable(field))
}

fn service(text: &str, field: &str) -> Result<Service, EditError> {
    Service::ALL
        .into_iter()
        .find(|service| service.as_str() == text)
        .ok_or_else(|| unreadable(field))
}

/// A local date and time typed in the hotline's zone, as an instant.
fn instant(
    state: &AppState,
    date: &str,
    time: &str,
    field: &str,
) -> Result<DateTime<Utc>, EditError> {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| unreadable(field))?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| unreadable(field))?;
    instant_of(state.schedule.zone, date.and_time(time)).ok_or_else(|| unreadable(field))
}

fn shift_spec(state: &AppState, form: &ShiftForm) -> Result<ShiftSpec, EditError> {
    Ok(ShiftSpec {
        staff_id: staff_id(&form.staff_id, "staff_id")?,
        service: service(&form.service, "service")?,
        position: if form.position.trim().is_empty() {
            0
        } else {
            form.position
                .trim()
                .parse()
                .map_err(|_| unreadable("position"))?
        },
        starts_at: instant(state, &form.start_date, &form.start_time, "starts_at")?,
        ends_at: instant(state, &form.end_date, &form.end_time, "ends_at")?,
    })
}

fn override_spec(state: &AppState, form: &OverrideForm) -> Result<OverrideSpec, EditError> {
    let person = staff_id(&form.person, "staff_id")?;
    let change = match form.kind.as_str() {
        "replace" => ChangeSpec::Replace {
            absent: person,
            present: staff_id(&form.present, "present")?,
        },
        "add" => ChangeSpec::Add { staff_id: person },
        "remove" => ChangeSpec::Remove { staff_id: person },
        _ => return Err(unreadable("kind")),
    };
    Ok(OverrideSpec {
        service: match form.service.as_str() {
            "" => None,
            name => Some(service(name, "service")?),
        },
        change,
        starts_at: instant(state, &form.start_date, &form.start_time, "starts_at")?,
        ends_at: instant(state, &form.end_date, &form.end_time, "ends_at")?,
    })
}

fn duty_key(text: &str, service: Service, field: &str) -> Result<DutyKey, EditError> {
    let (staff, starts_at) = text.split_once('@').ok_or_else(|| unreadable(field))?;
    Ok(DutyKey {
        staff_id: staff_id(staff, field)?,
        service,
        starts_at: DateTime::parse_from_rfc3339(starts_at)
            .map_err(|_| unreadable(field))?
            .to_utc(),
    })
}

pub(super) fn editor<'a>(state: &'a AppState, user: &SignedIn) -> Editor<'a> {
    Editor {
        store: state.store.as_ref(),
        actor: user.actor(),
        now: state.clock.now(),
    }
}

/// Changes are the coordinator's: a staff user's form is refused whatever it says.
pub(super) fn refused_unless_coordinator(user: &SignedIn) -> Option<Response> {
    (!user.is_coordinator()).then(|| {
        layout::notice(
            StatusCode::FORBIDDEN,
            &Notice::for_user(user, Text::Forbidden),
        )
    })
}

/// Back to the page on success; on refusal, the page again with the editor's message and what
/// was typed.
async fn finish(
    state: &AppState,
    user: &SignedIn,
    query: &RotaQuery,
    result: Result<(), EditError>,
    typed: Typed,
) -> Response {
    let Err(error) = result else {
        let sight = match super::access::Sight::of(state, user).await {
            Ok(sight) => sight,
            Err(response) => return response,
        };
        let back =
            rota::place(state, &sight, query).map_or_else(|| "/rota".to_owned(), |p| p.href());
        return Redirect::to(&back).into_response();
    };
    let (status, problem) = match super::rota_refusal::refusal(state, user, error).await {
        Ok(refused) => refused,
        Err(response) => return response,
    };
    match rota::build(state, user, query, Some(problem), typed).await {
        Ok(page) => layout::render_with(status, &page),
        Err(response) => response,
    }
}

/// `POST /rota/shifts`: a one-off shift added.
pub async fn add_shift(
    State(state): State<AppState>,
    Query(query): Query<RotaQuery>,
    posted: Posted<ShiftForm>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let result = match shift_spec(&state, &posted.form) {
        Ok(spec) => editor(&state, user).create(&spec).await.map(|_| ()),
        Err(error) => Err(error),
    };
    let typed = Typed {
        shift: posted.form.clone(),
        ..Typed::default()
    };
    finish(&state, user, &query, result, typed).await
}

/// `POST /rota/shifts/{id}`: a one-off shift moved (a new version from now on).
pub async fn move_shift(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<RotaQuery>,
    posted: Posted<ShiftForm>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let result = match shift_spec(&state, &posted.form) {
        Ok(spec) => editor(&state, user).replace(id, &spec).await.map(|_| ()),
        Err(error) => Err(error),
    };
    let typed = Typed {
        moving: Some((id, posted.form.clone())),
        ..Typed::default()
    };
    finish(&state, user, &query, result, typed).await
}

/// `POST /rota/shifts/{id}/remove`: a one-off shift ended now.
pub async fn remove_shift(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<RotaQuery>,
    posted: Posted<NoFields>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let result = editor(&state, user).close::<ShiftSpec>(id).await;
    finish(&state, user, &query, result, Typed::default()).await
}

/// `POST /rota/overrides`: someone replaced, added or removed for a span.
pub async fn add_override(
    State(state): State<AppState>,
    Query(query): Query<RotaQuery>,
    posted: Posted<OverrideForm>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let result = match override_spec(&state, &posted.form) {
        Ok(spec) => editor(&state, user).create(&spec).await.map(|_| ()),
        Err(error) => Err(error),
    };
    let typed = Typed {
        change: posted.form.clone(),
        ..Typed::default()
    };
    finish(&state, user, &query, result, typed).await
}

/// `POST /rota/swaps`: two people's duties of the page's service exchanged, as
/// `POST /api/v1/swaps` does it.
pub async fn swap(
    State(state): State<AppState>,
    Query(query): Query<RotaQuery>,
    posted: Posted<SwapForm>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let sight = super::access::Sight::Everything;
    let Some(place) = rota::place(&state, &sight, &query) else {
        return layout::not_found(user);
    };
    let keys = duty_key(&posted.form.first, place.service, "first").and_then(|first| {
        duty_key(&posted.form.second, place.service, "second").map(|second| (first, second))
    });
    let result = match keys {
        Ok((first, second)) => swap_duties(&editor(&state, user), first, second)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    let typed = Typed {
        swap: posted.form.clone(),
        ..Typed::default()
    };
    finish(&state, user, &query, result, typed).await
}
