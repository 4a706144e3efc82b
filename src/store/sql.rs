//! The SQL both backends share, written once. `sql_store!` implements [`super::Store`] for a
//! store type over a concrete sqlx pool; the SQL here is the dialect SQLite and PostgreSQL agree
//! on (`$n` parameters, `RETURNING`, `ON CONFLICT`). Where they differ, the backend's own module
//! says so.

use chrono::{DateTime, Utc};
use hotline_schedules::{PhoneNumber, StaffMember};

use super::{
    AuditEntry, BlockEntry, CallLeg, CallOutcome, CallRecord, CallStage, FollowUp, RuleKind,
    StoreError, StoreResult, StoredAudit, StoredRule,
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
    id: i64,
    call_sid: String,
    line_number: String,
    caller_sealed: Vec<u8>,
    caller_hash: String,
    status: String,
    stage: String,
    language: Option<String>,
    service: Option<String>,
    ringing_since: Option<DateTime<Utc>>,
    outcome: Option<String>,
    answered_by: Option<i64>,
    started_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    duration_secs: Option<i64>,
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

/// Implements `Store` for `$store`, whose `pool` field is a `sqlx::Pool<$db>`.
macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal) => {
        outbox_sql::outbox_methods!($store);

        impl $store {
            /// Every change to staff or the rota is logged in the transaction that makes it.
            async fn write_audit(tx: &mut sqlx::Transaction<'_, $db>, entry: &AuditEntry) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, subject, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.subject)
                .bind(&entry.before)
                .bind(&entry.after)
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

        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn upsert_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let id = Self::insert_staff(&mut tx, staff, audit, true).await?;
                let id = id.ok_or_else(|| StoreError::Corrupt("an upsert returned no row".into()))?;
                tx.commit().await?;
                Ok(id)
            }

            async fn create_staff(&self, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<Option<i64>> {
                let mut tx = self.pool.begin().await?;
                let id = Self::insert_staff(&mut tx, staff, audit, false).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn update_staff(&self, id: i64, staff: &NewStaff, audit: &AuditEntry) -> StoreResult<bool> {
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
                Ok(done.rows_affected() == 1)
            }

            async fn staff(&self) -> StoreResult<Vec<StaffMember>> {
                let rows: Vec<sql::StaffRow> =
                    sqlx::query_as(concat!("SELECT ", sql::staff_columns!(), " FROM staff ORDER BY id"))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(sql::StaffRow::into_member).collect()
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

            async fn create_rules(&self, rules: &[NewRule], audit: &AuditEntry) -> StoreResult<Vec<i64>> {
                let mut tx = self.pool.begin().await?;
                let mut ids = Vec::with_capacity(rules.len());
                for rule in rules {
                    ids.push(Self::insert_rule(&mut tx, rule).await?);
                }
                let subject = ids.iter().map(|id| format!("rule/{id}")).collect::<Vec<_>>().join(",");
                Self::write_audit(&mut tx, &AuditEntry { subject, ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(ids)
            }

            async fn close_rule(&self, id: i64, at: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let closed = Self::end_rule(&mut tx, id, at, None).await?;
                if closed {
                    Self::write_audit(&mut tx, &AuditEntry { subject: format!("rule/{id}"), ..audit.clone() }).await?;
                }
                tx.commit().await?;
                Ok(closed)
            }

            async fn replace_rule(&self, id: i64, rule: &NewRule, audit: &AuditEntry) -> StoreResult<Option<i64>> {
                let mut tx = self.pool.begin().await?;
                let new_id = Self::insert_rule(&mut tx, rule).await?;
                if !Self::end_rule(&mut tx, id, rule.valid_from, Some(new_id)).await? {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let subject = format!("rule/{id}");
                Self::write_audit(&mut tx, &AuditEntry { subject, ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(Some(new_id))
            }

            async fn rule(&self, id: i64) -> StoreResult<Option<StoredRule>> {
                let row: Option<sql::RuleRow> = sqlx::query_as(
                    "SELECT id, kind, body, valid_from, valid_until, replaced_by FROM rota_rules WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(sql::RuleRow::into_rule).transpose()
            }

            async fn rules_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<StoredRule>> {
                let rows: Vec<sql::RuleRow> = sqlx::query_as(
                    "SELECT id, kind, body, valid_from, valid_until, replaced_by FROM rota_rules
                     WHERE valid_from < $2 AND (valid_until IS NULL OR valid_until > $1)
                       AND (ends_at IS NULL OR ends_at > $1) AND (starts_at IS NULL OR starts_at < $2)
                     ORDER BY id",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::RuleRow::into_rule).collect()
            }

            async fn audit_log(&self, limit: i64) -> StoreResult<Vec<StoredAudit>> {
                let rows: Vec<sql::AuditRow> = sqlx::query_as(
                    "SELECT id, at, actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(StoredAudit::from).collect())
            }

            async fn record_call(&self, call: &NewCall) -> StoreResult<CallRecord> {
                sqlx::query(
                    "INSERT INTO calls (call_sid, line_number, caller_sealed, caller_hash, status, stage, started_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (call_sid) DO NOTHING",
                )
                .bind(&call.call_sid)
                .bind(&call.line_number)
                .bind(&call.caller_sealed)
                .bind(&call.caller_hash)
                .bind(&call.status)
                .bind(CallStage::Greeting.as_str())
                .bind(call.started_at)
                .execute(&self.pool)
                .await?;
                self.call_by_sid(&call.call_sid)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt("a call vanished after it was recorded".into()))
            }

            async fn call_by_id(&self, call_id: i64) -> StoreResult<Option<CallRecord>> {
                let row: Option<sql::CallRow> = sqlx::query_as(concat!(sql::select_calls!(), "WHERE id = $1"))
                    .bind(call_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(sql::CallRow::into_record).transpose()
            }

            async fn set_call_outcome(&self, call_id: i64, outcome: CallOutcome) -> StoreResult<()> {
                sqlx::query("UPDATE calls SET outcome = COALESCE(outcome, $1) WHERE id = $2")
                    .bind(outcome.as_str())
                    .bind(call_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn call_by_sid(&self, call_sid: &str) -> StoreResult<Option<CallRecord>> {
                let row: Option<sql::CallRow> =
                    sqlx::query_as(concat!(sql::select_calls!(), "WHERE call_sid = $1"))
                        .bind(call_sid)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(sql::CallRow::into_record).transpose()
            }

            async fn set_call_stage(&self, call_id: i64, stage: CallStage) -> StoreResult<()> {
                sqlx::query("UPDATE calls SET stage = $1 WHERE id = $2")
                    .bind(stage.as_str())
                    .bind(call_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn legs(&self, call_id: i64) -> StoreResult<Vec<CallLeg>> {
                let rows: Vec<sql::LegRow> = sqlx::query_as(
                    "SELECT call_id, attempt, staff_id, started_at, result, dial_call_sid, duration_secs, ended_at
                     FROM call_legs WHERE call_id = $1 ORDER BY attempt",
                )
                .bind(call_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(CallLeg::from).collect())
            }

            async fn set_call_choice(&self, call_id: i64, language: Language, service: Option<Service>) -> StoreResult<()> {
                sqlx::query("UPDATE calls SET language = $1, service = COALESCE($2, service) WHERE id = $3")
                    .bind(language.as_str())
                    .bind(service.map(|s| s.as_str()))
                    .bind(call_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn start_legs(&self, legs: &[NewLeg], at: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                for leg in legs {
                    sqlx::query(
                        "INSERT INTO call_legs (call_id, attempt, staff_id, started_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (call_id, attempt, staff_id) DO NOTHING",
                    )
                    .bind(leg.call_id)
                    .bind(leg.attempt)
                    .bind(leg.staff_id)
                    .bind(leg.started_at)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE calls SET stage = $1, ringing_since = COALESCE(ringing_since, $2) WHERE id = $3")
                        .bind(CallStage::Ringing.as_str())
                        .bind(at)
                        .bind(leg.call_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn finish_leg(&self, call_id: i64, attempt: i64, staff_id: Option<i64>, end: &LegEnd) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE call_legs SET result = $1, dial_call_sid = COALESCE($2, dial_call_sid),
                        duration_secs = $3, ended_at = $4
                     WHERE call_id = $5 AND attempt = $6 AND ($7 IS NULL OR staff_id = $7)
                       AND (result IS NULL OR result = $8)",
                )
                .bind(&end.result)
                .bind(&end.dial_call_sid)
                .bind(end.duration_secs)
                .bind(end.ended_at)
                .bind(call_id)
                .bind(attempt)
                .bind(staff_id)
                .bind(CALLER_HUNG_UP)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn report_leg(&self, leg: &NewLeg, dial_call_sid: &str, end: Option<&LegEnd>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO call_legs (call_id, attempt, staff_id, started_at, dial_call_sid, result, duration_secs, ended_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (call_id, attempt, staff_id) DO UPDATE SET
                        dial_call_sid = COALESCE(call_legs.dial_call_sid, excluded.dial_call_sid),
                        result = CASE WHEN call_legs.result IS NULL OR call_legs.result = $9
                                 THEN COALESCE(excluded.result, call_legs.result) ELSE call_legs.result END,
                        duration_secs = COALESCE(call_legs.duration_secs, excluded.duration_secs),
                        ended_at = COALESCE(excluded.ended_at, call_legs.ended_at)",
                )
                .bind(leg.call_id)
                .bind(leg.attempt)
                .bind(leg.staff_id)
                .bind(leg.started_at)
                .bind(dial_call_sid)
                .bind(end.map(|e| e.result.as_str()))
                .bind(end.and_then(|e| e.duration_secs))
                .bind(end.map(|e| e.ended_at))
                .bind(CALLER_HUNG_UP)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn settle_legs(&self, call_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM call_legs WHERE call_id = $1 AND result IS NULL AND dial_call_sid IS NULL")
                    .bind(call_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE call_legs SET result = $1, ended_at = $2 WHERE call_id = $3 AND result IS NULL")
                    .bind(CALLER_HUNG_UP)
                    .bind(at)
                    .bind(call_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn claim_call(&self, call_id: i64, staff_id: i64, at: DateTime<Utc>) -> StoreResult<Option<i64>> {
                let mut tx = self.pool.begin().await?;
                // One conditional UPDATE: of two people pressing 1 at once, exactly one wins.
                sqlx::query(
                    "UPDATE calls SET answered_by = $1, answered_at = $2, stage = $3, outcome = $4
                     WHERE id = $5 AND answered_by IS NULL AND ended_at IS NULL",
                )
                .bind(staff_id)
                .bind(at)
                .bind(CallStage::Connected.as_str())
                .bind(CallOutcome::Answered.as_str())
                .bind(call_id)
                .execute(&mut *tx)
                .await?;
                let answered_by: Option<Option<i64>> = sqlx::query_scalar("SELECT answered_by FROM calls WHERE id = $1")
                    .bind(call_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(answered_by.flatten())
            }

            async fn busy_staff(&self, except_call: i64) -> StoreResult<Vec<i64>> {
                let ids = sqlx::query_scalar(
                    "SELECT DISTINCT l.staff_id FROM call_legs l JOIN calls c ON c.id = l.call_id
                     WHERE c.ended_at IS NULL AND c.id <> $1
                       AND (l.result IS NULL OR c.answered_by = l.staff_id)
                     ORDER BY l.staff_id",
                )
                .bind(except_call)
                .fetch_all(&self.pool)
                .await?;
                Ok(ids)
            }

            async fn unfinished_calls(&self, before: DateTime<Utc>) -> StoreResult<Vec<CallRecord>> {
                let rows: Vec<sql::CallRow> =
                    sqlx::query_as(concat!(sql::select_calls!(), "WHERE ended_at IS NULL AND started_at < $1 ORDER BY id"))
                        .bind(before)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(sql::CallRow::into_record).collect()
            }

            async fn line(&self, number: &str) -> StoreResult<Option<String>> {
                let body = sqlx::query_scalar("SELECT body FROM lines WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(body)
            }

            async fn lines(&self) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query_as("SELECT number, body FROM lines ORDER BY number").fetch_all(&self.pool).await?;
                Ok(rows)
            }

            async fn put_line(&self, number: &str, body: &str, audit: &AuditEntry) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO lines (number, body, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (number) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                )
                .bind(number)
                .bind(body)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("line/{number}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_line(&self, number: &str, audit: &AuditEntry) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("DELETE FROM lines WHERE number = $1").bind(number).execute(&mut *tx).await?;
                if done.rows_affected() == 1 {
                    Self::write_audit(&mut tx, &AuditEntry { subject: format!("line/{number}"), ..audit.clone() }).await?;
                }
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn block(&self, number_hash: &str, until: DateTime<Utc>, reason: &str, audit: &AuditEntry) -> StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO blocklist (number_hash, until, reason, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(number_hash)
                .bind(until)
                .bind(reason)
                .bind(audit.at)
                .fetch_one(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, &AuditEntry { subject: format!("blocklist/{id}"), ..audit.clone() }).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn unblock(&self, id: i64, audit: &AuditEntry) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("DELETE FROM blocklist WHERE id = $1").bind(id).execute(&mut *tx).await?;
                if done.rows_affected() == 1 {
                    Self::write_audit(&mut tx, &AuditEntry { subject: format!("blocklist/{id}"), ..audit.clone() }).await?;
                }
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn is_blocked(&self, number_hash: &str, at: DateTime<Utc>) -> StoreResult<bool> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blocklist WHERE number_hash = $1 AND until > $2")
                    .bind(number_hash)
                    .bind(at)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count > 0)
            }

            async fn blocklist(&self) -> StoreResult<Vec<BlockEntry>> {
                let rows: Vec<sql::BlockRow> =
                    sqlx::query_as("SELECT id, until, reason, created_at FROM blocklist ORDER BY id").fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(BlockEntry::from).collect())
            }

            async fn open_follow_up(&self, follow_up: &NewFollowUp) -> StoreResult<Option<i64>> {
                let id = sqlx::query_scalar(
                    "INSERT INTO follow_ups (call_id, kind, service, line_number, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (call_id) DO NOTHING RETURNING id",
                )
                .bind(follow_up.call_id)
                .bind(follow_up.kind.as_str())
                .bind(follow_up.service.map(|s| s.as_str()))
                .bind(&follow_up.line_number)
                .bind(follow_up.created_at)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id)
            }

            async fn open_follow_ups(&self) -> StoreResult<Vec<FollowUp>> {
                let rows: Vec<sql::FollowUpRow> = sqlx::query_as(
                    "SELECT id, call_id, kind, service, line_number, status, created_at FROM follow_ups
                     WHERE status = 'open' ORDER BY created_at, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::FollowUpRow::into_follow_up).collect()
            }

            async fn record_voicemail(&self, voicemail: &NewVoicemail) -> StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO voicemails (call_id, recording_sid, recording_sealed, duration_secs, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_id) DO NOTHING",
                )
                .bind(voicemail.call_id)
                .bind(&voicemail.recording_sid)
                .bind(&voicemail.recording_sealed)
                .bind(voicemail.duration_secs)
                .bind(voicemail.created_at)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 1 {
                    sqlx::query("UPDATE calls SET outcome = $1 WHERE id = $2 AND outcome IS NULL")
                        .bind(CallOutcome::Voicemail.as_str())
                        .bind(voicemail.call_id)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(done.rows_affected() == 1)
            }

            async fn has_voicemail(&self, call_id: i64) -> StoreResult<bool> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM voicemails WHERE call_id = $1")
                    .bind(call_id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count > 0)
            }

            async fn apply_call_status(&self, update: &CallStatusUpdate) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE calls SET status = $1, last_sequence = $2,
                        ended_at = COALESCE($3, ended_at), duration_secs = COALESCE($4, duration_secs),
                        outcome = COALESCE(outcome, $5)
                     WHERE call_sid = $6 AND last_sequence <= $2",
                )
                .bind(&update.status)
                .bind(update.sequence)
                .bind(update.ended_at)
                .bind(update.duration_secs)
                .bind(update.outcome.map(CallOutcome::as_str))
                .bind(&update.call_sid)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn calls_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<CallRecord>> {
                let rows: Vec<sql::CallRow> = sqlx::query_as(concat!(
                    sql::select_calls!(),
                    "WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at, id"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(sql::CallRow::into_record).collect()
            }

            async fn enqueue_outbox(&self, message: &NewOutboxMessage) -> StoreResult<bool> {
                self.sql_enqueue_outbox(message).await
            }

            async fn pending_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
                self.sql_pending_outbox(limit).await
            }

            async fn due_outbox(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
                self.sql_due_outbox(now, limit).await
            }

            async fn claim_outbox(&self, id: i64, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<Option<OutboxMessage>> {
                self.sql_claim_outbox(id, now, lease_until).await
            }

            async fn release_outbox(&self, id: i64, attempt: i64, next_attempt_at: DateTime<Utc>) -> StoreResult<bool> {
                self.sql_release_outbox(id, attempt, next_attempt_at).await
            }

            async fn mark_outbox_sent(&self, id: i64, provider_sid: &str, at: DateTime<Utc>) -> StoreResult<bool> {
                self.sql_mark_outbox_sent(id, provider_sid, at).await
            }

            async fn retry_outbox(&self, id: i64, attempt: i64, retry: &OutboxRetry) -> StoreResult<bool> {
                self.sql_retry_outbox(id, attempt, retry).await
            }

            async fn fail_outbox(&self, id: i64, attempt: i64, failure: &OutboxFailure) -> StoreResult<bool> {
                self.sql_fail_outbox(id, attempt, failure).await
            }

            async fn apply_outbox_status(&self, update: &OutboxStatusUpdate) -> StoreResult<bool> {
                self.sql_apply_outbox_status(update).await
            }

            async fn outbox_message(&self, id: i64) -> StoreResult<Option<OutboxMessage>> {
                self.sql_outbox_message(id).await
            }

            async fn outbox_by_sid(&self, provider_sid: &str) -> StoreResult<Option<OutboxMessage>> {
                self.sql_outbox_by_sid(provider_sid).await
            }

            async fn failed_outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
                self.sql_failed_outbox(limit).await
            }

            async fn create_api_token(&self, name: &str, token_hash: &str, at: DateTime<Utc>) -> StoreResult<i64> {
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

pub(super) use {select_calls, sql_store, staff_columns};
