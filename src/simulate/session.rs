//! One simulated call in progress: its ids, the simulated clock and the moment the caller will
//! hang up, what she has heard so far, the events so far, and the status callbacks held back to
//! be delivered out of order.

use std::collections::VecDeque;

use super::event::Event;
use super::http::{Request, Wire, with_causes};
use super::script::HangUp;
use super::sign::Signer;
use super::transcript::{Hearing, Span};
use super::twilio::{self, Endpoint};
use super::{CallScript, Observer, SimulateError};

pub(super) struct Session<'a> {
    pub wire: Wire<'a>,
    pub script: &'a CallScript,
    pub call_sid: String,
    pub account_sid: String,
    pub events: Vec<Event>,
    /// The simulated second each event happened at, in step with `events`.
    pub times: Vec<u32>,
    pub hearing: Vec<Span>,
    observer: &'a mut dyn Observer,
    /// TwiML documents fetched so far, to stop a call that loops.
    pub steps: usize,
    /// Seconds since the call began, on the simulated clock.
    pub clock: u32,
    /// When the caller hangs up, once known.
    pub deadline: Option<u32>,
    /// Whether the caller's hang-up has been recorded.
    pub hung_up: bool,
    /// How many `<Dial>`s the call has reached.
    pub dials: u32,
    /// What the caller will press at the coming `<Gather>`s.
    pub presses: VecDeque<String>,
    /// Whether Twilio has answered the call (any verb but a first `<Reject>` answers it).
    pub answered: bool,
    /// Status callbacks held back, to be delivered shuffled at the end.
    pub held: Vec<Request>,
    /// When the call began, in real time: status callbacks carry `Timestamp`s from it.
    pub began: chrono::DateTime<chrono::Utc>,
}

pub(super) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

impl<'a> Session<'a> {
    pub fn new(
        base_url: &str,
        script: &'a CallScript,
        signer: &'a dyn Signer,
        observer: &'a mut dyn Observer,
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
        let deadline = match script.hang_up {
            Some(HangUp::AfterSeconds(seconds)) => Some(seconds),
            Some(HangUp::WhileRinging(_)) | None => None,
        };
        Ok(Self {
            wire: Wire {
                client,
                endpoint,
                signer,
            },
            script,
            call_sid: script.call_sid.clone().unwrap_or_else(|| twilio::sid("CA")),
            account_sid: script
                .account_sid
                .clone()
                .unwrap_or_else(|| twilio::sid("AC")),
            events: Vec::new(),
            times: Vec::new(),
            hearing: Vec::new(),
            observer,
            steps: 0,
            clock: 0,
            deadline,
            hung_up: false,
            dials: 0,
            presses: script.digits.iter().cloned().collect(),
            answered: false,
            held: Vec::new(),
            began: chrono::Utc::now(),
        })
    }

    pub fn emit(&mut self, event: Event) {
        self.observer.event(self.clock, &event);
        self.events.push(event);
        self.times.push(self.clock);
    }

    /// Tells the observer requests are about to be sent, now.
    pub fn before_requests(&mut self) {
        self.observer.before_requests(self.clock);
    }

    /// Whether the caller has hung up by now. She hangs up at her moment, after anything that
    /// completes at that very second (a key she presses then still counts).
    pub fn caller_gone(&self) -> bool {
        self.hung_up || self.deadline.is_some_and(|at| self.clock > at)
    }

    /// Records, once, that the caller hung up.
    pub fn caller_hangs_up(&mut self) {
        if !self.hung_up {
            self.hung_up = true;
            self.deadline = Some(self.deadline.map_or(self.clock, |at| at.min(self.clock)));
            self.emit(Event::CallerHungUp);
        }
    }

    /// Lets time pass on the caller's side while she hears `hearing`, until `until` or until she
    /// hangs up, whichever is first; returns whether she is still there at `until` (and records
    /// her hanging up when she is not).
    pub fn pass_until(&mut self, until: u32, hearing: Hearing) -> bool {
        if self.hung_up {
            return false;
        }
        let until = until.max(self.clock);
        let (end, stays) = match self.deadline {
            Some(at) if at < until => (at.max(self.clock), false),
            _ => (until, true),
        };
        if end > self.clock {
            self.hearing.push(Span {
                from: self.clock,
                to: end,
                hearing,
            });
        }
        self.clock = end;
        if !stays {
            self.caller_hangs_up();
        }
        stays
    }

    /// As [`Session::pass_until`], for `seconds` from now.
    pub fn pass(&mut self, seconds: u32, hearing: Hearing) -> bool {
        self.pass_until(self.clock.saturating_add(seconds), hearing)
    }

    /// Twilio's `Timestamp` for the present moment of the simulated call.
    pub fn timestamp(&self) -> String {
        self.timestamp_at(self.clock)
    }

    /// Twilio's `Timestamp` (and `RecordingStartTime`) format, for a second of the call.
    pub fn timestamp_at(&self, second: u32) -> String {
        (self.began + chrono::Duration::seconds(i64::from(second))).to_rfc2822()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::TokenSigner;

    #[test]
    fn time_passes_until_the_caller_hangs_up() -> Result<(), SimulateError> {
        let script = CallScript::default().hang_up(HangUp::AfterSeconds(10));
        let signer = TokenSigner("t".to_owned());
        let mut quiet = |_: &Event| {};
        let mut session = Session::new("http://127.0.0.1:9", &script, &signer, &mut quiet)?;
        assert!(session.pass(4, Hearing::Speech));
        assert!(
            session.pass(6, Hearing::Ringing),
            "what ends as she hangs up is heard"
        );
        assert!(
            !session.caller_gone(),
            "and a request made then is still hers"
        );
        assert!(!session.pass(8, Hearing::Ringing), "she hangs up at 10 s");
        assert_eq!(session.clock, 10);
        assert!(session.caller_gone());
        assert!(!session.pass(5, Hearing::Speech), "and nothing more passes");
        assert_eq!(session.clock, 10);
        session.caller_hangs_up();
        assert_eq!(session.events, [Event::CallerHungUp], "recorded once");
        assert_eq!(session.times, [10]);
        assert_eq!(
            session.hearing,
            [
                Span {
                    from: 0,
                    to: 4,
                    hearing: Hearing::Speech
                },
                Span {
                    from: 4,
                    to: 10,
                    hearing: Hearing::Ringing
                }
            ]
        );
        Ok(())
    }
}
