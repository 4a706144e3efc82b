//! The hotline's records, behind one trait with two implementations: SQLite for a single
//! machine, PostgreSQL for several instances. The backend is picked from the URL scheme.
//! Nothing here decides anything: the rules live in `routes` and `schedules`.

mod accounts;
mod audit;
mod calls;
mod committer;
mod consents;
mod erasure;
mod follow_ups;
mod gauges;
mod group_commit;
mod jobs;
mod lines;
mod messages;
mod outbox;
mod outbox_records;
mod people;
mod planned;
mod postgres;
mod recordings;
mod records;
mod reports;
mod reseal;
mod retention;
mod rota;
mod settings_cache;
mod sql;
mod sqlite;
mod sqlite_calls;
mod sqlite_committer;
mod texts_in;
mod texts_in_postgres;
mod users;
mod watches;
mod write_turns;

use async_trait::async_trait;

pub use accounts::{AccountStore, NO_PASSWORD, NewLink, Standing, StandingChanged};
pub use audit::AuditStore;
pub use calls::CallStore;
pub use consents::{Consent, ConsentStore};
pub use erasure::ErasureStore;
pub use follow_ups::{FollowUpStore, SentReminder};
pub use gauges::GaugeStore;
pub use jobs::{Job, JobOf, JobStatus, JobStore, NewJob};
pub use lines::LineStore;
pub use messages::MessageStore;
pub use outbox::OutboxStore;
pub use outbox_records::*;
pub use people::PeopleStore;
pub use planned::{
    NewPlannedFollowUp, PLANNED_JOB, PlannedFollowUp, PlannedStore, planned_job_key,
};
pub use postgres::PostgresStore;
pub use recordings::{NewVoicemailAudio, RecordingStore, VoicemailAudio, VoicemailRecording};
pub use records::*;
pub use reports::ReportStore;
pub use reseal::{ResealStore, SealedColumn};
pub use retention::{ERASE_BATCH, Erased, RetentionStore};
pub use rota::RotaStore;
pub use sqlite::SqliteStore;
pub use texts_in::{Opened, Opening, Relay, TextIn};
pub use users::{FailedSignIns, NewSession, NewUser, PageLanguage, Role, Session, User, UserStore};
pub use watches::WatchStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From SQLite's committer, which writes a call's steps on its own connection.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store named by `url` and brings its schema up to date.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(
            url.split('@').next_back().unwrap_or(url).to_owned(),
        ))
    }
}

/// Every read and write the server makes, by subject. Writes that a provider may repeat are
/// idempotent on the provider's id: repeating one returns the first result and changes nothing.
#[async_trait]
pub trait Store:
    PeopleStore
    + RotaStore
    + CallStore
    + LineStore
    + OutboxStore
    + MessageStore
    + JobStore
    + FollowUpStore
    + ReportStore
    + WatchStore
    + PlannedStore
    + RetentionStore
    + ConsentStore
    + UserStore
    + AuditStore
    + ErasureStore
    + ResealStore
    + AccountStore
    + GaugeStore
    + RecordingStore
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`, for logs and metrics.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;
}
