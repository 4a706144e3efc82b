//! The coordinators' morning digest: yesterday in counts, the follow-ups still owed, the
//! rota's gaps in the week ahead. Once per day however often its job runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hotline_routes::digest::{DigestFacts, digest_text};
use hotline_schedules::day_start;

use super::recurring::Work;
use super::runner::JobError;
use crate::audit_chain::Anchor;
use crate::store::StoreError;
use crate::web::AppState;

/// The kind of the digest's jobs.
pub const KIND: &str = "digest";
/// How far ahead the digest looks for gaps.
const GAPS_AHEAD: Duration = Duration::days(7);

pub struct Digest {
    state: AppState,
}

impl Digest {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl Work for Digest {
    async fn run(&self, at: DateTime<Utc>) -> Result<(), JobError> {
        let state = &self.state;
        let zone = state.schedule.zone;
        let day = at.with_timezone(&zone).date_naive() - Duration::days(1);
        let facts = facts(state, day, state.clock.now()).await?;
        let body = digest_text(&facts, zone);
        crate::notify::coordinators(state, &format!("digest:{day}"), &body, state.clock.now())
            .await?;
        Ok(())
    }
}

/// What the digest for local `day` tells, as of `now`.
pub async fn facts(
    state: &AppState,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DigestFacts, StoreError> {
    let zone = state.schedule.zone;
    let (from, to) = (
        day_start(zone, day),
        day_start(zone, day + Duration::days(1)),
    );
    let mut calls = BTreeMap::new();
    for call in state.store.calls_between(from, to).await? {
        *calls.entry((call.service, call.outcome)).or_insert(0) += 1;
    }
    let conversations = state
        .store
        .conversations_opened(from, to)
        .await?
        .into_iter()
        .map(|(service, count)| (service, u32::try_from(count).unwrap_or(u32::MAX)))
        .collect();
    let open_follow_ups = state
        .store
        .open_follow_ups()
        .await?
        .iter()
        .map(|owed| now - owed.created_at)
        .collect();
    let gaps = super::rota_watch::gaps_ahead(state, now, GAPS_AHEAD).await?;
    let (head_id, head_hash) = state.store.audit_head().await?;
    let audit_anchor = (head_id > 0).then(|| Anchor::of(head_id, &head_hash).to_string());
    Ok(DigestFacts {
        day,
        calls,
        conversations,
        open_follow_ups,
        gaps,
        audit_anchor,
    })
}
