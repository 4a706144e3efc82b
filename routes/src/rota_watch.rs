//! The rota's gaps that the coordinators must hear of: when nobody is on duty for a service
//! while a line that offers it is open, calls go straight to the coordinators.

use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;
use hotline_schedules::Service;

use crate::hours::OpeningHours;
use crate::prompts::service_russian;

/// A stretch with nobody on duty for a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RotaGap {
    pub service: Service,
    pub from: DateTime<Utc>,
    /// `None`: nobody as far ahead as the rota was read.
    pub to: Option<DateTime<Utc>>,
}

/// Opening hours are kept to the minute: gaps are cut to them a minute at a time.
const STEP: Duration = Duration::minutes(1);

/// The parts of `gaps` (sorted, apart) when a line with `hours` is open; all of them for a
/// line that is always open.
pub fn while_open(
    gaps: &[(DateTime<Utc>, DateTime<Utc>)],
    hours: Option<&OpeningHours>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let Some(hours) = hours else {
        return gaps.to_vec();
    };
    let mut open = Vec::new();
    for &(from, to) in gaps {
        let mut start: Option<DateTime<Utc>> = None;
        let mut at = from;
        while at < to {
            match (hours.is_open(at), start) {
                (true, None) => start = Some(at),
                (false, Some(since)) => {
                    open.push((since, at));
                    start = None;
                }
                _ => {}
            }
            // On to the next whole minute, where the hours may change.
            at = (at.duration_trunc(STEP).unwrap_or(at) + STEP).min(to);
        }
        if let Some(since) = start {
            open.push((since, to));
        }
    }
    open
}

/// The text the coordinators get about a gap, with its times in `zone`.
pub fn gap_alert_text(gap: &RotaGap, zone: Tz) -> String {
    let until = match gap.to {
        Some(to) => format!("до {}", local(to, zone)),
        None => "и дальше по графику".to_owned(),
    };
    format!(
        "Пробел в графике: {} — никто не дежурит с {} {until}. Звонки в это время пойдут координатору. Поставьте дежурного.",
        service_russian(gap.service),
        local(gap.from, zone),
    )
}

/// "25.11 22:00" in `zone`.
pub fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%d.%m %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};
    use hotline_schedules::model::{ActiveWindow, Weekdays};

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0)
            .single()
            .expect("valid")
    }

    fn nine_to_six() -> OpeningHours {
        // 09:00–18:00 in Almaty (UTC+5) is 04:00–13:00 UTC.
        OpeningHours {
            zone: chrono_tz::Asia::Almaty,
            windows: vec![ActiveWindow {
                days: Weekdays::ALL,
                from: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
                to: NaiveTime::from_hms_opt(18, 0, 0).expect("valid"),
            }],
            holidays: vec![],
        }
    }

    #[test]
    fn a_line_always_open_keeps_every_gap() {
        let gaps = vec![(utc(24, 1, 0), utc(24, 3, 0))];
        assert_eq!(while_open(&gaps, None), gaps);
    }

    #[test]
    fn a_gap_overnight_matters_only_while_the_line_is_open() {
        // 24th 10:00 UTC (15:00 local) to 25th 06:00 UTC (11:00 local).
        let gaps = vec![(utc(24, 10, 0), utc(25, 6, 0))];
        assert_eq!(
            while_open(&gaps, Some(&nine_to_six())),
            vec![
                (utc(24, 10, 0), utc(24, 13, 0)),
                (utc(25, 4, 0), utc(25, 6, 0))
            ]
        );
    }

    #[test]
    fn a_gap_while_the_line_is_closed_is_no_gap() {
        let gaps = vec![(utc(24, 14, 0), utc(24, 23, 0))];
        assert!(while_open(&gaps, Some(&nine_to_six())).is_empty());
    }

    #[test]
    fn a_gap_starting_off_the_minute_is_cut_at_the_minute_the_line_closes() {
        let from = utc(24, 12, 0) + Duration::seconds(30);
        let gaps = vec![(from, utc(24, 14, 0))];
        assert_eq!(
            while_open(&gaps, Some(&nine_to_six())),
            vec![(from, utc(24, 13, 0))]
        );
    }

    #[test]
    fn the_alert_names_the_service_and_local_times() {
        let gap = RotaGap {
            service: Service::Legal,
            from: utc(25, 17, 0),
            to: Some(utc(26, 3, 0)),
        };
        assert_eq!(
            gap_alert_text(&gap, chrono_tz::Asia::Almaty),
            "Пробел в графике: юридическая помощь — никто не дежурит с 25.11 22:00 до 26.11 08:00. \
             Звонки в это время пойдут координатору. Поставьте дежурного."
        );
        let endless = RotaGap { to: None, ..gap };
        assert!(
            gap_alert_text(&endless, chrono_tz::Asia::Almaty)
                .contains("с 25.11 22:00 и дальше по графику.")
        );
    }
}
