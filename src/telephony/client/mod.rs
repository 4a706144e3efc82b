//! The Twilio REST client: creates messages and calls, lists the messages sent to a number
//! (to find one whose create answer was lost), and fetches and deletes voicemail recordings
//! (`recordings.rs`). Form bodies, basic auth with the account SID and auth token, a base URL
//! that may point at a Twilio-compatible provider or a mock, and a time
//! limit on every request.
//!
//! Every failure is classified by what it says about the request, because the outbox's promise
//! (sent once) rests on it: [`ProviderError::NotSent`] certainly created nothing (no connection,
//! a 429, bad credentials), [`ProviderError::Unknown`] may have (a timeout, a 5xx, an answer
//! that could not be read), [`ProviderError::Refused`] created nothing and never will (a 4xx
//! with Twilio's error code).
//!
//! It must never log or return a recipient's number, a message body or the auth token: errors
//! carry our own words and the provider's code, and the provider's message only with anything
//! that looks like a phone number blanked out.

mod answers;
mod recordings;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

pub use answers::{ProviderError, RetryAfter, UNREACHABLE};
use answers::{read_answer, transport_error};
pub use recordings::{Deleted, FetchError, LARGEST_RECORDING, RecordingAudio, is_recording_sid};

/// Time to set up a connection: past it, nothing was sent.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for a whole request; the outbox's lease must be longer, so a claim outlives its request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How many messages one page of a look-up holds.
pub const LOOK_UP_PAGE_SIZE: u32 = 200;
/// The most pages a look-up reads: 2000 texts to one number since a doubtful attempt is far more
/// than the hotline sends (six a minute to one number by default), so a list that long is
/// something wrong, and reading on would not end.
pub const LOOK_UP_PAGES: usize = 10;

/// Talks to `{base}/2010-04-01/Accounts/{AccountSid}/…`.
#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    base: Url,
    account_sid: String,
    auth_token: SecretString,
}

impl std::fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioClient")
            .field("base", &self.base.as_str())
            .field("account_sid", &self.account_sid)
            .finish_non_exhaustive()
    }
}

/// Whether `text` has the shape of a Twilio account SID (`AC` and 32 hex digits).
pub fn is_account_sid(text: &str) -> bool {
    text.len() == 34 && text.starts_with("AC") && text[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A text to create. Numbers are E.164, or `whatsapp:`-prefixed for WhatsApp; sent as given.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMessage<'a> {
    pub to: &'a str,
    pub from: &'a str,
    pub body: &'a str,
    pub status_callback: Option<&'a Url>,
}

/// What the call does when answered: fetch TwiML from a URL, or this TwiML.
#[derive(Debug, Clone, Copy)]
pub enum CallInstructions<'a> {
    Url(&'a Url),
    Twiml(&'a str),
}

#[derive(Debug, Clone, Copy)]
pub struct OutgoingCall<'a> {
    pub to: &'a str,
    pub from: &'a str,
    pub instructions: CallInstructions<'a>,
    pub status_callback: Option<&'a Url>,
    /// Which progress events reach the status callback: `initiated`, `ringing`, `answered`,
    /// `completed`.
    pub status_events: &'a [&'a str],
}

/// The provider's record of a message or call it created.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Created {
    pub sid: String,
    pub status: Option<String>,
}

/// A message the provider lists for a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMessage {
    pub sid: String,
    pub body: String,
    pub created_at: Option<DateTime<Utc>>,
}

/// What a look-up read: the messages, newest first, and whether they reach back far enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageList {
    pub messages: Vec<ListedMessage>,
    /// Pages read.
    pub pages: usize,
    /// The list reached back before the time asked for, or ended; `false` when the page bound
    /// stopped it, so an older message may be missing.
    pub complete: bool,
}

