//! A call's hot writes (recorded, her choices, her stage, the legs rung) as SQLite's committer
//! makes them, on its own connection (see `sqlite_committer.rs`). The SQL is `calls.rs`'s, and
//! every value is bound as sqlx binds it (times as RFC 3339 text), so that what one writes the
//! other reads, compares and orders alike.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use hotline_schedules::{Language, Service};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::group_commit::{HotWrite, Written};
use super::{
    AfterChoice, CallRecord, CallStage, NewCall, NewLeg, StoreError, StoreResult, calls, sql,
};

/// Whether a write is one of a call's, which SQLite's committer makes itself.
pub(super) fn is_of_a_call(write: &HotWrite) -> bool {
    matches!(
        write,
        HotWrite::Call(_)
            | HotWrite::CallChoice(..)
            | HotWrite::CallChoiceThen(..)
            | HotWrite::CallStage(..)
            | HotWrite::Legs(..)
    )
}

/// Makes one of a call's writes in the connection's open transaction.
pub(super) fn write(connection: &Connection, write: &HotWrite) -> StoreResult<Written> {
    match write {
        HotWrite::Call(call) => record_call(connection, call).map(Written::Call),
        HotWrite::CallChoice(call_id, language, service) => {
            set_choice(connection, *call_id, *language, *service)?;
            Ok(Written::Done)
        }
        HotWrite::CallChoiceThen(call_id, language, service, then) => {
            set_choice(connection, *call_id, *language, *service)?;
            match then {
                AfterChoice::Ring(legs, at) => start_legs(connection, legs, *at)?,
                AfterChoice::Stage(stage) => set_stage(connection, *call_id, *stage)?,
            }
            Ok(Written::Done)
        }
        HotWrite::CallStage(call_id, stage) => {
            set_stage(connection, *call_id, *stage)?;
            Ok(Written::Done)
        }
        HotWrite::Legs(legs, at) => {
            start_legs(connection, legs, *at)?;
            Ok(Written::Done)
        }
        _ => Err(StoreError::Corrupt(
            "SQLite's committer was handed a write that is not a call's".into(),
        )),
    }
}

/// `calls.rs`'s INSERT of one call, put together once rather than for every call.
static INSERT_ONE_CALL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}VALUES ($1, $2, $3, $4, $5, $6, $7){}",
        calls::INSERT_CALLS,
        calls::CALLS_KEPT
    )
});

/// The call's first record; a repeat of its CallSid reads the record first kept.
fn record_call(connection: &Connection, call: &NewCall) -> StoreResult<CallRecord> {
    let inserted = connection
        .prepare_cached(&INSERT_ONE_CALL)?
        .query_row(
            params![
                call.call_sid,
                call.line_number,
                call.caller_sealed,
                call.caller_hash,
                call.status,
                CallStage::Greeting.as_str(),
                stamp(call.started_at),
            ],
            call_row,
        )
        .optional()?;
    let row = match inserted {
        Some(row) => row,
        None => connection
            .prepare_cached(concat!(sql::select_calls!(), "WHERE call_sid = $1"))?
            .query_row(params![call.call_sid], call_row)?,
    };
    row.into_record()
}

fn set_choice(
    connection: &Connection,
    call_id: i64,
    language: Language,
    service: Option<Service>,
) -> StoreResult<()> {
    connection
        .prepare_cached(calls::SET_CHOICE)?
        .execute(params![
            language.as_str(),
            service.map(|s| s.as_str()),
            call_id
        ])?;
    Ok(())
}

fn set_stage(connection: &Connection, call_id: i64, stage: CallStage) -> StoreResult<()> {
    connection
        .prepare_cached(calls::SET_STAGE)?
        .execute(params![stage.as_str(), call_id])?;
    Ok(())
}

fn start_legs(connection: &Connection, legs: &[NewLeg], at: DateTime<Utc>) -> StoreResult<()> {
    for leg in legs {
        start_leg(connection, leg, at)?;
    }
    Ok(())
}

/// One leg rung, and the call ringing since its first.
fn start_leg(connection: &Connection, leg: &NewLeg, at: DateTime<Utc>) -> StoreResult<()> {
    connection
        .prepare_cached(calls::INSERT_LEG)?
        .execute(params![
            leg.call_id,
            leg.attempt,
            leg.staff_id,
            stamp(leg.started_at)
        ])?;
    connection
        .prepare_cached(calls::LEG_RINGING)?
        .execute(params![CallStage::Ringing.as_str(), stamp(at), leg.call_id])?;
    Ok(())
}

/// A time as sqlx writes it to SQLite.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A time as written by [`stamp`] (or by SQLite's own `datetime()`, in UTC).
fn time_at(row: &Row, column: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let Some(text) = row.get::<_, Option<String>>(column)? else {
        return Ok(None);
    };
    let parsed = DateTime::parse_from_rfc3339(&text)
        .map(|at| at.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(&text, "%F %T%.f").map(|at| at.and_utc()));
    match parsed {
        Ok(at) => Ok(Some(at)),
        Err(error) => Err(rusqlite::Error::FromSqlConversionFailure(
            column,
            Type::Text,
            Box::new(error),
        )),
    }
}

/// A row of `select_calls!`'s columns, in its order.
fn call_row(row: &Row) -> rusqlite::Result<sql::CallRow> {
    Ok(sql::CallRow {
        id: row.get(0)?,
        call_sid: row.get(1)?,
        line_number: row.get(2)?,
        caller_sealed: row.get(3)?,
        caller_hash: row.get(4)?,
        status: row.get(5)?,
        stage: row.get(6)?,
        language: row.get(7)?,
        service: row.get(8)?,
        ringing_since: time_at(row, 9)?,
        outcome: row.get(10)?,
        answered_by: row.get(11)?,
        started_at: time_at(row, 12)?.ok_or(rusqlite::Error::InvalidColumnType(
            12,
            "started_at".into(),
            Type::Null,
        ))?,
        answered_at: time_at(row, 13)?,
        ended_at: time_at(row, 14)?,
        duration_secs: row.get(15)?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_written_as_sqlx_writes_them_and_read_back_whole() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 6, 15, 4, 5)
            .single()
            .expect("a time")
            + chrono::TimeDelta::microseconds(120_000);
        // sqlx's own encoding of a `DateTime<Utc>` for SQLite.
        assert_eq!(stamp(at), "2026-12-06T15:04:05.120+00:00");
        let connection = Connection::open_in_memory().expect("a database in memory");
        let read = |text: &str| {
            connection
                .query_row("SELECT $1", params![text], |row| time_at(row, 0))
                .expect("a time read")
        };
        assert_eq!(read(&stamp(at)), Some(at));
        assert_eq!(
            read("2026-12-06 15:04:05"),
            Utc.with_ymd_and_hms(2026, 12, 6, 15, 4, 5).single()
        );
        assert!(
            connection
                .query_row("SELECT 'not a time'", [], |row| time_at(row, 0))
                .is_err()
        );
    }
}
