//! The small facts of how Twilio behaves that the simulator imitates: its ids, how it resolves
//! URLs in TwiML, its defaults, and how long things take on a simulated clock.

use rand::RngCore;
use url::Url;

use super::SimulateError;

/// Twilio's API version, sent with every voice webhook.
pub const API_VERSION: &str = "2010-04-01";
/// `<Dial timeout>` when the TwiML gives none.
pub const DIAL_TIMEOUT: u32 = 30;
/// `<Dial timeLimit>` when the TwiML gives none: four hours.
pub const DIAL_TIME_LIMIT: u32 = 14_400;
/// `<Gather timeout>` when the TwiML gives none.
pub const GATHER_TIMEOUT: u32 = 5;
/// `<Record maxLength>` when the TwiML gives none.
pub const RECORD_MAX_LENGTH: u32 = 3_600;
/// `<Record finishOnKey>` when the TwiML gives none: any key ends the recording.
pub const RECORD_FINISH_ON_KEY: &str = "1234567890*#";
/// Seconds before a person who accepts picks up.
pub const PICK_UP_AFTER: u32 = 4;
/// Seconds before a phone that declines reports busy.
pub const DECLINE_AFTER: u32 = 2;
/// Seconds before a personal voicemail picks up: within the hotline's ring time, which is why a
/// whisper must ask for a key.
pub const VOICEMAIL_PICKS_UP_AFTER: u32 = 15;
/// Seconds a `<Play>` lasts; the simulator does not fetch the audio.
pub const PLAY_SECONDS: u32 = 3;
/// Seconds someone takes to press a key once asked (the caller at a menu, staff at a whisper),
/// and to hang up once decided.
pub const PRESS_SECONDS: u32 = 1;
/// Seconds the beep before a `<Record>` lasts.
pub const BEEP_SECONDS: u32 = 1;

/// A Twilio id: a two-letter prefix (`CA` call, `AC` account, `RE` recording) and 32 hex digits.
pub fn sid(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// A URL from TwiML, resolved as Twilio does against the URL of the document that held it.
pub fn resolve(document: &Url, reference: &str) -> Result<Url, SimulateError> {
    document
        .join(reference.trim())
        .map_err(|error| SimulateError::BadUrl {
            url: reference.to_owned(),
            reason: error.to_string(),
        })
}

/// Where requests go versus the URL Twilio believes it calls: the server may sit behind a proxy
/// at its public URL while the simulator reaches it on a local address.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The URL Twilio is told to call; signatures and TwiML URLs are relative to it.
    pub public: Url,
    /// Where the server really listens.
    pub transport: Url,
}

impl Endpoint {
    pub fn new(base_url: &str, public_url: Option<&str>) -> Result<Self, SimulateError> {
        let transport = base(base_url)?;
        let public = match public_url {
            Some(public) => base(public)?,
            None => transport.clone(),
        };
        Ok(Self { public, transport })
    }

    /// A path on the server, as Twilio would call it (`/webhooks/voice` → the public URL).
    pub fn public_url(&self, path: &str) -> Result<Url, SimulateError> {
        // The base ends with `/` (see `base`), so a relative path keeps any prefix it has.
        resolve(&self.public, path.trim_start_matches('/'))
    }

    /// The URL to send a request to: a URL under the public base is moved to the transport base;
    /// any other URL is called as it is, as Twilio would.
    pub fn transport_url(&self, url: &Url) -> Url {
        let under_public =
            url.origin() == self.public.origin() && url.path().starts_with(self.public.path());
        if !under_public {
            return url.clone();
        }
        let mut moved = self.transport.clone();
        moved.set_path(&format!(
            "{}{}",
            self.transport.path(),
            &url.path()[self.public.path().len()..]
        ));
        moved.set_query(url.query());
        moved
    }
}

