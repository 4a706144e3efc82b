//! The callback a staff member asks for with `CALL K7Q`, as TwiML: the hotline rings the staff
//! member first, who presses 1, and only then is she dialled from the hotline number. Neither
//! sees the other's number: the staff member's phone shows the hotline's, hers shows the
//! hotline's (the `callerId`), and her number is in the `<Dial>` to the provider and nowhere
//! else. Pressing 1 is asked for so that a staff member's voicemail never rings her.

use crate::messages::Code;
use crate::prompts::RUSSIAN_VOICE;
use crate::twiml::{Dial, Gather, Number, Say, VoiceResponse};

/// Where the provider fetches the staff member's side of the callback.
pub const CALLBACK_PATH: &str = "/webhooks/voice/callback";
/// How long the staff member has to press 1.
pub const PRESS_SECONDS: u32 = 10;

fn query(conversation_id: i64, staff_id: i64) -> String {
    format!("conversation={conversation_id}&staff={staff_id}")
}

/// What the outbox asks the provider to fetch when the staff member picks up.
pub fn callback_url(conversation_id: i64, staff_id: i64) -> String {
    format!("{CALLBACK_PATH}?{}", query(conversation_id, staff_id))
}

/// Where the staff member's key press goes.
pub fn connect_url(conversation_id: i64, staff_id: i64) -> String {
    format!(
        "{CALLBACK_PATH}/connect?{}",
        query(conversation_id, staff_id)
    )
}

/// Where the provider reports on the call to the staff member; the outbox row rides along.
pub fn status_url(outbox_id: i64) -> String {
    format!("{CALLBACK_PATH}/status?outbox={outbox_id}")
}

fn say(text: impl Into<String>) -> Say {
    Say::new(text).language(RUSSIAN_VOICE)
}

/// The staff member picks up: name the conversation and ask for 1.
pub fn ask_to_connect(code: &Code, conversation_id: i64, staff_id: i64) -> VoiceResponse {
    let gather = Gather::new()
        .input("dtmf")
        .num_digits(1)
        .timeout(PRESS_SECONDS)
        .action(connect_url(conversation_id, staff_id))
        .action_on_empty_result(true);
    let text = format!("Горячая линия: звонок по обращению {code}. Нажмите 1, чтобы позвонить ей.");
    VoiceResponse::new().gather(gather.say(say(text))).hangup()
}

/// The staff member pressed 1 and she still consents: dial her from the hotline number, and
/// bridge only when she answers, so the staff member hears her phone ring, not silence.
pub fn dial_her(hotline_number: &str, her_number: &str) -> VoiceResponse {
    let dial = Dial::new()
        .caller_id(hotline_number)
        .answer_on_bridge(true)
        .number(Number::new(her_number));
    VoiceResponse::new().dial(dial)
}

/// Why there is no call, said to the staff member, and the end of the call.
pub fn refused(reason: Refusal) -> VoiceResponse {
    let text = match reason {
        Refusal::NoKey => "Звонок отменён. Ей не звонили.",
        Refusal::NoConsent => "Она отозвала согласие на звонок. Ей не звонили. Ответьте текстом.",
        Refusal::Closed => "Обращение закрыто. Ей не звонили.",
        Refusal::Trouble => "Не удалось соединить. Ей не звонили. Ответьте ей текстом.",
    };
    VoiceResponse::new().say(say(text)).hangup()
}

/// Why the staff member is not connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not 1 pressed, or nothing.
    NoKey,
    /// Her consent to a call was withdrawn since `CALL`.
    NoConsent,
    /// The conversation is no longer open, or not known.
    Closed,
    /// The server could not do its part.
    Trouble,
}

/// Whether the key press asks to connect.
pub fn connects(digits: &str) -> bool {
    digits.trim() == "1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_member_is_asked_to_press_1_for_the_conversation() {
        let code = Code::parse("K7Q").expect("a code");
        let xml = ask_to_connect(&code, 12, 3).to_xml();
        assert!(xml.contains("обращению K7Q"), "{xml}");
        assert!(xml.contains("Нажмите 1"), "{xml}");
        assert!(xml.contains(r#"numDigits="1""#), "{xml}");
        assert!(xml.contains(r#"actionOnEmptyResult="true""#), "{xml}");
        assert!(
            xml.contains("/webhooks/voice/callback/connect?conversation=12&amp;staff=3"),
            "{xml}"
        );
    }

    #[test]
    fn she_is_dialled_from_the_hotline_number_when_she_answers() {
        let xml = dial_her("+77172000000", "+77071234567").to_xml();
        assert!(xml.contains(r#"callerId="+77172000000""#), "{xml}");
        assert!(xml.contains(r#"answerOnBridge="true""#), "{xml}");
        assert!(xml.contains("<Number>+77071234567</Number>"), "{xml}");
    }

    #[test]
    fn a_refusal_says_why_and_hangs_up_without_dialling() {
        for reason in [
            Refusal::NoKey,
            Refusal::NoConsent,
            Refusal::Closed,
            Refusal::Trouble,
        ] {
            let xml = refused(reason).to_xml();
            assert!(xml.contains("Ей не звонили"), "{xml}");
            assert!(xml.contains("<Hangup"), "{xml}");
            assert!(!xml.contains("<Dial"), "{xml}");
        }
        assert!(connects(" 1"));
        assert!(!connects(""));
        assert!(!connects("2"));
    }

    #[test]
    fn the_urls_carry_the_conversation_and_the_staff_member() {
        assert_eq!(
            callback_url(12, 3),
            "/webhooks/voice/callback?conversation=12&staff=3"
        );
        assert_eq!(status_url(9), "/webhooks/voice/callback/status?outbox=9");
    }
}
