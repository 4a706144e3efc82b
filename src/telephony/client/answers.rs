//! What the provider's answer (or its silence) says about a request: created, certainly not
//! created, perhaps created, or refused for good; and the provider's words, with anything that
//! looks like a phone number blanked out, since they end up in logs and before the coordinator.

use chrono::{DateTime, Utc};
use reqwest::header::RETRY_AFTER;
use serde::Deserialize;

/// When the provider asks to be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    At(DateTime<Utc>),
}

impl RetryAfter {
    pub fn instant_after(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            RetryAfter::Seconds(seconds) => {
                now + chrono::Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX / 1000))
            }
            RetryAfter::At(at) => at.max(now),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The provider certainly created nothing; the same request may be sent again.
    #[error("not sent: {reason}")]
    NotSent {
        reason: String,
        retry_after: Option<RetryAfter>,
    },
    /// The provider may have created it: look before sending again.
    #[error("no certain answer: {reason}")]
    Unknown {
        reason: String,
        retry_after: Option<RetryAfter>,
    },
    /// The provider refused it; sending it again will not help.
    #[error("refused (HTTP {http_status}, code {code:?}): {message}")]
    Refused {
        http_status: u16,
        code: Option<i64>,
        message: String,
    },
}

impl ProviderError {
    pub fn is_retryable(&self) -> bool {
        !matches!(self, ProviderError::Refused { .. })
    }
}

/// Twilio's error body: `{"code": 21211, "message": "…", "more_info": "…", "status": 400}`.
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<i64>,
    message: Option<String>,
    /// What a validating mock says instead.
    title: Option<String>,
}

/// How the reason of an attempt that found nothing listening at the provider's address begins:
/// the outbox sends such texts at once when the provider answers again.
pub const UNREACHABLE: &str = "could not connect to the provider";

/// A request that never got an answer: certain only when no connection was made.
pub(super) fn transport_error(error: reqwest::Error) -> ProviderError {
    let error = error.without_url();
    if error.is_connect() {
        ProviderError::NotSent {
            reason: format!("{UNREACHABLE} ({})", source_chain(&error)),
            retry_after: None,
        }
    } else if error.is_timeout() {
        ProviderError::Unknown {
            reason: "the provider did not answer in time".into(),
            retry_after: None,
        }
    } else {
        ProviderError::Unknown {
            reason: format!("the request broke off ({})", source_chain(&error)),
            retry_after: None,
        }
    }
}

fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(super) async fn read_answer<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ProviderError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = response.bytes().await;
    if status.is_success() {
        // It was created; an answer we cannot read leaves us not knowing its id.
        let body = body.map_err(|_| ProviderError::Unknown {
            reason: format!("the provider's answer ({status}) broke off"),
            retry_after: None,
        })?;
        return serde_json::from_slice(&body).map_err(|_| ProviderError::Unknown {
            reason: format!("the provider's answer ({status}) could not be read"),
            retry_after: None,
        });
    }
    let error: Option<ErrorBody> = body.ok().and_then(|b| serde_json::from_slice(&b).ok());
    let code = error.as_ref().and_then(|e| e.code);
    let said = error
        .and_then(|e| e.message.or(e.title))
        .map(|m| blank_numbers(&m))
        .unwrap_or_default();
    Err(match status.as_u16() {
        429 => ProviderError::NotSent {
            reason: "the provider asks to slow down (429)".into(),
            retry_after,
        },
        401 => ProviderError::NotSent {
            reason: "the provider refused the account's credentials (401): check \
                     TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
                .into(),
            retry_after,
        },
        408 => ProviderError::Unknown {
            reason: "the provider timed the request out (408)".into(),
            retry_after,
        },
        http_status @ 400..=499 => ProviderError::Refused {
            http_status,
            code,
            message: said,
        },
        http_status => ProviderError::Unknown {
            reason: format!("the provider failed ({http_status}) {said}")
                .trim_end()
                .to_owned(),
            retry_after,
        },
    })
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<RetryAfter> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(RetryAfter::Seconds(seconds));
    }
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|at| RetryAfter::At(at.with_timezone(&Utc)))
}

/// The provider's words may quote the number ("The 'To' number +7701… is not valid"): every run
/// of six or more digits becomes `…`.
fn blank_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 6 {
            out.push('…');
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        out.push(c);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_the_providers_words_are_blanked() {
        assert_eq!(
            blank_numbers("The 'To' number +77071234567 is not a valid phone number (21211)."),
            "The 'To' number +… is not a valid phone number (21211)."
        );
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        assert_eq!(parse_retry_after("120"), Some(RetryAfter::Seconds(120)));
        let at = parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT").expect("a date");
        assert!(matches!(at, RetryAfter::At(_)));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
