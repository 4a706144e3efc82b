//! The rota: every rule ever in force (rotations, one-off shifts, overrides) with indexes by
//! time, answering who is on duty for a service at an instant. Answers only from its arguments:
//! no clock, no storage, and never a panic on what the store hands it.

use chrono::{DateTime, Utc};

use crate::model::{OnDuty, Override, Rotation, Shift, Slot, StaffId};
use crate::overrides::{self, DutySource, Entry};
use crate::rotation::Plan;
use crate::timeline::Timeline;
use crate::wall_clock::wall_clock_reached;
use crate::{Language, Service, StaffMember};

/// The whole rota, built once from what the store holds and then asked many times.
#[derive(Debug, Clone)]
pub struct Rota {
    /// Sorted by id.
    staff: Vec<StaffMember>,
    /// Active coordinators, by id: the last resort after everyone on the rota.
    coordinators: Vec<StaffId>,
    pub(crate) plans: Vec<Plan>,
    pub(crate) shifts: Vec<Shift>,
    pub(crate) overrides: Vec<Override>,
    pub(crate) rotations_by_service: [Timeline<usize>; 3],
    pub(crate) shifts_by_service: [Timeline<usize>; 3],
    /// One timeline per service, then one for overrides that apply to every service.
    pub(crate) overrides_by_service: [Timeline<usize>; 4],
}

/// Who is on the rota at one instant, overrides applied, before the coordinators.
pub(crate) struct Scene {
    pub entries: Vec<Entry>,
    pub removed: Vec<StaffId>,
}

