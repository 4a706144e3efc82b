//! Who is on duty at an instant, from plain shifts. The full rota (rotations, overrides, swaps)
//! grows here; whatever it becomes, the answer stays a deterministic ordered list.

use chrono::{DateTime, Utc};

use crate::{Service, StaffMember};

/// One person's duty for one service over a half-open interval `[starts_at, ends_at)`, so two
/// back-to-back shifts leave no instant uncovered and none covered twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub id: i64,
    pub staff_id: i64,
    pub service: Service,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Shift {
    pub fn covers(&self, instant: DateTime<Utc>) -> bool {
        self.starts_at <= instant && instant < self.ends_at
    }
}

/// The people to try for `service` at `instant`, in order: those whose shift began earliest
/// first (ties by shift id, so the order never depends on how rows came back), each person once,
/// inactive people never. Coordinators who are not on a shift are not included here: they are
/// the caller's last resort, added by the routing.
pub fn on_duty<'a>(
    staff: &'a [StaffMember],
    shifts: &[Shift],
    service: Service,
    instant: DateTime<Utc>,
) -> Vec<&'a StaffMember> {
    let mut covering: Vec<&Shift> = shifts
        .iter()
        .filter(|shift| shift.service == service && shift.covers(instant))
        .collect();
    covering.sort_by_key(|shift| (shift.starts_at, shift.id));
    let mut people: Vec<&StaffMember> = Vec::new();
    for shift in covering {
        let Some(person) = staff.iter().find(|p| p.id == shift.staff_id && p.active) else {
            continue;
        };
        if !people.iter().any(|p| p.id == person.id) {
            people.push(person);
        }
    }
    people
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Language, PhoneNumber};
    use chrono::TimeZone;

    fn person(id: i64, active: bool) -> StaffMember {
        StaffMember {
            id,
            name: format!("staff {id}"),
            phone: PhoneNumber::parse(&format!("+7701000000{id}")).expect("valid"),
            services: vec![Service::Legal],
            languages: vec![Language::Ru],
            gender: None,
            is_coordinator: false,
            active,
        }
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, hour, 0, 0)
            .single()
            .expect("valid")
    }

    fn shift(id: i64, staff_id: i64, from: u32, to: u32) -> Shift {
        Shift {
            id,
            staff_id,
            service: Service::Legal,
            starts_at: at(from),
            ends_at: at(to),
        }
    }

    #[test]
    fn the_earliest_shift_comes_first_and_each_person_once() {
        let staff = [person(1, true), person(2, true)];
        let shifts = [
            shift(10, 2, 8, 20),
            shift(11, 1, 6, 18),
            shift(12, 2, 9, 12),
        ];
        let ids: Vec<i64> = on_duty(&staff, &shifts, Service::Legal, at(10))
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![1, 2]);
    }

    #[test]
    fn a_shift_covers_its_start_but_not_its_end() {
        let staff = [person(1, true), person(2, true)];
        let shifts = [shift(1, 1, 8, 20), shift(2, 2, 20, 23)];
        let ids = |hour| -> Vec<i64> {
            on_duty(&staff, &shifts, Service::Legal, at(hour))
                .iter()
                .map(|p| p.id)
                .collect()
        };
        assert_eq!(ids(8), vec![1]);
        assert_eq!(ids(20), vec![2]);
        assert_eq!(ids(23), Vec::<i64>::new());
    }

    #[test]
    fn inactive_people_and_other_services_are_never_on_duty() {
        let staff = [person(1, false), person(2, true)];
        let mut other = shift(2, 2, 8, 20);
        other.service = Service::Psychological;
        let shifts = [shift(1, 1, 8, 20), other];
        assert!(on_duty(&staff, &shifts, Service::Legal, at(10)).is_empty());
    }
}
