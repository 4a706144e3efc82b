//! Whether something may go to her now: her latest consent for the channel, the hours she said
//! contact is safe (her local wall clock, in the hotline's zone), and when her consent ends.
//! Pure: the instant and the zone are arguments. Decided at the moment of sending, never when a
//! message was queued, because her situation (and her word) may have changed in between.
//!
//! It must never answer `Send` without a consent that is granted, unexpired and inside her hours.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use hotline_schedules::{instant_of, wall_clock_reached};

/// The local hours in which contact is safe for her: from `from` until just before `until`. A
/// window whose end is before its start runs past midnight (22:00–06:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeHours {
    from: NaiveTime,
    until: NaiveTime,
}

/// Why safe hours cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafeHoursError {
    #[error("{0:?} is not a time of day as HH:MM (00:00 to 23:59)")]
    NotATime(String),
    /// An empty window would hold every message forever; a whole day is no restriction at all,
    /// and is said by giving no hours.
    #[error("the safe hours must start and end at different times")]
    Empty,
}

impl SafeHours {
    pub fn new(from: NaiveTime, until: NaiveTime) -> Result<Self, SafeHoursError> {
        if from == until {
            return Err(SafeHoursError::Empty);
        }
        Ok(Self { from, until })
    }

    /// Reads `"10:00"` and `"13:00"`.
    pub fn parse(from: &str, until: &str) -> Result<Self, SafeHoursError> {
        Self::new(wall_time(from)?, wall_time(until)?)
    }

    pub fn from(&self) -> NaiveTime {
        self.from
    }

    pub fn until(&self) -> NaiveTime {
        self.until
    }

    /// `from` as HH:MM, as it is stored and shown.
    pub fn from_text(&self) -> String {
        self.from.format("%H:%M").to_string()
    }

    /// `until` as HH:MM, as it is stored and shown.
    pub fn until_text(&self) -> String {
        self.until.format("%H:%M").to_string()
    }

    /// Whether a wall-clock time is inside the window.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.from < self.until {
            self.from <= time && time < self.until
        } else {
            time >= self.from || time < self.until
        }
    }
}

/// A time of day written `HH:MM`.
pub fn wall_time(text: &str) -> Result<NaiveTime, SafeHoursError> {
    let text = text.trim();
    let well_formed = text.len() == 5 && text.as_bytes()[2] == b':';
    well_formed
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| SafeHoursError::NotATime(text.to_owned()))
}

/// Her latest word on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTerms {
    pub granted: bool,
    /// `None`: any hour.
    pub safe_hours: Option<SafeHours>,
    /// The consent ends at this instant; `None`: until she withdraws it.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What the sender does with a message to her now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Outside her safe hours: not before this instant, when they next begin.
    HoldUntil(DateTime<Utc>),
    /// Never: the message ends without being sent.
    Withhold(Withheld),
}

/// Why a message to her is not sent at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    NoneRecorded,
    Withdrawn,
    Expired,
}

impl Withheld {
    pub fn as_str(self) -> &'static str {
        match self {
            Withheld::NoneRecorded => "no_consent",
            Withheld::Withdrawn => "withdrawn",
            Withheld::Expired => "expired",
        }
    }

    /// The sentence a coordinator reads on the message: nothing personal in it.
    pub fn explain(self) -> &'static str {
        match self {
            Withheld::NoneRecorded => {
                "not sent: she has no recorded consent to be contacted on this channel"
            }
            Withheld::Withdrawn => "not sent: she withdrew her consent to this channel",
            Withheld::Expired => "not sent: her consent to this channel has expired",
        }
    }
}