impl TwilioClient {
    /// A client for `account_sid` at `base` (`https://api.twilio.com`, a compatible provider,
    /// or a mock), with the standard time limits.
    pub fn new(base: Url, account_sid: &str, auth_token: SecretString) -> anyhow::Result<Self> {
        Self::with_timeouts(
            base,
            account_sid,
            auth_token,
            CONNECT_TIMEOUT,
            REQUEST_TIMEOUT,
        )
    }

    pub fn with_timeouts(
        base: Url,
        account_sid: &str,
        auth_token: SecretString,
        connect: Duration,
        request: Duration,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !base.cannot_be_a_base(),
            "the provider's API base {base} is not a base URL"
        );
        let http = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(request)
            .user_agent(concat!("hotline/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base,
            account_sid: account_sid.to_owned(),
            auth_token,
        })
    }

    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }

    /// `POST Messages.json`.
    pub async fn send_message(
        &self,
        message: &OutgoingMessage<'_>,
    ) -> Result<Created, ProviderError> {
        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("To", message.to)
                .append_pair("From", message.from)
                .append_pair("Body", message.body);
            if let Some(callback) = message.status_callback {
                form.append_pair("StatusCallback", callback.as_str());
            }
            form.finish()
        };
        let created = self.post_form("Messages.json", body).await;
        log_outcome("Messages", &created);
        created
    }

    /// `POST Calls.json`; the status events go as repeated keys, the way Twilio takes arrays.
    pub async fn create_call(&self, call: &OutgoingCall<'_>) -> Result<Created, ProviderError> {
        // The serializer is not Send: it is finished before the request is awaited.
        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("To", call.to)
                .append_pair("From", call.from);
            match call.instructions {
                CallInstructions::Url(url) => form.append_pair("Url", url.as_str()),
                CallInstructions::Twiml(twiml) => form.append_pair("Twiml", twiml),
            };
            if let Some(callback) = call.status_callback {
                form.append_pair("StatusCallback", callback.as_str());
                for event in call.status_events {
                    form.append_pair("StatusCallbackEvent", event);
                }
            }
            form.finish()
        };
        let created = self.post_form("Calls.json", body).await;
        log_outcome("Calls", &created);
        created
    }

    /// `GET Messages.json?To=…&From=…`, newest first, following Twilio's `next_page_uri` until a
    /// page reaches back before `back_to`, the list ends, or [`LOOK_UP_PAGES`] pages were read:
    /// the answer says which, so a caller never takes "not among the newest" for "not there".
    pub async fn list_messages(
        &self,
        to: &str,
        from: &str,
        back_to: DateTime<Utc>,
    ) -> Result<MessageList, ProviderError> {
        let mut url = self.resource("Messages.json");
        url.query_pairs_mut()
            .append_pair("To", to)
            .append_pair("From", from)
            .append_pair("PageSize", &LOOK_UP_PAGE_SIZE.to_string());
        let mut list = MessageList {
            messages: Vec::new(),
            pages: 0,
            complete: false,
        };
        while list.pages < LOOK_UP_PAGES {
            let page = self.message_page(url).await?;
            list.pages += 1;
            let listed: Vec<ListedMessage> = page.messages.into_iter().map(listed).collect();
            // Newest first: a page holding one older than `back_to` holds the last of interest.
            // A message without a readable date says nothing, so it never ends the look-up.
            let reached = listed
                .iter()
                .any(|m| m.created_at.is_some_and(|at| at < back_to));
            let empty = listed.is_empty();
            list.messages.extend(listed);
            let next = page.next_page_uri.filter(|next| !next.is_empty());
            let Some(next) = next.filter(|_| !reached && !empty) else {
                list.complete = true;
                return Ok(list);
            };
            url = self.next_page(&next)?;
        }
        Ok(list)
    }

    async fn message_page(&self, url: Url) -> Result<MessagePage, ProviderError> {
        let sent = self
            .http
            .get(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .header(ACCEPT, "application/json")
            .send()
            .await;
        read_answer(sent.map_err(transport_error)?).await
    }

    /// Twilio's `next_page_uri` is a path from the API's root, like
    /// `/2010-04-01/Accounts/AC…/Messages.json?…&Page=1&PageToken=PA…`; it is followed only on
    /// our own base and into this account's messages, so the credentials go nowhere else.
    fn next_page(&self, next: &str) -> Result<Url, ProviderError> {
        let strange = || ProviderError::Unknown {
            reason: "the provider's next page of messages is not one of this account's".into(),
            retry_after: None,
        };
        if !next.starts_with('/') {
            return Err(strange());
        }
        let ours = self.resource("Messages.json");
        let root = self.base.as_str().trim_end_matches('/');
        let url = Url::parse(&format!("{root}{next}")).map_err(|_| strange())?;
        if url.origin() != ours.origin() || url.path() != ours.path() {
            return Err(strange());
        }
        Ok(url)
    }

    fn resource(&self, name: &str) -> Url {
        self.resource_at(&[name])
    }

    /// `{base}/2010-04-01/Accounts/{AccountSid}/` and `names`, each a path segment.
    fn resource_at(&self, names: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["2010-04-01", "Accounts", &self.account_sid])
                .extend(names);
        }
        url
    }

    async fn post_form(&self, resource: &str, body: String) -> Result<Created, ProviderError> {
        let sent = self
            .http
            .post(self.resource(resource))
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body)
            .send()
            .await;
        read_answer(sent.map_err(transport_error)?).await
    }
}

