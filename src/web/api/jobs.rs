//! `/api/v1/jobs/dead`: the scheduled jobs the server gave up on (a reminder it could not
//! send, again and again), newest first, for the coordinator to look at.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::ApiError;
use super::extract::Actor;
use crate::web::AppState;

const LONGEST_LIST: i64 = 200;

#[derive(Debug, Serialize)]
pub struct DeadJobView {
    id: i64,
    kind: String,
    key: String,
    due_at: DateTime<Utc>,
    attempts: i64,
    last_error: Option<String>,
    given_up_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/jobs/dead`.
pub async fn dead(
    State(state): State<AppState>,
    _: Actor,
) -> Result<Json<Vec<DeadJobView>>, ApiError> {
    let jobs = state.store.dead_jobs(LONGEST_LIST).await?;
    Ok(Json(
        jobs.into_iter()
            .map(|job| DeadJobView {
                id: job.id,
                kind: job.kind,
                key: job.idempotency_key,
                due_at: job.due_at,
                attempts: job.attempts,
                last_error: job.last_error,
                given_up_at: job.finished_at,
            })
            .collect(),
    ))
}
