//! How long the rota takes to answer, as its history grows: `on_duty` over 200 staff, 20
//! rotations (every handoff unit, windows, three zones) and one, two and five years of
//! overrides, several a day; then `gaps` and the calendar over a week. Prints figures; asserts
//! nothing. Run with `cargo bench -p hotline-schedules`.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use hotline_schedules::model::{
    ActiveWindow, Handoff, HandoffUnit, Override, OverrideKind, Position, Rotation, Validity,
    Weekdays,
};
use hotline_schedules::{Language, PhoneNumber, Rota, Service, StaffMember};

const ANSWERS: usize = 200_000;
const OVERRIDES_PER_DAY: i64 = 6;

/// A small deterministic generator, so every run measures the same rota.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % sides
    }
}

fn origin() -> DateTime<Utc> {
    DateTime::from_timestamp(1_704_067_200, 0).expect("2024-01-01T00:00Z")
}

fn time(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).expect("valid time")
}

fn staff() -> Vec<StaffMember> {
    (1..=200)
        .map(|id| StaffMember {
            id,
            name: format!("staff {id}"),
            phone: PhoneNumber::parse(&format!("+7701{id:07}")).expect("valid phone"),
            services: Service::ALL.to_vec(),
            languages: match id % 3 {
                0 => vec![Language::Kk],
                1 => vec![Language::Ru],
                _ => vec![Language::Ru, Language::Kk],
            },
            gender: None,
            is_coordinator: id > 197,
            active: id % 50 != 0,
        })
        .collect()
}

/// Per service: weekday days, weekday nights and weekends at the primary position, a daily or
/// weekly backup, and (for two services) an hourly third line; 20 rotations in all.
fn rotations() -> Vec<Rotation> {
    let zones: [Tz; 3] = [
        hotline_schedules::HOTLINE_ZONE,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
    ];
    let weekdays = Weekdays::MONDAY_TO_FRIDAY;
    let weekend = Weekdays(0b110_0000);
    let mut rules = Vec::new();
    for (s, service) in Service::ALL.into_iter().enumerate() {
        let zone = zones[s];
        let shapes: Vec<(u8, HandoffUnit, u32, Vec<ActiveWindow>)> = vec![
            (
                0,
                HandoffUnit::ActiveShifts,
                1,
                vec![ActiveWindow {
                    days: weekdays,
                    from: time(9),
                    to: time(18),
                }],
            ),
            (
                0,
                HandoffUnit::Days,
                1,
                vec![ActiveWindow {
                    days: weekdays,
                    from: time(18),
                    to: time(9),
                }],
            ),
            (
                0,
                HandoffUnit::ActiveShifts,
                2,
                vec![ActiveWindow {
                    days: weekend,
                    from: time(9),
                    to: time(9),
                }],
            ),
            (1, HandoffUnit::Weeks, 1, vec![]),
            (
                2,
                HandoffUnit::Hours,
                12,
                vec![ActiveWindow {
                    days: Weekdays::ALL,
                    from: time(8),
                    to: time(22),
                }],
            ),
            (3, HandoffUnit::Days, 2, vec![]),
            (4, HandoffUnit::Hours, 6, vec![]),
        ];
        for (position, unit, every, windows) in shapes {
            if rules.len() == 20 {
                break;
            }
            let id = rules.len() as i64 + 1;
            rules.push(Rotation {
                id,
                name: format!("rotation {id}"),
                service,
                position: Position(position),
                members: (0..6).map(|m| (id * 7 + m * 13) % 197 + 1).collect(),
                zone,
                start: (origin() - TimeDelta::days(30)).naive_utc(),
                handoff: Handoff { every, unit },
                windows,
                validity: Validity::since(origin() - TimeDelta::days(60)),
            });
        }
    }
    rules
}

fn overrides(days: i64, dice: &mut Dice) -> Vec<Override> {
    (0..days * OVERRIDES_PER_DAY)
        .map(|i| {
            let staff_id = dice.roll(197) as i64 + 1;
            let kind = match dice.roll(3) {
                0 => OverrideKind::Replace {
                    absent: dice.roll(197) as i64 + 1,
                    present: staff_id,
                },
                1 => OverrideKind::Add { staff_id },
                _ => OverrideKind::Remove { staff_id },
            };
            let starts_at =
                origin() + TimeDelta::minutes(dice.roll((days * 24 * 60) as u64) as i64);
            Override {
                id: i + 1,
                service: match dice.roll(4) {
                    0 => None,
                    s => Some(Service::ALL[s as usize - 1]),
                },
                kind,
                starts_at,
                ends_at: starts_at + TimeDelta::minutes(30 + dice.roll(12 * 60) as i64),
                validity: Validity::since(origin() - TimeDelta::days(1)),
            }
        })
        .collect()
}

fn main() {
    println!(
        "on_duty over 200 staff, 20 rotations, {OVERRIDES_PER_DAY} overrides a day ({ANSWERS} answers each)"
    );
    for years in [1, 2, 5] {
        let days = 365 * years;
        let mut dice = Dice(years as u64);
        let overrides = overrides(days, &mut dice);
        let count = overrides.len();
        let built = Instant::now();
        let rota = Rota::new(staff(), rotations(), vec![], overrides);
        let build = built.elapsed();
        let instants: Vec<(Service, Option<Language>, DateTime<Utc>)> = (0..ANSWERS)
            .map(|_| {
                let at = origin() + TimeDelta::seconds(dice.roll((days * 86_400) as u64) as i64);
                let language =
                    [None, Some(Language::Kk), Some(Language::Ru)][dice.roll(3) as usize];
                (Service::ALL[dice.roll(3) as usize], language, at)
            })
            .collect();
        let mut people = 0;
        let timer = Instant::now();
        for (service, language, at) in &instants {
            people += black_box(rota.on_duty(*service, *language, *at)).len();
        }
        let per_answer = timer.elapsed().as_nanos() as f64 / ANSWERS as f64;
        println!(
            "  {years} year(s), {count:>6} overrides: {per_answer:>7.0} ns per answer ({:.1} people per answer; rota built in {:.1} ms)",
            people as f64 / ANSWERS as f64,
            build.as_secs_f64() * 1e3
        );
        if years == 5 {
            let weeks = 200;
            let starts: Vec<DateTime<Utc>> = (0..weeks)
                .map(|_| origin() + TimeDelta::days(dice.roll((days - 7) as u64) as i64))
                .collect();
            let timer = Instant::now();
            let mut found = 0;
            for from in &starts {
                for service in Service::ALL {
                    found += black_box(rota.gaps(
                        service,
                        Some(Language::Kk),
                        *from,
                        *from + TimeDelta::days(7),
                    ))
                    .len();
                }
            }
            let per_week = timer.elapsed().as_secs_f64() * 1e6 / (weeks * 3) as f64;
            println!(
                "  gaps over a week, one service, Kazakh speakers: {per_week:.0} µs ({:.1} gaps a week)",
                found as f64 / (weeks * 3) as f64
            );
            let timer = Instant::now();
            let mut duties = 0;
            for from in &starts {
                duties += black_box(rota.duties_between(*from, *from + TimeDelta::days(7))).len();
            }
            let per_week = timer.elapsed().as_secs_f64() * 1e6 / weeks as f64;
            println!(
                "  calendar of a week, every service: {per_week:.0} µs ({} duties a week)",
                duties / weeks
            );
        }
    }
}
