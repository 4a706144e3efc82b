//! `/audit`: the audit log for the coordinator, newest first, a page at a time with a link to
//! the older ones — who did what to which subject and when (local time), and the subject before
//! and after as readable JSON. The log holds rota, staff and line settings, never a caller's
//! number: a reveal is kept as `call/ID` and nothing more, and this page shows only what is kept.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::layout::{self, Layout, render};
use super::session::Coordinator;
use super::words::Text;
use crate::store::StoredAudit;
use crate::web::AppState;

/// Entries on one page.
pub const PAGE_SIZE: i64 = 100;

#[derive(Debug)]
pub struct AuditLine {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub page: Layout,
    pub entries: Vec<AuditLine>,
    /// The link to the next older page, when there are older entries.
    pub older: Option<String>,
    /// Whether this is a page further back than the newest.
    pub back: bool,
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// Show the entries older than this one.
    #[serde(default)]
    before: Option<i64>,
}

/// A kept body as indented JSON, or as the text it is when it is not JSON.
fn readable(text: Option<String>) -> Option<String> {
    text.map(|text| {
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|value| serde_json::to_string_pretty(&value).ok())
            .unwrap_or(text)
    })
}

fn line(state: &AppState, stored: StoredAudit) -> AuditLine {
    let entry = stored.entry;
    AuditLine {
        id: stored.id,
        at: entry
            .at
            .with_timezone(&state.schedule.zone)
            .format("%d.%m.%Y %H:%M:%S")
            .to_string(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        before: readable(entry.before),
        after: readable(entry.after),
    }
}

/// `GET /audit?before=ID`
pub async fn list(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Query(query): Query<AuditQuery>,
) -> Response {
    // One more than a page, to know whether there is an older page without counting.
    let entries = match query.before {
        Some(before) => state.store.audit_log_before(before, PAGE_SIZE + 1).await,
        None => state.store.audit_log(PAGE_SIZE + 1).await,
    };
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(error) => return layout::server_error(error),
    };
    let more = entries.len() as i64 > PAGE_SIZE;
    entries.truncate(PAGE_SIZE as usize);
    let older = more
        .then(|| entries.last().map(|e| format!("/audit?before={}", e.id)))
        .flatten();
    render(&AuditPage {
        entries: entries.into_iter().map(|e| line(&state, e)).collect(),
        older,
        back: query.before.is_some(),
        page: Layout::new(&user, Text::AuditLog),
    })
}
