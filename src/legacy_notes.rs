//! Notes written before notes were sealed (migration 0011) are sealed when the server starts,
//! and their copies in the audit log erased, as retention erases them (with the entry's salt,
//! so the chain still verifies). Idempotent: a database with none does nothing.

use crate::crypto::DataKey;
use crate::store::{Store, StoreResult};

/// Seals every plain note; returns how many.
pub async fn seal(store: &dyn Store, key: &DataKey) -> StoreResult<u64> {
    let mut sealed = 0;
    loop {
        let notes = store.plain_notes(200).await?;
        if notes.is_empty() {
            return Ok(sealed);
        }
        for (id, plain) in notes {
            // False only when the note changed meanwhile; the next round reads it again.
            if store.seal_plain_note(id, &plain, &key.seal(&plain)).await? {
                sealed += 1;
            }
        }
    }
}
