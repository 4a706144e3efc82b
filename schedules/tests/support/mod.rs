//! Builders for rota tests, so each test reads as the rota a coordinator would write.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use hotline_schedules::model::{
    ActiveWindow, Handoff, HandoffUnit, OnDuty, Override, OverrideKind, Position, Rotation, Shift,
    Validity, Weekdays,
};
use hotline_schedules::{Language, PhoneNumber, Service, StaffMember};

pub const LEGAL: Service = Service::Legal;

pub fn person(id: i64, languages: &[Language]) -> StaffMember {
    StaffMember {
        id,
        name: format!("staff {id}"),
        phone: PhoneNumber::parse(&format!("+7701{id:07}")).expect("valid phone"),
        services: Service::ALL.to_vec(),
        languages: languages.to_vec(),
        gender: None,
        is_coordinator: false,
        active: true,
    }
}

pub fn coordinator(id: i64) -> StaffMember {
    StaffMember {
        is_coordinator: true,
        ..person(id, &[Language::Ru, Language::Kk])
    }
}

/// Everyone speaks Russian unless a test says otherwise.
pub fn team(ids: &[i64]) -> Vec<StaffMember> {
    ids.iter().map(|id| person(*id, &[Language::Ru])).collect()
}

pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|day| day.and_hms_opt(h, min, 0))
        .expect("valid wall-clock time")
}

pub fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&local(y, m, d, h, min))
}

pub fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

pub fn always() -> Validity {
    Validity::since(utc(2000, 1, 1, 0, 0))
}

pub fn rotation(
    id: i64,
    members: &[i64],
    zone: Tz,
    start: NaiveDateTime,
    every: u32,
    unit: HandoffUnit,
) -> Rotation {
    Rotation {
        id,
        name: format!("rotation {id}"),
        service: LEGAL,
        position: Position::PRIMARY,
        members: members.to_vec(),
        zone,
        start,
        handoff: Handoff { every, unit },
        windows: Vec::new(),
        validity: always(),
    }
}

pub fn window(days: Weekdays, from: NaiveTime, to: NaiveTime) -> ActiveWindow {
    ActiveWindow { days, from, to }
}

pub fn shift(id: i64, staff_id: i64, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Shift {
    Shift {
        id,
        staff_id,
        service: LEGAL,
        position: Position::PRIMARY,
        starts_at,
        ends_at,
        validity: always(),
    }
}

pub fn change(
    id: i64,
    service: Option<Service>,
    kind: OverrideKind,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Override {
    Override {
        id,
        service,
        kind,
        starts_at,
        ends_at,
        validity: always(),
    }
}

pub fn ids(people: &[OnDuty]) -> Vec<i64> {
    people.iter().map(|p| p.staff_id).collect()
}