/// A base URL that ends with `/`, so that joining keeps its path.
fn base(text: &str) -> Result<Url, SimulateError> {
    let mut url = Url::parse(text.trim()).map_err(|error| SimulateError::BadUrl {
        url: text.to_owned(),
        reason: error.to_string(),
    })?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// How long a `<Play>` lasts, with its loops.
pub fn play_seconds(play: &hotline_routes::twiml::Play) -> u32 {
    PLAY_SECONDS * play.loops.unwrap_or(1).max(1)
}

/// How long a `<Say>` lasts, with its loops.
pub fn said_seconds(say: &hotline_routes::twiml::Say) -> u32 {
    say_seconds(&say.text) * say.loops.unwrap_or(1).max(1)
}

/// Roughly how long Twilio's text-to-speech takes to say `text`, at about 12 characters a second.
pub fn say_seconds(text: &str) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    (chars / 12).max(1)
}

/// The country Twilio reports for a number (`FromCountry`, `ToCountry`), for the numbers a
/// simulation uses; empty when unknown, as Twilio sends it.
pub fn country_of(number: &str) -> &'static str {
    if number.starts_with("+77") {
        "KZ"
    } else if number.starts_with("+7") {
        "RU"
    } else if number.starts_with("+1") {
        "US"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a valid URL in the test")
    }

    #[test]
    fn sids_are_a_prefix_and_32_lowercase_hex_digits() {
        for prefix in ["CA", "AC", "RE"] {
            let sid = sid(prefix);
            assert_eq!(sid.len(), 34, "{sid}");
            assert!(sid.starts_with(prefix));
            assert!(
                sid[2..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "{sid}"
            );
        }
        assert_ne!(sid("CA"), sid("CA"), "each call gets its own id");
    }

    #[test]
    fn relative_urls_resolve_against_the_document_that_held_them() -> Result<(), SimulateError> {
        let document = url("http://127.0.0.1:8080/webhooks/voice");
        let cases = [
            (
                "/webhooks/voice/dial?attempt=0",
                "http://127.0.0.1:8080/webhooks/voice/dial?attempt=0",
            ),
            ("voicemail", "http://127.0.0.1:8080/webhooks/voicemail"),
            ("voice/menu", "http://127.0.0.1:8080/webhooks/voice/menu"),
            ("?step=2", "http://127.0.0.1:8080/webhooks/voice?step=2"),
            (" https://example.org/a.mp3 ", "https://example.org/a.mp3"),
        ];
        for (reference, expected) in cases {
            assert_eq!(
                resolve(&document, reference)?.as_str(),
                expected,
                "{reference}"
            );
        }
        assert!(resolve(&document, "http://[::1").is_err());
        Ok(())
    }

    #[test]
    fn requests_under_the_public_url_go_to_the_local_server() -> Result<(), SimulateError> {
        let endpoint = Endpoint::new(
            "http://127.0.0.1:18080",
            Some("https://hotline.example.org"),
        )?;
        let public = endpoint.public_url("/webhooks/voice/dial?attempt=1")?;
        assert_eq!(
            public.as_str(),
            "https://hotline.example.org/webhooks/voice/dial?attempt=1"
        );
        assert_eq!(
            endpoint.transport_url(&public).as_str(),
            "http://127.0.0.1:18080/webhooks/voice/dial?attempt=1"
        );
        let elsewhere = url("https://cdn.example.org/kk/greeting.mp3");
        assert_eq!(endpoint.transport_url(&elsewhere), elsewhere);
        Ok(())
    }

    #[test]
    fn a_base_url_with_a_path_keeps_it() -> Result<(), SimulateError> {
        let endpoint = Endpoint::new("http://127.0.0.1:9/local", Some("https://x.org/hotline"))?;
        let public = endpoint.public_url("/webhooks/voice")?;
        assert_eq!(public.as_str(), "https://x.org/hotline/webhooks/voice");
        assert_eq!(
            endpoint.transport_url(&public).as_str(),
            "http://127.0.0.1:9/local/webhooks/voice"
        );
        let plain = Endpoint::new("http://127.0.0.1:8080", None)?;
        assert_eq!(
            plain.public_url("/webhooks/voice")?.as_str(),
            "http://127.0.0.1:8080/webhooks/voice"
        );
        Ok(())
    }
}
