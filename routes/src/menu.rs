//! The menus a caller hears: language (Kazakh first), then service, each saying the emergency
//! numbers. A menu with one option is skipped; no choice repeats a menu once, then the line's
//! default is taken, so silence never strands her.

use hotline_schedules::{Language, Service};

use crate::line::Line;
use crate::prompts::{Prompt, Utterance, language_russian, say, service_russian, utter};
use crate::twiml::{Gather, VoiceResponse};

/// How long a menu waits for a digit, in seconds.
pub const MENU_SECONDS: u32 = 6;
/// A menu is heard at most this many times before the default is taken.
pub const MENU_TRIES: u8 = 2;

pub fn language_action(attempt: u8) -> String {
    format!("/webhooks/voice/language?try={attempt}")
}

pub fn service_action(language: Language, attempt: u8) -> String {
    format!("/webhooks/voice/service?language={language}&try={attempt}")
}

/// What a caller's digits at a menu lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice<T> {
    Chosen(T),
    /// Nothing valid was pressed: hear the menu again, as try number `n`.
    Again(u8),
    /// Nothing valid, twice: the line's default.
    Default(T),
}

fn decide<T: Copy>(chosen: Option<T>, attempt: u8, default: T) -> Choice<T> {
    match chosen {
        Some(choice) => Choice::Chosen(choice),
        None if attempt < MENU_TRIES => Choice::Again(attempt + 1),
        None => Choice::Default(default),
    }
}

pub fn language_choice(line: &Line, digits: &str, attempt: u8) -> Choice<Language> {
    decide(line.language_for(digits), attempt, line.default_language)
}

/// With nothing chosen twice, she goes to the line's first service (legal help by default).
pub fn service_choice(line: &Line, digits: &str, attempt: u8) -> Choice<Service> {
    decide(line.service_for(digits), attempt, line.services[0])
}

fn gather(action: String) -> Gather {
    Gather::new()
        .input("dtmf")
        .num_digits(1)
        .timeout(MENU_SECONDS)
        .action(action)
        .action_on_empty_result(true)
}

fn add(gather: Gather, utterance: Utterance) -> Gather {
    match utterance {
        Utterance::Say(say) => gather.say(say),
        Utterance::Play(play) => gather.play(play),
    }
}

/// The language menu. `attempt` 1 also greets her; a repeat starts with "that is not a choice"
/// when she pressed something.
pub fn language_menu(line: &Line, attempt: u8, pressed_something: bool) -> VoiceResponse {
    let mut menu = gather(language_action(attempt));
    if attempt == 1 {
        for language in &line.languages {
            if line.recording(*language, Prompt::Welcome).is_some() {
                menu = add(menu, utter(line, *language, Prompt::Welcome));
            }
        }
        if line.recording(Language::Ru, Prompt::Welcome).is_none() {
            menu = add(menu, say(crate::prompts::russian(Prompt::Welcome)));
        }
    } else if pressed_something {
        menu = add(menu, say(crate::prompts::russian(Prompt::NotAChoice)));
    }
    for (index, language) in line.languages.iter().enumerate() {
        let digit = index + 1;
        let offer = match line.recording(*language, Prompt::ChooseLanguage) {
            Some(_) => utter(line, *language, Prompt::ChooseLanguage),
            None => say(format!(
                "Для разговора на языке: {}, нажмите {digit}.",
                language_russian(*language)
            )),
        };
        menu = add(menu, offer);
    }
    menu = add(menu, utter(line, line.default_language, Prompt::Emergency));
    VoiceResponse::new().gather(menu)
}

/// The service menu, in her language.
pub fn service_menu(
    line: &Line,
    language: Language,
    attempt: u8,
    pressed_something: bool,
) -> VoiceResponse {
    let mut menu = gather(service_action(language, attempt));
    if pressed_something {
        menu = add(menu, utter(line, language, Prompt::NotAChoice));
    }
    menu = add(menu, utter(line, language, Prompt::ChooseService));
    for (index, service) in line.services.iter().enumerate() {
        menu = add(
            menu,
            say(format!(
                "{}: нажмите {}.",
                capitalised(service_russian(*service)),
                index + 1
            )),
        );
    }
    menu = add(menu, utter(line, language, Prompt::Emergency));
    VoiceResponse::new().gather(menu)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twiml::{Prompt as Spoken, Verb};

    fn spoken(twiml: &VoiceResponse) -> String {
        let Some(Verb::Gather(gather)) = twiml.verbs.first() else {
            panic!("a menu is a Gather");
        };
        gather
            .prompts
            .iter()
            .map(|p| match p {
                Spoken::Say(say) => say.text.clone(),
                Spoken::Play(play) => format!("[{}]", play.url),
                Spoken::Pause(_) => String::new(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_language_menu_offers_kazakh_first_and_says_the_emergency_numbers() {
        let text = spoken(&language_menu(&Line::default(), 1, false));
        let kazakh = text
            .find("казахский, нажмите 1")
            .expect("Kazakh is offered");
        let russian = text.find("русский, нажмите 2").expect("Russian is offered");
        assert!(kazakh < russian);
        assert!(text.contains("102") && text.contains("112"), "{text}");
    }

    #[test]
    fn kazakh_prompts_are_played_from_the_lines_recordings() {
        let line: Line = serde_json::from_str(
            r#"{"recordings":{"kk":{"choose_language":"https://example.org/kk-1.mp3","welcome":"https://example.org/kk-hello.mp3"}}}"#,
        )
        .expect("valid");
        let text = spoken(&language_menu(&line, 1, false));
        assert!(
            text.starts_with("[https://example.org/kk-hello.mp3]"),
            "{text}"
        );
        assert!(
            text.contains("[https://example.org/kk-1.mp3]") && !text.contains("казахский"),
            "{text}"
        );
    }

    #[test]
    fn the_service_menu_names_each_service_with_its_digit() {
        let text = spoken(&service_menu(&Line::default(), Language::Ru, 1, false));
        assert!(text.contains("Юридическая помощь: нажмите 1."), "{text}");
        assert!(
            text.contains("Психологическая помощь: нажмите 2."),
            "{text}"
        );
        assert!(text.contains("Линия для мужчин: нажмите 3."), "{text}");
        assert!(text.contains("112"));
    }

    #[test]
    fn no_choice_repeats_once_then_takes_the_default() {
        let line = Line::default();
        assert_eq!(language_choice(&line, "1", 1), Choice::Chosen(Language::Kk));
        assert_eq!(language_choice(&line, "", 1), Choice::Again(2));
        assert_eq!(
            language_choice(&line, "7", 2),
            Choice::Default(Language::Ru)
        );
        assert_eq!(
            service_choice(&line, "", 2),
            Choice::Default(Service::Legal)
        );
        assert_eq!(
            service_choice(&line, "2", 2),
            Choice::Chosen(Service::Psychological)
        );
    }
}
