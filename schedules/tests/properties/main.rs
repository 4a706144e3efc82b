//! Properties of the rota over random rotations, shifts and overrides in zones with clock
//! changes: one person per position, overrides win, edits never rewrite the past, gaps are
//! exactly where nobody is on duty, and the calendar agrees with `on_duty`.

mod recurrence;
mod scenario;
mod shift_notices;
mod walk;

use chrono::{DateTime, Utc};
use hotline_schedules::model::{OnDuty, Override, OverrideKind, Slot, Validity};
use hotline_schedules::{Language, Rota, Service, StaffMember, validate_rotation};
use proptest::prelude::*;
use scenario::{SERVICES, Scenario, instants, minute, scenario};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn in_force(o: &Override, service: Service, at: DateTime<Utc>) -> bool {
    o.service.is_none_or(|s| s == service)
        && o.validity.contains(at)
        && o.starts_at <= at
        && at < o.ends_at
}

/// The people a call would reach before the coordinators' fallback, and among them those who
/// speak `language`.
fn on_the_rota(
    rota: &Rota,
    scenario: &Scenario,
    service: Service,
    language: Option<Language>,
    at: DateTime<Utc>,
) -> Vec<OnDuty> {
    rota.on_duty(service, language, at)
        .into_iter()
        .filter(|p| p.slot != Slot::Coordinator)
        .filter(|p| {
            language.is_none_or(|language| {
                scenario
                    .staff
                    .iter()
                    .any(|s| s.id == p.staff_id && s.languages.contains(&language))
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn each_position_holds_at_most_one_person(scenario in scenario(), mut at in instants(80)) {
        let rota = scenario.rota();
        at.extend(scenario.edges());
        for t in at {
            for service in SERVICES {
                let mut positions: Vec<Slot> = rota
                    .on_duty(service, None, t)
                    .iter()
                    .map(|p| p.slot)
                    .filter(|slot| matches!(slot, Slot::Scheduled(_)))
                    .collect();
                let listed = positions.len();
                positions.dedup();
                prop_assert_eq!(positions.len(), listed, "{} at {}", service, t);
            }
        }
    }

    #[test]
    fn an_override_always_wins_over_what_it_overrides(scenario in scenario(), mut at in instants(80)) {
        let rota = scenario.rota();
        // What the rules alone scheduled, with everyone counted as active.
        let mut everyone = scenario.clone();
        everyone.overrides.clear();
        everyone.staff.iter_mut().for_each(|s| s.active = true);
        let scheduled = everyone.rota();
        let active = |id: i64| scenario.staff.iter().any(|s| s.id == id && s.active);
        at.extend(scenario.edges());
        for t in at {
            for service in SERVICES {
                let answer = rota.on_duty(service, None, t);
                let slot_of = |id: i64| answer.iter().find(|p| p.staff_id == id).map(|p| p.slot);
                let forced: Vec<&Override> =
                    scenario.overrides.iter().filter(|o| in_force(o, service, t)).collect();
                let removed = |id: i64| {
                    forced.iter().any(|o| o.kind == OverrideKind::Remove { staff_id: id })
                };
                for o in &forced {
                    match o.kind {
                        OverrideKind::Remove { staff_id } => {
                            prop_assert_eq!(slot_of(staff_id), None, "removed {} at {}", staff_id, t);
                        }
                        OverrideKind::Add { staff_id } if active(staff_id) && !removed(staff_id) => {
                            prop_assert!(slot_of(staff_id).is_some(), "added {} at {}", staff_id, t);
                        }
                        OverrideKind::Replace { absent, present } => {
                            let newest = !forced.iter().any(|other| other.id > o.id
                                && matches!(other.kind, OverrideKind::Replace { absent: a, .. } if a == absent));
                            let slot = scheduled
                                .on_duty(service, None, t)
                                .into_iter()
                                .find(|p| p.staff_id == absent && matches!(p.slot, Slot::Scheduled(_)))
                                .map(|p| p.slot);
                            let (Some(slot), true) = (slot, newest) else { continue };
                            prop_assert!(
                                !answer.contains(&OnDuty { staff_id: absent, slot }),
                                "{} still in {:?} at {}", absent, slot, t
                            );
                            if active(present) && !removed(present) {
                                prop_assert!(
                                    slot_of(present).is_some_and(|held| held <= slot),
                                    "{} does not hold {:?} at {}: {:?}", present, slot, t, answer
                                );
                            }
                        }
                        OverrideKind::Add { .. } => {}
                    }
                }
            }
        }
    }

    #[test]
    fn an_edit_never_changes_an_answer_for_an_instant_before_it(
        scenario in scenario(),
        later in scenario(),
        edit in 0i64..scenario::PERIOD_MINUTES,
        at in instants(120),
    ) {
        let edit = minute(edit);
        let before = scenario.rota();
        let close = |v: Validity| -> Option<Validity> {
            if v.from >= edit {
                return None; // not yet in force: an edit may delete it outright
            }
            Some(Validity { until: Some(v.until.map_or(edit, |until| until.min(edit))), ..v })
        };
        let open = |v: Validity| Validity { from: v.from.max(edit), ..v };
        let mut edited = scenario.clone();
        edited.rotations = scenario.rotations.iter().filter_map(|r| Some(hotline_schedules::model::Rotation { validity: close(r.validity)?, ..r.clone() })).collect();
        edited.shifts = scenario.shifts.iter().filter_map(|s| Some(hotline_schedules::model::Shift { validity: close(s.validity)?, ..s.clone() })).collect();
        edited.overrides = scenario.overrides.iter().filter_map(|o| Some(Override { validity: close(o.validity)?, ..o.clone() })).collect();
        edited.rotations.extend(later.rotations.iter().map(|r| hotline_schedules::model::Rotation { id: r.id + 100, validity: open(r.validity), ..r.clone() }));
        edited.shifts.extend(later.shifts.iter().map(|s| hotline_schedules::model::Shift { id: s.id + 100, validity: open(s.validity), ..s.clone() }));
        edited.overrides.extend(later.overrides.iter().map(|o| Override { id: o.id + 100, validity: open(o.validity), ..o.clone() }));
        let after = edited.rota();
        let mut at = at;
        at.extend(scenario.edges());
        for t in at.into_iter().filter(|t| *t < edit) {
            for service in SERVICES {
                for language in [None, Some(Language::Kk)] {
                    prop_assert_eq!(
                        before.on_duty(service, language, t),
                        after.on_duty(service, language, t),
                        "{} at {} changed by an edit at {}", service, t, edit
                    );
                }
            }
        }
    }

    #[test]
    fn gaps_are_exactly_where_nobody_is_on_duty(
        scenario in scenario(),
        from in 0i64..scenario::PERIOD_MINUTES,
        length in 1i64..(20 * 24 * 60),
        at in instants(150),
    ) {
        let rota = scenario.rota();
        let (from, to) = (minute(from), minute(from + length));
        for service in SERVICES {
            for language in [None, Some(Language::Kk)] {
                let gaps = rota.gaps(service, language, from, to);
                for (i, gap) in gaps.iter().enumerate() {
                    prop_assert!(from <= gap.0 && gap.0 < gap.1 && gap.1 <= to, "{:?} outside the range", gap);
                    if let Some(next) = gaps.get(i + 1) {
                        prop_assert!(gap.1 < next.0, "{:?} and {:?} touch or overlap", gap, next);
                    }
                }
                let mut probes: Vec<DateTime<Utc>> = at.iter().copied().filter(|t| from <= *t && *t < to).collect();
                let nanosecond = chrono::TimeDelta::nanoseconds(1);
                probes.extend(gaps.iter().flat_map(|g| [g.0, g.0 - nanosecond, g.1, g.1 - nanosecond]));
                probes.extend(scenario.edges());
                probes.extend([from, to - nanosecond]);
                for t in probes.into_iter().filter(|t| from <= *t && *t < to) {
                    let in_gap = gaps.iter().any(|g| g.0 <= t && t < g.1);
                    let nobody = on_the_rota(&rota, &scenario, service, language, t).is_empty();
                    prop_assert_eq!(in_gap, nobody, "{} {:?} at {}", service, language, t);
                }
            }
        }
    }

    #[test]
    fn the_calendar_agrees_with_on_duty(
        scenario in scenario(),
        from in 0i64..scenario::PERIOD_MINUTES,
        length in 1i64..(10 * 24 * 60),
        at in instants(150),
    ) {
        let rota = scenario.rota();
        let (from, to) = (minute(from), minute(from + length));
        let duties = rota.duties_between(from, to);
        let mut probes: Vec<DateTime<Utc>> = at;
        probes.extend(duties.iter().flat_map(|d| [d.starts_at, d.ends_at]));
        probes.extend(scenario.edges());
        for t in probes.into_iter().filter(|t| from <= *t && *t < to) {
            for service in SERVICES {
                let mut calendar: Vec<OnDuty> = duties
                    .iter()
                    .filter(|d| d.service == service && d.starts_at <= t && t < d.ends_at)
                    .map(|d| OnDuty { staff_id: d.staff_id, slot: d.slot })
                    .collect();
                calendar.sort_by_key(|p| (p.slot, p.staff_id));
                let mut answer = on_the_rota(&rota, &scenario, service, None, t);
                answer.sort_by_key(|p| (p.slot, p.staff_id));
                prop_assert_eq!(calendar, answer, "{} at {}", service, t);
            }
        }
    }

    #[test]
    fn rotations_answer_as_if_walked_turn_by_turn_from_their_start(
        rotation in scenario::rotation().prop_filter("valid", |r| validate_rotation(r).is_ok()),
        hours in prop::collection::vec(0i64..(75 * 24), 12),
    ) {
        let staff: Vec<StaffMember> = (1..=8)
            .map(|id| StaffMember {
                id,
                name: format!("staff {id}"),
                phone: hotline_schedules::PhoneNumber::parse("+77010000000").expect("valid"),
                services: SERVICES.to_vec(),
                languages: vec![],
                gender: None,
                is_coordinator: false,
                active: true,
            })
            .collect();
        let rotation = hotline_schedules::model::Rotation {
            validity: Validity::since(DateTime::<Utc>::MIN_UTC),
            ..rotation
        };
        let rota = Rota::new(staff, vec![rotation.clone()], vec![], vec![]);
        let first = hotline_schedules::instant_of(rotation.zone, rotation.start).expect("in range");
        for hour in hours {
            for t in [first + chrono::TimeDelta::hours(hour), first + chrono::TimeDelta::minutes(hour * 61 - 60)] {
                let answer: Vec<i64> = rota.on_duty(rotation.service, None, t).iter().map(|p| p.staff_id).collect();
                let walked: Vec<i64> = walk::on_duty(&rotation, t).into_iter().collect();
                prop_assert_eq!(answer, walked, "at {}", t);
            }
        }
    }
}
