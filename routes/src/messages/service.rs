//! Which service her first message asks for: a digit of the line's menu (`1`, `2`, `3`) or a
//! word in Russian or Kazakh ("юрист", "заң", "психолог"). Nothing named: the line's first.

use hotline_schedules::Service;

/// Word beginnings that name a service, lower case.
const KEYWORDS: &[(&str, Service)] = &[
    ("юрист", Service::Legal),
    ("адвокат", Service::Legal),
    ("юридич", Service::Legal),
    ("заң", Service::Legal),
    ("lawyer", Service::Legal),
    ("психолог", Service::Psychological),
    ("psycholog", Service::Psychological),
    ("мужск", Service::Mens),
    ("ер адам", Service::Mens),
    ("ерлер", Service::Mens),
];

/// The service `body` names among `services` (the line's, in menu order), if any.
pub fn service_named(body: &str, services: &[Service]) -> Option<Service> {
    let text = body.trim().to_lowercase();
    // Only a digit alone is a menu choice: "2 года терплю" is not asking for service 2.
    let digit = text.trim_end_matches(['.', ')', ',', '!']);
    if let Ok(n) = digit.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| services.get(i)).copied();
    }
    text.split(|c: char| !c.is_alphanumeric() && c != ' ')
        .flat_map(|part| part.split_whitespace().map(move |w| (w, part)))
        .find_map(|(word, part)| {
            KEYWORDS.iter().find_map(|(key, service)| {
                let hit = if key.contains(' ') {
                    part.contains(key)
                } else {
                    word.starts_with(key)
                };
                (hit && services.contains(service)).then_some(*service)
            })
        })
}

/// The service of a new conversation: the one she names, or the line's first.
pub fn service_of_first_message(body: &str, services: &[Service]) -> Service {
    service_named(body, services)
        .or_else(|| services.first().copied())
        .unwrap_or(Service::Legal)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Service; 3] = [Service::Legal, Service::Psychological, Service::Mens];

    #[test]
    fn a_digit_picks_from_the_lines_menu() {
        assert_eq!(service_named("2", &ALL), Some(Service::Psychological));
        assert_eq!(service_named(" 3. ", &ALL), Some(Service::Mens));
        assert_eq!(service_named("2 года терплю", &ALL), None);
        assert_eq!(service_named("4", &ALL), None);
        assert_eq!(service_named("0", &ALL), None);
    }

    #[test]
    fn a_word_in_russian_or_kazakh_names_a_service() {
        assert_eq!(service_named("Мне нужен юрист", &ALL), Some(Service::Legal));
        assert_eq!(service_named("Заңгер керек", &ALL), Some(Service::Legal));
        assert_eq!(
            service_named("Можно с психологом поговорить?", &ALL),
            Some(Service::Psychological)
        );
        assert_eq!(service_named("он меня бьёт", &ALL), None);
    }

    #[test]
    fn a_service_the_line_lacks_is_not_chosen() {
        assert_eq!(service_named("психолог", &[Service::Legal]), None);
        assert_eq!(
            service_of_first_message("психолог", &[Service::Legal]),
            Service::Legal
        );
        assert_eq!(
            service_of_first_message("здравствуйте", &[Service::Mens]),
            Service::Mens
        );
    }
}
