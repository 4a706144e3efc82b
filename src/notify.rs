//! Telling staff by text, through the outbox: a follow-up that is owed, a fault a person must
//! look at. Texts name the line, the service and a number to look up — never the caller.

use chrono::{DateTime, Utc};
use hotline_schedules::{Service, StaffMember};

use crate::store::{NewOutboxMessage, StoreError};
use crate::web::AppState;

/// Queues `body` for each of `people`, once per `event` and person however often it is asked.
async fn tell(
    state: &AppState,
    people: &[&StaffMember],
    event: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let key = &state.secrets.data_key;
    for person in people {
        let message = NewOutboxMessage {
            idempotency_key: format!("{event}:{}", person.id),
            channel: "sms".to_owned(),
            to_sealed: key.seal(person.phone.as_e164()),
            body_sealed: key.seal(body),
            created_at: now,
            contact_hash: None,
        };
        state.store.enqueue_outbox(&message).await?;
    }
    Ok(())
}

/// Each of `people`.
pub async fn people(
    state: &AppState,
    people: &[&StaffMember],
    event: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tell(state, people, event, body, now).await
}

/// Every active coordinator.
pub async fn coordinators(
    state: &AppState,
    event: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let staff = state.store.staff().await?;
    let people: Vec<&StaffMember> = staff
        .iter()
        .filter(|p| p.is_coordinator && p.active)
        .collect();
    tell(state, &people, event, body, now).await
}

/// The people on duty for `service` now and the coordinators; just the coordinators when the
/// service is not known (she hung up at the menu).
pub async fn on_duty_and_coordinators(
    state: &AppState,
    service: Option<Service>,
    event: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(service) = service else {
        return coordinators(state, event, body, now).await;
    };
    let (staff, rota) = crate::rota::load(
        state.store.as_ref(),
        now,
        now + chrono::Duration::seconds(1),
    )
    .await?;
    let ids: Vec<i64> = rota
        .on_duty(service, None, now)
        .iter()
        .map(|duty| duty.staff_id)
        .collect();
    let people: Vec<&StaffMember> = staff.iter().filter(|p| ids.contains(&p.id)).collect();
    tell(state, &people, event, body, now).await
}
