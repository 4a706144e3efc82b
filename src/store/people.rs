//! The people the hotline rings and who may use its API: staff, their calendar secrets, API tokens.
//! One trait, and the SQL both backends share: `people_sql!` implements it for a store over a
//! concrete sqlx pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hotline_schedules::StaffMember;

use super::*;

#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Adds a staff member, or updates the one with the same phone number.
    async fn upsert_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<i64>;
    /// Adds a staff member; `None` when the phone number belongs to someone already.
    async fn create_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<Option<i64>>;
    /// Changes a staff member; false when there is none with that id. A phone number that
    /// belongs to someone else is a `Conflict`.
    async fn update_staff(
        &self,
        id: i64,
        staff: &NewStaff,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    async fn staff(&self) -> StoreResult<Vec<StaffMember>>;
    async fn staff_member(&self, id: i64) -> StoreResult<Option<StaffMember>>;
    /// Keeps the secret of a staff member's calendar feed: its hash to find it, sealed to show it.
    async fn set_calendar_secret(&self, id: i64, hash: &str, sealed: &[u8]) -> StoreResult<()>;
    async fn calendar_secret(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;
    async fn staff_by_calendar_hash(&self, hash: &str) -> StoreResult<Option<StaffMember>>;

    async fn create_api_token(
        &self,
        name: &str,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// The name of the API token with this hash, if there is one.
    async fn api_token_name(&self, token_hash: &str) -> StoreResult<Option<String>>;
}

/// Implements [`PeopleStore`] for `$store`, whose `pool` field is a `sqlx::Pool`.
macro_rules! people_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::PeopleStore for $store {
            async fn upsert_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<i64> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let id = Self::insert_staff(&mut tx, staff, audit, true).await?;
                let id = id.ok_or_else(|| StoreError::Corrupt("an upsert returned no row".into()))?;
                tx.commit().await?;
                self.settings.changed();
                Ok(id)
            }

            async fn create_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let id = Self::insert_staff(&mut tx, staff, audit, false).await?;
                tx.commit().await?;
                self.settings.changed();
                Ok(id)
            }

            async fn update_staff(&self, id: i64, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let holder: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE phone = $1")
                    .bind(staff.phone.as_e164())
                    .fetch_optional(&mut *tx)
                    .await?;
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    return Ok(false);
                }
                if holder.is_some_and(|holder| holder != id) {
                    return Err(StoreError::Conflict(format!("{} is another staff member's phone", staff.phone.masked())));
                }
                let done = sqlx::query(
                    "UPDATE staff SET name = $1, phone = $2, services = $3, languages = $4, gender = $5,
                        is_coordinator = $6, active = $7 WHERE id = $8",
                )
                .bind(&staff.name)
                .bind(staff.phone.as_e164())
                .bind(sql::join_names(&staff.services))
                .bind(sql::join_names(&staff.languages))
                .bind(staff.gender.map(|g| g.as_str()))
                .bind(staff.is_coordinator)
                .bind(staff.active)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("staff/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                self.settings.changed();
                Ok(done.rows_affected() == 1)
            }

            async fn staff(&self) -> StoreResult<Vec<StaffMember>> {
                let revision = self.settings_revision().await?;
                if let Some(staff) = self.settings.staff(revision) {
                    return Ok(staff.as_ref().clone());
                }
                let rows: Vec<sql::StaffRow> =
                    sqlx::query_as(concat!("SELECT ", sql::staff_columns!(), " FROM staff ORDER BY id"))
                        .fetch_all(&self.pool)
                        .await?;
                let staff = rows.into_iter().map(sql::StaffRow::into_member).collect::<StoreResult<Vec<_>>>()?;
                Ok(self.settings.keep_staff(revision, staff).as_ref().clone())
            }

            async fn staff_member(&self, id: i64) -> StoreResult<Option<StaffMember>> {
                let row: Option<sql::StaffRow> =
                    sqlx::query_as(concat!("SELECT ", sql::staff_columns!(), " FROM staff WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(sql::StaffRow::into_member).transpose()
            }

            async fn set_calendar_secret(&self, id: i64, hash: &str, sealed: &[u8]) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query("UPDATE staff SET calendar_hash = $1, calendar_sealed = $2 WHERE id = $3")
                    .bind(hash)
                    .bind(sealed)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn calendar_secret(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
                let sealed: Option<Option<Vec<u8>>> = sqlx::query_scalar("SELECT calendar_sealed FROM staff WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(sealed.flatten())
            }

            async fn staff_by_calendar_hash(&self, hash: &str) -> StoreResult<Option<StaffMember>> {
                let row: Option<sql::StaffRow> =
                    sqlx::query_as(concat!("SELECT ", sql::staff_columns!(), " FROM staff WHERE calendar_hash = $1"))
                        .bind(hash)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(sql::StaffRow::into_member).transpose()
            }

            async fn create_api_token(&self, name: &str, token_hash: &str, at: DateTime<Utc>) -> StoreResult<i64> {
                let _turn = self.turns.take().await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(name)
                .bind(token_hash)
                .bind(at)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn api_token_name(&self, token_hash: &str) -> StoreResult<Option<String>> {
                let name = sqlx::query_scalar("SELECT name FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(name)
            }
        }
    };
}

pub(super) use people_sql;
