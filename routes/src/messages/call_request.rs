//! Whether her text asks to be called back. Her texting us is consent to texts on that channel,
//! not to a ringing phone that the person she fears may answer or hear: only a message that is
//! nothing but a clear request to be called grants consent to a call. A sentence that merely
//! mentions calling ("он звонит мне каждый день") must not, so the whole message is compared
//! against known requests rather than searched for a word.

/// The requests, lower case, without punctuation, words separated by one space.
const REQUESTS: &[&str] = &[
    "позвоните",
    "позвоните мне",
    "позвоните пожалуйста",
    "пожалуйста позвоните",
    "позвоните мне пожалуйста",
    "пожалуйста позвоните мне",
    "перезвоните",
    "перезвоните мне",
    "перезвоните пожалуйста",
    "можно позвонить",
    "можете позвонить",
    "можете мне позвонить",
    "звоните",
    "позвони",
    "позвони мне",
    "перезвони",
    "перезвони мне",
    "жду звонка",
    "қоңырау шалыңыз",
    "маған қоңырау шалыңыз",
    "қоңырау шалыңызшы",
    "хабарласыңыз",
    "маған хабарласыңыз",
    "call me",
    "please call me",
    "call me please",
    "call me back",
];

/// Her whole message, when it is a request to be called.
pub fn asks_to_be_called(body: &str) -> bool {
    let lowered = body.to_lowercase().replace('ё', "е");
    let words: Vec<&str> = lowered
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?' | ';' | ':'))
        .filter(|w| !w.is_empty())
        .collect();
    let normal = words.join(" ");
    REQUESTS.contains(&normal.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_requests_in_russian_kazakh_and_english_are_read() {
        for text in [
            "позвоните",
            "Позвоните мне!",
            "  перезвоните, пожалуйста ",
            "Можно позвонить?",
            "ЗВОНИТЕ",
            "Қоңырау шалыңыз",
            "Маған қоңырау шалыңыз.",
            "call me",
            "Call me please!",
        ] {
            assert!(asks_to_be_called(text), "{text}");
        }
    }

    #[test]
    fn a_message_that_only_mentions_calling_is_not_a_request() {
        for text in [
            "Он звонит мне каждый день",
            "не звоните",
            "Не звоните мне, муж дома",
            "позвоните моей сестре",
            "Помогите",
            "",
            "STOP",
        ] {
            assert!(!asks_to_be_called(text), "{text}");
        }
    }
}
