//! Before a server takes calls it checks that its key ring opens what the database already
//! holds. An instance started without the shared key makes a key of its own; were it to run, it
//! would seal new numbers that no other instance can open, and could open none of the old ones.

use crate::crypto::DataKey;
use crate::store::{SealedColumn, Store, StoreResult};

/// The columns sampled: every contact has its number in one of them.
const SAMPLED: [SealedColumn; 3] = [
    SealedColumn::CallCaller,
    SealedColumn::ConversationContact,
    SealedColumn::OutboxTo,
];

/// The id of a key that sealed a value in the database and that `key` does not hold, if any.
/// Looks at the oldest value of each sampled column: after `hotline rekey` even that one is
/// sealed with a key the ring holds.
pub async fn foreign_key(store: &dyn Store, key: &DataKey) -> StoreResult<Option<String>> {
    for column in SAMPLED {
        if let Some((_, sealed)) = store.sealed_values(column, 0, 1).await?.first()
            && !key.holds_key_of(sealed)
        {
            return Ok(DataKey::key_id_of(sealed));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_holds_its_current_and_previous_keys_only() {
        let (old, new, other) = (
            DataKey::generate_hex(),
            DataKey::generate_hex(),
            DataKey::generate_hex(),
        );
        let ring = DataKey::ring(&new, std::slice::from_ref(&old), None).expect("a ring");
        let sealed_by = |hex: &str| DataKey::from_hex(hex).expect("a key").seal("+77015550123");
        assert!(ring.holds_key_of(&sealed_by(&new)));
        assert!(ring.holds_key_of(&sealed_by(&old)));
        assert!(!ring.holds_key_of(&sealed_by(&other)));
        assert!(!ring.holds_key_of(&[]));
    }
}
