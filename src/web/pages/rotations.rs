//! `/rota/rotations?service=legal`: the coordinator's rotations of one service — who takes turns
//! in what order, how often they hand over, in which hours — each with its form to change it
//! from now on or end it, and a form for a new one. Every change goes through the audited
//! `Editor` as the JSON API's does; a refused one shows the page again with the reason in the
//! reader's language and what was typed, having changed nothing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use hotline_schedules::Service;
use hotline_schedules::model::HandoffUnit;

use super::access::Sight;
use super::csrf::Posted;
use super::layout::{self, Layout};
use super::rota::{self, RotaQuery, Tab};
use super::rota_changes::{NoFields, editor, refused_unless_coordinator};
use super::rotation_form::{DAYS, RotationForm, UNITS};
use super::session::{Coordinator, SignedIn};
use super::words::{Text, Words};
use crate::rota::edit::EditError;
use crate::rota::spec::RotationSpec;
use crate::store::RuleKind;
use crate::web::AppState;

#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug)]
pub struct DayBox {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Debug)]
pub struct WindowView {
    pub index: usize,
    pub days: Vec<DayBox>,
    pub from: String,
    pub to: String,
}

/// A rotation's form, ready to show: one select per place in the turn order, and some spare.
#[derive(Debug)]
pub struct FormView {
    pub form: RotationForm,
    pub slots: Vec<String>,
    pub windows: Vec<WindowView>,
}

#[derive(Debug)]
pub struct RotationLine {
    pub id: i64,
    pub name: String,
    pub summary: Vec<String>,
    pub view: FormView,
    /// Its form was refused: shown open.
    pub open: bool,
}

#[derive(Debug, Template)]
#[template(path = "rotations.html")]
pub struct RotationsPage {
    pub page: Layout,
    pub tabs: Vec<Tab>,
    pub heading: String,
    pub back: String,
    pub here: String,
    pub problem: Option<String>,
    pub rotations: Vec<RotationLine>,
    pub new: FormView,
    pub new_open: bool,
    pub people: Vec<Choice>,
    pub units: Vec<Choice>,
}

/// What was typed into a refused form: the new rotation's (no id) or rotation `id`'s.
type Typed = Option<(Option<i64>, RotationForm)>;

fn form_view(t: &Words, form: RotationForm) -> FormView {
    let mut slots = form.members.clone();
    let spare = 2.max(3usize.saturating_sub(slots.len()));
    slots.extend(std::iter::repeat_n(String::new(), spare));
    let windows = form
        .windows
        .iter()
        .enumerate()
        .map(|(index, window)| WindowView {
            index,
            days: DAYS
                .iter()
                .map(|(day, value)| DayBox {
                    value,
                    label: t.weekday(*day),
                    checked: window.days.iter().any(|ticked| ticked == value),
                })
                .collect(),
            from: window.from.clone(),
            to: window.to.clone(),
        })
        .collect();
    FormView {
        form,
        slots,
        windows,
    }
}

fn unit_word(unit: HandoffUnit) -> Text {
    match unit {
        HandoffUnit::Hours => Text::UnitHours,
        HandoffUnit::Days => Text::UnitDays,
        HandoffUnit::Weeks => Text::UnitWeeks,
        HandoffUnit::ActiveShifts => Text::UnitShifts,
    }
}

