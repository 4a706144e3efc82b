//! Erasing one person on request, by her number: every spelling under which her contacts were
//! kept (a call's or a text's `+7…`, WhatsApp's `whatsapp:+7…`) is hashed with the server's key
//! and each is erased (`store::ErasureStore`). The number itself is never stored or logged.

use hotline_schedules::PhoneNumber;

use crate::crypto::DataKey;
use crate::store::{Erased, Store, StoreResult};

/// The forms her number arrived in, as the webhooks hash them.
fn spellings(number: &PhoneNumber) -> [String; 2] {
    let e164 = number.as_e164();
    [e164.to_owned(), format!("whatsapp:{e164}")]
}

/// Erases every trace of `number`'s contacts, audited as `actor`; counts only come back.
pub async fn erase_number(
    store: &dyn Store,
    key: &DataKey,
    number: &PhoneNumber,
    actor: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Erased> {
    let mut erased = Erased::default();
    for spelling in spellings(number) {
        erased.add(store.erase_contact(&key.hash(&spelling), actor, at).await?);
    }
    Ok(erased)
}
