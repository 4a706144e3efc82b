//! How a text to the hotline number is read and answered, as pure functions: the short code a
//! conversation goes by, what a staff member's text asks for, which service her first message
//! names, and every text the hotline sends about a conversation. No I/O, no clock: the moment
//! and the randomness are arguments.

pub mod call_request;
pub mod code;
pub mod command;
pub mod service;
pub mod texts;

pub use call_request::asks_to_be_called;
pub use code::Code;
pub use command::{StaffText, read_staff_text};
pub use service::service_named;

/// What she may text to stop or restart messages from the hotline (Twilio's own keywords, and
/// the Russian word a woman in Shymkent would write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptKeyword {
    Stop,
    Start,
}

/// Her whole message, when it is nothing but an opt-out or opt-in keyword.
pub fn opt_keyword(body: &str) -> Option<OptKeyword> {
    let word = body.trim().trim_end_matches(['.', '!']).to_uppercase();
    match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "СТОП" => {
            Some(OptKeyword::Stop)
        }
        "START" | "UNSTOP" | "СТАРТ" => Some(OptKeyword::Start),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_and_start_are_whole_messages_in_any_case() {
        assert_eq!(opt_keyword(" stop "), Some(OptKeyword::Stop));
        assert_eq!(opt_keyword("Стоп!"), Some(OptKeyword::Stop));
        assert_eq!(opt_keyword("START"), Some(OptKeyword::Start));
        assert_eq!(opt_keyword("please stop him"), None);
    }
}
