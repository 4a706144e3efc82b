//! What the provider's words mean for a message: Twilio's delivery statuses and error codes,
//! turned into the outbox's states and into a sentence a coordinator can act on. Pure: no I/O.

use crate::store::OutboxStatus;

/// Twilio's opt-out error: the recipient texted STOP to this number.
pub const OPTED_OUT: i64 = 21610;
/// WhatsApp: a free-form message outside the 24 hours after the person last wrote.
pub const OUTSIDE_WHATSAPP_WINDOW: i64 = 63016;

/// Where a delivery status callback's `MessageStatus` (and `ErrorCode`) puts a message; `None`
/// for statuses that say nothing about delivery (`receiving`, `received`, new ones).
pub fn from_callback(message_status: &str, error_code: Option<i64>) -> Option<OutboxStatus> {
    match message_status {
        "accepted" | "scheduled" | "queued" | "sending" | "sent" => Some(OutboxStatus::Sent),
        "delivered" | "read" => Some(OutboxStatus::Delivered),
        "undelivered" | "failed" | "canceled" => Some(ending(error_code)),
        _ => None,
    }
}

/// The end of a message the provider refused or could not deliver: undeliverable when the
/// recipient cannot get it from us at all, failed otherwise.
pub fn ending(error_code: Option<i64>) -> OutboxStatus {
    match error_code {
        Some(OPTED_OUT | OUTSIDE_WHATSAPP_WINDOW) => OutboxStatus::Undeliverable,
        _ => OutboxStatus::Failed,
    }
}

/// A coordinator's sentence for the provider's error codes the hotline meets most.
pub fn explain(error_code: i64) -> Option<&'static str> {
    Some(match error_code {
        OPTED_OUT => {
            "the recipient has opted out (replied STOP): nothing reaches them from this number \
             until they text START"
        }
        OUTSIDE_WHATSAPP_WINDOW => {
            "outside WhatsApp's 24-hour window: a free-form message can be sent only within 24 \
             hours of the person's last message"
        }
        21211 => "the number is not a valid phone number",
        21408 => "the account may not send texts to this region",
        21612 => "the provider cannot route a text from this number to that one",
        21614 => "the number cannot receive texts (not a mobile number)",
        30003 => "the phone is off or unreachable",
        30004 => "the message was blocked by the recipient or their carrier",
        30005 => "the number is unknown or no longer exists",
        30006 => "the number is a landline or its carrier cannot be reached",
        30007 => "the carrier filtered the message",
        30008 => "the carrier failed with an unknown error",
        63003 => "the number is not on WhatsApp",
        _ => return None,
    })
}

/// The whole message for the coordinator: our sentence for the code, else the provider's words.
pub fn describe(error_code: Option<i64>, provider_said: &str) -> String {
    match (error_code, error_code.and_then(explain)) {
        (Some(code), Some(sentence)) => format!("{sentence} (provider error {code})"),
        (Some(code), None) if provider_said.is_empty() => format!("provider error {code}"),
        (Some(code), None) => format!("{provider_said} (provider error {code})"),
        (None, _) if provider_said.is_empty() => "the provider refused the message".to_owned(),
        (None, _) => provider_said.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_statuses_map_onto_the_outbox() {
        assert_eq!(from_callback("queued", None), Some(OutboxStatus::Sent));
        assert_eq!(from_callback("sent", None), Some(OutboxStatus::Sent));
        assert_eq!(
            from_callback("delivered", None),
            Some(OutboxStatus::Delivered)
        );
        assert_eq!(from_callback("read", None), Some(OutboxStatus::Delivered));
        assert_eq!(
            from_callback("undelivered", Some(30003)),
            Some(OutboxStatus::Failed)
        );
        assert_eq!(
            from_callback("failed", Some(OPTED_OUT)),
            Some(OutboxStatus::Undeliverable)
        );
        assert_eq!(from_callback("received", None), None);
    }

    #[test]
    fn an_opt_out_says_how_it_ends() {
        let text = describe(Some(OPTED_OUT), "Attempt to send to unsubscribed recipient");
        assert!(text.contains("STOP") && text.contains("21610"), "{text}");
        assert_eq!(describe(Some(99999), ""), "provider error 99999");
        assert_eq!(describe(None, "Invalid request"), "Invalid request");
    }
}