/// The lines under a rotation's name: its place, its order, its handoffs, its hours.
fn summary(t: &Words, spec: &RotationSpec, name: &dyn Fn(i64) -> String) -> Vec<String> {
    let order: Vec<String> = spec.members.iter().map(|id| name(*id)).collect();
    let hours = if spec.windows.is_empty() {
        t.say(Text::RotationAroundTheClock).to_owned()
    } else {
        spec.windows
            .iter()
            .map(|window| {
                let days: Vec<&str> = DAYS
                    .iter()
                    .filter(|(day, _)| window.days.contains(*day))
                    .map(|(day, _)| t.weekday(*day))
                    .collect();
                format!(
                    "{} {}–{}",
                    days.join(", "),
                    window.from.format("%H:%M"),
                    window.to.format("%H:%M")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut order = order.join(" → ");
    if spec.position != 0 {
        order = format!("{order} ({})", t.say(Text::RotaBackup));
    }
    vec![
        order,
        format!(
            "{}: {} ({})",
            t.say(Text::RotationEvery),
            spec.handoff.every,
            t.say(unit_word(spec.handoff.unit))
        ),
        format!(
            "{}: {}",
            t.say(Text::RotationFirstHandoff),
            spec.start.format("%d.%m.%Y %H:%M")
        ),
        hours,
    ]
}

async fn build(
    state: &AppState,
    user: &SignedIn,
    query: &RotaQuery,
    problem: Option<String>,
    mut typed: Typed,
) -> Result<RotationsPage, Response> {
    let t = user.words();
    let place =
        rota::place(state, &Sight::Everything, query).ok_or_else(|| layout::not_found(user))?;
    let now = state.clock.now();
    let staff = state.store.staff().await.map_err(layout::server_error)?;
    let rules = state
        .store
        .rules_between(now, now + Duration::seconds(1))
        .await
        .map_err(layout::server_error)?;
    let name = |id: i64| {
        staff
            .iter()
            .find(|member| member.id == id)
            .map_or_else(|| format!("#{id}"), |member| member.name.clone())
    };
    let mut rotations = Vec::new();
    for rule in rules
        .iter()
        .filter(|rule| rule.kind == RuleKind::Rotation && rule.valid_until.is_none())
    {
        let Ok(spec) = serde_json::from_str::<RotationSpec>(&rule.body) else {
            continue;
        };
        if spec.service != place.service {
            continue;
        }
        let (form, open) = match typed.take() {
            Some((Some(id), form)) if id == rule.id => (form, true),
            other => {
                typed = other;
                (RotationForm::from_spec(&spec), false)
            }
        };
        rotations.push(RotationLine {
            id: rule.id,
            name: spec.name.clone(),
            summary: summary(&t, &spec, &name),
            view: form_view(&t, form),
            open,
        });
    }
    let (new, new_open) = match typed {
        Some((None, form)) => (form, true),
        _ => (
            RotationForm::new_for(place.service, next_monday(state)),
            rotations.is_empty(),
        ),
    };
    let people = staff
        .iter()
        .filter(|member| member.active && member.services.contains(&place.service))
        .map(|member| Choice {
            value: member.id.to_string(),
            label: member.name.clone(),
        })
        .collect();
    let units = UNITS
        .iter()
        .map(|(unit, value)| Choice {
            value: (*value).to_owned(),
            label: t.say(unit_word(*unit)).to_owned(),
        })
        .collect();
    let tabs = Service::ALL
        .into_iter()
        .map(|service| Tab {
            name: t.service(Some(service)),
            href: rotations_href(service),
            current: service == place.service,
        })
        .collect();
    Ok(RotationsPage {
        page: Layout::new(user, Text::Rotations),
        tabs,
        heading: format!(
            "{} · {}",
            t.say(Text::Rotations),
            t.service(Some(place.service))
        ),
        back: place.href(),
        here: format!("service={}", place.service.as_str()),
        problem,
        rotations,
        new: form_view(&t, new),
        new_open,
        people,
        units,
    })
}

fn rotations_href(service: Service) -> String {
    format!("/rota/rotations?service={}", service.as_str())
}

/// Where a new rotation starts unless told otherwise: next Monday, local.
fn next_monday(state: &AppState) -> NaiveDate {
    let today = state
        .clock
        .now()
        .with_timezone(&state.schedule.zone)
        .date_naive();
    let ahead = 7 - i64::from(today.weekday().num_days_from_monday());
    let monday = today + Duration::days(ahead);
    debug_assert_eq!(monday.weekday(), Weekday::Mon);
    monday
}

/// `GET /rota/rotations`
pub async fn page(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Query(query): Query<RotaQuery>,
) -> Response {
    match build(&state, &user, &query, None, None).await {
        Ok(page) => layout::render(&page),
        Err(response) => response,
    }
}

/// Back to the rotations on success; on refusal, the page again with its reason and the form.
async fn finish(
    state: &AppState,
    user: &SignedIn,
    query: &RotaQuery,
    result: Result<(), EditError>,
    typed: Typed,
) -> Response {
    let Err(error) = result else {
        // Back to the service the query names, as read, never as typed into a header.
        let back = rota::place(state, &Sight::Everything, query).map_or_else(
            || "/rota/rotations".to_owned(),
            |p| rotations_href(p.service),
        );
        return Redirect::to(&back).into_response();
    };
    let (status, problem) = match super::rota_refusal::refusal(state, user, error).await {
        Ok(refused) => refused,
        Err(response) => return response,
    };
    match build(state, user, query, Some(problem), typed).await {
        Ok(page) => layout::render_with(status, &page),
        Err(response) => response,
    }
}

/// `POST /rota/rotations`: a new rotation, in force from now.
pub async fn create(
    State(state): State<AppState>,
    Query(query): Query<RotaQuery>,
    posted: Posted<Vec<(String, String)>>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let form = RotationForm::from_pairs(&posted.form);
    let result = match form.to_spec(state.schedule.zone) {
        Ok(spec) => editor(&state, user).create(&spec).await.map(|_| ()),
        Err(error) => Err(error),
    };
    finish(&state, user, &query, result, Some((None, form))).await
}

/// `POST /rota/rotations/{id}`: rotation `id` changed from now on; its past stays.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<RotaQuery>,
    posted: Posted<Vec<(String, String)>>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let form = RotationForm::from_pairs(&posted.form);
    // A rotation keeps the zone it was made in.
    let zone = match state.store.rule(id).await {
        Ok(Some(rule)) => serde_json::from_str::<RotationSpec>(&rule.body)
            .map_or(state.schedule.zone, |spec| spec.zone),
        Ok(None) => state.schedule.zone,
        Err(error) => return layout::server_error(error),
    };
    let result = match form.to_spec(zone) {
        Ok(spec) => editor(&state, user).replace(id, &spec).await.map(|_| ()),
        Err(error) => Err(error),
    };
    finish(&state, user, &query, result, Some((Some(id), form))).await
}

/// `POST /rota/rotations/{id}/end`: rotation `id` ends now.
pub async fn end(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<RotaQuery>,
    posted: Posted<NoFields>,
) -> Response {
    let user = &posted.user;
    if let Some(response) = refused_unless_coordinator(user) {
        return response;
    }
    let result = editor(&state, user).close::<RotationSpec>(id).await;
    finish(&state, user, &query, result, None).await
}