fn log_outcome(resource: &'static str, outcome: &Result<Created, ProviderError>) {
    match outcome {
        Ok(created) => tracing::debug!(resource, sid = %created.sid, "the provider created it"),
        Err(error) => tracing::info!(resource, %error, "the provider did not create it"),
    }
}

#[derive(Deserialize)]
struct MessagePage {
    #[serde(default)]
    messages: Vec<PageMessage>,
    #[serde(default)]
    next_page_uri: Option<String>,
}

fn listed(m: PageMessage) -> ListedMessage {
    ListedMessage {
        sid: m.sid,
        body: m.body.unwrap_or_default(),
        created_at: m
            .date_created
            .and_then(|d| DateTime::parse_from_rfc2822(&d).ok())
            .map(|d| d.with_timezone(&Utc)),
    }
}

#[derive(Deserialize)]
struct PageMessage {
    sid: String,
    body: Option<String>,
    date_created: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_sid_has_its_shape() {
        assert!(is_account_sid("AC0123456789abcdef0123456789abcdef"));
        assert!(!is_account_sid("AC0123"));
        assert!(!is_account_sid("XX0123456789abcdef0123456789abcdef"));
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let client = TwilioClient::new(
            Url::parse("https://api.twilio.com").expect("a URL"),
            "AC0123456789abcdef0123456789abcdef",
            SecretString::from("very-secret-token"),
        )
        .expect("a client");
        assert!(!format!("{client:?}").contains("very-secret-token"));
        assert_eq!(
            client.resource("Messages.json").as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        );
    }

    #[test]
    fn a_next_page_is_followed_only_into_this_accounts_messages_on_our_base() {
        let client = TwilioClient::new(
            Url::parse("https://provider.example/twilio/").expect("a URL"),
            "AC0123456789abcdef0123456789abcdef",
            SecretString::from("token"),
        )
        .expect("a client");
        let page = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json\
                    ?To=%2B77015550101&PageSize=200&Page=1&PageToken=PASM01";
        assert_eq!(
            client.next_page(page).expect("followed").as_str(),
            format!("https://provider.example/twilio{page}")
        );
        for elsewhere in [
            "https://elsewhere.example/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
            "//elsewhere.example/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
            "/2010-04-01/Accounts/ACffffffffffffffffffffffffffffffff/Messages.json?Page=1",
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json?Page=1",
        ] {
            assert!(client.next_page(elsewhere).is_err(), "{elsewhere}");
        }
    }
}
