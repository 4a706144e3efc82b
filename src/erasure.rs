//! Erasing one person on request, by her number: every spelling under which her contacts were
//! kept (a call's or a text's `+7…`, WhatsApp's `whatsapp:+7…`) is hashed with the server's key
//! and each is erased (`store::ErasureStore`). The number itself is never stored or logged.

use hotline_schedules::PhoneNumber;

use crate::crypto::DataKey;
use crate::store::{Erased, Store, StoreResult};

/// The forms a number arrives in, as the webhooks hash them: a number as it came (a withheld
/// caller's `anonymous`, say) when it is not a phone number.
fn spellings(number: &str) -> Vec<String> {
    match PhoneNumber::parse(number.trim_start_matches("whatsapp:")) {
        Ok(number) => {
            let e164 = number.as_e164();
            vec![e164.to_owned(), format!("whatsapp:{e164}")]
        }
        Err(_) => vec![number.to_owned()],
    }
}

/// Erases every trace of `number`'s contacts, audited as `actor`; counts only come back.
pub async fn erase_number(
    store: &dyn Store,
    key: &DataKey,
    number: &str,
    actor: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Erased> {
    let mut erased = Erased::default();
    for spelling in spellings(number) {
        erased.add(store.erase_contact(&key.hash(&spelling), actor, at).await?);
    }
    Ok(erased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_erased_as_it_called_and_as_it_wrote_on_whatsapp() {
        let both = vec![
            "+77071234567".to_owned(),
            "whatsapp:+77071234567".to_owned(),
        ];
        assert_eq!(spellings("+77071234567"), both);
        assert_eq!(spellings("whatsapp:+77071234567"), both);
        assert_eq!(spellings("anonymous"), vec!["anonymous".to_owned()]);
    }
}
