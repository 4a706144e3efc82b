//! `/api/v1/audit`: the audit log, newest first — who changed what and when, and every number
//! revealed. Entries hold rota, staff and line settings, never a caller's number or words.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, QueryParams};
use crate::web::AppState;

/// At most this many entries in one answer.
const LONGEST_LIST: i64 = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// How many, newest first (default 100, at most 500).
    #[serde(default)]
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct AuditView {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    subject: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

/// Shows a stored JSON body as JSON, or as the text it is when it is not JSON.
fn body(text: Option<String>) -> Option<serde_json::Value> {
    text.map(|text| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// `GET /api/v1/audit?limit=`.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=LONGEST_LIST).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("between 1 and {LONGEST_LIST}"),
        ));
    }
    let entries = state.store.audit_log(limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|stored| AuditView {
                id: stored.id,
                at: stored.entry.at,
                actor: stored.entry.actor,
                action: stored.entry.action,
                subject: stored.entry.subject,
                before: body(stored.entry.before),
                after: body(stored.entry.after),
            })
            .collect(),
    ))
}
