//! `/api/v1/conversations/{code}/consent`: her consent on each channel as staff agreed it with
//! her — granted or not, the local hours when contact is safe, when it ends, and a code word —
//! read and set by the conversation's code, never by her number. Every change is audited; the
//! audit says whether a code word was set, never the word. The outbox weighs these terms at the
//! moment of sending (`crate::outbox`).

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use hotline_routes::consent::{SafeHours, SafeHoursError};
use hotline_routes::messages::Code;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::ApiError;
use super::extract::{Actor, JsonBody};
use crate::store::{AuditEntry, Channel, Consent, Conversation, NewConsent};
use crate::web::AppState;

/// The longest code word kept: a word or two she and staff agree on.
const LONGEST_CODE_WORD: usize = 64;
/// The channels a consent names, in the order they are shown.
const CHANNELS: [Channel; 3] = [Channel::Sms, Channel::Whatsapp, Channel::Voice];

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ChannelName {
    Sms,
    Whatsapp,
    Voice,
}

impl From<ChannelName> for Channel {
    fn from(name: ChannelName) -> Self {
        match name {
            ChannelName::Sms => Channel::Sms,
            ChannelName::Whatsapp => Channel::Whatsapp,
            ChannelName::Voice => Channel::Voice,
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HoursText {
    /// `HH:MM`, her local wall clock in the hotline's zone.
    from: String,
    /// `HH:MM`; before `from` for a window across midnight.
    until: String,
}

/// Her terms on one channel, as a whole: what is left out is cleared, not kept.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    channel: ChannelName,
    granted: bool,
    /// Contact is safe only inside these hours; absent: at any hour.
    #[serde(default)]
    safe_hours: Option<HoursText>,
    /// The consent ends then; absent: until she withdraws it.
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
    /// A word staff say so she knows it is the hotline; kept sealed.
    #[serde(default)]
    code_word: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ConsentView {
    channel: &'static str,
    granted: bool,
    /// wrote_first, stop, start, asked_to_be_called, terms
    reason: String,
    safe_hours: Option<HoursText>,
    expires_at: Option<DateTime<Utc>>,
    /// For the staff member who will contact her.
    code_word: Option<String>,
    at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct ConsentsView {
    code: String,
    /// Her latest word on each channel she has given one on.
    consents: Vec<ConsentView>,
}

/// `GET /api/v1/conversations/{code}/consent`: her latest word on each channel.
pub async fn show(
    State(state): State<AppState>,
    _: Actor,
    Path(code): Path<String>,
) -> Result<Json<ConsentsView>, ApiError> {
    let conversation = conversation(&state, &code).await?;
    Ok(Json(view(&state, &conversation).await?))
}

/// `PUT /api/v1/conversations/{code}/consent`: sets her terms on one channel. Audited.
pub async fn put(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    JsonBody(input): JsonBody<ConsentInput>,
) -> Result<Json<ConsentsView>, ApiError> {
    let now = state.clock.now();
    let safe_hours = input.safe_hours.as_ref().map(safe_hours).transpose()?;
    if input.expires_at.is_some_and(|end| end <= now) {
        return Err(ApiError::invalid(
            "expires_at",
            "a consent must end in the future; to withdraw it, set granted to false",
        ));
    }
    let code_word = input.code_word.as_deref().map(str::trim);
    if let Some(word) = code_word {
        if word.is_empty() {
            return Err(ApiError::invalid(
                "code_word",
                "a code word cannot be empty; leave it out for none",
            ));
        }
        if word.chars().count() > LONGEST_CODE_WORD {
            return Err(ApiError::invalid(
                "code_word",
                format!("a code word is at most {LONGEST_CODE_WORD} characters"),
            ));
        }
    }
    let conversation = conversation(&state, &code).await?;
    let channel = Channel::from(input.channel);
    let before = state
        .store
        .latest_consent(&conversation.contact_hash, channel)
        .await?;
    let key = &state.secrets.data_key;
    let consent = NewConsent {
        contact_hash: conversation.contact_hash.clone(),
        channel,
        granted: input.granted,
        reason: "terms".to_owned(),
        conversation_id: Some(conversation.id),
        at: now,
        safe_hours,
        expires_at: input.expires_at,
        code_word_sealed: code_word.map(|word| key.seal(word)),
    };
    let audit = AuditEntry {
        at: now,
        actor: actor.0,
        action: "set-consent".to_owned(),
        subject: format!(
            "conversation/{}/consent/{}",
            conversation.code,
            channel.as_str()
        ),
        before: before.as_ref().map(|b| {
            audited(
                b.granted,
                b.safe_hours,
                b.expires_at,
                b.code_word_sealed.is_some(),
            )
        }),
        after: Some(audited(
            consent.granted,
            consent.safe_hours,
            consent.expires_at,
            consent.code_word_sealed.is_some(),
        )),
    };
    state.store.record_consent_audited(&consent, &audit).await?;
    tracing::info!(
        conversation = conversation.id,
        channel = channel.as_str(),
        granted = consent.granted,
        "her consent terms were set"
    );
    Ok(Json(view(&state, &conversation).await?))
}

/// What the audit log keeps of terms: whether a code word is set, never the word.
fn audited(
    granted: bool,
    hours: Option<SafeHours>,
    expires_at: Option<DateTime<Utc>>,
    code_word: bool,
) -> String {
    json!({
        "granted": granted,
        "safe_hours": hours.map(|h| json!({ "from": h.from_text(), "until": h.until_text() })),
        "expires_at": expires_at,
        "code_word": if code_word { "set" } else { "none" },
    })
    .to_string()
}

fn safe_hours(hours: &HoursText) -> Result<SafeHours, ApiError> {
    SafeHours::parse(&hours.from, &hours.until).map_err(|error| {
        let field = match &error {
            SafeHoursError::NotATime(text) if *text == hours.from.trim() => "safe_hours.from",
            SafeHoursError::NotATime(_) => "safe_hours.until",
            SafeHoursError::Empty => "safe_hours",
        };
        ApiError::invalid(field, error.to_string())
    })
}

/// The latest conversation to go by `code`, as a person types it.
async fn conversation(state: &AppState, code: &str) -> Result<Conversation, ApiError> {
    let Some(code) = Code::parse(code) else {
        return Err(ApiError::not_found("conversation"));
    };
    state
        .store
        .conversation_by_code(code.as_str())
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

async fn view(state: &AppState, conversation: &Conversation) -> Result<ConsentsView, ApiError> {
    let mut consents = Vec::new();
    for channel in CHANNELS {
        if let Some(consent) = state
            .store
            .latest_consent(&conversation.contact_hash, channel)
            .await?
        {
            consents.push(shown(state, consent)?);
        }
    }
    Ok(ConsentsView {
        code: conversation.code.clone(),
        consents,
    })
}

fn shown(state: &AppState, consent: Consent) -> Result<ConsentView, ApiError> {
    let code_word = consent
        .code_word_sealed
        .as_deref()
        .map(|sealed| state.secrets.data_key.open(sealed))
        .transpose()
        .map_err(|error| {
            ApiError::from(crate::store::StoreError::Corrupt(format!(
                "a code word cannot be opened with this server's data key: {error}"
            )))
        })?;
    Ok(ConsentView {
        channel: consent.channel.as_str(),
        granted: consent.granted,
        reason: consent.reason,
        safe_hours: consent.safe_hours.map(|h| HoursText {
            from: h.from_text(),
            until: h.until_text(),
        }),
        expires_at: consent.expires_at,
        code_word,
        at: consent.at,
    })
}