impl Rota {
    /// Builds the indexes. Rules are taken as they are, invalid ones included (they put nobody
    /// on duty): refusing them is the validator's job when they are written, and an old rule
    /// must still answer for the past. Staff ids are expected to be unique.
    pub fn new(
        mut staff: Vec<StaffMember>,
        rotations: Vec<Rotation>,
        shifts: Vec<Shift>,
        overrides: Vec<Override>,
    ) -> Self {
        staff.sort_by_key(|person| person.id);
        staff.dedup_by_key(|person| person.id);
        let coordinators = staff
            .iter()
            .filter(|person| person.is_coordinator && person.active)
            .map(|person| person.id)
            .collect();
        let plans: Vec<Plan> = rotations.into_iter().map(Plan::new).collect();
        let rotations_by_service = Service::ALL.map(|service| {
            Timeline::new(
                plans
                    .iter()
                    .enumerate()
                    .filter(|(_, plan)| plan.rule.service == service)
                    .map(|(i, plan)| (plan.rule.validity.from, until(plan.rule.validity), i)),
            )
        });
        let shifts_by_service = Service::ALL.map(|service| {
            Timeline::new(
                shifts
                    .iter()
                    .enumerate()
                    .filter(|(_, shift)| shift.service == service)
                    .map(|(i, shift)| {
                        let v = shift.validity;
                        (shift.starts_at.max(v.from), shift.ends_at.min(until(v)), i)
                    }),
            )
        });
        let overrides_by_service = [
            Some(Service::Legal),
            Some(Service::Psychological),
            Some(Service::Mens),
            None,
        ]
        .map(|service| {
            Timeline::new(
                overrides
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.service == service)
                    .map(|(i, o)| {
                        let v = o.validity;
                        (o.starts_at.max(v.from), o.ends_at.min(until(v)), i)
                    }),
            )
        });
        Self {
            staff,
            coordinators,
            plans,
            shifts,
            overrides,
            rotations_by_service,
            shifts_by_service,
            overrides_by_service,
        }
    }

    /// The people to try for `service` at `at`, in order: the scheduled positions (primary
    /// first) with overrides applied, then people added by overrides (oldest override first),
    /// then every active coordinator not already listed and not taken out, by id. Each person
    /// once, inactive people never. With a `language`, those who speak it come first, order
    /// otherwise kept, and coordinators stay last.
    pub fn on_duty(
        &self,
        service: Service,
        language: Option<Language>,
        at: DateTime<Utc>,
    ) -> Vec<OnDuty> {
        let scene = self.scene(service, at);
        let mut people: Vec<OnDuty> = scene
            .entries
            .iter()
            .map(|entry| OnDuty {
                staff_id: entry.staff_id,
                slot: entry.slot,
            })
            .collect();
        for &coordinator in &self.coordinators {
            let listed = people.iter().any(|p| p.staff_id == coordinator);
            if !listed && !scene.removed.contains(&coordinator) {
                people.push(OnDuty {
                    staff_id: coordinator,
                    slot: Slot::Coordinator,
                });
            }
        }
        if let Some(language) = language {
            // A stable sort on (coordinator?, lacks the language?) is the stable partition.
            people.sort_by_key(|p| {
                (
                    p.slot == Slot::Coordinator,
                    !self.speaks(p.staff_id, language),
                )
            });
        }
        people
    }

    /// The staff member with this id, as the rota was built with.
    pub fn staff_member(&self, id: StaffId) -> Option<&StaffMember> {
        self.staff
            .binary_search_by_key(&id, |person| person.id)
            .ok()
            .and_then(|i| self.staff.get(i))
    }

    pub(crate) fn speaks(&self, id: StaffId, language: Language) -> bool {
        self.staff_member(id)
            .is_some_and(|person| person.languages.contains(&language))
    }

    fn is_active(&self, id: StaffId) -> bool {
        self.staff_member(id).is_some_and(|person| person.active)
    }

    /// Everyone on the rota for `service` at `at`, overrides applied, coordinators not added.
    pub(crate) fn scene(&self, service: Service, at: DateTime<Utc>) -> Scene {
        let mut entries: Vec<Entry> = Vec::with_capacity(8);
        let mut zones: Vec<(chrono_tz::Tz, chrono::NaiveDateTime)> = Vec::with_capacity(4);
        self.rotations_by_service[service_index(service)].at(at, |&i| {
            let plan = &self.plans[i];
            let zone = plan.rule.zone;
            // Rotations in one zone share the wall-clock reading.
            let reached = match zones.iter().find(|(z, _)| *z == zone) {
                Some((_, reached)) => *reached,
                None => {
                    let reached = wall_clock_reached(zone, at);
                    zones.push((zone, reached));
                    reached
                }
            };
            if let Some(staff_id) = plan.member_at(reached) {
                entries.push(Entry {
                    staff_id,
                    slot: Slot::Scheduled(plan.rule.position),
                    source: DutySource::Rotation(plan.rule.id),
                    in_place_of: None,
                });
            }
        });
        self.shifts_by_service[service_index(service)].at(at, |&i| {
            let shift = &self.shifts[i];
            entries.push(Entry {
                staff_id: shift.staff_id,
                slot: Slot::Scheduled(shift.position),
                source: DutySource::Shift(shift.id),
                in_place_of: None,
            });
        });
        entries.sort_unstable_by_key(|entry| (entry.slot, entry.source));
        let mut in_force: Vec<&Override> = Vec::new();
        for timeline in [
            &self.overrides_by_service[service_index(service)],
            &self.overrides_by_service[3],
        ] {
            timeline.at(at, |&i| in_force.push(&self.overrides[i]));
        }
        let mut removed = Vec::new();
        overrides::apply(&mut entries, &mut in_force, &mut removed);
        entries.retain(|entry| self.is_active(entry.staff_id));
        Scene { entries, removed }
    }
}

pub(crate) fn service_index(service: Service) -> usize {
    match service {
        Service::Legal => 0,
        Service::Psychological => 1,
        Service::Mens => 2,
    }
}

/// The end of a rule's validity; an open rule runs to the end of representable time.
pub(crate) fn until(validity: crate::model::Validity) -> DateTime<Utc> {
    validity.until.unwrap_or(DateTime::<Utc>::MAX_UTC)
}
