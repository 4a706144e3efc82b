//! What the hotline says to a caller, in each language: a recording where the line has one
//! (Kazakh always needs one: Twilio has no Kazakh voice), otherwise Russian speech.

use hotline_schedules::{Language, Service};
use serde::{Deserialize, Serialize};

use crate::line::Line;
use crate::twiml::{Play, Say};

/// Each thing the hotline says; a line's recordings are keyed by these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    Welcome,
    /// "For Kazakh press 1" — said in the language it offers.
    ChooseLanguage,
    ChooseService,
    Emergency,
    NotAChoice,
    Hold,
    HoldAgain,
    NobodyFree,
    LeaveMessage,
    NoMessage,
    Thanks,
    Closed,
    Blocked,
    Apology,
}

impl Prompt {
    /// Every prompt, in the order a call meets them: the order a coordinator records them in.
    pub const ALL: [Prompt; 14] = [
        Prompt::Welcome,
        Prompt::ChooseLanguage,
        Prompt::ChooseService,
        Prompt::Emergency,
        Prompt::NotAChoice,
        Prompt::Hold,
        Prompt::HoldAgain,
        Prompt::NobodyFree,
        Prompt::LeaveMessage,
        Prompt::NoMessage,
        Prompt::Thanks,
        Prompt::Closed,
        Prompt::Blocked,
        Prompt::Apology,
    ];

    /// The prompt's name as a line's recordings key it (`choose_language`).
    pub fn as_str(self) -> &'static str {
        match self {
            Prompt::Welcome => "welcome",
            Prompt::ChooseLanguage => "choose_language",
            Prompt::ChooseService => "choose_service",
            Prompt::Emergency => "emergency",
            Prompt::NotAChoice => "not_a_choice",
            Prompt::Hold => "hold",
            Prompt::HoldAgain => "hold_again",
            Prompt::NobodyFree => "nobody_free",
            Prompt::LeaveMessage => "leave_message",
            Prompt::NoMessage => "no_message",
            Prompt::Thanks => "thanks",
            Prompt::Closed => "closed",
            Prompt::Blocked => "blocked",
            Prompt::Apology => "apology",
        }
    }

    pub fn named(name: &str) -> Option<Prompt> {
        Prompt::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Russian text of each prompt: spoken by Twilio where no recording exists.
pub fn russian(prompt: Prompt) -> &'static str {
    match prompt {
        Prompt::Welcome => {
            "Здравствуйте. Вы позвонили на горячую линию помощи. Звонок бесплатный и конфиденциальный."
        }
        Prompt::ChooseLanguage => "Для разговора на русском языке нажмите",
        Prompt::ChooseService => "Выберите помощь.",
        Prompt::Emergency => "Если вам угрожает опасность прямо сейчас, звоните 102 или 112.",
        Prompt::NotAChoice => "Такого варианта нет.",
        Prompt::Hold => "Пожалуйста, оставайтесь на линии. Соединяем вас со специалистом.",
        Prompt::HoldAgain => {
            "Специалист пока не ответил. Пробуем связаться с другим. Пожалуйста, не кладите трубку."
        }
        Prompt::NobodyFree => "К сожалению, сейчас никто не может ответить.",
        Prompt::LeaveMessage => {
            "Оставьте сообщение после сигнала, и мы перезвоним вам. Когда закончите, нажмите решётку."
        }
        Prompt::NoMessage => "Сообщение не записано. Позвоните нам ещё раз. До свидания.",
        Prompt::Thanks => "Спасибо. Ваше сообщение записано, мы свяжемся с вами. До свидания.",
        Prompt::Closed => "Сейчас линия не работает.",
        Prompt::Blocked => "Этот номер не может позвонить на линию. До свидания.",
        Prompt::Apology => "Извините, произошла техническая ошибка.",
    }
}

/// How a service is named in the service menu and the whisper.
pub fn service_russian(service: Service) -> &'static str {
    match service {
        Service::Legal => "юридическая помощь",
        Service::Psychological => "психологическая помощь",
        Service::Mens => "линия для мужчин",
    }
}

pub fn language_russian(language: Language) -> &'static str {
    match language {
        Language::Kk => "казахский",
        Language::Ru => "русский",
    }
}

/// One spoken part of a TwiML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Utterance {
    Say(Say),
    Play(Play),
}

pub const RUSSIAN_VOICE: &str = "ru-RU";

pub fn say(text: impl Into<String>) -> Utterance {
    Utterance::Say(Say::new(text).language(RUSSIAN_VOICE))
}

/// `prompt` in `language` on `line`: its recording, or else Russian speech.
pub fn utter(line: &Line, language: Language, prompt: Prompt) -> Utterance {
    match line.recording(language, prompt) {
        Some(url) => Utterance::Play(Play::new(url)),
        None => say(russian(prompt)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompts_name_is_the_key_its_recordings_are_kept_under() {
        for prompt in Prompt::ALL {
            let json = serde_json::to_string(&prompt).expect("serialises");
            assert_eq!(json, format!("\"{}\"", prompt.as_str()));
            assert_eq!(Prompt::named(prompt.as_str()), Some(prompt));
        }
        assert_eq!(Prompt::named("../etc"), None);
    }
}
