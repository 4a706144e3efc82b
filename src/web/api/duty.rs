//! `/api/v1/on-duty`, `/rota`, `/gaps` and `/swaps`: what the rota says, as a call would ask it,
//! as calendars show it, and where it leaves nobody.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use hotline_schedules::model::{OnDuty, Slot};
use hotline_schedules::{DutyShift, DutySource, Language, Rota, Service, StaffMember};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, JsonBody, QueryParams};
use super::rules::RuleView;
use crate::rota::edit::Editor;
use crate::rota::swap::{DutyKey, swap_duties};
use crate::web::AppState;

/// The longest span `/rota` and `/gaps` lay out: an hourly rotation makes thousands of pieces a
/// year, and an unbounded range would never finish.
pub const LONGEST_RANGE: Duration = Duration::days(400);

/// How a place in the order of whom to ring is named.
pub fn slot_name(slot: Slot) -> String {
    match slot {
        Slot::Scheduled(position) if position.0 == 0 => "primary".to_owned(),
        Slot::Scheduled(position) if position.0 == 1 => "backup".to_owned(),
        Slot::Scheduled(position) => format!("position {}", u32::from(position.0) + 1),
        Slot::Added => "added".to_owned(),
        Slot::Coordinator => "coordinator".to_owned(),
    }
}

pub fn source_name(source: DutySource) -> String {
    match source {
        DutySource::Rotation(id) => format!("rotation/{id}"),
        DutySource::Shift(id) => format!("shift/{id}"),
        DutySource::Override(id) => format!("override/{id}"),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnDutyQuery {
    service: Service,
    #[serde(default)]
    language: Option<Language>,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct OnDutyView {
    staff_id: i64,
    name: String,
    phone: String,
    position: String,
    speaks_language: Option<bool>,
}

fn person(rota: &Rota, id: i64) -> Result<&StaffMember, ApiError> {
    rota.staff_member(id)
        .ok_or_else(|| ApiError::not_found("staff member"))
}

/// `GET /api/v1/on-duty`: whom a call would ring, in order.
pub async fn on_duty(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<OnDutyQuery>,
) -> Result<Json<Vec<OnDutyView>>, ApiError> {
    let at = query.at.unwrap_or_else(|| state.clock.now());
    let (_, rota) = crate::rota::load(state.store.as_ref(), at, at + Duration::seconds(1)).await?;
    let people = rota.on_duty(query.service, query.language, at);
    let view = |duty: &OnDuty| -> Result<OnDutyView, ApiError> {
        let member = person(&rota, duty.staff_id)?;
        Ok(OnDutyView {
            staff_id: duty.staff_id,
            name: member.name.clone(),
            phone: member.phone.as_e164().to_owned(),
            position: slot_name(duty.slot),
            speaks_language: query
                .language
                .map(|language| member.languages.contains(&language)),
        })
    };
    Ok(Json(people.iter().map(view).collect::<Result<_, _>>()?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[serde(default)]
    service: Option<Service>,
    #[serde(default)]
    language: Option<Language>,
}

impl RangeQuery {
    fn checked(&self) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
        if self.to <= self.from {
            return Err(ApiError::invalid("to", "to must be after from"));
        }
        if self.to - self.from > LONGEST_RANGE {
            return Err(ApiError::invalid(
                "to",
                format!(
                    "ask for at most {} days at a time",
                    LONGEST_RANGE.num_days()
                ),
            ));
        }
        Ok((self.from, self.to))
    }
}

#[derive(Debug, Serialize)]
pub struct DutyView {
    staff_id: i64,
    name: String,
    service: Service,
    position: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    source: String,
    in_place_of: Option<i64>,
}

fn duty_view(rota: &Rota, duty: &DutyShift) -> Result<DutyView, ApiError> {
    Ok(DutyView {
        staff_id: duty.staff_id,
        name: person(rota, duty.staff_id)?.name.clone(),
        service: duty.service,
        position: slot_name(duty.slot),
        starts_at: duty.starts_at,
        ends_at: duty.ends_at,
        source: source_name(duty.source),
        in_place_of: duty.in_place_of,
    })
}

/// `GET /api/v1/rota`: the duty intervals between two instants, overrides applied.
pub async fn rota(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<RangeQuery>,
) -> Result<Json<Vec<DutyView>>, ApiError> {
    let (from, to) = query.checked()?;
    let (_, rota) = crate::rota::load(state.store.as_ref(), from, to).await?;
    let duties = rota.duties_between(from, to);
    let wanted = duties
        .iter()
        .filter(|d| query.service.is_none_or(|s| s == d.service));
    Ok(Json(
        wanted
            .map(|duty| duty_view(&rota, duty))
            .collect::<Result<_, _>>()?,
    ))
}

#[derive(Debug, Serialize)]
pub struct GapView {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

/// `GET /api/v1/gaps`: every interval with nobody on duty for a service.
pub async fn gaps(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<RangeQuery>,
) -> Result<Json<Vec<GapView>>, ApiError> {
    let (from, to) = query.checked()?;
    let service = query
        .service
        .ok_or_else(|| ApiError::invalid("service", "name the service"))?;
    let (_, rota) = crate::rota::load(state.store.as_ref(), from, to).await?;
    let gaps = rota.gaps(service, query.language, from, to);
    Ok(Json(
        gaps.into_iter()
            .map(|(starts_at, ends_at)| GapView { starts_at, ends_at })
            .collect(),
    ))
}

/// A duty interval as `/rota` lists it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyRef {
    staff_id: i64,
    service: Service,
    starts_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwapInput {
    first: DutyRef,
    second: DutyRef,
}

/// `POST /api/v1/swaps`: two staff exchange two duties in one step.
pub async fn swap(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(input): JsonBody<SwapInput>,
) -> Result<(StatusCode, Json<Vec<RuleView>>), ApiError> {
    let key = |duty: DutyRef| DutyKey {
        staff_id: duty.staff_id,
        service: duty.service,
        starts_at: duty.starts_at,
    };
    let editor = Editor {
        store: state.store.as_ref(),
        actor: actor.0,
        now: state.clock.now(),
    };
    let ids = swap_duties(&editor, key(input.first), key(input.second)).await?;
    let mut views = Vec::new();
    for id in ids {
        let rule = state
            .store
            .rule(id)
            .await?
            .ok_or_else(|| ApiError::not_found("rule"))?;
        views.push(RuleView::from_stored(rule)?);
    }
    Ok((StatusCode::CREATED, Json(views)))
}
