//! What a coordinator changes of the people who sign in, each change with its audit entry in the
//! one transaction: a user added with a one-time link to set her own password, her role, linked
//! staff member and whether she may sign in (never leaving no active coordinator), a password
//! reset or changed (her sessions end with it); and the short-lived grants that let one session
//! see a revealed number again without a second reveal. Passwords and tokens only as hashes,
//! and never in an audit entry.

use chrono::{DateTime, Utc};

use super::*;

/// A one-time link to set a user's password: the hash of its token, and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What a coordinator may change of a user (her name, login and password are hers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub staff_id: Option<i64>,
    pub active: bool,
}

/// How a change to a user's standing went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingChanged {
    Done,
    NoSuchUser,
    /// Refused, nothing changed: no active coordinator would be left to run the hotline.
    LastCoordinator,
}

/// A password no argon2 hash matches: a user added by a coordinator has none until she sets it.
pub const NO_PASSWORD: &str = "";

#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// Adds `user` (her password `NO_PASSWORD`) and the link she sets it with; `None`, and
    /// nothing added, when the login is taken. The audit entry is written with subject `user/ID`.
    async fn add_user_with_link(
        &self,
        user: &NewUser,
        link: &NewLink,
        audit: &AuditEntry,
    ) -> StoreResult<Option<i64>>;
    /// Changes her role, linked staff member and whether she may sign in; a user made inactive
    /// loses every session at once. Refused when no active coordinator would be left.
    async fn change_standing(
        &self,
        id: i64,
        standing: &Standing,
        audit: &AuditEntry,
    ) -> StoreResult<StandingChanged>;
    /// A new link to set her password: her older unused links stop working and her sessions
    /// end. False when there is no such user.
    async fn reset_password(
        &self,
        id: i64,
        link: &NewLink,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    /// The active user whose password this link sets, while it is unused and unexpired.
    async fn password_link_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    /// Uses the link and sets her password in one transaction, ending her sessions; her id, or
    /// `None` (nothing changed) when the link is used, expired, unknown or her account inactive.
    async fn set_password_with_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> StoreResult<Option<i64>>;
    /// Sets her password and ends every session of hers (the caller starts her a new one).
    async fn change_password(
        &self,
        id: i64,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    /// Lets the session with this token hash see call `call_id`'s number until `until`;
    /// forgets grants expired by `now`.
    async fn grant_reveal(
        &self,
        token_hash: &str,
        call_id: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether the session may still see the number at `now`.
    async fn reveal_granted(
        &self,
        token_hash: &str,
        call_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// The account methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! accounts_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn insert_link(
                tx: &mut sqlx::Transaction<'_, $db>,
                user_id: i64,
                link: &NewLink,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sign_in_links (token_hash, created_at, expires_at, user_id)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&link.token_hash)
                .bind(link.created_at)
                .bind(link.expires_at)
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn end_sessions_of(tx: &mut sqlx::Transaction<'_, $db>, user_id: i64) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::AccountStore for $store {
            async fn add_user_with_link(
                &self,
                user: &NewUser,
                link: &NewLink,
                audit: &AuditEntry,
            ) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let Some(id) = Self::insert_user(&mut tx, user).await? else {
                    return Ok(None);
                };
                Self::insert_link(&mut tx, id, link).await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("user/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(Some(id))
            }

            async fn change_standing(
                &self,
                id: i64,
                standing: &Standing,
                audit: &AuditEntry,
            ) -> StoreResult<StandingChanged> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("UPDATE users SET role = $2, staff_id = $3, active = $4 WHERE id = $1")
                    .bind(id)
                    .bind(standing.role.as_str())
                    .bind(standing.staff_id)
                    .bind(standing.active)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(StandingChanged::NoSuchUser);
                }
                let coordinators: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM users WHERE role = 'coordinator' AND active",
                )
                .fetch_one(&mut *tx)
                .await?;
                if coordinators == 0 {
                    // Dropped, not committed: the change is undone.
                    return Ok(StandingChanged::LastCoordinator);
                }
                if !standing.active {
                    Self::end_sessions_of(&mut tx, id).await?;
                }
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("user/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(StandingChanged::Done)
            }

            async fn reset_password(
                &self,
                id: i64,
                link: &NewLink,
                audit: &AuditEntry,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if found == 0 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM sign_in_links WHERE user_id = $1 AND used_at IS NULL")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Self::insert_link(&mut tx, id, link).await?;
                Self::end_sessions_of(&mut tx, id).await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("user/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn password_link_user(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<User>> {
                let row: Option<users::UserRow> = sqlx::query_as(concat!(
                    "SELECT ", users::user_columns!(),
                    " FROM sign_in_links l JOIN users u ON u.id = l.user_id
                     WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.active"
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.map(users::UserRow::into_user).transpose()
            }

            async fn set_password_with_link(
                &self,
                token_hash: &str,
                password_hash: &str,
                audit: &AuditEntry,
            ) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE sign_in_links SET used_at = $2
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                       AND user_id IN (SELECT id FROM users WHERE active)
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(audit.at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    return Ok(None);
                };
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(id)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await?;
                Self::end_sessions_of(&mut tx, id).await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("user/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(Some(id))
            }

            async fn change_password(
                &self,
                id: i64,
                password_hash: &str,
                audit: &AuditEntry,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(id)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                Self::end_sessions_of(&mut tx, id).await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("user/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn grant_reveal(
                &self,
                token_hash: &str,
                call_id: i64,
                now: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                // Grants that ran out go as new ones are made: no sweeper needed.
                sqlx::query("DELETE FROM reveal_grants WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO reveal_grants (token_hash, call_id, expires_at) VALUES ($1, $2, $3)
                     ON CONFLICT (token_hash, call_id) DO UPDATE SET expires_at = excluded.expires_at",
                )
                .bind(token_hash)
                .bind(call_id)
                .bind(until)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reveal_granted(
                &self,
                token_hash: &str,
                call_id: i64,
                now: DateTime<Utc>,
            ) -> StoreResult<bool> {
                let found: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM reveal_grants WHERE token_hash = $1 AND call_id = $2 AND expires_at > $3",
                )
                .bind(token_hash)
                .bind(call_id)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(found > 0)
            }
        }
    };
}

pub(super) use accounts_sql;
