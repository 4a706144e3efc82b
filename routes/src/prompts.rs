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
