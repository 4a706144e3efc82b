//! The people who sign in to the coordinator's pages, their sessions, their failed sign-ins (to
//! throttle guessing) and the one-time link the first coordinator signs in with. Only hashes of
//! passwords, session tokens and link tokens are kept: a copy of the database lets nobody in.

use chrono::{DateTime, Utc};

use super::*;

/// What a user may see and do on the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Coordinator,
    /// Their own services' follow-ups, with callers' numbers masked.
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Staff => "staff",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "coordinator" => Some(Role::Coordinator),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// The language a user reads the pages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageLanguage {
    #[default]
    Ru,
    Kk,
    En,
}

impl PageLanguage {
    pub const ALL: [PageLanguage; 3] = [PageLanguage::Ru, PageLanguage::Kk, PageLanguage::En];

    pub fn as_str(self) -> &'static str {
        match self {
            PageLanguage::Ru => "ru",
            PageLanguage::Kk => "kk",
            PageLanguage::En => "en",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ru" => Some(PageLanguage::Ru),
            "kk" => Some(PageLanguage::Kk),
            "en" => Some(PageLanguage::En),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    /// Compared as given: the caller of `create_user` lowercases it.
    pub login: String,
    /// argon2id, in the PHC string form.
    pub password_hash: String,
    pub role: Role,
    /// The staff member this user is, whose services they see.
    pub staff_id: Option<i64>,
    pub language: PageLanguage,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub staff_id: Option<i64>,
    pub language: PageLanguage,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    pub user_id: i64,
    /// What every form of this session carries, against forged posts.
    pub csrf_secret: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A live session and the (active) user it signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_secret: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Failed sign-ins since some instant, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailedSignIns {
    pub for_login: Vec<DateTime<Utc>>,
    pub from_ip: Vec<DateTime<Utc>>,
}

#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    /// Adds a user; `None` when the login is taken.
    async fn create_user(&self, user: &NewUser) -> StoreResult<Option<i64>>;
    async fn user(&self, id: i64) -> StoreResult<Option<User>>;
    async fn user_by_login(&self, login: &str) -> StoreResult<Option<User>>;
    /// Everyone, by name.
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<i64>;
    /// False when there is no such user.
    async fn set_user_language(&self, id: i64, language: PageLanguage) -> StoreResult<bool>;
    /// Starts a session, and forgets those expired by its start.
    async fn start_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The session with this token hash, unless it expired by `now` or its user was deactivated.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>>;
    /// Notes the session seen at `at`, now lasting until `expires_at`.
    async fn touch_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn end_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Keeps a failed sign-in, and forgets those before `forget_before`.
    async fn record_failed_sign_in(
        &self,
        login: &str,
        ip: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Failed sign-ins for `login` and from `ip` at or after `since`.
    async fn failed_sign_ins(
        &self,
        login: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<FailedSignIns>;
    /// Forgets the failures for `login`, once its user has signed in.
    async fn forget_failed_sign_ins(&self, login: &str) -> StoreResult<()>;
    async fn create_sign_in_link(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether the first coordinator's link is unused and unexpired at `now` (a link that sets
    /// a user's password is not one: `AccountStore`).
    async fn sign_in_link_open(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Uses the link and adds `user` in one transaction: `None` (and nothing added) when the
    /// link is used, expired or unknown, or the login is taken.
    async fn create_user_with_link(
        &self,
        token_hash: &str,
        user: &NewUser,
    ) -> StoreResult<Option<i64>>;
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: i64,
    name: String,
    login: String,
    password_hash: String,
    role: String,
    staff_id: Option<i64>,
    language: String,
    active: bool,
}

impl UserRow {
    pub(super) fn into_user(self) -> StoreResult<User> {
        Ok(User {
            role: Role::from_name(&self.role)
                .ok_or_else(|| StoreError::Corrupt(self.role.clone()))?,
            language: PageLanguage::from_name(&self.language)
                .ok_or_else(|| StoreError::Corrupt(self.language.clone()))?,
            id: self.id,
            name: self.name,
            login: self.login,
            password_hash: self.password_hash,
            staff_id: self.staff_id,
            active: self.active,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_secret: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// The columns `UserRow` reads, of the table `u`.
macro_rules! user_columns {
    () => {
        "u.id, u.name, u.login, u.password_hash, u.role, u.staff_id, u.language, u.active"
    };
}

/// The users' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! users_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn insert_user(
                tx: &mut sqlx::Transaction<'_, $db>,
                user: &NewUser,
            ) -> StoreResult<Option<i64>> {
                let id = sqlx::query_scalar(
                    "INSERT INTO users (name, login, password_hash, role, staff_id, language, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (login) DO NOTHING RETURNING id",
                )
                .bind(&user.name)
                .bind(&user.login)
                .bind(&user.password_hash)
                .bind(user.role.as_str())
                .bind(user.staff_id)
                .bind(user.language.as_str())
                .bind(user.created_at)
                .fetch_optional(&mut **tx)
                .await?;
                Ok(id)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::UserStore for $store {
            async fn create_user(&self, user: &NewUser) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let id = Self::insert_user(&mut tx, user).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn user(&self, id: i64) -> StoreResult<Option<User>> {
                let row: Option<users::UserRow> =
                    sqlx::query_as(concat!("SELECT ", users::user_columns!(), " FROM users u WHERE u.id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(users::UserRow::into_user).transpose()
            }

            async fn user_by_login(&self, login: &str) -> StoreResult<Option<User>> {
                let row: Option<users::UserRow> =
                    sqlx::query_as(concat!("SELECT ", users::user_columns!(), " FROM users u WHERE u.login = $1"))
                        .bind(login)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(users::UserRow::into_user).transpose()
            }

            async fn users(&self) -> StoreResult<Vec<User>> {
                let rows: Vec<users::UserRow> =
                    sqlx::query_as(concat!("SELECT ", users::user_columns!(), " FROM users u ORDER BY u.name, u.id"))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(users::UserRow::into_user).collect()
            }

            async fn count_users(&self) -> StoreResult<i64> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count)
            }

            async fn set_user_language(&self, id: i64, language: PageLanguage) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query("UPDATE users SET language = $2 WHERE id = $1")
                    .bind(id)
                    .bind(language.as_str())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn start_session(&self, session: &NewSession) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                // Sessions that ended by time go as new ones start: no sweeper needed.
                sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(session.created_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, csrf_secret, created_at, last_seen_at, expires_at)
                     VALUES ($1, $2, $3, $4, $4, $5)",
                )
                .bind(&session.token_hash)
                .bind(session.user_id)
                .bind(&session.csrf_secret)
                .bind(session.created_at)
                .bind(session.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>> {
                let row: Option<users::SessionRow> = sqlx::query_as(concat!(
                    "SELECT ", users::user_columns!(),
                    ", s.csrf_secret, s.created_at, s.last_seen_at, s.expires_at
                     FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.map(users::SessionRow::into_session).transpose()
            }

            async fn touch_session(
                &self,
                token_hash: &str,
                at: DateTime<Utc>,
                expires_at: DateTime<Utc>,
            ) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1")
                    .bind(token_hash)
                    .bind(at)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn end_session(&self, token_hash: &str) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn record_failed_sign_in(
                &self,
                login: &str,
                ip: &str,
                at: DateTime<Utc>,
                forget_before: DateTime<Utc>,
            ) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM failed_sign_ins WHERE at < $1")
                    .bind(forget_before)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO failed_sign_ins (login, ip, at) VALUES ($1, $2, $3)")
                    .bind(login)
                    .bind(ip)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn failed_sign_ins(
                &self,
                login: &str,
                ip: &str,
                since: DateTime<Utc>,
            ) -> StoreResult<FailedSignIns> {
                let for_login: Vec<DateTime<Utc>> = sqlx::query_scalar(
                    "SELECT at FROM failed_sign_ins WHERE login = $1 AND at >= $2 ORDER BY at, id",
                )
                .bind(login)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                let from_ip: Vec<DateTime<Utc>> = sqlx::query_scalar(
                    "SELECT at FROM failed_sign_ins WHERE ip = $1 AND at >= $2 ORDER BY at, id",
                )
                .bind(ip)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok(FailedSignIns { for_login, from_ip })
            }

            async fn forget_failed_sign_ins(&self, login: &str) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query("DELETE FROM failed_sign_ins WHERE login = $1")
                    .bind(login)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_sign_in_link(
                &self,
                token_hash: &str,
                at: DateTime<Utc>,
                expires_at: DateTime<Utc>,
            ) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query("INSERT INTO sign_in_links (token_hash, created_at, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash)
                    .bind(at)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn sign_in_link_open(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
                let found: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sign_in_links
                     WHERE token_hash = $1 AND user_id IS NULL AND used_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(found > 0)
            }

            async fn create_user_with_link(
                &self,
                token_hash: &str,
                user: &NewUser,
            ) -> StoreResult<Option<i64>> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let used = sqlx::query(
                    "UPDATE sign_in_links SET used_at = $2
                     WHERE token_hash = $1 AND user_id IS NULL AND used_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(user.created_at)
                .execute(&mut *tx)
                .await?;
                if used.rows_affected() != 1 {
                    return Ok(None);
                }
                let id = Self::insert_user(&mut tx, user).await?;
                if id.is_some() {
                    tx.commit().await?;
                }
                Ok(id)
            }
        }
    };
}

impl SessionRow {
    pub(super) fn into_session(self) -> StoreResult<Session> {
        Ok(Session {
            user: self.user.into_user()?,
            csrf_secret: self.csrf_secret,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            expires_at: self.expires_at,
        })
    }
}

pub(super) use {user_columns, users_sql};
