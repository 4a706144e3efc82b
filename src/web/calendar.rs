//! Calendar feeds: each staff member subscribes to a secret URL in their phone's calendar and
//! sees their own duties; a coordinator's secret also opens one feed per service. The secret is
//! the only key, so it is long, random, kept hashed for lookup and sealed for showing again.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use hotline_schedules::model::Slot;
use hotline_schedules::{DutyShift, Rota, Service};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::AppState;
use super::ics::{self, Event};
use crate::store::{StoreError, StoreResult};

/// How far back and ahead a feed reaches.
const FEED_PAST: Duration = Duration::days(30);
const FEED_AHEAD: Duration = Duration::days(120);

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The staff member's feed secret, made on first use or when `renew` asks for a new one.
pub async fn feed_secret(state: &AppState, staff_id: i64, renew: bool) -> StoreResult<String> {
    let key = &state.secrets.data_key;
    if !renew && let Some(sealed) = state.store.calendar_secret(staff_id).await? {
        return key
            .open(&sealed)
            .map_err(|e| StoreError::Corrupt(e.to_string()));
    }
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    state
        .store
        .set_calendar_secret(staff_id, &secret_hash(&secret), &key.seal(&secret))
        .await?;
    Ok(secret)
}

/// The address a feed is fetched from: the public URL, or this request's Host.
pub fn feed_url(
    state: &AppState,
    headers: &HeaderMap,
    secret: &str,
    service: Option<Service>,
) -> String {
    let base = match &state.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => format!(
            "http://{}",
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost")
        ),
    };
    match service {
        Some(service) => format!("{base}/calendar/{secret}/{service}.ics"),
        None => format!("{base}/calendar/{secret}.ics"),
    }
}

fn service_label(service: Service) -> &'static str {
    match service {
        Service::Legal => "юридическая помощь",
        Service::Psychological => "психологическая помощь",
        Service::Mens => "мужская линия",
    }
}

fn position_label(slot: Slot) -> &'static str {
    match slot {
        Slot::Scheduled(p) if p.0 == 0 => "основной",
        Slot::Scheduled(_) => "резерв",
        Slot::Added => "дополнительно",
        Slot::Coordinator => "координатор",
    }
}

fn event(rota: &Rota, duty: &DutyShift, with_name: bool) -> Event {
    let who = rota
        .staff_member(duty.staff_id)
        .map(|p| p.name.as_str())
        .unwrap_or("?");
    let what = format!(
        "Дежурство: {} ({})",
        service_label(duty.service),
        position_label(duty.slot)
    );
    Event {
        uid: format!(
            "{}-{}-{}@hotline",
            super::api::source_name(duty.source).replace('/', "-"),
            duty.staff_id,
            duty.starts_at.timestamp()
        ),
        summary: if with_name {
            format!("{who} — {what}")
        } else {
            what
        },
        starts_at: duty.starts_at,
        ends_at: duty.ends_at,
    }
}

fn calendar_response(text: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        text,
    )
        .into_response()
}

/// `GET /calendar/{secret}.ics`: the staff member's own duties.
pub async fn own_feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(secret) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    feed(&state, secret, None).await
}

/// `GET /calendar/{secret}/{service}.ics`: a whole service, for a coordinator.
pub async fn service_feed(
    State(state): State<AppState>,
    Path((secret, file)): Path<(String, String)>,
) -> Response {
    let Some(service) = file
        .strip_suffix(".ics")
        .and_then(|name| name.parse::<Service>().ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    feed(&state, &secret, Some(service)).await
}

async fn feed(state: &AppState, secret: &str, service: Option<Service>) -> Response {
    let result = async {
        let Some(owner) = state
            .store
            .staff_by_calendar_hash(&secret_hash(secret))
            .await?
        else {
            return Ok(None);
        };
        if (service.is_some() && !owner.is_coordinator) || !owner.active {
            return Ok(None);
        }
        let now = state.clock.now();
        let (from, to) = (now - FEED_PAST, now + FEED_AHEAD);
        let (_, rota) = crate::rota::load(state.store.as_ref(), from, to).await?;
        let duties = rota.duties_between(from, to);
        let (name, events): (String, Vec<Event>) = match service {
            Some(service) => (
                format!("Горячая линия: {}", service_label(service)),
                duties
                    .iter()
                    .filter(|d| d.service == service)
                    .map(|d| event(&rota, d, true))
                    .collect(),
            ),
            None => (
                format!("Горячая линия: дежурства ({})", owner.name),
                duties
                    .iter()
                    .filter(|d| d.staff_id == owner.id)
                    .map(|d| event(&rota, d, false))
                    .collect(),
            ),
        };
        Ok::<_, StoreError>(Some(ics::calendar(&name, &events, now)))
    }
    .await;
    match result {
        Ok(Some(text)) => calendar_response(text),
        // An unknown secret looks like nothing at all, never like a wrong guess.
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "a calendar feed could not be made");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
