//! Her consent as a history with its terms: the latest row for her number and a channel decides,
//! with the hours contact is safe, when it ends and a sealed code word. Terms set by staff are
//! written with their audit entry in one transaction. One trait, and the SQL both backends share
//! (`consent_sql!`). Whether something may be sent is decided in `hotline_routes::consent`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hotline_routes::consent::{ConsentTerms, SafeHours};

use super::*;

#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// Her latest word on `channel`, with its terms: `None` when she never gave one.
    async fn latest_consent(
        &self,
        contact_hash: &str,
        channel: Channel,
    ) -> StoreResult<Option<Consent>>;
    /// Records terms set by staff, and its audit entry, together.
    async fn record_consent_audited(
        &self,
        consent: &NewConsent,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
}

/// One recorded word of hers on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: i64,
    pub channel: Channel,
    pub granted: bool,
    pub reason: String,
    pub conversation_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub safe_hours: Option<SafeHours>,
    pub expires_at: Option<DateTime<Utc>>,
    pub code_word_sealed: Option<Vec<u8>>,
}

impl Consent {
    /// What the sender weighs.
    pub fn terms(&self) -> ConsentTerms {
        ConsentTerms {
            granted: self.granted,
            safe_hours: self.safe_hours,
            expires_at: self.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ConsentRow {
    id: i64,
    channel: String,
    granted: bool,
    reason: String,
    conversation_id: Option<i64>,
    at: DateTime<Utc>,
    safe_from: Option<String>,
    safe_until: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    code_word_sealed: Option<Vec<u8>>,
}

impl ConsentRow {
    pub(super) fn into_consent(self) -> StoreResult<Consent> {
        let safe_hours = match (&self.safe_from, &self.safe_until) {
            (None, None) => None,
            (Some(from), Some(until)) => Some(
                SafeHours::parse(from, until)
                    .map_err(|e| StoreError::Corrupt(format!("consent {}: {e}", self.id)))?,
            ),
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "consent {} has only one end of its safe hours",
                    self.id
                )));
            }
        };
        Ok(Consent {
            id: self.id,
            channel: Channel::from_name(&self.channel)
                .ok_or_else(|| StoreError::Corrupt(self.channel.clone()))?,
            granted: self.granted,
            reason: self.reason,
            conversation_id: self.conversation_id,
            at: self.at,
            safe_hours,
            expires_at: self.expires_at,
            code_word_sealed: self.code_word_sealed,
        })
    }
}

/// Safe hours as the two HH:MM columns keep them.
pub(super) fn hours_columns(consent: &NewConsent) -> (Option<String>, Option<String>) {
    match consent.safe_hours {
        Some(hours) => (Some(hours.from_text()), Some(hours.until_text())),
        None => (None, None),
    }
}

/// Inserts a [`NewConsent`] into `$executor`: the one INSERT both the webhook's
/// `record_consent` and the API's audited write use.
macro_rules! insert_consent {
    ($consent:expr, $executor:expr) => {{
        let consent: &NewConsent = $consent;
        let (safe_from, safe_until) = consents::hours_columns(consent);
        sqlx::query(
            "INSERT INTO consents (contact_hash, channel, granted, reason, conversation_id, at,
                safe_from, safe_until, expires_at, code_word_sealed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&consent.contact_hash)
        .bind(consent.channel.as_str())
        .bind(consent.granted)
        .bind(&consent.reason)
        .bind(consent.conversation_id)
        .bind(consent.at)
        .bind(safe_from)
        .bind(safe_until)
        .bind(consent.expires_at)
        .bind(&consent.code_word_sealed)
        .execute($executor)
        .await
    }};
}

/// Implements [`ConsentStore`] for `$store`, whose `pool` field is a `sqlx::Pool`.
macro_rules! consent_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::ConsentStore for $store {
            async fn latest_consent(
                &self,
                contact_hash: &str,
                channel: Channel,
            ) -> StoreResult<Option<consents::Consent>> {
                let row: Option<consents::ConsentRow> = sqlx::query_as(
                    "SELECT id, channel, granted, reason, conversation_id, at, safe_from, safe_until,
                        expires_at, code_word_sealed
                     FROM consents WHERE contact_hash = $1 AND channel = $2 ORDER BY id DESC LIMIT 1",
                )
                .bind(contact_hash)
                .bind(channel.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.map(consents::ConsentRow::into_consent).transpose()
            }

            async fn record_consent_audited(
                &self,
                consent: &NewConsent,
                audit: &AuditEntry,
            ) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                consents::insert_consent!(consent, &mut *tx)?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(super) use {consent_sql, insert_consent};
