//! Reminding about missed contacts until someone answers: a follow-up's opening schedules its
//! first reminder as a durable job; each reminder, while the follow-up is still open, texts the
//! people it reaches now (through the outbox, once per follow-up, reminder and person) and
//! schedules the next. A follow-up assigned to an active staff member reminds her instead of the
//! people on duty; once she is deactivated, the people on duty again. Who, when and what are
//! decided in `hotline_routes::follow_up`.

use chrono::{DateTime, Utc};
use hotline_routes::follow_up::{self, Missed};
use hotline_schedules::StaffMember;
use hotline_schedules::model::{OnDuty, Slot};
use serde::{Deserialize, Serialize};

use super::runner::{JobError, JobHandler};
use crate::store::{Job, JobOf, NewJob, Store, StoreError};
use crate::web::AppState;

/// The kind of a reminder's job.
pub const KIND: &str = "follow-up-reminder";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Payload {
    follow_up: i64,
    /// 1 for the first.
    n: u32,
    /// When it was due, which the next one counts from.
    due_at: DateTime<Utc>,
}

/// Schedules reminder `n` about `follow_up` at `due_at`, once however often it is asked.
pub async fn schedule(
    store: &dyn Store,
    follow_up: i64,
    n: u32,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    store
        .enqueue_job(&reminder_job(follow_up, n, due_at, now)?)
        .await
}

/// The job of reminder `n` about `follow_up`, keyed so that it is queued once.
fn reminder_job(
    follow_up: i64,
    n: u32,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<NewJob, StoreError> {
    let payload = Payload {
        follow_up,
        n,
        due_at,
    };
    Ok(NewJob {
        kind: KIND.to_owned(),
        payload: serde_json::to_string(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        idempotency_key: format!("follow-up:{follow_up}:reminder:{n}"),
        due_at,
        created_at: now,
    })
}

/// Schedules the first reminder of a follow-up just opened at `opened_at`; with
/// `opening_told_them` (her first text was relayed with what to do) one interval on.
pub async fn schedule_first(
    state: &AppState,
    follow_up: i64,
    opened_at: DateTime<Utc>,
    opening_told_them: bool,
) -> Result<bool, StoreError> {
    let due_at = follow_up::first_due_at(&state.reminders, opened_at, opening_told_them);
    schedule(state.store.as_ref(), follow_up, 1, due_at, opened_at).await
}

/// The first reminder of the follow-up a conversation opened at `opened_at` makes, as
/// `schedule_first` would queue it, for the opening to write once the follow-up has its id.
pub fn first_of_opening(
    state: &AppState,
    opened_at: DateTime<Utc>,
    opening_told_them: bool,
) -> JobOf {
    let due_at = follow_up::first_due_at(&state.reminders, opened_at, opening_told_them);
    JobOf::new(move |follow_up| reminder_job(follow_up, 1, due_at, opened_at))
}

/// Runs reminder jobs.
pub struct Reminders {
    state: AppState,
}

impl Reminders {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl JobHandler for Reminders {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let payload: Payload = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::Fatal(format!("a reminder's payload is not readable: {e}")))?;
        let state = &self.state;
        let store = state.store.as_ref();
        let Some(owed) = store.follow_up(payload.follow_up).await? else {
            return Err(JobError::Fatal(format!(
                "follow-up {} does not exist",
                payload.follow_up
            )));
        };
        if owed.status != "open" {
            return Ok(());
        }
        let now = state.clock.now();
        let (staff, rota) =
            crate::rota::load(store, now, now + chrono::Duration::seconds(1)).await?;
        let on_duty: Vec<OnDuty> = match owed.service {
            Some(service) => rota.on_duty(service, None, now),
            // She hung up at the menu: no service owes it, the coordinators do.
            None => staff
                .iter()
                .filter(|p| p.is_coordinator && p.active)
                .map(|p| OnDuty {
                    staff_id: p.id,
                    slot: Slot::Coordinator,
                })
                .collect(),
        };
        let reach = follow_up::reach(&state.reminders, payload.n);
        let ids = match owed.holder() {
            Some(assignee) => follow_up::assigned_recipients(assignee, &on_duty, reach),
            None => follow_up::recipients(&on_duty, reach),
        };
        let people: Vec<&StaffMember> = ids
            .iter()
            .filter_map(|id| staff.iter().find(|p| p.id == *id && p.active))
            .collect();
        let missed = match owed.code.as_deref() {
            Some(code) => Missed::Conversation { code },
            None => Missed::Call,
        };
        let body = follow_up::reminder_text(
            owed.id,
            payload.n,
            owed.service,
            &owed.line_number,
            now - owed.created_at,
            missed,
        );
        let event = format!("follow-up:{}:reminder:{}", owed.id, payload.n);
        crate::notify::people(state, &people, &event, &body, now).await?;
        if people.is_empty() {
            tracing::error!(
                follow_up = owed.id,
                "a reminder reached nobody: no one on duty and no coordinator"
            );
        }
        store.count_reminder(owed.id, i64::from(payload.n)).await?;
        let next = follow_up::next_due_at(&state.reminders, payload.due_at);
        schedule(store, owed.id, payload.n + 1, next, now).await?;
        Ok(())
    }
}
