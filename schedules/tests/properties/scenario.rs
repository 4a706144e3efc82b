//! Random rotas for the property tests: zones with and without clock changes (and Almaty's move
//! to UTC+5 in the middle), windows crossing midnight and starting in skipped hours, rules
//! opening and closing at random. Only rules the validator accepts are kept, so the properties
//! also test the validator.

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use hotline_schedules::model::{
    ActiveWindow, Handoff, HandoffUnit, Override, OverrideKind, Position, Rotation, Shift,
    Validity, Weekdays,
};
use hotline_schedules::{Language, PhoneNumber, Rota, Service, StaffMember, validate_override};
use proptest::prelude::*;
use proptest::sample::select;

pub const SERVICES: [Service; 2] = [Service::Legal, Service::Psychological];

/// The sampled period: the year 2024. Rules start from December 2023, so the
/// validator's 400-day horizon for rotations in different zones covers the whole period.
pub fn origin() -> DateTime<Utc> {
    DateTime::from_timestamp(1_704_067_200, 0).expect("2024-01-01T00:00Z")
}
pub const PERIOD_MINUTES: i64 = 366 * 24 * 60;

pub fn minute(m: i64) -> DateTime<Utc> {
    origin() + TimeDelta::minutes(m)
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub staff: Vec<StaffMember>,
    pub rotations: Vec<Rotation>,
    pub shifts: Vec<Shift>,
    pub overrides: Vec<Override>,
}

impl Scenario {
    pub fn rota(&self) -> Rota {
        Rota::new(
            self.staff.clone(),
            self.rotations.clone(),
            self.shifts.clone(),
            self.overrides.clone(),
        )
    }

    /// Every instant where some rule starts or ends, and a moment either side: where mistakes live.
    pub fn edges(&self) -> Vec<DateTime<Utc>> {
        let mut edges = Vec::new();
        let mut validity =
            |v: Validity| edges.extend([Some(v.from), v.until].into_iter().flatten());
        self.rotations.iter().for_each(|r| validity(r.validity));
        self.shifts.iter().for_each(|s| validity(s.validity));
        self.overrides.iter().for_each(|o| validity(o.validity));
        for s in &self.shifts {
            edges.extend([s.starts_at, s.ends_at]);
        }
        for o in &self.overrides {
            edges.extend([o.starts_at, o.ends_at]);
        }
        let nearby = TimeDelta::nanoseconds(1);
        edges
            .iter()
            .flat_map(|e| [*e - nearby, *e, *e + nearby])
            .collect()
    }
}

fn zone() -> impl Strategy<Value = Tz> {
    select(vec![
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Almaty,
        chrono_tz::UTC,
    ])
}

/// Half hours, with the skipped and repeated hours of Berlin and New York well represented.
fn wall_time() -> impl Strategy<Value = NaiveTime> {
    prop_oneof![
        3 => (0u32..48).prop_map(|half| NaiveTime::from_hms_opt(half / 2, half % 2 * 30, 0)),
        1 => select(vec![(1, 30), (2, 0), (2, 30), (3, 0)])
            .prop_map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0)),
    ]
    .prop_map(|time| time.expect("valid time"))
}

/// A wall-clock start between December 2023 and March 2024, around Almaty's change.
fn start() -> impl Strategy<Value = NaiveDateTime> {
    ((0i64..100), wall_time()).prop_map(|(day, time)| {
        (origin() + TimeDelta::days(day - 31))
            .date_naive()
            .and_time(time)
    })
}

/// Most rules are in force from before the period; some open or close inside it.
fn validity() -> impl Strategy<Value = Validity> {
    let from = prop_oneof![2 => -40_000i64..0, 1 => 0i64..PERIOD_MINUTES];
    (from, prop::option::weighted(0.4, 60i64..300_000)).prop_map(|(from, length)| Validity {
        from: minute(from),
        until: length.map(|length| minute(from + length)),
    })
}

fn window() -> impl Strategy<Value = ActiveWindow> {
    (1u8..128, wall_time(), wall_time()).prop_map(|(days, from, to)| ActiveWindow {
        days: Weekdays(days),
        from,
        to,
    })
}

fn unit() -> impl Strategy<Value = HandoffUnit> {
    select(vec![
        HandoffUnit::Hours,
        HandoffUnit::Days,
        HandoffUnit::Weeks,
        HandoffUnit::ActiveShifts,
    ])
}

fn service() -> impl Strategy<Value = Service> {
    select(SERVICES.to_vec())
}

