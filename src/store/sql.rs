//! The SQL both backends share, written once. `sql_store!` implements [`super::Store`] for a
//! store type over a concrete sqlx pool; the SQL here is the dialect SQLite and PostgreSQL agree
//! on (`$n` parameters, `RETURNING`, `ON CONFLICT`). Where they differ, the backend's own module
//! says so.

use chrono::{DateTime, Utc};
use hotline_schedules::{PhoneNumber, StaffMember};

use super::{
    Assignee, AuditEntry, BlockEntry, CallLeg, CallOutcome, CallRecord, CallStage, FollowUp,
    RuleKind, StoreError, StoreResult, StoredAudit, StoredRule,
};

/// Lists are kept as comma-separated names: small, fixed vocabularies read whole every time.
pub(super) fn join_names<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_names<T: std::str::FromStr>(text: &str) -> StoreResult<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    text.split(',')
        .filter(|name| !name.is_empty())
        .map(|name| {
            name.parse()
                .map_err(|e: T::Err| StoreError::Corrupt(e.to_string()))
        })
        .collect()
}

fn parse<T: std::str::FromStr>(text: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| StoreError::Corrupt(e.to_string()))
}

#[derive(sqlx::FromRow)]
pub(super) struct StaffRow {
    id: i64,
    name: String,
    phone: String,
    services: String,
    languages: String,
    is_coordinator: bool,
    active: bool,
    gender: Option<String>,
}

/// The columns `StaffRow` reads, as a literal so queries stay static strings.
macro_rules! staff_columns {
    () => {
        "id, name, phone, services, languages, is_coordinator, active, gender"
    };
}

