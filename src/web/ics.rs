//! iCalendar (RFC 5545) text for the calendar feeds: staff subscribe to their shifts in their
//! phone's calendar. Pure formatting; the caller brings the time of writing.

use chrono::{DateTime, Utc};

/// One event of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across versions of the feed, so a calendar updates an event rather than adding one.
    pub uid: String,
    pub summary: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A whole calendar named `name`, written at `now`.
pub fn calendar(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//hotline//duty rota//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("X-WR-CALNAME:{}", escape(name)),
        // Calendar apps poll a subscribed feed; an hour keeps shifts fresh without load.
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H".to_owned(),
        "X-PUBLISHED-TTL:PT1H".to_owned(),
    ];
    for event in events {
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", escape(&event.uid)),
            format!("DTSTAMP:{}", stamp(now)),
            format!("DTSTART:{}", stamp(event.starts_at)),
            format!("DTEND:{}", stamp(event.ends_at)),
            format!("SUMMARY:{}", escape(&event.summary)),
            "TRANSP:OPAQUE".to_owned(),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines
        .iter()
        .map(|line| fold(line))
        .collect::<Vec<_>>()
        .join("")
}

fn stamp(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Text values escape backslash, semicolon, comma and newline.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded (CRLF and a space), never inside a UTF-8 character:
/// Kazakh and Russian names are two bytes a letter.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for ch in line.chars() {
        let size = ch.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += size;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, hour, 0, 0)
            .single()
            .expect("a real time")
    }

    #[test]
    fn a_shift_becomes_an_event_in_utc() {
        let event = Event {
            uid: "rotation-1-20261124T040000Z@hotline".into(),
            summary: "Дежурство: юрист".into(),
            starts_at: at(4),
            ends_at: at(13),
        };
        let text = calendar("Айгерим", &[event], at(20));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("DTSTART:20261124T040000Z\r\nDTEND:20261124T130000Z\r\n"));
        assert!(text.contains("SUMMARY:Дежурство: юрист\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_letter() {
        let summary = "Дежурство юриста на горячей линии, основная позиция; Шымкент".to_owned();
        let event = Event {
            uid: "u".into(),
            summary,
            starts_at: at(4),
            ends_at: at(13),
        };
        let text = calendar("x", &[event], at(20));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains(
                "SUMMARY:Дежурство юриста на горячей линии\\, основная позиция\\; Шымкент\r\n"
            ),
            "{unfolded}"
        );
    }
}
