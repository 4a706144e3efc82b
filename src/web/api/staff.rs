//! `/api/v1/staff`: the people on the rota. Staff are never deleted, only deactivated, so the
//! call log keeps naming who answered.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use hotline_schedules::{Gender, Language, PhoneNumber, Service, StaffMember};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use super::rules::RuleView;
use crate::rota::edit::Editor;
use crate::rota::spec::{ChangeSpec, OverrideSpec};
use crate::store::{AuditEntry, NewStaff, RuleKind, StoreResult};
use crate::web::{AppState, calendar};

#[derive(Debug, Serialize)]
pub struct StaffView {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub services: Vec<Service>,
    pub languages: Vec<Language>,
    pub gender: Option<Gender>,
    pub coordinator: bool,
    pub active: bool,
}

impl From<&StaffMember> for StaffView {
    fn from(person: &StaffMember) -> Self {
        StaffView {
            id: person.id,
            name: person.name.clone(),
            phone: person.phone.as_e164().to_owned(),
            services: person.services.clone(),
            languages: person.languages.clone(),
            gender: person.gender,
            coordinator: person.is_coordinator,
            active: person.active,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    name: String,
    phone: String,
    services: Vec<Service>,
    languages: Vec<Language>,
    #[serde(default)]
    gender: Option<Gender>,
    #[serde(default)]
    coordinator: bool,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

/// What is wrong with a staff member as entered, field by field, for the API and the pages alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffProblem {
    NoName,
    /// The phone number is not one the hotline can ring (why, in English, for the API).
    Phone(String),
}

/// A staff member as entered, checked: a name, and a phone number the hotline can ring.
pub fn checked_staff(
    name: &str,
    phone: &str,
    services: Vec<Service>,
    languages: Vec<Language>,
    gender: Option<Gender>,
    coordinator: bool,
    active: bool,
) -> Result<NewStaff, StaffProblem> {
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(StaffProblem::NoName);
    }
    let phone = PhoneNumber::parse(phone).map_err(|e| StaffProblem::Phone(e.to_string()))?;
    Ok(NewStaff {
        name,
        phone,
        services,
        languages,
        gender,
        is_coordinator: coordinator,
        active,
    })
}

impl StaffInput {
    fn validate(self) -> Result<NewStaff, ApiError> {
        checked_staff(
            &self.name,
            &self.phone,
            self.services,
            self.languages,
            self.gender,
            self.coordinator,
            self.active,
        )
        .map_err(|problem| match problem {
            StaffProblem::NoName => ApiError::invalid("name", "a staff member needs a name"),
            StaffProblem::Phone(why) => ApiError::invalid("phone", why),
        })
    }
}

/// The audit entry for a change to a staff member, as the API and the pages both write it.
pub fn audit(
    actor: &str,
    state: &AppState,
    action: &str,
    subject: String,
    before: Option<&StaffMember>,
    after: Option<&NewStaff>,
) -> AuditEntry {
    AuditEntry {
        at: state.clock.now(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject,
        before: before.map(|p| serde_json::to_string(&StaffView::from(p)).unwrap_or_default()),
        after: after.map(|p| {
            serde_json::json!({ "name": p.name, "phone": p.phone.as_e164(), "services": p.services,
                "languages": p.languages, "gender": p.gender, "coordinator": p.is_coordinator, "active": p.active })
            .to_string()
        }),
    }
}

async fn member(state: &AppState, id: i64) -> Result<StaffMember, ApiError> {
    state
        .store
        .staff_member(id)
        .await?
        .ok_or_else(|| ApiError::not_found("staff member"))
}

pub async fn list(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<StaffView>>, ApiError> {
    Ok(Json(
        state
            .store
            .staff()
            .await?
            .iter()
            .map(StaffView::from)
            .collect(),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(input): JsonBody<StaffInput>,
) -> Result<(StatusCode, Json<StaffView>), ApiError> {
    let staff = input.validate()?;
    let entry = audit(
        &actor.0,
        &state,
        "create",
        String::new(),
        None,
        Some(&staff),
    );
    let Some(id) = state.store.create_staff(&staff, &entry).await? else {
        return Err(ApiError::conflict(format!(
            "{} is already a staff member's phone",
            staff.phone.masked()
        )));
    };
    let person = member(&state, id).await?;
    Ok((StatusCode::CREATED, Json(StaffView::from(&person))))
}

pub async fn show(
    State(state): State<AppState>,
    _: Actor,
    Path(id): Path<i64>,
) -> Result<Json<StaffView>, ApiError> {
    let person = member(&state, id).await?;
    Ok(Json(StaffView::from(&person)))
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<StaffInput>,
) -> Result<Json<StaffView>, ApiError> {
    let staff = input.validate()?;
    let before = member(&state, id).await?;
    let entry = audit(
        &actor.0,
        &state,
        "update",
        format!("staff/{id}"),
        Some(&before),
        Some(&staff),
    );
    if !state.store.update_staff(id, &staff, &entry).await? {
        return Err(ApiError::not_found("staff member"));
    }
    let person = member(&state, id).await?;
    Ok(Json(StaffView::from(&person)))
}

/// Deactivates: the person is never rung again, and the log keeps their name.
pub async fn deactivate(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let before = member(&state, id).await?;
    set_active(&state, &actor.0, &before, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivates (never rung again) or reactivates a staff member, audited as `deactivate` or
/// `reactivate`; false when there is no longer anyone with that id.
pub async fn set_active(
    state: &AppState,
    actor: &str,
    before: &StaffMember,
    active: bool,
) -> StoreResult<bool> {
    let staff = NewStaff {
        active,
        ..NewStaff::from(before)
    };
    let action = if active { "reactivate" } else { "deactivate" };
    let entry = audit(
        actor,
        state,
        action,
        format!("staff/{}", before.id),
        Some(before),
        Some(&staff),
    );
    state.store.update_staff(before.id, &staff, &entry).await
}

#[derive(Debug, Serialize)]
pub struct CalendarLink {
    pub url: String,
    /// For a coordinator: one feed per service.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub services: std::collections::BTreeMap<Service, String>,
}

/// The addresses `person` subscribes to: their own duties, and for a coordinator each service's.
/// The secret is made on first asking, or anew when `renew` (the old addresses stop working).
pub async fn feed_links(
    state: &AppState,
    headers: &HeaderMap,
    person: &StaffMember,
    renew: bool,
) -> StoreResult<CalendarLink> {
    let secret = calendar::feed_secret(state, person.id, renew).await?;
    let services = if person.is_coordinator {
        Service::ALL
            .into_iter()
            .map(|s| (s, calendar::feed_url(state, headers, &secret, Some(s))))
            .collect()
    } else {
        Default::default()
    };
    Ok(CalendarLink {
        url: calendar::feed_url(state, headers, &secret, None),
        services,
    })
}

async fn calendar_link(
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    renew: bool,
) -> Result<Json<CalendarLink>, ApiError> {
    let person = member(state, id).await?;
    Ok(Json(feed_links(state, headers, &person, renew).await?))
}

/// `GET /api/v1/staff/{id}/calendar`: the secret feed URL, made on first request.
pub async fn calendar(
    State(state): State<AppState>,
    _: Actor,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<CalendarLink>, ApiError> {
    calendar_link(&state, &headers, id, false).await
}

/// `POST /api/v1/staff/{id}/calendar`: a new secret; the old URL stops working.
pub async fn renew_calendar(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<CalendarLink>, ApiError> {
    tracing::info!(staff_id = id, actor = %actor.0, "calendar feed secret renewed");
    calendar_link(&state, &headers, id, true).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseInput {
    until: chrono::DateTime<chrono::Utc>,
}

/// `POST /api/v1/staff/{id}/pause`: the person is off duty for every service from now until
/// `until` ("on a break until 15:00"), without anyone editing the rota: a removal override.
pub async fn pause(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PauseInput>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    let now = state.clock.now();
    if input.until <= now {
        return Err(ApiError::invalid("until", "a break ends in the future"));
    }
    let pause = OverrideSpec {
        service: None,
        change: ChangeSpec::Remove { staff_id: id },
        starts_at: now,
        ends_at: input.until,
    };
    let editor = Editor {
        store: state.store.as_ref(),
        actor: actor.0,
        now,
    };
    let rule = editor.create(&pause).await?;
    let stored = state
        .store
        .rule(rule)
        .await?
        .ok_or_else(|| ApiError::not_found("rule"))?;
    Ok((StatusCode::CREATED, Json(RuleView::from_stored(stored)?)))
}

/// `POST /api/v1/staff/{id}/resume`: ends the person's breaks now.
pub async fn resume(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    let editor = Editor {
        store: state.store.as_ref(),
        actor: actor.0,
        now,
    };
    let rules = state
        .store
        .rules_between(now, now + chrono::Duration::seconds(1))
        .await?;
    for rule in rules
        .into_iter()
        .filter(|r| r.kind == RuleKind::Override && r.valid_until.is_none())
    {
        let Ok(spec) = serde_json::from_str::<OverrideSpec>(&rule.body) else {
            continue;
        };
        if spec.service.is_none() && spec.change == (ChangeSpec::Remove { staff_id: id }) {
            editor.close::<OverrideSpec>(rule.id).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
