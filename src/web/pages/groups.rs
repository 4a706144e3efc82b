//! The log's and the report's fixed keys (`answered`, `kk`, `whatsapp`, …) in the user's
//! words, and short spans of time to the second, shared by `/log` and `/reports`.

use super::words::{Text, Words};

/// A group key of the report or a value of the log, as the user reads it.
pub fn name(t: Words, key: &str) -> &'static str {
    match key {
        "legal" => t.say(Text::Legal),
        "psychological" => t.say(Text::Psychological),
        "mens" => t.say(Text::Mens),
        "answered" => t.say(Text::Answered),
        "voicemail" => t.say(Text::Voicemail),
        "missed" => t.say(Text::Missed),
        "abandoned" => t.say(Text::Abandoned),
        "blocked" => t.say(Text::Blocked),
        "closed" => t.say(Text::Closed),
        "in_progress" => t.say(Text::InProgress),
        "unanswered" => t.say(Text::Unanswered),
        "kk" => t.say(Text::Kazakh),
        "ru" => t.say(Text::Russian),
        "voice" => t.say(Text::PhoneCall),
        "sms" => "SMS",
        "whatsapp" => "WhatsApp",
        "new" => t.say(Text::NewCallers),
        "repeat" => t.say(Text::RepeatCallers),
        _ => t.say(Text::NotChosen),
    }
}

/// A wait to the second: `45 s`, `2 min 5 s`; an hour or more as `Words::age` has it.
pub fn span(t: Words, seconds: i64) -> String {
    let seconds = seconds.max(0);
    let s = t.say(Text::Seconds);
    if seconds < 60 {
        format!("{seconds} {s}")
    } else if seconds < 3600 {
        format!(
            "{} {} {} {s}",
            seconds / 60,
            t.say(Text::Minutes),
            seconds % 60
        )
    } else {
        t.age(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PageLanguage;

    #[test]
    fn spans_read_to_the_second_under_an_hour() {
        let en = Words(PageLanguage::En);
        assert_eq!(span(en, 45), "45 s");
        assert_eq!(span(en, 125), "2 min 5 s");
        assert_eq!(span(en, 3 * 3600 + 61), "3 h 1 min");
        assert_eq!(span(Words(PageLanguage::Ru), 90), "1 мин 30 с");
    }

    #[test]
    fn every_report_group_has_a_name_of_its_own() {
        let ru = Words(PageLanguage::Ru);
        let keys = hotline_routes::report::OUTCOMES.iter().chain(&[
            "legal",
            "psychological",
            "mens",
            "kk",
            "ru",
            "voice",
            "sms",
        ]);
        for key in keys {
            assert_ne!(name(ru, key), name(ru, "none"), "{key}");
        }
    }
}
