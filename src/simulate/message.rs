//! `hotline simulate message`: texts the hotline as Twilio would deliver an SMS or a WhatsApp
//! message, signed, one after another, and reports what the server answered. What the hotline
//! sends on (the relay to the person on duty, the reply to her) leaves through the server's
//! outbox, which without a provider prints each text in the server's log. A text from a staff
//! member's number is a reply or a command, so both sides of a conversation can be played.

use super::{Signer, SimulateError};

/// Texts to send, and from whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageScript {
    /// The sender's number (hers, or a staff member's to reply or command).
    pub from: String,
    /// The hotline number written to.
    pub to: String,
    pub whatsapp: bool,
    /// The server's public URL, if it has one: Twilio signs over it.
    pub public_url: Option<String>,
    /// Sent in order, each as its own message.
    pub texts: Vec<String>,
}

/// What became of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSent {
    pub message_sid: String,
    pub text: String,
    /// The server's answer: an empty `<Response/>` means nothing is texted back directly.
    pub answer: String,
}

/// Sends each of the script's texts to the server at `base_url`, in order.
pub async fn send_texts(
    base_url: &str,
    script: &MessageScript,
    signer: &dyn Signer,
) -> Result<Vec<TextSent>, SimulateError> {
    let base = base_url.trim_end_matches('/');
    let signed_base = script
        .public_url
        .as_deref()
        .unwrap_or(base)
        .trim_end_matches('/');
    let url = format!("{base}/webhooks/messages");
    let signed_url = format!("{signed_base}/webhooks/messages");
    let address = |number: &str| {
        if script.whatsapp {
            format!("whatsapp:{number}")
        } else {
            number.to_owned()
        }
    };
    let client = reqwest::Client::new();
    let mut sent = Vec::new();
    for text in &script.texts {
        let message_sid = format!("SM{:032x}", rand::random::<u128>());
        let mut params: Vec<(String, String)> = [
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("ApiVersion", "2010-04-01"),
            ("MessageSid", message_sid.as_str()),
            ("SmsSid", message_sid.as_str()),
            ("SmsStatus", "received"),
            ("Body", text.as_str()),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        params.push(("From".to_owned(), address(&script.from)));
        params.push(("To".to_owned(), address(&script.to)));
        if script.whatsapp {
            params.push((
                "WaId".to_owned(),
                script.from.trim_start_matches('+').to_owned(),
            ));
        }
        let signature = signer.sign(&signed_url, &params);
        let response = client
            .post(&url)
            .header("x-twilio-signature", signature)
            .form(&params)
            .send()
            .await
            .map_err(|e| SimulateError::Unreachable {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let status = response.status().as_u16();
        let answer = response.text().await.unwrap_or_default();
        if status != 200 {
            return Err(SimulateError::HttpStatus {
                method: "POST",
                url,
                status,
                body: answer,
            });
        }
        sent.push(TextSent {
            message_sid,
            text: text.clone(),
            answer,
        });
    }
    Ok(sent)
}
