//! A voicemail's recording at the provider: its audio fetched (`{RecordingUrl}.mp3`, with the
//! account's credentials, read up to a limit and refused unless it is audio) and the recording
//! deleted once we keep it. Never logs or returns the audio, the URL's account or the token.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use secrecy::ExposeSecret;
use url::Url;

use super::answers::{read_answer, transport_error};
use super::{ProviderError, TwilioClient};

/// The most audio kept for one voicemail: Twilio's MP3 of a voicemail is about 16 KB a second
/// (at most a few MB for the longest message a line allows), so more is something wrong.
pub const LARGEST_RECORDING: usize = 20 * 1024 * 1024;

/// A recording's audio, as the provider served it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordingAudio {
    pub bytes: Vec<u8>,
    /// `audio/…`, as the provider named it, without parameters.
    pub content_type: String,
}

impl std::fmt::Debug for RecordingAudio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingAudio")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Why a recording's audio was not fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The provider did not serve it now; worth trying again.
    #[error("{0}")]
    Provider(#[from] ProviderError),
    /// What it served is not a voicemail's audio (not audio, or too large): never kept.
    #[error("the provider's recording was refused: {0}")]
    NotAudio(String),
    /// The recording URL the callback named is not one this client may fetch.
    #[error("the recording's URL is not one of the provider's")]
    StrangeUrl,
}

/// What deleting a recording came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    /// The provider had it no more (404): someone deleted it already.
    AlreadyGone,
}

impl TwilioClient {
    /// `GET {recording_url}.mp3`: the recording callback's `RecordingUrl`, which is a
    /// recording of this account on the provider this client talks to (anything else is
    /// refused, so the credentials go nowhere else). Read up to [`LARGEST_RECORDING`].
    pub async fn fetch_recording(&self, recording_url: &str) -> Result<RecordingAudio, FetchError> {
        let url = self.recording_media_url(recording_url)?;
        let sent = self
            .http
            .get(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .header(ACCEPT, "audio/mpeg")
            .send()
            .await;
        let mut response = sent.map_err(transport_error)?;
        let status = response.status();
        if !status.is_success() {
            // The provider's error body, classified as every other answer is.
            return Err(read_answer::<serde_json::Value>(response)
                .await
                .err()
                .unwrap_or_else(|| ProviderError::Unknown {
                    reason: format!("the provider answered {status} with no audio"),
                    retry_after: None,
                })
                .into());
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !is_audio_type(&content_type) {
            return Err(FetchError::NotAudio(format!(
                "its type is {:?}",
                content_type.chars().take(40).collect::<String>()
            )));
        }
        if response
            .content_length()
            .is_some_and(|length| length > LARGEST_RECORDING as u64)
        {
            return Err(FetchError::NotAudio("it is too large".into()));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if bytes.len() + chunk.len() > LARGEST_RECORDING {
                return Err(FetchError::NotAudio("it is too large".into()));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(FetchError::NotAudio("it is empty".into()));
        }
        Ok(RecordingAudio {
            bytes,
            content_type,
        })
    }

    /// `DELETE Recordings/{RecordingSid}.json`: the provider keeps her voice no longer.
    pub async fn delete_recording(&self, recording_sid: &str) -> Result<Deleted, ProviderError> {
        if !is_recording_sid(recording_sid) {
            return Err(ProviderError::Refused {
                http_status: 0,
                code: None,
                message: "not a recording's id".into(),
            });
        }
        let sent = self
            .http
            .delete(self.resource_at(&["Recordings", &format!("{recording_sid}.json")]))
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .header(ACCEPT, "application/json")
            .send()
            .await;
        let response = sent.map_err(transport_error)?;
        match response.status() {
            status if status.is_success() => Ok(Deleted::Deleted),
            StatusCode::NOT_FOUND => Ok(Deleted::AlreadyGone),
            _ => Err(read_answer::<serde_json::Value>(response)
                .await
                .err()
                .unwrap_or_else(|| ProviderError::Unknown {
                    reason: "the provider's answer to a delete could not be read".into(),
                    retry_after: None,
                })),
        }
    }

    /// `{recording_url}.mp3`, if `recording_url` is one of this account's recordings on our
    /// base: `{base}/2010-04-01/Accounts/{AccountSid}/Recordings/RE…`.
    fn recording_media_url(&self, recording_url: &str) -> Result<Url, FetchError> {
        let url = Url::parse(recording_url).map_err(|_| FetchError::StrangeUrl)?;
        let sid = url
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            .filter(|sid| is_recording_sid(sid))
            .ok_or(FetchError::StrangeUrl)?;
        let ours = self.resource_at(&["Recordings", sid]);
        if url.origin() != ours.origin() || url.path() != ours.path() {
            return Err(FetchError::StrangeUrl);
        }
        Ok(self.resource_at(&["Recordings", &format!("{sid}.mp3")]))
    }
}

/// `RE` and 32 hex digits.
pub fn is_recording_sid(text: &str) -> bool {
    text.len() == 34 && text.starts_with("RE") && text[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_audio_type(content_type: &str) -> bool {
    content_type
        .strip_prefix("audio/")
        .is_some_and(|sub| !sub.is_empty())
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    const SID: &str = "AC0123456789abcdef0123456789abcdef";
    const RECORDING: &str = "RE0123456789abcdef0123456789abcdef";

    fn client(base: &str) -> TwilioClient {
        TwilioClient::new(
            Url::parse(base).expect("a URL"),
            SID,
            SecretString::from("token"),
        )
        .expect("a client")
    }

    #[test]
    fn only_this_accounts_recordings_on_our_base_are_fetched() {
        let client = client("https://api.twilio.com");
        let url =
            format!("https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/{RECORDING}");
        assert_eq!(
            client.recording_media_url(&url).expect("ours").as_str(),
            format!("{url}.mp3")
        );
        for strange in [
            format!("https://elsewhere.example/2010-04-01/Accounts/{SID}/Recordings/{RECORDING}"),
            format!(
                "https://api.twilio.com/2010-04-01/Accounts/ACffffffffffffffffffffffffffffffff/Recordings/{RECORDING}"
            ),
            format!("https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/RE01"),
            format!("https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/{RECORDING}"),
            "not a URL".to_owned(),
        ] {
            assert_eq!(
                client.recording_media_url(&strange),
                Err(FetchError::StrangeUrl),
                "{strange}"
            );
        }
    }

    #[test]
    fn audio_is_what_names_itself_audio() {
        assert!(is_audio_type("audio/mpeg"));
        assert!(is_audio_type("audio/x-wav"));
        assert!(!is_audio_type("text/html"));
        assert!(!is_audio_type("audio/"));
        assert!(!is_audio_type(""));
    }
}
