//! Closes calls whose end the provider never reported, so no call stays "ringing" forever, no
//! person stays busy forever, and every call that reached nobody is followed up.

use std::time::Duration;

use hotline_routes::call::{self, CallOutcome};

use crate::store::{CallStatusUpdate, StoreError};
use crate::web::AppState;

/// How often the watchdog looks.
pub const INTERVAL: Duration = Duration::from_secs(300);
/// A call older than this that has not ended never will: the provider's callback was lost.
pub const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::hours(4);

/// One pass: closes every call started more than `GIVE_UP_AFTER` ago that has not ended.
pub async fn close_stale_calls(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let stale = state.store.unfinished_calls(now - GIVE_UP_AFTER).await?;
    for call in &stale {
        let outcome = match call.outcome {
            Some(outcome) => outcome,
            None if state.store.has_voicemail(call.id).await? => CallOutcome::Voicemail,
            None => CallOutcome::Closed,
        };
        let update = CallStatusUpdate {
            call_sid: call.call_sid.clone(),
            status: "closed".to_owned(),
            // After anything the provider could still send.
            sequence: i64::from(i32::MAX),
            ended_at: Some(now),
            duration_secs: None,
            outcome: Some(outcome),
        };
        state.store.apply_call_status(&update).await?;
        tracing::warn!(
            call_id = call.id,
            outcome = outcome.as_str(),
            "closed a call whose end was never reported"
        );
        state
            .metrics
            .count("hotline_call_events_total", "event", "closed_by_watchdog");
        if call::owes_follow_up(outcome) {
            crate::web::voice::open_follow_up(state, call, outcome, now).await?;
        }
    }
    Ok(stale.len())
}
