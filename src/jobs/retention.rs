//! Retention: once a day (the scheduler's choice), erase what identifies the person who reached
//! out from contacts closed longer ago than the hotline keeps them, keeping the counts reports
//! need (see `crate::store::RetentionStore`). It logs how many of each kind were erased, never
//! a value. Then it checks the audit log's chain (`audit_watch`).

use chrono::{DateTime, Utc};

use crate::store::{Erased, Store, StoreError};

/// Erases the contacts closed before `now - keep`. A `keep` of zero or less erases every
/// closed contact: nothing can have closed after `now`.
#[tracing::instrument(skip(store), fields(keep_days = keep.num_days()))]
pub async fn erase_expired(
    store: &dyn Store,
    now: DateTime<Utc>,
    keep: chrono::Duration,
) -> Result<Erased, StoreError> {
    let cutoff = now - keep.max(chrono::Duration::zero());
    let erased = store.erase_closed_contacts(cutoff, now).await?;
    tracing::info!(
        %cutoff,
        calls = erased.calls,
        voicemails = erased.voicemails,
        conversations = erased.conversations,
        messages = erased.messages,
        outbox = erased.outbox,
        notes = erased.notes,
        "retention: contacts closed before the cutoff erased"
    );
    Ok(erased)
}

/// The kind of retention's daily job, and when it runs: at night, in the hotline's zone, when
/// the line is quietest.
pub const KIND: &str = "retention";
pub const NIGHTLY: &str = "30 3 * * *";
/// Done jobs are kept this long (to see what ran), then forgotten: the table stays small.
pub const DONE_JOBS_KEPT: chrono::Duration = chrono::Duration::days(30);

/// Retention as recurring work.
pub struct Retention {
    state: crate::web::AppState,
}

impl Retention {
    pub fn new(state: crate::web::AppState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl super::recurring::Work for Retention {
    async fn run(&self, _at: DateTime<Utc>) -> Result<(), super::runner::JobError> {
        let state = &self.state;
        let now = state.clock.now();
        erase_expired(state.store.as_ref(), now, state.schedule.retention).await?;
        let forgotten = state.store.forget_done_jobs(now - DONE_JOBS_KEPT).await?;
        tracing::info!(forgotten, "retention: done jobs forgotten");
        // After retention's own erasures, which the chain must survive.
        super::audit_watch::check(state, now).await?;
        Ok(())
    }
}
