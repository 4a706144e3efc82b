//! The rota as a page draws it: for each local day, one service's duties and gaps as bars placed
//! by minutes since local midnight, so a page needs no time arithmetic of its own. A day the
//! clocks change is 23 or 25 hours long, and says so; a duty across midnight is a bar on each
//! day.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::Service;
use crate::calendar::DutyShift;
use crate::model::{Slot, StaffId};
use crate::overrides::DutySource;
use crate::wall_clock::instant_of;

/// What a bar stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    Duty {
        staff_id: StaffId,
        slot: Slot,
        source: DutySource,
    },
    /// Nobody on duty: calls go to the coordinators. Drawn in red.
    Gap,
}

/// One bar on one day, over `[starts_at, ends_at)`, from minute `from` to minute `to` after the
/// day's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub kind: BarKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub from: u32,
    pub to: u32,
}

/// One local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayView {
    pub date: NaiveDate,
    /// How long the day is: 1440, or 1380 and 1500 on the days the clocks change.
    pub minutes: u32,
    /// Duties first (by slot, then start), then gaps (by start).
    pub bars: Vec<Bar>,
}

/// The first instant of `date` in `zone`: its midnight, or where the clocks resume when they
/// skip midnight itself.
pub fn day_start(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=180)
        .find_map(|minute| instant_of(zone, midnight + Duration::minutes(minute)))
        .unwrap_or_else(|| midnight.and_utc())
}

/// `days` local days from `first`, with `service`'s duties from `duties` and the `gaps` (both
/// as the rota lays them out over at least those days).
pub fn days_view(
    duties: &[DutyShift],
    gaps: &[(DateTime<Utc>, DateTime<Utc>)],
    service: Service,
    first: NaiveDate,
    days: u32,
    zone: Tz,
) -> Vec<DayView> {
    (0..days)
        .map(|n| {
            let date = first + Duration::days(i64::from(n));
            let start = day_start(zone, date);
            let end = day_start(zone, date + Duration::days(1));
            let place = |kind, from: DateTime<Utc>, to: DateTime<Utc>| {
                let (from, to) = (from.max(start), to.min(end));
                (from < to).then(|| Bar {
                    kind,
                    starts_at: from,
                    ends_at: to,
                    from: minutes(from - start),
                    to: minutes(to - start),
                })
            };
            let mut bars: Vec<Bar> = duties
                .iter()
                .filter(|duty| duty.service == service)
                .filter_map(|duty| {
                    let kind = BarKind::Duty {
                        staff_id: duty.staff_id,
                        slot: duty.slot,
                        source: duty.source,
                    };
                    place(kind, duty.starts_at, duty.ends_at)
                })
                .collect();
            bars.sort_by_key(|bar| match bar.kind {
                BarKind::Duty { slot, .. } => (slot_order(slot), bar.from),
                BarKind::Gap => (u8::MAX, bar.from),
            });
            bars.extend(
                gaps.iter()
                    .filter_map(|&(from, to)| place(BarKind::Gap, from, to)),
            );
            DayView {
                date,
                minutes: minutes(end - start),
                bars,
            }
        })
        .collect()
}

fn minutes(span: Duration) -> u32 {
    u32::try_from(span.num_minutes().max(0)).unwrap_or(u32::MAX)
}

