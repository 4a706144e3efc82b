//! Every text the hotline sends about a conversation, in Russian (the staff's working language).
//! A text to staff names the code and the service, never her number; a text to her is only
//! what the staff member wrote.

use hotline_schedules::Service;

use super::Code;
use crate::prompts::service_russian;

/// Her message, relayed to a person on duty. The first of a conversation says how to answer.
pub fn relay_to_staff(code: &Code, service: Service, body: &str, first: bool) -> String {
    let service = service_russian(service);
    if first {
        format!(
            "Новое обращение {code} ({service}): {body}\n\
             Ответ ей: «{code} ваш текст». Закрыть: «DONE {code}». Команды: HELP."
        )
    } else {
        format!("{code} ({service}): {body}")
    }
}

pub fn reply_sent(code: &Code) -> String {
    format!("Отправлено в {code}.")
}

/// `code` as typed: it may not be a code at all.
pub fn unknown_code(code: &str) -> String {
    format!("Обращения {code} нет. Ничего не отправлено. Проверьте код в сообщении о ней.")
}

pub fn stale_code(code: &Code) -> String {
    format!("Обращение {code} уже закрыто. Ничего не отправлено.")
}

pub fn no_latest_conversation() -> String {
    "У вас нет открытого обращения. Ничего не отправлено. Начните с кода: «K7Q ваш текст».".into()
}

pub fn empty_reply(code: &Code) -> String {
    format!("Пустой ответ для {code} не отправлен. Напишите: «{code} ваш текст».")
}

pub fn no_consent(code: &Code) -> String {
    format!("{code}: она отказалась от сообщений на этот номер. Ничего не отправлено.")
}

/// Her consent to this channel (a text, or a call) ended on the date agreed with her.
pub fn consent_expired(code: &Code) -> String {
    format!(
        "{code}: срок её согласия на связь истёк. Ничего не отправлено. Координатор может \
         обновить согласие, когда она подтвердит."
    )
}

pub fn window_closed(code: &Code) -> String {
    format!(
        "{code}: в WhatsApp можно ответить только в течение 24 часов после её сообщения. \
         Ничего не отправлено; дождитесь, пока она напишет снова."
    )
}

pub fn closed(code: &Code) -> String {
    format!("Обращение {code} закрыто. Спасибо.")
}

/// Added to a relay when her message asked to be called: she has now consented to a call.
pub fn asked_to_be_called(code: &Code) -> String {
    format!("Она просит позвонить. Звонок через горячую линию: «CALL {code}».")
}

/// `CALL` without her consent to a call: her phone may not be safe to ring.
pub fn call_without_consent(code: &Code) -> String {
    format!(
        "Она не давала согласия на звонок. Ничего не отправлено. Спросите в переписке; \
         когда она ответит «позвоните», CALL {code} сработает."
    )
}

/// `CALL` queued: the hotline rings the staff member first.
pub fn call_queued(code: &Code) -> String {
    format!("Сейчас вам позвонит горячая линия: нажмите 1, чтобы соединиться с {code}.")
}

pub fn paused(until_local: &str) -> String {
    format!("Пауза до {until_local}. Обращения пока идут другим дежурным. Вернуться: RESUME.")
}

pub fn resumed() -> String {
    "Вы снова на дежурстве.".into()
}

pub fn unreadable() -> String {
    "Не понял команду. Ничего не отправлено. Напишите HELP.".into()
}

pub fn help() -> String {
    "Команды горячей линии:\n\
     K7Q текст — ответить ей в обращение K7Q\n\
     текст — ответить в ваше последнее обращение\n\
     DONE K7Q — она получила ответ, закрыть\n\
     CALL K7Q — позвонить ей через горячую линию (если она просила)\n\
     PAUSE 2h — пауза (не на дежурстве)\n\
     RESUME — снова на дежурстве\n\
     HELP — эта подсказка"
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_relay_names_code_and_service_and_how_to_answer() {
        let code = Code::parse("K7Q").expect("a code");
        let text = relay_to_staff(&code, Service::Legal, "Мне нужна помощь", true);
        assert!(text.contains("K7Q"), "{text}");
        assert!(text.contains("юридическая помощь"), "{text}");
        assert!(text.contains("Мне нужна помощь"), "{text}");
        assert!(text.contains("DONE K7Q"), "{text}");
        let later = relay_to_staff(&code, Service::Legal, "ещё", false);
        assert_eq!(later, "K7Q (юридическая помощь): ещё");
    }

    #[test]
    fn refusals_say_nothing_was_sent() {
        let code = Code::parse("K7Q").expect("a code");
        for text in [
            unknown_code(code.as_str()),
            stale_code(&code),
            no_consent(&code),
            window_closed(&code),
            no_latest_conversation(),
            call_without_consent(&code),
        ] {
            assert!(text.contains("Ничего не отправлено"), "{text}");
        }
    }
}
