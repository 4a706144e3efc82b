//! A follow-up planned for a set time comes due: its staff member is texted what they planned,
//! with their note (the coordinators, if that person has been deactivated meanwhile), and she
//! gets the plan's text to her, if it has one — queued with her hash, so the outbox sends it
//! only if her consent allows it when it goes: held outside her safe hours, withheld once she
//! has said STOP or her consent has ended. A plan cancelled before then sends nothing.

use hotline_routes::follow_up::{Planned, planned_text};
use hotline_schedules::StaffMember;
use serde::Deserialize;

use super::runner::{JobError, JobHandler};
use crate::store::{Job, NewOutboxMessage, PLANNED_JOB};
use crate::web::AppState;

/// The kind of a plan's job (its job is written with the plan, by the store).
pub const KIND: &str = PLANNED_JOB;

#[derive(Debug, Deserialize)]
struct Payload {
    planned: i64,
}

pub struct PlannedFollowUps {
    state: AppState,
}

impl PlannedFollowUps {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl JobHandler for PlannedFollowUps {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let Payload { planned } = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::Fatal(format!("a plan's payload is not readable: {e}")))?;
        let state = &self.state;
        let store = state.store.as_ref();
        let Some(plan) = store.planned_follow_up(planned).await? else {
            return Err(JobError::Fatal(format!(
                "planned follow-up {planned} does not exist"
            )));
        };
        if plan.status != "planned" {
            return Ok(());
        }
        let conversation = match plan.conversation_id {
            Some(id) => store.conversation(id).await?,
            None => None,
        };
        let code = conversation.as_ref().map(|c| c.code.clone());
        let about = match (&code, plan.call_id) {
            (Some(code), _) => Planned::Conversation { code },
            (None, Some(id)) => Planned::Call { id },
            (None, None) => {
                return Err(JobError::Fatal(format!(
                    "planned follow-up {planned} is about nothing"
                )));
            }
        };
        let note =
            match &plan.note_sealed {
                Some(sealed) => Some(state.secrets.data_key.open(sealed).map_err(|e| {
                    JobError::Fatal(format!("a plan's note cannot be opened: {e}"))
                })?),
                None => None,
            };
        let body = planned_text(about, plan.due_at, state.schedule.zone, note.as_deref());
        let event = format!("{KIND}:{}", plan.id);
        let now = state.clock.now();
        let staff = store.staff().await?;
        let person: Vec<&StaffMember> = staff
            .iter()
            .filter(|p| p.id == plan.staff_id && p.active)
            .collect();
        if person.is_empty() {
            tracing::warn!(
                planned = plan.id,
                "a planned follow-up's person is deactivated; the coordinators are told"
            );
            crate::notify::coordinators(state, &event, &body, now).await?;
        } else {
            crate::notify::people(state, &person, &event, &body, now).await?;
        }
        if let (Some(text), Some(conversation)) = (&plan.her_text_sealed, &conversation)
            // Erased by retention: nothing to send to.
            && !conversation.contact_sealed.is_empty()
        {
            store
                .enqueue_outbox(&NewOutboxMessage {
                    idempotency_key: format!("{event}:her"),
                    channel: conversation.channel.as_str().to_owned(),
                    to_sealed: conversation.contact_sealed.clone(),
                    body_sealed: text.clone(),
                    created_at: now,
                    contact_hash: Some(conversation.contact_hash.clone()),
                })
                .await?;
        }
        store.finish_planned(plan.id, now).await?;
        Ok(())
    }
}
