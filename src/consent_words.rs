//! Her word on consent, from wherever it comes (her STOP or START, her first text, her asking
//! to be called, the carrier telling us she opted out): recorded on one channel, keeping the
//! terms of her latest word there.

use chrono::{DateTime, Utc};

use crate::store::{Channel, NewConsent, OutboxMessage, Store, StoreError};

/// Her word on a channel from a text of hers: STOP, START, a first text, «позвоните».
pub struct Word<'a> {
    pub contact_hash: &'a str,
    pub granted: bool,
    pub reason: &'static str,
    pub conversation_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Records her word on `channel`, keeping the terms of her latest one there. Hours and a code
/// word agreed with staff are about her safety (when the phone is hers to read), and a keyword
/// says nothing about them: so START after STOP grants again only within the hours she had,
/// never at any hour, and a STOP keeps them for the START that may follow. Her terms' end is
/// kept while it is ahead; a word of hers after it is a new consent, still within her hours.
/// Without earlier terms, START grants at any hour, as it always did.
pub async fn change_consent(
    store: &dyn Store,
    channel: Channel,
    word: &Word<'_>,
) -> Result<(), StoreError> {
    store
        .record_consent(&consent_of(store, channel, word).await?)
        .await
}

/// Her word on `channel` as `change_consent` records it, for a write that records it with
/// more (her first text's opening).
pub async fn consent_of(
    store: &dyn Store,
    channel: Channel,
    word: &Word<'_>,
) -> Result<NewConsent, StoreError> {
    let before = store.latest_consent(word.contact_hash, channel).await?;
    let (safe_hours, expires_at, code_word_sealed) = match before {
        Some(before) => (
            before.safe_hours,
            before.expires_at.filter(|end| *end > word.at),
            before.code_word_sealed,
        ),
        None => (None, None, None),
    };
    Ok(NewConsent {
        contact_hash: word.contact_hash.to_owned(),
        channel,
        granted: word.granted,
        reason: word.reason.to_owned(),
        conversation_id: word.conversation_id,
        at: word.at,
        safe_hours,
        expires_at,
        code_word_sealed,
    })
}

/// The provider says a text to her could not go because she opted out (STOP to her carrier, or
/// to us before we heard it): her consent on that channel, and to be called, is recorded
/// withdrawn, keeping her terms as a STOP of hers would, so nothing more is even tried until
/// she writes START. Texts to staff carry no hash and change nothing. True when recorded.
pub async fn opted_out_at_provider(
    store: &dyn Store,
    message: &OutboxMessage,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (Some(contact_hash), Some(channel)) = (
        message.contact_hash.as_deref(),
        Channel::from_name(&message.channel),
    ) else {
        return Ok(false);
    };
    let word = Word {
        contact_hash,
        granted: false,
        reason: "provider_opt_out",
        conversation_id: None,
        at,
    };
    change_consent(store, channel, &word).await?;
    change_consent(store, Channel::Voice, &word).await?;
    Ok(true)
}