fn position() -> impl Strategy<Value = Position> {
    (0u8..3).prop_map(Position)
}

pub fn rotation() -> impl Strategy<Value = Rotation> {
    let shape = (
        service(),
        position(),
        prop::collection::vec(1i64..=8, 1..4),
        zone(),
        start(),
    );
    let timing = (
        1u32..4,
        unit(),
        prop::collection::vec(window(), 0..3),
        validity(),
    );
    (shape, timing).prop_map(
        |((service, position, members, zone, start), (every, unit, windows, validity))| Rotation {
            id: 0,
            name: "random".into(),
            service,
            position,
            members,
            zone,
            start,
            handoff: Handoff { every, unit },
            windows,
            validity,
        },
    )
}

fn shift() -> impl Strategy<Value = Shift> {
    (
        1i64..=8,
        service(),
        position(),
        0i64..PERIOD_MINUTES,
        30i64..4_000,
        validity(),
    )
        .prop_map(
            |(staff_id, service, position, start, length, validity)| Shift {
                id: 0,
                staff_id,
                service,
                position,
                starts_at: minute(start),
                ends_at: minute(start + length),
                validity,
            },
        )
}

fn kind() -> impl Strategy<Value = OverrideKind> {
    prop_oneof![
        (1i64..=8, 1i64..=8)
            .prop_map(|(absent, present)| OverrideKind::Replace { absent, present }),
        (1i64..=8).prop_map(|staff_id| OverrideKind::Add { staff_id }),
        (1i64..=8).prop_map(|staff_id| OverrideKind::Remove { staff_id }),
    ]
}

pub fn change() -> impl Strategy<Value = Override> {
    (
        prop::option::weighted(0.8, service()),
        kind(),
        0i64..PERIOD_MINUTES,
        30i64..3_000,
        validity(),
    )
        .prop_map(|(service, kind, start, length, validity)| Override {
            id: 0,
            service,
            kind,
            starts_at: minute(start),
            ends_at: minute(start + length),
            validity,
        })
}

fn staff() -> impl Strategy<Value = Vec<StaffMember>> {
    prop::collection::vec(
        (0u8..4, prop::bool::weighted(0.9), prop::bool::weighted(0.2)),
        8,
    )
    .prop_map(|people| {
        people
            .into_iter()
            .zip(1i64..)
            .map(|((languages, active, is_coordinator), id)| StaffMember {
                id,
                name: format!("staff {id}"),
                phone: PhoneNumber::parse(&format!("+7701{id:07}")).expect("valid phone"),
                services: SERVICES.to_vec(),
                languages: [Language::Kk, Language::Ru]
                    .into_iter()
                    .enumerate()
                    .filter(|(bit, _)| languages & (1 << bit) != 0)
                    .map(|(_, language)| language)
                    .collect(),
                gender: None,
                is_coordinator,
                active,
            })
            .collect()
    })
}

/// A rota whose rules the validator accepted, one by one, as a coordinator would enter them.
pub fn scenario() -> impl Strategy<Value = Scenario> {
    (
        staff(),
        prop::collection::vec(rotation(), 0..8),
        prop::collection::vec(shift(), 0..6),
        prop::collection::vec(change(), 0..10),
    )
        .prop_map(|(staff, rotations, shifts, overrides)| {
            let mut accepted = Scenario {
                staff,
                rotations: Vec::new(),
                shifts: Vec::new(),
                overrides: Vec::new(),
            };
            for (rotation, id) in rotations.into_iter().zip(1..) {
                let rotation = Rotation { id, ..rotation };
                if accepted.rota().check_rotation(&rotation).is_ok() {
                    accepted.rotations.push(rotation);
                }
            }
            for (shift, id) in shifts.into_iter().zip(1..) {
                let shift = Shift { id, ..shift };
                if accepted.rota().check_shift(&shift).is_ok() {
                    accepted.shifts.push(shift);
                }
            }
            accepted.overrides = overrides
                .into_iter()
                .zip(1..)
                .map(|(o, id)| Override { id, ..o })
                .filter(|o| validate_override(o).is_ok())
                .collect();
            accepted
        })
}

/// Random instants over the period, to the second.
pub fn instants(count: usize) -> impl Strategy<Value = Vec<DateTime<Utc>>> {
    prop::collection::vec(0i64..PERIOD_MINUTES * 60, count).prop_map(|seconds| {
        seconds
            .into_iter()
            .map(|s| origin() + TimeDelta::seconds(s))
            .collect()
    })
}
