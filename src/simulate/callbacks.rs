//! The parameters Twilio sends about the caller's call and each staff leg, and the status
//! callbacks: each leg's progress events as they happen (or held back and delivered shuffled at
//! the end, each with its SequenceNumber), and the call's own final status.

use hotline_routes::twiml::{Method, Number};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use url::Url;

use super::SimulateError;
use super::event::Event;
use super::http::Request;
use super::session::{Session, pairs};
use super::twilio::{API_VERSION, country_of, resolve};

/// Where the hotline number's status callback is set in the Twilio console.
pub(super) const CALL_STATUS_PATH: &str = "/webhooks/voice/status";

/// One staff phone rung by a `<Dial>`: a call of its own, with its own CallSid.
pub(super) struct Leg {
    pub sid: String,
    pub number: Number,
    pub behaviour: super::Behaviour,
    /// The number the staff phone sees calling (the Dial's `callerId`).
    pub caller_id: String,
    /// Where its status callbacks go, resolved, if it has them.
    pub status_callback: Option<Url>,
    /// How many status callbacks it has fired: the next one's SequenceNumber.
    pub sequence: u32,
    /// When it was answered (by a person or a machine), if it was.
    pub answered_at: Option<u32>,
}

impl Leg {
    pub fn new(
        number: Number,
        behaviour: super::Behaviour,
        caller_id: String,
        document: &Url,
    ) -> Result<Self, SimulateError> {
        let status_callback = match &number.status_callback {
            Some(callback) => Some(resolve(document, callback)?),
            None => None,
        };
        Ok(Self {
            sid: super::twilio::sid("CA"),
            number,
            behaviour,
            caller_id,
            status_callback,
            sequence: 0,
            answered_at: None,
        })
    }

    /// Whether the leg subscribed to a progress event (`completed` when it named none).
    fn wants(&self, event: &str) -> bool {
        let wanted = self
            .number
            .status_callback_event
            .as_deref()
            .unwrap_or("completed");
        wanted
            .split([' ', ','])
            .any(|subscribed| subscribed == event)
    }
}

impl Session<'_> {
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

    /// The `CallStatus` of requests about the caller's call: the call goes on, or she is gone.
    pub fn caller_status(&self) -> &'static str {
        if self.caller_gone() {
            "completed"
        } else {
            "in-progress"
        }
    }

    /// The parameters of a request about a staff leg.
    pub fn leg_params(&self, leg: &Leg, call_status: &str) -> Vec<(String, String)> {
        let (from, to) = (leg.caller_id.as_str(), leg.number.phone_number.as_str());
        pairs(&[
            ("AccountSid", &self.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", &leg.sid),
            ("CallStatus", call_status),
            ("Called", to),
            ("Caller", from),
            ("Direction", "outbound-dial"),
            ("From", from),
            ("FromCountry", country_of(from)),
            ("ParentCallSid", &self.call_sid),
            ("To", to),
            ("ToCountry", country_of(to)),
        ])
    }

    /// Sends a status callback now, or holds it back for the shuffled delivery at the end.
    async fn status_callback(&mut self, request: Request) -> Result<(), SimulateError> {
        if self.script.shuffle_status_callbacks {
            self.held.push(request);
            Ok(())
        } else {
            self.notify(request).await
        }
    }

    /// A leg's progress `event` (`initiated`, `ringing`, `answered`, `completed`), if it
    /// subscribed to it; `completed` carries the leg's final status and how long it was up.
    pub async fn leg_event(
        &mut self,
        leg: &mut Leg,
        event: &str,
        call_status: &str,
    ) -> Result<(), SimulateError> {
        let Some(url) = leg.status_callback.clone() else {
            return Ok(());
        };
        if !leg.wants(event) {
            return Ok(());
        }
        let mut params = self.leg_params(leg, call_status);
        params.extend(pairs(&[
            ("CallbackSource", "call-progress-events"),
            ("SequenceNumber", &leg.sequence.to_string()),
            ("Timestamp", &self.timestamp()),
        ]));
        if event == "completed" {
            let up = leg
                .answered_at
                .map_or(0, |at| self.clock.saturating_sub(at));
            params.push(("CallDuration".to_owned(), up.to_string()));
        }
        leg.sequence += 1;
        let method = leg.number.status_callback_method.unwrap_or(Method::Post);
        self.status_callback(Request {
            url,
            method,
            params,
        })
        .await
    }

    /// The call's final status callback, to the URL set in the Twilio console for the number;
    /// then every status callback held back, in a shuffled order.
    pub async fn finish(&mut self, status: &str) -> Result<(), SimulateError> {
        let seconds = if self.answered { self.clock } else { 0 };
        let mut params = self.caller_params(status);
        params.extend(pairs(&[
            ("CallDuration", &seconds.to_string()),
            ("CallbackSource", "call-progress-events"),
            // Only the final event is subscribed to, so it is the first of its sequence.
            ("SequenceNumber", "0"),
            ("Timestamp", &self.timestamp()),
        ]));
        let url = self.wire.endpoint.public_url(CALL_STATUS_PATH)?;
        self.status_callback(Request {
            url,
            method: Method::Post,
            params,
        })
        .await?;
        let mut held = std::mem::take(&mut self.held);
        held.shuffle(&mut rand::rngs::StdRng::seed_from_u64(self.script.seed));
        for request in held {
            self.notify(request).await?;
        }
        self.emit(Event::Ended {
            status: status.to_owned(),
            seconds,
        });
        Ok(())
    }
}