fn slot_order(slot: Slot) -> u8 {
    match slot {
        Slot::Scheduled(position) => position.0,
        Slot::Added => u8::MAX - 2,
        Slot::Coordinator => u8::MAX - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Position;
    use chrono::TimeZone;

    const ALMATY: Tz = chrono_tz::Asia::Almaty;

    fn utc(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .expect("valid")
    }

    fn duty(staff_id: StaffId, from: DateTime<Utc>, to: DateTime<Utc>) -> DutyShift {
        DutyShift {
            staff_id,
            service: Service::Legal,
            slot: Slot::Scheduled(Position::PRIMARY),
            starts_at: from,
            ends_at: to,
            source: DutySource::Shift(1),
            in_place_of: None,
        }
    }

    #[test]
    fn a_night_duty_is_a_bar_on_each_day_and_the_gap_is_drawn_after() {
        // 25 Nov 20:00 – 26 Nov 08:00 local (UTC+5), then nobody until 09:00.
        let night = duty(7, utc(25, 15), utc(26, 3));
        let gap = (utc(26, 3), utc(26, 4));
        let first = NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid");
        let days = days_view(&[night], &[gap], Service::Legal, first, 2, ALMATY);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].minutes, 1440);
        assert_eq!(
            days[0]
                .bars
                .iter()
                .map(|b| (b.from, b.to))
                .collect::<Vec<_>>(),
            vec![(20 * 60, 1440)]
        );
        assert_eq!(
            days[1]
                .bars
                .iter()
                .map(|b| (b.kind == BarKind::Gap, b.from, b.to))
                .collect::<Vec<_>>(),
            vec![(false, 0, 8 * 60), (true, 8 * 60, 9 * 60)]
        );
    }

    proptest::proptest! {
        /// Duties and the gaps between them fill every day exactly, whatever the zone.
        #[test]
        fn duties_and_gaps_fill_each_day(
            cuts in proptest::collection::btree_set(1i64..(7 * 24 * 4), 0..12),
            zone in proptest::sample::select(vec![ALMATY, chrono_tz::Europe::Berlin, chrono_tz::America::Havana]),
            year in 2024i32..2026,
            // Weeks with the clocks changing in Havana (at midnight) and in Berlin, and a plain one.
            (month, day) in proptest::sample::select(vec![(3, 5), (3, 26), (10, 23), (11, 20)]),
        ) {
            let first = NaiveDate::from_ymd_opt(year, month, day).expect("valid");
            let (from, to) = (day_start(zone, first), day_start(zone, first + Duration::days(7)));
            // Cut the week at quarter hours into stretches, alternately duty and gap.
            let mut edges = vec![from];
            edges.extend(cuts.iter().map(|q| from + Duration::minutes(q * 15)).filter(|at| *at < to));
            edges.push(to);
            let (mut duties, mut gaps) = (Vec::new(), Vec::new());
            for (n, pair) in edges.windows(2).enumerate() {
                if n % 2 == 0 {
                    duties.push(duty(7, pair[0], pair[1]));
                } else {
                    gaps.push((pair[0], pair[1]));
                }
            }
            for day in days_view(&duties, &gaps, Service::Legal, first, 7, zone) {
                let mut bars: Vec<(u32, u32)> = day.bars.iter().map(|b| (b.from, b.to)).collect();
                bars.sort_unstable();
                let mut reached = 0;
                for (from, to) in bars {
                    proptest::prop_assert_eq!(from, reached, "{:?}", day.date);
                    reached = to;
                }
                proptest::prop_assert_eq!(reached, day.minutes);
            }
        }
    }

    #[test]
    fn other_services_are_left_out() {
        let mut other = duty(7, utc(25, 5), utc(25, 6));
        other.service = Service::Psychological;
        let first = NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid");
        let days = days_view(&[other], &[], Service::Legal, first, 1, ALMATY);
        assert!(days[0].bars.is_empty());
    }

    #[test]
    fn the_days_the_clocks_change_are_23_and_25_hours_long() {
        let berlin = chrono_tz::Europe::Berlin;
        let spring = NaiveDate::from_ymd_opt(2024, 3, 31).expect("valid");
        let autumn = NaiveDate::from_ymd_opt(2024, 10, 27).expect("valid");
        assert_eq!(
            days_view(&[], &[], Service::Legal, spring, 1, berlin)[0].minutes,
            1380
        );
        assert_eq!(
            days_view(&[], &[], Service::Legal, autumn, 1, berlin)[0].minutes,
            1500
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_resume() {
        // Havana skipped 00:00–01:00 on 2024-03-10.
        let havana = chrono_tz::America::Havana;
        let date = NaiveDate::from_ymd_opt(2024, 3, 10).expect("valid");
        let start = day_start(havana, date);
        assert_eq!(
            start,
            Utc.with_ymd_and_hms(2024, 3, 10, 5, 0, 0)
                .single()
                .expect("valid")
        );
    }
}