/// Whether a message to her on a channel whose latest consent is `terms` goes now.
pub fn decide(terms: Option<&ConsentTerms>, now: DateTime<Utc>, zone: Tz) -> Decision {
    let Some(terms) = terms else {
        return Decision::Withhold(Withheld::NoneRecorded);
    };
    if !terms.granted {
        return Decision::Withhold(Withheld::Withdrawn);
    }
    // A consent that ends at an instant no longer holds at it.
    if terms.expires_at.is_some_and(|end| end <= now) {
        return Decision::Withhold(Withheld::Expired);
    }
    let Some(hours) = terms.safe_hours else {
        return Decision::Send;
    };
    // The wall-clock time already reached: in the second pass through a repeated hour this is
    // the hour's end, so a window that closed on the first pass stays closed.
    let reached = wall_clock_reached(zone, now);
    if hours.contains(reached.time()) {
        return Decision::Send;
    }
    match next_opening(hours, reached, now, zone) {
        Some(at) => Decision::HoldUntil(at),
        // Only at the ends of chrono's range: not sending is the safe side.
        None => Decision::Withhold(Withheld::Expired),
    }
}

/// The first instant after `now` at which the window opens: today's opening, or a following
/// day's (a day whose opening falls in a skipped hour opens when the clocks resume).
fn next_opening(
    hours: SafeHours,
    reached: chrono::NaiveDateTime,
    now: DateTime<Utc>,
    zone: Tz,
) -> Option<DateTime<Utc>> {
    (0..=2)
        .filter_map(|days| reached.date().checked_add_signed(TimeDelta::days(days)))
        .filter_map(|day| instant_of(zone, day.and_time(hours.from)))
        .find(|opening| *opening > now)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const ALMATY: Tz = chrono_tz::Asia::Almaty;
    const BERLIN: Tz = chrono_tz::Europe::Berlin;

    fn local(zone: Tz, text: &str) -> DateTime<Utc> {
        let naive =
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a local time");
        zone.from_local_datetime(&naive)
            .earliest()
            .expect("a real local time")
            .to_utc()
    }

    fn granted(from: &str, until: &str) -> ConsentTerms {
        ConsentTerms {
            granted: true,
            safe_hours: Some(SafeHours::parse(from, until).expect("hours")),
            expires_at: None,
        }
    }

    #[test]
    fn without_a_granted_consent_nothing_is_sent() {
        let now = local(ALMATY, "2026-11-24 11:00");
        assert_eq!(
            decide(None, now, ALMATY),
            Decision::Withhold(Withheld::NoneRecorded)
        );
        let withdrawn = ConsentTerms {
            granted: false,
            ..granted("10:00", "13:00")
        };
        assert_eq!(
            decide(Some(&withdrawn), now, ALMATY),
            Decision::Withhold(Withheld::Withdrawn)
        );
    }

    #[test]
    fn a_consent_without_hours_or_end_sends_at_any_hour() {
        let terms = ConsentTerms {
            granted: true,
            safe_hours: None,
            expires_at: None,
        };
        for time in ["2026-11-24 03:00", "2026-11-24 23:59"] {
            assert_eq!(
                decide(Some(&terms), local(ALMATY, time), ALMATY),
                Decision::Send
            );
        }
    }

    #[test]
    fn a_consent_that_ends_now_has_ended() {
        let now = local(ALMATY, "2026-11-24 11:00");
        let mut terms = granted("10:00", "13:00");
        terms.expires_at = Some(now);
        assert_eq!(
            decide(Some(&terms), now, ALMATY),
            Decision::Withhold(Withheld::Expired)
        );
        terms.expires_at = Some(now + TimeDelta::seconds(1));
        assert_eq!(decide(Some(&terms), now, ALMATY), Decision::Send);
    }

    #[test]
    fn a_reply_at_night_waits_for_the_morning_window() {
        let terms = granted("10:00", "13:00");
        let hold = |at: &str| decide(Some(&terms), local(ALMATY, at), ALMATY);
        assert_eq!(
            hold("2026-11-24 23:00"),
            Decision::HoldUntil(local(ALMATY, "2026-11-25 10:00"))
        );
        assert_eq!(
            hold("2026-11-25 09:59"),
            Decision::HoldUntil(local(ALMATY, "2026-11-25 10:00"))
        );
        assert_eq!(hold("2026-11-25 10:00"), Decision::Send);
        assert_eq!(hold("2026-11-25 12:59"), Decision::Send);
        assert_eq!(
            hold("2026-11-25 13:00"),
            Decision::HoldUntil(local(ALMATY, "2026-11-26 10:00")),
            "the window's end is outside it"
        );
    }

    #[test]
    fn a_window_across_midnight_holds_through_the_day() {
        let terms = granted("22:00", "06:00");
        let decide_at = |at: &str| decide(Some(&terms), local(ALMATY, at), ALMATY);
        assert_eq!(decide_at("2026-11-24 23:30"), Decision::Send);
        assert_eq!(decide_at("2026-11-25 00:00"), Decision::Send);
        assert_eq!(decide_at("2026-11-25 05:59"), Decision::Send);
        assert_eq!(
            decide_at("2026-11-25 06:00"),
            Decision::HoldUntil(local(ALMATY, "2026-11-25 22:00"))
        );
        assert_eq!(
            decide_at("2026-11-25 21:59"),
            Decision::HoldUntil(local(ALMATY, "2026-11-25 22:00"))
        );
    }

    #[test]
    fn an_opening_in_the_skipped_hour_is_when_the_clocks_resume() {
        // Berlin: 2026-03-29 02:00 becomes 03:00 (01:00 UTC).
        let terms = granted("02:30", "05:00");
        let now = local(BERLIN, "2026-03-29 00:00");
        let resumed = Utc
            .with_ymd_and_hms(2026, 3, 29, 1, 0, 0)
            .single()
            .expect("an instant");
        assert_eq!(
            decide(Some(&terms), now, BERLIN),
            Decision::HoldUntil(resumed)
        );
        assert_eq!(decide(Some(&terms), resumed, BERLIN), Decision::Send);
    }

    #[test]
    fn a_window_opens_on_the_first_pass_of_a_repeated_hour_and_ends_on_it() {
        // Berlin: 2026-10-25 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:00–03:00 happens twice.
        let opens = granted("02:30", "05:00");
        let now = local(BERLIN, "2026-10-25 00:00");
        let first_pass = Utc
            .with_ymd_and_hms(2026, 10, 25, 0, 30, 0)
            .single()
            .expect("an instant");
        assert_eq!(
            decide(Some(&opens), now, BERLIN),
            Decision::HoldUntil(first_pass)
        );
        // 02:10 on the second pass: the window opened on the first and is still open.
        let second_pass = Utc
            .with_ymd_and_hms(2026, 10, 25, 1, 10, 0)
            .single()
            .expect("an instant");
        assert_eq!(decide(Some(&opens), second_pass, BERLIN), Decision::Send);
        // A window ending at 02:30 closed on the first pass, and stays closed on the second.
        let ends = granted("22:00", "02:30");
        assert_eq!(
            decide(Some(&ends), second_pass, BERLIN),
            Decision::HoldUntil(local(BERLIN, "2026-10-25 22:00"))
        );
    }

    #[test]
    fn hours_are_read_as_hh_mm_and_never_empty() {
        assert!(SafeHours::parse("10:00", "13:00").is_ok());
        assert_eq!(
            SafeHours::parse("10:00", "10:00"),
            Err(SafeHoursError::Empty)
        );
        for bad in ["25:00", "10", "10:0", "ten", "10:00:00", ""] {
            assert!(
                matches!(
                    SafeHours::parse(bad, "13:00"),
                    Err(SafeHoursError::NotATime(_))
                ),
                "{bad}"
            );
        }
        let hours = SafeHours::parse("09:05", "13:00").expect("hours");
        assert_eq!(hours.from_text(), "09:05");
        assert_eq!(hours.until_text(), "13:00");
    }
}
