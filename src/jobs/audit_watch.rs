//! The audit log checked every night (with retention): a chain someone broke by going around the
//! server is no use unless someone is told, so the coordinators get a text, once a day while it
//! stays broken, naming the entry; `hotline audit verify` says the same.

use chrono::{DateTime, Utc};

use crate::audit_chain::{Broken, verify};
use crate::store::StoreError;
use crate::web::AppState;

/// The coordinators' text about a broken chain: which entry, and what to run.
pub fn alert_text(broken: &Broken) -> String {
    let entry = match broken {
        Broken::Unhashed(id)
        | Broken::Unlinked(id)
        | Broken::Changed(id)
        | Broken::Unanchored(id) => *id,
        Broken::Truncated { found, .. } => *found,
    };
    format!(
        "Горячая линия: журнал изменений не сходится у записи №{entry} — базу меняли в обход \
         сервера. Проверьте: hotline audit verify."
    )
}

/// Checks the chain; when broken, logs it and texts the coordinators once for `now`'s day.
/// True when the chain is whole.
pub async fn check(state: &AppState, now: DateTime<Utc>) -> Result<bool, StoreError> {
    match verify(state.store.as_ref()).await? {
        Ok(verified) => {
            tracing::info!(chained = verified.chained, "the audit log is intact");
            Ok(true)
        }
        Err(broken) => {
            tracing::error!(%broken, "the audit log is broken");
            let day = now.with_timezone(&state.schedule.zone).date_naive();
            let event = format!("audit-broken:{day}");
            crate::notify::coordinators(state, &event, &alert_text(&broken), now).await?;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_names_the_entry_and_the_command() {
        let text = alert_text(&Broken::Changed(12));
        assert!(
            text.contains("№12") && text.contains("hotline audit verify"),
            "{text}"
        );
        let cut = alert_text(&Broken::Truncated { found: 7, head: 9 });
        assert!(cut.contains("№7"), "{cut}");
    }
}
