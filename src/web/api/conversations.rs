//! `/api/v1/conversations`: the message log — each text conversation opened in a range, its
//! code, line, channel and service, whether it is open, and her number masked. Filters as the
//! coordinator's log needs them. Never her words: those stay with the staff she wrote to.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use hotline_schedules::{PhoneNumber, Service};
use serde::{Deserialize, Serialize};

use super::duty::LONGEST_RANGE;
use super::error::ApiError;
use super::extract::{Actor, QueryParams};
use crate::store::Conversation;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationsQuery {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[serde(default)]
    line: Option<String>,
    #[serde(default)]
    service: Option<Service>,
    /// sms or whatsapp
    #[serde(default)]
    channel: Option<String>,
    /// open or closed
    #[serde(default)]
    status: Option<String>,
}

impl ConversationsQuery {
    fn admits(&self, conversation: &Conversation) -> bool {
        let status = if conversation.open { "open" } else { "closed" };
        self.line
            .as_ref()
            .is_none_or(|line| &conversation.line_number == line)
            && self
                .service
                .is_none_or(|service| conversation.service == service)
            && self
                .channel
                .as_deref()
                .is_none_or(|channel| conversation.channel.as_str() == channel)
            && self.status.as_deref().is_none_or(|wanted| wanted == status)
    }
}

#[derive(Debug, Serialize)]
pub struct ConversationView {
    id: i64,
    code: String,
    line: String,
    /// sms, whatsapp
    channel: &'static str,
    service: Service,
    /// Her number masked; "(erased)" once retention has erased it.
    contact: String,
    open: bool,
    follow_up_id: Option<i64>,
    opened_at: DateTime<Utc>,
    last_inbound_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    closed_by: Option<i64>,
}

fn masked_contact(state: &AppState, conversation: &Conversation) -> String {
    if conversation.contact_sealed.is_empty() {
        return "(erased)".to_owned();
    }
    match state.secrets.data_key.open(&conversation.contact_sealed) {
        Ok(number) => PhoneNumber::parse(number.trim_start_matches("whatsapp:"))
            .map(|n| n.masked())
            .unwrap_or_else(|_| "(withheld)".to_owned()),
        Err(_) => "(unreadable)".to_owned(),
    }
}

/// `GET /api/v1/conversations?from=&to=[&line=&service=&channel=&status=]`: oldest first.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<ConversationsQuery>,
) -> Result<Json<Vec<ConversationView>>, ApiError> {
    if query.to <= query.from || query.to - query.from > LONGEST_RANGE {
        return Err(ApiError::invalid(
            "to",
            format!(
                "to must be after from, by at most {} days",
                LONGEST_RANGE.num_days()
            ),
        ));
    }
    if query
        .channel
        .as_deref()
        .is_some_and(|c| !matches!(c, "sms" | "whatsapp"))
    {
        return Err(ApiError::invalid("channel", "sms or whatsapp"));
    }
    if query
        .status
        .as_deref()
        .is_some_and(|s| !matches!(s, "open" | "closed"))
    {
        return Err(ApiError::invalid("status", "open or closed"));
    }
    let conversations = state
        .store
        .conversations_between(query.from, query.to)
        .await?;
    Ok(Json(
        conversations
            .iter()
            .filter(|c| query.admits(c))
            .map(|c| ConversationView {
                id: c.id,
                code: c.code.clone(),
                line: c.line_number.clone(),
                channel: c.channel.as_str(),
                service: c.service,
                contact: masked_contact(&state, c),
                open: c.open,
                follow_up_id: c.follow_up_id,
                opened_at: c.opened_at,
                last_inbound_at: c.last_inbound_at,
                closed_at: c.closed_at,
                closed_by: c.closed_by,
            })
            .collect(),
    ))
}
