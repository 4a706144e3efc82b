//! What a staff member's text to the hotline number asks for: a reply to a conversation (with
//! its code, or to their latest), or a command. A staff member's text is never a new contact.

use chrono::Duration;

use super::Code;

/// A break asked for without a length (`PAUSE`).
pub const DEFAULT_PAUSE: Duration = Duration::hours(2);
/// The longest break a text may ask for; longer absences are the coordinator's rota edit.
pub const LONGEST_PAUSE: Duration = Duration::hours(24);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffText {
    /// `K7Q text…`, or `text…` alone (`code: None`: their latest conversation).
    Reply {
        code: Option<Code>,
        text: String,
    },
    /// `DONE K7Q`: she was answered; the conversation and its follow-up close.
    Done(Option<Code>),
    /// `CALL K7Q`: ring me, then connect her.
    Call(Option<Code>),
    /// `PAUSE 2h`: off duty for this long.
    Pause(Duration),
    /// `RESUME`: back on duty.
    Resume,
    Help,
    /// A command word with something it cannot read after it (`PAUSE soon`).
    Unreadable,
    /// Starts with what looks like a mistyped code (`K0Q …`, `XYZ …`): never sent anywhere.
    NotACode(String),
}

/// Reads a staff member's text.
pub fn read_staff_text(body: &str) -> StaffText {
    let body = body.trim();
    let (first, rest) = split_first(body);
    let word = first.trim_end_matches([':', ',', '.']).to_uppercase();
    match word.as_str() {
        "DONE" | "ГОТОВО" => {
            code_argument(rest).map_or(StaffText::Unreadable, StaffText::Done)
        }
        "CALL" | "ЗВОНОК" => {
            code_argument(rest).map_or(StaffText::Unreadable, StaffText::Call)
        }
        "PAUSE" | "ПАУЗА" => {
            if rest.is_empty() {
                StaffText::Pause(DEFAULT_PAUSE)
            } else {
                read_duration(rest)
                    .filter(|d| *d > Duration::zero() && *d <= LONGEST_PAUSE)
                    .map_or(StaffText::Unreadable, StaffText::Pause)
            }
        }
        "RESUME" | "ВЕРНУЛАСЬ" | "ВЕРНУЛСЯ" if rest.is_empty() => {
            StaffText::Resume
        }
        "HELP" | "ПОМОЩЬ" | "?" if rest.is_empty() => StaffText::Help,
        _ => match Code::parse(first.trim_end_matches([':', ','])) {
            Some(code) => StaffText::Reply {
                code: Some(code),
                text: rest.to_owned(),
            },
            None if looks_like_a_code(first.trim_end_matches([':', ','])) => {
                StaffText::NotACode(first.trim_end_matches([':', ',']).to_uppercase())
            }
            None => StaffText::Reply {
                code: None,
                text: body.to_owned(),
            },
        },
    }
}

/// Three Latin letters or digits, in capitals or with a digit: meant as a code, whatever the
/// typo. A reply whose code cannot be read must not go to the latest conversation instead.
fn looks_like_a_code(word: &str) -> bool {
    word.len() == super::code::LENGTH
        && word.bytes().all(|b| b.is_ascii_alphanumeric())
        && (word.bytes().any(|b| b.is_ascii_digit()) || word == word.to_ascii_uppercase())
}

fn split_first(text: &str) -> (&str, &str) {
    match text.find(char::is_whitespace) {
        Some(at) => (&text[..at], text[at..].trim()),
        None => (text, ""),
    }
}

/// No argument: `Some(None)`; one code: `Some(Some(code))`; anything else: `None`.
fn code_argument(rest: &str) -> Option<Option<Code>> {
    if rest.is_empty() {
        return Some(None);
    }
    Code::parse(rest).map(Some)
}