impl StaffRow {
    pub(super) fn into_member(self) -> StoreResult<StaffMember> {
        Ok(StaffMember {
            id: self.id,
            name: self.name,
            phone: PhoneNumber::parse(&self.phone)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            services: parse_names(&self.services)?,
            languages: parse_names(&self.languages)?,
            gender: self.gender.as_deref().map(parse).transpose()?,
            is_coordinator: self.is_coordinator,
            active: self.active,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RuleRow {
    id: i64,
    kind: String,
    body: String,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    replaced_by: Option<i64>,
}

impl RuleRow {
    pub(super) fn into_rule(self) -> StoreResult<StoredRule> {
        Ok(StoredRule {
            id: self.id,
            kind: RuleKind::from_name(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(self.kind.clone()))?,
            body: self.body,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            replaced_by: self.replaced_by,
        })
    }
}

/// A rule with the columns the settings cache selects by.
#[derive(sqlx::FromRow)]
pub(super) struct RuleSpanRow {
    #[sqlx(flatten)]
    rule: RuleRow,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
}

impl RuleSpanRow {
    pub(super) fn into_cached(self) -> StoreResult<super::settings_cache::CachedRule> {
        Ok(super::settings_cache::CachedRule {
            rule: self.rule.into_rule()?,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct BlockRow {
    id: i64,
    until: DateTime<Utc>,
    reason: String,
    created_at: DateTime<Utc>,
}

impl From<BlockRow> for BlockEntry {
    fn from(row: BlockRow) -> Self {
        BlockEntry {
            id: row.id,
            until: row.until,
            reason: row.reason,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct FollowUpRow {
    id: i64,
    call_id: Option<i64>,
    kind: String,
    service: Option<String>,
    line_number: String,
    status: String,
    created_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    answered_by: Option<i64>,
    reminders_sent: i64,
    answer_note_sealed: Option<Vec<u8>>,
    code: Option<String>,
    assigned_to: Option<i64>,
    assigned_at: Option<DateTime<Utc>>,
    assignee_name: Option<String>,
    assignee_active: Option<bool>,
}

/// The start of every query that reads follow-ups, as a literal so queries stay static strings.
macro_rules! select_follow_ups {
    () => {
        "SELECT f.id, f.call_id, f.kind, f.service, f.line_number, f.status, f.created_at, f.answered_at, \
         f.answered_by, f.reminders_sent, f.answer_note_sealed, c.code, f.assigned_to, f.assigned_at, \
         a.name AS assignee_name, a.active AS assignee_active FROM follow_ups f \
         LEFT JOIN conversations c ON c.follow_up_id = f.id \
         LEFT JOIN staff a ON a.id = f.assigned_to "
    };
}

impl FollowUpRow {
    pub(super) fn into_follow_up(self) -> StoreResult<FollowUp> {
        Ok(FollowUp {
            id: self.id,
            call_id: self.call_id,
            kind: self.kind,
            service: self.service.as_deref().map(parse).transpose()?,
            line_number: self.line_number,
            status: self.status,
            created_at: self.created_at,
            answered_at: self.answered_at,
            answered_by: self.answered_by,
            reminders_sent: self.reminders_sent,
            answer_note_sealed: self.answer_note_sealed,
            code: self.code,
            assignee: match (self.assigned_to, self.assigned_at) {
                (Some(staff_id), Some(since)) => Some(Assignee {
                    staff_id,
                    name: self.assignee_name.unwrap_or_default(),
                    active: self.assignee_active.unwrap_or(false),
                    since,
                }),
                _ => None,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
}

impl From<AuditRow> for StoredAudit {
    fn from(row: AuditRow) -> Self {
        StoredAudit {
            id: row.id,
            entry: AuditEntry {
                at: row.at,
                actor: row.actor,
                action: row.action,
                subject: row.subject,
                before: row.before,
                after: row.after,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CallRow {
    pub(super) id: i64,
    pub(super) call_sid: String,
    pub(super) line_number: String,
    pub(super) caller_sealed: Vec<u8>,
    pub(super) caller_hash: String,
    pub(super) status: String,
    pub(super) stage: String,
    pub(super) language: Option<String>,
    pub(super) service: Option<String>,
    pub(super) ringing_since: Option<DateTime<Utc>>,
    pub(super) outcome: Option<String>,
    pub(super) answered_by: Option<i64>,
    pub(super) started_at: DateTime<Utc>,
    pub(super) answered_at: Option<DateTime<Utc>>,
    pub(super) ended_at: Option<DateTime<Utc>>,
    pub(super) duration_secs: Option<i64>,
}

impl CallRow {
    pub(super) fn into_record(self) -> StoreResult<CallRecord> {
        Ok(CallRecord {
            id: self.id,
            call_sid: self.call_sid,
            line_number: self.line_number,
            caller_sealed: self.caller_sealed,
            caller_hash: self.caller_hash,
            status: self.status,
            stage: CallStage::from_name(&self.stage)
                .ok_or_else(|| StoreError::Corrupt(self.stage.clone()))?,
            language: self.language.as_deref().map(parse).transpose()?,
            service: self.service.as_deref().map(parse).transpose()?,
            ringing_since: self.ringing_since,
            outcome: match self.outcome.as_deref() {
                Some(name) => Some(
                    CallOutcome::from_name(name)
                        .ok_or_else(|| StoreError::Corrupt(name.to_owned()))?,
                ),
                None => None,
            },
            answered_by: self.answered_by,
            started_at: self.started_at,
            answered_at: self.answered_at,
            ended_at: self.ended_at,
            duration_secs: self.duration_secs,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct LegRow {
    call_id: i64,
    attempt: i64,
    staff_id: i64,
    started_at: DateTime<Utc>,
    result: Option<String>,
    dial_call_sid: Option<String>,
    duration_secs: Option<i64>,
    ended_at: Option<DateTime<Utc>>,
}

impl From<LegRow> for CallLeg {
    fn from(row: LegRow) -> Self {
        CallLeg {
            call_id: row.call_id,
            attempt: row.attempt,
            staff_id: row.staff_id,
            started_at: row.started_at,
            result: row.result,
            dial_call_sid: row.dial_call_sid,
            duration_secs: row.duration_secs,
            ended_at: row.ended_at,
        }
    }
}

/// The start of every query that reads calls, as a literal so queries stay static strings.
macro_rules! select_calls {
    () => {
        "SELECT id, call_sid, line_number, caller_sealed, caller_hash, status, stage, language, service, \
         ringing_since, outcome, answered_by, started_at, answered_at, ended_at, duration_secs FROM calls "
    };
}

/// Implements `Store` for `$store`, whose `pool` field is a `sqlx::Pool<$db>`; `$isolate` says whether
/// a group-committed write needs a savepoint of its own (see `group_commit_sql!`).
macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal, $isolate:literal) => {

        impl $store {
            /// The revision of the settings kept in memory (see `settings_cache.rs`).
            async fn settings_revision(&self) -> StoreResult<i64> {
                let read = sqlx::query_scalar("SELECT revision FROM settings_revision WHERE id = 1")
                    .fetch_one(&self.pool);
                Ok(self.settings.revision(read).await?)
            }

            /// Every change is logged in the transaction that makes it, as the next link of the
            /// audit chain. Taking the head first, by an update, locks it (a row lock on
            /// PostgreSQL, the write lock on SQLite), so concurrent changes chain one by one.
            async fn write_audit(tx: &mut sqlx::Transaction<'_, $db>, entry: &AuditEntry) -> StoreResult<()> {
                let (prev_hash,): (String,) = sqlx::query_as(
                    "UPDATE audit_head SET last_id = last_id WHERE id = 1 RETURNING hash",
                )
                .fetch_one(&mut **tx)
                .await?;
                let link = $crate::audit_chain::link(entry, &prev_hash);
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO audit_log (at, actor, action, subject, before, after, salt,
                                            before_digest, after_digest, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.subject)
                .bind(&entry.before)
                .bind(&entry.after)
                .bind(&link.salt)
                .bind(&link.before_digest)
                .bind(&link.after_digest)
                .bind(&link.prev_hash)
                .bind(&link.hash)
                .fetch_one(&mut **tx)
                .await?;
                sqlx::query("UPDATE audit_head SET last_id = $1, hash = $2 WHERE id = 1")
                    .bind(id)
                    .bind(&link.hash)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            /// Adds a staff member, or with `update_existing` updates the one with the same phone;
            /// `None` when the phone is taken and nothing was updated. Audited when it writes.
            async fn insert_staff(
                tx: &mut sqlx::Transaction<'_, $db>,
                staff: &NewStaff,
                audit: &AuditEntry,
                update_existing: bool,
            ) -> StoreResult<Option<i64>> {
                let sql = if update_existing {
                    "INSERT INTO staff (name, phone, services, languages, gender, is_coordinator, active, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (phone) DO UPDATE SET name = excluded.name, services = excluded.services,
                        languages = excluded.languages, gender = excluded.gender,
                        is_coordinator = excluded.is_coordinator, active = excluded.active
                     RETURNING id"
                } else {
                    "INSERT INTO staff (name, phone, services, languages, gender, is_coordinator, active, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (phone) DO NOTHING RETURNING id"
                };
                let id: Option<i64> = sqlx::query_scalar(sql)
                    .bind(&staff.name)
                    .bind(staff.phone.as_e164())
                    .bind(sql::join_names(&staff.services))
                    .bind(sql::join_names(&staff.languages))
                    .bind(staff.gender.map(|g| g.as_str()))
                    .bind(staff.is_coordinator)
                    .bind(staff.active)
                    .bind(audit.at)
                    .fetch_optional(&mut **tx)
                    .await?;
                if let Some(id) = id {
                    Self::write_audit(tx, &AuditEntry { subject: format!("staff/{id}"), ..audit.clone() }).await?;
                }
                Ok(id)
            }

            async fn insert_rule(tx: &mut sqlx::Transaction<'_, $db>, rule: &NewRule) -> StoreResult<i64> {
                let id = sqlx::query_scalar(
                    "INSERT INTO rota_rules (kind, service, starts_at, ends_at, body, valid_from)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(rule.kind.as_str())
                .bind(rule.service.map(|s| s.as_str()))
                .bind(rule.starts_at)
                .bind(rule.ends_at)
                .bind(&rule.body)
                .bind(rule.valid_from)
                .fetch_one(&mut **tx)
                .await?;
                Ok(id)
            }

            /// Ends a rule's force at `at` unless it already ended; returns whether it did now.
            async fn end_rule(
                tx: &mut sqlx::Transaction<'_, $db>,
                id: i64,
                at: DateTime<Utc>,
                replaced_by: Option<i64>,
            ) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE rota_rules SET valid_until = $1, replaced_by = $2
                     WHERE id = $3 AND valid_until IS NULL AND valid_from <= $1",
                )
                .bind(at)
                .bind(replaced_by)
                .bind(id)
                .execute(&mut **tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }

        people::people_sql!($store);
        rota::rota_sql!($store);
        calls::call_sql!($store, $db);
        lines::line_sql!($store);
        outbox::outbox_sql!($store);
        messages::message_sql!($store, $db);
        texts_in::text_in_sql!($store, $db);
        committer::group_commit_sql!($store, $db, $isolate);
        jobs::job_sql!($store, $db);
        follow_ups::follow_up_sql!($store);
        reports::report_sql!($store);
        watches::watch_sql!($store);
        audit::audit_sql!($store);
        reseal::reseal_sql!($store);
        planned::planned_sql!($store);
        retention::retention_sql!($store, $db, $backend);
        erasure::erasure_sql!($store, $db, $backend);
        consents::consent_sql!($store);
        users::users_sql!($store, $db);
        accounts::accounts_sql!($store, $db);
        gauges::gauge_sql!($store, $backend);
        recordings::recording_sql!($store);

        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

        }
    };
}

pub(super) use {select_calls, select_follow_ups, sql_store, staff_columns};
