//! Whose turn it is in one rotation: turn numbers computed arithmetically from wall-clock time
//! (never by walking from the rotation's start, so years of history cost nothing), and the
//! instants at which the answer can change. Knows nothing of validity or overrides: the rota
//! applies those.

use chrono::{DateTime, Days, NaiveDateTime, TimeDelta, Utc};

use crate::model::{HandoffUnit, Rotation, StaffId};
use crate::wall_clock::{instant_of, nanos_between, wall_clock_reached};
use crate::window::{self, WeekPattern};

const NANOS_PER_HOUR: i128 = 3_600 * 1_000_000_000;

/// A rotation with what answering needs worked out once.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub rule: Rotation,
    week: WeekPattern,
    /// Occurrences before the rotation's start, on the week pattern's count.
    before_start: i64,
    /// An impossible rule (no members, every 0, active shifts without windows) puts nobody on
    /// duty rather than failing: validation keeps such rules out, and an answer must never panic.
    usable: bool,
}

impl Plan {
    pub fn new(rule: Rotation) -> Self {
        let week = WeekPattern::new(&rule.windows);
        let before_start = week.count_before(rule.start);
        let usable = !rule.members.is_empty()
            && rule.handoff.every > 0
            && !(rule.handoff.unit == HandoffUnit::ActiveShifts && rule.windows.is_empty());
        Self {
            rule,
            week,
            before_start,
            usable,
        }
    }

    /// The member on duty when the rotation's clocks have reached `reached` (see
    /// [`wall_clock_reached`]), or nobody: outside every window, or before the first turn.
    pub fn member_at(&self, reached: NaiveDateTime) -> Option<StaffId> {
        if !self.usable {
            return None;
        }
        let rule = &self.rule;
        let occurrence = if rule.windows.is_empty() {
            None
        } else {
            Some(window::containing(&rule.windows, reached)?)
        };
        let turn = match (rule.handoff.unit, occurrence) {
            (HandoffUnit::ActiveShifts, Some(occurrence)) => {
                if occurrence.start < rule.start {
                    return None;
                }
                let counted = self.week.count_before(occurrence.start) - self.before_start;
                i128::from(counted) / i128::from(rule.handoff.every)
            }
            (HandoffUnit::ActiveShifts, None) => return None,
            _ => self.turn_at(reached)?,
        };
        let members = rule.members.len() as i128;
        let index = usize::try_from(turn.rem_euclid(members)).ok()?;
        rule.members.get(index).copied()
    }

    /// Turn k covers wall-clock times from `start + k·every` up to the next handoff.
    fn turn_at(&self, reached: NaiveDateTime) -> Option<i128> {
        if reached < self.rule.start {
            return None;
        }
        Some(nanos_between(self.rule.start, reached) / self.period_nanos())
    }

    fn period_nanos(&self) -> i128 {
        let every = i128::from(self.rule.handoff.every);
        match self.rule.handoff.unit {
            HandoffUnit::Hours => every * NANOS_PER_HOUR,
            HandoffUnit::Days | HandoffUnit::ActiveShifts => every * 24 * NANOS_PER_HOUR,
            HandoffUnit::Weeks => every * 7 * 24 * NANOS_PER_HOUR,
        }
    }

    /// The wall-clock time of handoff `turn`: naive arithmetic, so a daily 09:00 handoff stays
    /// at 09:00 whatever the clocks did in between.
    fn handoff(&self, turn: i128) -> Option<NaiveDateTime> {
        let every = i64::from(self.rule.handoff.every);
        let turn = i64::try_from(turn).ok()?;
        let start = self.rule.start;
        match self.rule.handoff.unit {
            HandoffUnit::Hours => {
                start.checked_add_signed(TimeDelta::try_hours(turn.checked_mul(every)?)?)
            }
            HandoffUnit::Days | HandoffUnit::ActiveShifts => {
                start.checked_add_days(Days::new(u64::try_from(turn.checked_mul(every)?).ok()?))
            }
            HandoffUnit::Weeks => start.checked_add_days(Days::new(
                u64::try_from(turn.checked_mul(every)?.checked_mul(7)?).ok()?,
            )),
        }
    }

