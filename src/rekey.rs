//! `hotline rekey`: every value sealed with a previous key is sealed again with the current one,
//! column by column in batches, while the server runs (a value changed meanwhile is left for
//! the next pass). When it reports nothing left and nothing unreadable, the previous keys can be
//! dropped. Never logs a value: a value that will not open is named by its column and row.

use crate::crypto::DataKey;
use crate::store::{SealedColumn, Store, StoreResult};

/// Rows read at a time.
const BATCH: i64 = 500;
/// Voicemails' audio read at a time: each may be megabytes (up to 20), so far fewer at once.
const AUDIO_BATCH: i64 = 16;

/// What one column came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resealed {
    pub column: &'static str,
    /// Sealed again with the current key.
    pub resealed: u64,
    /// Sealed with a key this server does not hold, or damaged: left as they are.
    pub unreadable: u64,
    /// Changed by someone else between reading and writing: the next pass takes them.
    pub changed: u64,
}

pub async fn rekey(store: &dyn Store, key: &DataKey) -> StoreResult<Vec<Resealed>> {
    let mut report = Vec::new();
    for &column in SealedColumn::ALL {
        let mut done = Resealed {
            column: column.name(),
            resealed: 0,
            unreadable: 0,
            changed: 0,
        };
        let mut after = 0;
        loop {
            let batch = match column {
                SealedColumn::VoicemailAudio => AUDIO_BATCH,
                _ => BATCH,
            };
            let values = store.sealed_values(column, after, batch).await?;
            let Some((last, _)) = values.last() else {
                break;
            };
            after = *last;
            for (id, sealed) in values {
                if key.sealed_with_current(&sealed) {
                    continue;
                }
                // As bytes: a voicemail's audio is sealed too, and text is bytes to the cipher.
                let Ok(plain) = key.open_bytes(&sealed) else {
                    tracing::error!(column = column.name(), id, "a sealed value will not open");
                    done.unreadable += 1;
                    continue;
                };
                if store
                    .reseal(column, id, &sealed, &key.seal_bytes(&plain))
                    .await?
                {
                    done.resealed += 1;
                } else {
                    done.changed += 1;
                }
            }
        }
        report.push(done);
    }
    Ok(report)
}
