//! `/api/v1/conversations`: the message log — each text conversation opened in a range, its
//! code, line, channel and service, whether it is open, and her number masked. Filters as the
//! coordinator's log needs them. Never her words: those stay with the staff she wrote to.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use hotline_schedules::Service;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Actor, QueryParams};
use crate::log::{self, LONGEST_RANGE, TextFilter};
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
    log::number(&state.secrets.data_key, &conversation.contact_sealed).masked()
}

/// `GET /api/v1/conversations?from=&to=[&line=&service=&channel=&status=]`: oldest first.
pub async fn list(
    State(state): State<AppState>,
    _: Actor,
    QueryParams(query): QueryParams<ConversationsQuery>,
) -> Result<Json<Vec<ConversationView>>, ApiError> {
    if !log::range_is_readable(query.from, query.to) {
        return Err(ApiError::invalid(
            "to",
            format!(
                "to must be after from, by at most {} days",
                LONGEST_RANGE.num_days()
            ),
        ));
    }
    let channel = match query.channel.as_deref() {
        None => None,
        Some(name) => Some(
            log::text_channel(name)
                .ok_or_else(|| ApiError::invalid("channel", "sms or whatsapp"))?,
        ),
    };
    let open = match query.status.as_deref() {
        None => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => return Err(ApiError::invalid("status", "open or closed")),
    };
    let filter = TextFilter {
        from: query.from,
        to: query.to,
        line: query.line,
        service: query.service,
        channel,
        open,
    };
    let conversations = log::conversations(state.store.as_ref(), &filter).await?;
    Ok(Json(
        conversations
            .iter()
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
