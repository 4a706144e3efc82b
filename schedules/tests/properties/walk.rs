//! The rotation rules as the brief states them, answered the slow way: walk every handoff or
//! window occurrence from the rotation's start. An oracle for the arithmetic, sharing nothing
//! with it but `instant_of`.

use chrono::{DateTime, Datelike, Days, NaiveDateTime, TimeDelta, Utc};
use hotline_schedules::instant_of;
use hotline_schedules::model::{HandoffUnit, Rotation, StaffId};

fn at(rotation: &Rotation, local: NaiveDateTime) -> DateTime<Utc> {
    instant_of(rotation.zone, local).expect("in range")
}

/// Window occurrences as wall-clock `[start, end)`, by start, for days from `first` on.
fn occurrences(
    rotation: &Rotation,
    first: NaiveDateTime,
) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + '_ {
    let first_day = first.date() - Days::new(1);
    first_day.iter_days().flat_map(move |day| {
        let mut today: Vec<(NaiveDateTime, NaiveDateTime)> = rotation
            .windows
            .iter()
            .filter(|w| w.days.contains(day.weekday()))
            .map(|w| {
                let start = day.and_time(w.from);
                let hours = if w.to > w.from {
                    w.to - w.from
                } else {
                    TimeDelta::days(1) - (w.from - w.to)
                };
                (start, start + hours)
            })
            .collect();
        today.sort();
        today
    })
}

pub fn on_duty(rotation: &Rotation, t: DateTime<Utc>) -> Option<StaffId> {
    let members = &rotation.members;
    let every = i64::from(rotation.handoff.every);
    let in_window = |t: DateTime<Utc>| {
        occurrences(rotation, rotation.start - TimeDelta::days(2))
            .take_while(|(start, _)| at(rotation, *start) <= t + TimeDelta::days(2))
            .any(|(start, end)| at(rotation, start) <= t && t < at(rotation, end))
    };
    if rotation.handoff.unit == HandoffUnit::ActiveShifts {
        let mut counted = 0i64;
        for (start, end) in occurrences(rotation, rotation.start) {
            if start < rotation.start {
                continue;
            }
            if at(rotation, start) > t {
                return None;
            }
            if t < at(rotation, end) {
                return members
                    .get(((counted / every) % members.len() as i64) as usize)
                    .copied();
            }
            counted += 1;
        }
        return None;
    }
    let step = match rotation.handoff.unit {
        HandoffUnit::Hours => TimeDelta::hours(every),
        HandoffUnit::Days => TimeDelta::days(every),
        _ => TimeDelta::weeks(every),
    };
    let handoff = |k: i32| rotation.start + step * k;
    if at(rotation, handoff(0)) > t {
        return None;
    }
    let mut k = 0;
    while at(rotation, handoff(k + 1)) <= t {
        k += 1;
    }
    if !rotation.windows.is_empty() && !in_window(t) {
        return None;
    }
    members.get(k as usize % members.len()).copied()
}
