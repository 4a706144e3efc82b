//! A line's opening hours and holidays, in its time zone. Pure: the instant is an argument.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use hotline_schedules::model::ActiveWindow;
use serde::{Deserialize, Serialize};

/// When a line takes calls. Outside these hours a caller hears them and the emergency numbers,
/// then may leave a voicemail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    #[serde(default = "hotline_zone")]
    pub zone: Tz,
    /// Open inside any of these windows (a window whose end is not after its start runs past
    /// midnight; equal ends mean the whole day).
    pub windows: Vec<ActiveWindow>,
    /// Whole local days on which the line is closed.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

fn hotline_zone() -> Tz {
    hotline_schedules::HOTLINE_ZONE
}

impl OpeningHours {
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone).naive_local();
        if self.holidays.contains(&local.date()) {
            return false;
        }
        let time = local.time();
        let today = local.weekday();
        let yesterday = today.pred();
        self.windows.iter().any(|window| {
            if window.from < window.to {
                window.days.contains(today) && window.from <= time && time < window.to
            } else {
                // Runs past midnight (or all day): the part after `from` today, or the part
                // before `to` of a window that started yesterday.
                (window.days.contains(today) && time >= window.from)
                    || (window.days.contains(yesterday) && time < window.to)
            }
        })
    }

    /// The hours in Russian, for the message a caller hears when the line is closed.
    pub fn describe_ru(&self) -> String {
        let days = |mask: u8| -> String {
            const NAMES: [&str; 7] = [
                "понедельник",
                "вторник",
                "среда",
                "четверг",
                "пятница",
                "суббота",
                "воскресенье",
            ];
            match mask {
                0b111_1111 => "ежедневно".to_owned(),
                0b001_1111 => "с понедельника по пятницу".to_owned(),
                0b110_0000 => "по выходным".to_owned(),
                _ => NAMES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        };
        let parts: Vec<String> = self
            .windows
            .iter()
            .map(|w| {
                format!(
                    "{} с {:02}:{:02} до {:02}:{:02}",
                    days(w.days.0),
                    w.from.hour(),
                    w.from.minute(),
                    w.to.hour(),
                    w.to.minute()
                )
            })
            .collect();
        format!("Линия работает {}.", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hours(json: &str) -> OpeningHours {
        serde_json::from_str(json).expect("valid hours")
    }

    fn almaty(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Almaty
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("a real time")
            .with_timezone(&Utc)
    }

    #[test]
    fn weekday_office_hours_in_almaty() {
        let office = hours(
            r#"{"windows":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}]}"#,
        );
        // 2026-12-01 is a Tuesday.
        assert!(office.is_open(almaty(2026, 12, 1, 9, 0)));
        assert!(office.is_open(almaty(2026, 12, 1, 17, 59)));
        assert!(!office.is_open(almaty(2026, 12, 1, 18, 0)));
        assert!(!office.is_open(almaty(2026, 12, 5, 12, 0)), "Saturday");
        assert_eq!(
            office.describe_ru(),
            "Линия работает с понедельника по пятницу с 09:00 до 18:00."
        );
    }

    #[test]
    fn a_night_window_runs_past_midnight_into_the_next_day() {
        let nights = hours(r#"{"windows":[{"days":["fri"],"from":"20:00","to":"08:00"}]}"#);
        assert!(nights.is_open(almaty(2026, 12, 4, 23, 0)), "Friday night");
        assert!(
            nights.is_open(almaty(2026, 12, 5, 7, 59)),
            "Saturday morning, from Friday's window"
        );
        assert!(!nights.is_open(almaty(2026, 12, 5, 8, 0)));
        assert!(
            !nights.is_open(almaty(2026, 12, 4, 7, 0)),
            "Friday morning belongs to Thursday, which has no window"
        );
    }

    #[test]
    fn round_the_clock_except_holidays() {
        let always = hours(
            r#"{"windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"from":"00:00","to":"00:00"}],"holidays":["2027-03-22"]}"#,
        );
        assert!(always.is_open(almaty(2027, 3, 21, 23, 59)));
        assert!(!always.is_open(almaty(2027, 3, 22, 0, 0)), "Nauryz");
        assert!(!always.is_open(almaty(2027, 3, 22, 23, 59)));
        assert!(always.is_open(almaty(2027, 3, 23, 0, 0)));
    }
}
