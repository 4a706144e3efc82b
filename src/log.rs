//! The call and message log as both the JSON API (`/api/v1/calls`, `/api/v1/conversations`) and
//! the coordinator's `/log` page read it: which calls and text conversations a filter admits,
//! her sealed number opened only to be masked, and the one audited way to reveal it whole. Kept
//! in one place so a page can never show what the API would not, or reveal without the audit.

use chrono::{DateTime, Duration, Utc};
use hotline_routes::call::CallOutcome;
use hotline_schedules::{Language, PhoneNumber, Service};

use crate::crypto::DataKey;
use crate::store::{
    AuditEntry, CallRecord, Channel, Conversation, FollowUp, Store, StoreError, StoreResult,
};

/// The longest range one look at the log may span (as the API's other ranges).
pub const LONGEST_RANGE: Duration = Duration::days(400);

/// The range `[from, to)` is one the log will read: `to` after `from`, by at most
/// [`LONGEST_RANGE`].
pub fn range_is_readable(from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    to > from && to - from <= LONGEST_RANGE
}

/// Which calls the log lists: those that started in `[from, to)` and match every filter given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFilter {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only calls to this hotline number.
    pub line: Option<String>,
    pub service: Option<Service>,
    pub outcome: Option<CallOutcome>,
    pub language: Option<Language>,
}

impl CallFilter {
    pub fn admits(&self, call: &CallRecord) -> bool {
        self.line
            .as_ref()
            .is_none_or(|line| &call.line_number == line)
            && self
                .service
                .is_none_or(|service| call.service == Some(service))
            && self
                .outcome
                .is_none_or(|outcome| call.outcome == Some(outcome))
            && self
                .language
                .is_none_or(|language| call.language == Some(language))
    }
}

/// The calls `filter` admits, oldest first.
pub async fn calls(store: &dyn Store, filter: &CallFilter) -> StoreResult<Vec<CallRecord>> {
    let calls = store.calls_between(filter.from, filter.to).await?;
    Ok(calls.into_iter().filter(|c| filter.admits(c)).collect())
}

/// Which text conversations the log lists: those opened in `[from, to)` matching every filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFilter {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub line: Option<String>,
    pub service: Option<Service>,
    /// SMS or WhatsApp.
    pub channel: Option<Channel>,
    /// `Some(true)` for open conversations only, `Some(false)` for closed ones.
    pub open: Option<bool>,
}

impl TextFilter {
    pub fn admits(&self, conversation: &Conversation) -> bool {
        self.line
            .as_ref()
            .is_none_or(|line| &conversation.line_number == line)
            && self
                .service
                .is_none_or(|service| conversation.service == service)
            && self
                .channel
                .is_none_or(|channel| conversation.channel == channel)
            && self.open.is_none_or(|open| conversation.open == open)
    }
}

/// The channel a text filter names: `sms` or `whatsapp` (a call is not a text).
pub fn text_channel(name: &str) -> Option<Channel> {
    match name {
        "sms" => Some(Channel::Sms),
        "whatsapp" => Some(Channel::Whatsapp),
        _ => None,
    }
}

/// The conversations `filter` admits, oldest first.
pub async fn conversations(
    store: &dyn Store,
    filter: &TextFilter,
) -> StoreResult<Vec<Conversation>> {
    let conversations = store.conversations_between(filter.from, filter.to).await?;
    Ok(conversations
        .into_iter()
        .filter(|c| filter.admits(c))
        .collect())
}

/// A follow-up's answer note, opened; none when there is none, or it was erased, or it cannot
/// be opened with this server's key (logged, never shown half).
pub fn follow_up_note(key: &DataKey, follow_up: &FollowUp) -> Option<String> {
    let sealed = follow_up.answer_note_sealed.as_deref()?;
    match key.open(sealed) {
        Ok(note) => Some(note),
        Err(error) => {
            tracing::error!(%error, follow_up = follow_up.id, "a note cannot be opened");
            None
        }
    }
}

/// Her number as the log may know it, to be shown masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Number {
    /// Retention erased it; the contact is still counted.
    Erased,
    /// Sealed with another key than this server's.
    Unreadable,
    /// Opened, but not a number (a withheld caller id).
    Withheld,
    Known(PhoneNumber),
}

/// Opens a sealed number (a WhatsApp address loses its `whatsapp:`) for masking; the whole number
/// goes no further than this function's result.
pub fn number(key: &DataKey, sealed: &[u8]) -> Number {
    if sealed.is_empty() {
        return Number::Erased;
    }
    match key.open(sealed) {
        Ok(number) => PhoneNumber::parse(number.trim_start_matches("whatsapp:"))
            .map_or(Number::Withheld, Number::Known),
        Err(_) => Number::Unreadable,
    }
}

impl Number {
    /// As the JSON API shows it: masked, or why there is nothing to mask.
    pub fn masked(&self) -> String {
        match self {
            Number::Erased => "(erased)".to_owned(),
            Number::Withheld => "(withheld)".to_owned(),
            Number::Unreadable => "(unreadable)".to_owned(),
            Number::Known(number) => number.masked(),
        }
    }
}

/// Why a number was not revealed.
#[derive(Debug, thiserror::Error)]
pub enum RevealRefused {
    #[error("no such call")]
    NoSuchCall,
    #[error("her number was erased by retention")]
    Erased,
    #[error("her number cannot be opened with this key")]
    Unreadable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Her whole number on call `call_id`, for a coordinator who must call her back: written to the
/// audit log (who, when, which call) before it is returned, and not returned if that fails.
pub async fn reveal(
    store: &dyn Store,
    key: &DataKey,
    call_id: i64,
    actor: String,
    now: DateTime<Utc>,
) -> Result<String, RevealRefused> {
    let call = store
        .call_by_id(call_id)
        .await?
        .ok_or(RevealRefused::NoSuchCall)?;
    if call.caller_sealed.is_empty() {
        return Err(RevealRefused::Erased);
    }
    let number = key
        .open(&call.caller_sealed)
        .map_err(|_| RevealRefused::Unreadable)?;
    store
        .record_audit(&AuditEntry {
            at: now,
            actor,
            action: "reveal-number".to_owned(),
            subject: format!("call/{call_id}"),
            before: None,
            after: None,
        })
        .await?;
    Ok(number)
}

/// Her whole number on `call` once more, for the session a `reveal` of it was granted to a
/// few minutes ago (`AccountStore::grant_reveal`): that reveal was the audited one, and a page
/// reloaded within the grant shows the number again without a second entry. Never call it
/// without checking the grant.
pub fn shown_again(key: &DataKey, call: &CallRecord) -> Result<String, RevealRefused> {
    if call.caller_sealed.is_empty() {
        return Err(RevealRefused::Erased);
    }
    key.open(&call.caller_sealed)
        .map_err(|_| RevealRefused::Unreadable)
}
