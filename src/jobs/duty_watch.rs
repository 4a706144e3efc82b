//! Telling each person about their own duty: a text `lead` before each stretch of duty starts,
//! and a text when a stretch of theirs in the days ahead is added, moved or removed — whatever
//! made the change (the API, a swap, a pause by text, an import). Every few minutes the watch
//! lays out the rota ahead and compares it with what it saw last (kept in the store), so a
//! restart neither repeats a notice nor skips one, and reminders due while the server was down
//! are sent when it is back, as long as the duty has not started.

use chrono::{DateTime, Duration, Utc};
use hotline_routes::shift_notice::{change_text, reminder_text};
use hotline_schedules::{
    ShiftChange, StaffMember, Stretch, reminder_span, shift_reminders, stretch_changes, stretches,
};
use serde::{Deserialize, Serialize};

use super::recurring::Work;
use super::runner::JobError;
use crate::store::StoreError;
use crate::web::AppState;

/// The kind of the watch's jobs, and how often it looks.
pub const KIND: &str = "duty-watch";
pub const EVERY: Duration = Duration::minutes(5);

/// The watch's memory: the stretches ahead each person was last known to have…
const SEEN: &str = "duty-stretches";
/// …and how far the reminders have been sent.
const REMINDED: &str = "shift-reminders";

#[derive(Debug, Serialize, Deserialize)]
struct Seen {
    /// The stretches were laid out up to here.
    until: DateTime<Utc>,
    stretches: Vec<Stretch>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Reminded {
    until: DateTime<Utc>,
}

pub struct DutyWatch {
    state: AppState,
}

impl DutyWatch {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl Work for DutyWatch {
    async fn run(&self, _at: DateTime<Utc>) -> Result<(), JobError> {
        let now = self.state.clock.now();
        tell_changes(&self.state, now).await?;
        remind(&self.state, now).await?;
        Ok(())
    }
}

fn corrupt(error: serde_json::Error) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// Texts each person the changes to their stretches ahead since the watch last looked.
pub async fn tell_changes(state: &AppState, now: DateTime<Utc>) -> Result<(), StoreError> {
    let store = state.store.as_ref();
    let until = now + state.schedule.shift_notice_ahead;
    let (staff, rota) = crate::rota::load(store, now, until).await?;
    let current = stretches(&rota.duties_between(now, until));
    let seen = match store.watched(SEEN).await? {
        Some(body) => Some(serde_json::from_str::<Seen>(&body).map_err(corrupt)?),
        // The first look only learns the rota: every shift would otherwise be "new".
        None => None,
    };
    if let Some(seen) = &seen {
        // Both sides over the span both looked at, so time passing is no change.
        let common = seen.until.min(until);
        let within = |all: &[Stretch]| -> Vec<Stretch> {
            all.iter().filter_map(|s| s.within(now, common)).collect()
        };
        for change in stretch_changes(&within(&seen.stretches), &within(&current)) {
            let Some(person) = active(&staff, change.staff_id()) else {
                continue;
            };
            let event = format!("shift-change:{}:{}", seen.until.timestamp(), key(&change));
            let body = change_text(&change, state.schedule.zone);
            crate::notify::people(state, &[person], &event, &body, now).await?;
        }
    }
    let body = serde_json::to_string(&Seen {
        until,
        stretches: current,
    })
    .map_err(corrupt)?;
    store.keep_watched(SEEN, &body, now).await
}

/// Texts the reminders that fell due since the last were sent, for duties not yet begun.
pub async fn remind(state: &AppState, now: DateTime<Utc>) -> Result<(), StoreError> {
    let store = state.store.as_ref();
    let lead = state.schedule.shift_reminder_lead;
    let last = match store.watched(REMINDED).await? {
        Some(body) => {
            serde_json::from_str::<Reminded>(&body)
                .map_err(corrupt)?
                .until
        }
        None => now - EVERY,
    };
    // A reminder due longer ago than `lead` is about a duty already begun.
    let from = last.max(now - lead);
    let to = now + Duration::seconds(1);
    if from < to {
        let (read_from, read_to) = reminder_span(from, to, lead);
        let (staff, rota) = crate::rota::load(store, read_from, read_to).await?;
        let duties = rota.duties_between(read_from, read_to);
        for reminder in shift_reminders(&duties, lead, from, to) {
            let Some(person) = active(&staff, reminder.staff_id) else {
                continue;
            };
            let event = format!("shift-reminder:{}", reminder.key());
            let body = reminder_text(&reminder, state.schedule.zone);
            crate::notify::people(state, &[person], &event, &body, now).await?;
        }
    }
    let body = serde_json::to_string(&Reminded {
        until: to.max(last),
    })
    .map_err(corrupt)?;
    store.keep_watched(REMINDED, &body, now).await
}

fn active(staff: &[StaffMember], id: i64) -> Option<&StaffMember> {
    staff.iter().find(|p| p.id == id && p.active)
}

/// Names a change for its texts' idempotency key.
fn key(change: &ShiftChange) -> String {
    match change {
        ShiftChange::Added { shift } => format!("added:{}", shift.key()),
        ShiftChange::Removed { shift } => format!("removed:{}", shift.key()),
        ShiftChange::Moved { from, to } => {
            format!(
                "moved:{}:{}:{}",
                from.key(),
                to.key(),
                to.ends_at.timestamp()
            )
        }
    }
}