/// `2h`, `90m`, `1h30m`, `2` (hours), `2 ч`, `30 мин`.
fn read_duration(text: &str) -> Option<Duration> {
    let text: String = text.to_lowercase().split_whitespace().collect();
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let mut unit = String::from(c);
        while let Some(next) = chars.peek().filter(|n| !n.is_ascii_digit()) {
            unit.push(*next);
            chars.next();
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        // `try_`, checked: a long run of digits is a typo to refuse, not a reason to panic.
        let part = match unit.as_str() {
            "h" | "ч" | "час" | "часа" | "часов" | "hr" | "hrs" => {
                Duration::try_hours(n)?
            }
            "m" | "min" | "м" | "мин" => Duration::try_minutes(n)?,
            _ => return None,
        };
        total = total.checked_add(&part)?;
        any = true;
    }
    if !number.is_empty() {
        let n: i64 = number.parse().ok()?;
        if any {
            return None;
        }
        total = Duration::try_hours(n)?;
        any = true;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<Code> {
        Code::parse(text)
    }

    #[test]
    fn a_code_first_is_a_reply_to_that_conversation() {
        assert_eq!(
            read_staff_text("K7Q Здравствуйте, я юрист."),
            StaffText::Reply {
                code: code("K7Q"),
                text: "Здравствуйте, я юрист.".into()
            }
        );
        assert_eq!(
            read_staff_text("k7q: завтра в 10"),
            StaffText::Reply {
                code: code("K7Q"),
                text: "завтра в 10".into()
            }
        );
    }

    #[test]
    fn a_mistyped_code_is_not_taken_for_a_reply_to_the_latest() {
        assert_eq!(
            read_staff_text("K0Q завтра"),
            StaffText::NotACode("K0Q".into())
        );
        assert_eq!(read_staff_text("XYZ"), StaffText::NotACode("XYZ".into()));
        assert_eq!(
            read_staff_text("Hey, как вы?"),
            StaffText::Reply {
                code: None,
                text: "Hey, как вы?".into()
            }
        );
    }

    #[test]
    fn text_without_a_code_is_a_reply_to_the_latest_conversation() {
        assert_eq!(
            read_staff_text("Вы можете прийти завтра?"),
            StaffText::Reply {
                code: None,
                text: "Вы можете прийти завтра?".into()
            }
        );
    }

    #[test]
    fn commands_are_read_in_any_case() {
        assert_eq!(read_staff_text("DONE K7Q"), StaffText::Done(code("K7Q")));
        assert_eq!(read_staff_text("done"), StaffText::Done(None));
        assert_eq!(read_staff_text("готово k7q"), StaffText::Done(code("K7Q")));
        assert_eq!(read_staff_text("CALL K7Q"), StaffText::Call(code("K7Q")));
        assert_eq!(read_staff_text("HELP"), StaffText::Help);
        assert_eq!(read_staff_text("resume"), StaffText::Resume);
        assert_eq!(read_staff_text("DONE please"), StaffText::Unreadable);
    }

    #[test]
    fn a_pause_reads_hours_and_minutes() {
        assert_eq!(
            read_staff_text("PAUSE 2h"),
            StaffText::Pause(Duration::hours(2))
        );
        assert_eq!(read_staff_text("PAUSE"), StaffText::Pause(DEFAULT_PAUSE));
        assert_eq!(
            read_staff_text("pause 1h30m"),
            StaffText::Pause(Duration::minutes(90))
        );
        assert_eq!(
            read_staff_text("ПАУЗА 30 мин"),
            StaffText::Pause(Duration::minutes(30))
        );
        assert_eq!(
            read_staff_text("PAUSE 3"),
            StaffText::Pause(Duration::hours(3))
        );
        assert_eq!(read_staff_text("PAUSE soon"), StaffText::Unreadable);
        assert_eq!(read_staff_text("PAUSE 48h"), StaffText::Unreadable);
        assert_eq!(read_staff_text("PAUSE 0h"), StaffText::Unreadable);
    }

    /// Found by the `sms_command` fuzz target: a length beyond what a duration holds panicked
    /// (`Duration::hours` out of bounds, or an overflowing sum) and the text was never answered.
    #[test]
    fn a_pause_too_long_for_any_clock_is_unreadable_not_a_panic() {
        for text in [
            "PAUSE 199999999999999",
            "PAUSE 9223372036854775807h",
            "PAUSE 153722867280913m",
            "PAUSE 2562047788015h2562047788015h",
            "PAUSE 99999999999999999999h",
        ] {
            assert_eq!(read_staff_text(text), StaffText::Unreadable, "{text}");
        }
    }
}
