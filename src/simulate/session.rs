//! One simulated call in progress: the HTTP side of Twilio (signed form posts, TwiML fetched and
//! parsed, callbacks whose answer is ignored), the ids, the simulated clock and the events so far.

use std::collections::VecDeque;

use hotline_routes::twiml::{self, Method, Verb};
use url::Url;

use super::sign::Signer;
use super::transcript::Event;
use super::twilio::{self, API_VERSION, Endpoint, country_of};
use super::{CallScript, SimulateError};

/// How much of a failing answer's body is shown.
const BODY_SHOWN: usize = 2_000;

/// A request Twilio would make.
#[derive(Debug, Clone)]
pub(super) struct Request {
    /// The URL as Twilio calls it (under the public URL); signed over exactly this.
    pub url: Url,
    pub method: Method,
    pub params: Vec<(String, String)>,
}

/// A TwiML document and the URL it came from, against which its relative URLs resolve.
#[derive(Debug)]
pub(super) struct Document {
    pub url: Url,
    pub verbs: Vec<Verb>,
}

pub(super) struct Session<'a> {
    client: reqwest::Client,
    pub endpoint: Endpoint,
    signer: &'a dyn Signer,
    pub script: &'a CallScript,
    pub call_sid: String,
    pub account_sid: String,
    pub events: Vec<Event>,
    on_event: &'a mut (dyn FnMut(&Event) + Send),
    steps: usize,
    /// Seconds since the call was answered, on the simulated clock.
    pub clock: u32,
    /// What the caller will press at the coming `<Gather>`s.
    pub presses: VecDeque<String>,
    /// Whether Twilio has answered the call (any verb but a first `<Reject>` answers it).
    pub answered: bool,
}

pub(super) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// An error and its causes on one line: reqwest's own message omits "connection refused".
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

fn shortened(body: &str) -> String {
    match body.char_indices().nth(BODY_SHOWN) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_owned(),
    }
}

impl<'a> Session<'a> {
    pub fn new(
        base_url: &str,
        script: &'a CallScript,
        signer: &'a dyn Signer,
        on_event: &'a mut (dyn FnMut(&Event) + Send),
    ) -> Result<Self, SimulateError> {
        let endpoint = Endpoint::new(base_url, script.public_url.as_deref())?;
        let client = reqwest::Client::builder()
            .user_agent("TwilioProxy/1.1")
            // Twilio waits 15 seconds for a webhook's answer before giving up on it.
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|error| SimulateError::Unreachable {
                url: base_url.to_owned(),
                reason: with_causes(&error),
            })?;
        Ok(Self {
            client,
            endpoint,
            signer,
            script,
            call_sid: script.call_sid.clone().unwrap_or_else(|| twilio::sid("CA")),
            account_sid: script
                .account_sid
                .clone()
                .unwrap_or_else(|| twilio::sid("AC")),
            events: Vec::new(),
            on_event,
            steps: 0,
            clock: 0,
            presses: script.digits.iter().cloned().collect(),
            answered: false,
        })
    }

    pub fn emit(&mut self, event: Event) {
        (self.on_event)(&event);
        self.events.push(event);
    }

    /// The parameters of every request about the caller's own call.
    pub fn caller_params(&self, call_status: &str) -> Vec<(String, String)> {
        let (from, to) = (self.script.from.as_str(), self.script.to.as_str());
        pairs(&[
            ("AccountSid", &self.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", &self.call_sid),
            ("CallStatus", call_status),
            ("Called", to),
            ("Caller", from),
            ("Direction", "inbound"),
            ("From", from),
            ("FromCountry", country_of(from)),
            ("To", to),
            ("ToCountry", country_of(to)),
        ])
    }

    /// Sends a signed request; returns the answer's body, or the error a non-2xx answer is.
    async fn send(&mut self, request: &Request) -> Result<String, SimulateError> {
        let mut url = request.url.clone();
        // Twilio puts a GET's parameters in the query string, which the signature then covers.
        let (body, signed_params) = match request.method {
            Method::Get => {
                url.query_pairs_mut().extend_pairs(&request.params);
                (None, Vec::new())
            }
            Method::Post => {
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&request.params)
                    .finish();
                (Some(body), request.params.clone())
            }
        };
        let signature = self.signer.sign(url.as_str(), &signed_params);
        let transport = self.endpoint.transport_url(&url);
        let mut builder = match request.method {
            Method::Get => self.client.get(transport),
            Method::Post => self.client.post(transport),
        }
        .header("X-Twilio-Signature", signature);
        if let Some(body) = body {
            builder = builder
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let unreachable = |error: reqwest::Error| SimulateError::Unreachable {
            url: url.to_string(),
            reason: with_causes(&error),
        };
        let response = builder.send().await.map_err(unreachable)?;
        let status = response.status();
        let text = response.text().await.map_err(unreachable)?;
        self.emit(Event::Request {
            method: request.method.as_str(),
            url: url.to_string(),
            status: status.as_u16(),
            params: request.params.clone(),
        });
        if !status.is_success() {
            return Err(SimulateError::HttpStatus {
                method: request.method.as_str(),
                url: url.to_string(),
                status: status.as_u16(),
                body: shortened(&text),
            });
        }
        Ok(text)
    }

    /// Fetches the TwiML that continues the call.
    pub async fn fetch(&mut self, request: Request) -> Result<Document, SimulateError> {
        self.steps += 1;
        if self.steps > self.script.max_steps {
            return Err(SimulateError::TooManySteps(self.script.max_steps));
        }
        let body = self.send(&request).await?;
        match twiml::parse(&body) {
            Ok(response) => Ok(Document {
                url: request.url,
                verbs: response.verbs,
            }),
            Err(error) => Err(SimulateError::BadTwiml {
                url: request.url.to_string(),
                error: Box::new(error),
                body: shortened(&body),
            }),
        }
    }

    /// Makes a callback whose answer Twilio ignores (status and recording callbacks); it must
    /// still succeed, or the server lost what it was told.
    pub async fn notify(&mut self, request: Request) -> Result<(), SimulateError> {
        self.send(&request).await.map(drop)
    }

    /// Twilio's `Timestamp` and `RecordingStartTime` format, `seconds_ago` before now.
    pub fn timestamp(seconds_ago: u32) -> String {
        (chrono::Utc::now() - chrono::Duration::seconds(i64::from(seconds_ago))).to_rfc2822()
    }

    /// The call's final status callback, to the URL set in the Twilio console for the number.
    pub async fn finish(&mut self, status: &str) -> Result<(), SimulateError> {
        let seconds = if self.answered { self.clock } else { 0 };
        let mut params = self.caller_params(status);
        params.extend(pairs(&[
            ("CallDuration", &seconds.to_string()),
            ("CallbackSource", "call-progress-events"),
            // Only the final event is subscribed to, so it is the first of its sequence.
            ("SequenceNumber", "0"),
            ("Timestamp", &Self::timestamp(0)),
        ]));
        let url = self.endpoint.public_url("/webhooks/voice/status")?;
        self.notify(Request {
            url,
            method: Method::Post,
            params,
        })
        .await?;
        self.emit(Event::Ended {
            status: status.to_owned(),
            seconds,
        });
        Ok(())
    }
}