    /// Every instant in `(from, to)` at which this rotation's answer may change: handoffs and
    /// window edges (more is harmless: the caller evaluates each piece and merges equal ones).
    pub fn edges_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        out: &mut Vec<DateTime<Utc>>,
    ) {
        if !self.usable || from >= to {
            return;
        }
        let zone = self.rule.zone;
        let first = wall_clock_reached(zone, from);
        let last = wall_clock_reached(zone, to);
        let mut push = |local: NaiveDateTime| {
            if let Some(at) = instant_of(zone, local)
                && from < at
                && at < to
            {
                out.push(at);
            }
        };
        if !self.rule.windows.is_empty() {
            let (Some(day_before), Some(day_after)) =
                (first.date().pred_opt(), last.date().succ_opt())
            else {
                return;
            };
            window::starting_between(&self.rule.windows, day_before, day_after, |occurrence| {
                push(occurrence.start);
                push(occurrence.end);
            });
            if self.rule.handoff.unit == HandoffUnit::ActiveShifts {
                return;
            }
        }
        let mut turn = self.turn_at(first).unwrap_or(0);
        while let Some(handoff) = self.handoff(turn) {
            if handoff > last {
                break;
            }
            push(handoff);
            turn += 1;
        }
    }

    /// The spans within `[from, to)` in which someone from this rotation is on duty (validity
    /// aside), sorted, disjoint and merged.
    pub fn coverage(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut cuts = vec![from, to];
        self.edges_between(from, to, &mut cuts);
        cuts.sort_unstable();
        cuts.dedup();
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            if start >= end
                || self
                    .member_at(wall_clock_reached(self.rule.zone, start))
                    .is_none()
            {
                continue;
            }
            match spans.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => spans.push((start, end)),
            }
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Service;
    use crate::model::{ActiveWindow, Handoff, Position, Validity, Weekdays};
    use chrono::{NaiveDate, NaiveTime};

    fn local(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 7, d)
            .and_then(|day| day.and_hms_opt(h, 0, 0))
            .expect("valid")
    }

    fn rotation(unit: HandoffUnit, every: u32, windows: Vec<ActiveWindow>) -> Plan {
        Plan::new(Rotation {
            id: 1,
            name: "test".into(),
            service: Service::Legal,
            position: Position::PRIMARY,
            members: vec![1, 2, 3],
            zone: chrono_tz::UTC,
            start: local(1, 9),
            handoff: Handoff { every, unit },
            windows,
            validity: Validity::since(DateTime::<Utc>::MIN_UTC),
        })
    }

    #[test]
    fn hours_days_and_weeks_hand_over_on_the_dot() {
        let daily = rotation(HandoffUnit::Days, 1, vec![]);
        assert_eq!(daily.member_at(local(1, 8)), None);
        assert_eq!(daily.member_at(local(1, 9)), Some(1));
        assert_eq!(daily.member_at(local(2, 8)), Some(1));
        assert_eq!(daily.member_at(local(2, 9)), Some(2));
        assert_eq!(daily.member_at(local(4, 9)), Some(1));
        let every_eight_hours = rotation(HandoffUnit::Hours, 8, vec![]);
        assert_eq!(every_eight_hours.member_at(local(1, 17)), Some(2));
        assert_eq!(every_eight_hours.member_at(local(2, 1)), Some(3));
        let fortnightly = rotation(HandoffUnit::Weeks, 2, vec![]);
        assert_eq!(fortnightly.member_at(local(14, 9)), Some(1));
        assert_eq!(fortnightly.member_at(local(15, 9)), Some(2));
    }

    #[test]
    fn impossible_rules_put_nobody_on_duty_and_never_panic() {
        let never = rotation(HandoffUnit::Days, 0, vec![]);
        assert_eq!(never.member_at(local(2, 9)), None);
        let no_windows = rotation(HandoffUnit::ActiveShifts, 1, vec![]);
        assert_eq!(no_windows.member_at(local(2, 9)), None);
        let mut out = Vec::new();
        never.edges_between(local(1, 0).and_utc(), local(9, 0).and_utc(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn edges_are_the_handoffs_and_window_edges_inside_the_range() {
        let weekdays = vec![ActiveWindow {
            days: Weekdays::MONDAY_TO_FRIDAY,
            from: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
            to: NaiveTime::from_hms_opt(18, 0, 0).expect("valid"),
        }];
        let plan = rotation(HandoffUnit::ActiveShifts, 1, weekdays);
        let mut out = Vec::new();
        plan.edges_between(local(1, 0).and_utc(), local(8, 0).and_utc(), &mut out);
        out.sort();
        let expected: Vec<_> = (1..=5)
            .flat_map(|d| [local(d, 9).and_utc(), local(d, 18).and_utc()])
            .collect();
        assert_eq!(out, expected);
    }
}
