//! `<Dial>`: the staff phones ring at once, each as the script says, over simulated time (see
//! `ringing`); the first leg whose whisper lets it through is put through and the rest hung up;
//! then the conversation, and the Dial's action with Twilio's `DialCallStatus` and `DialBridged`.
//!
//! Twilio's rules imitated here: a leg answered but hung up by its whisper leaves the dial
//! `completed` with `DialBridged=false` (the `<Dial>` enhancements of 2020-12, which added
//! `DialBridged` for exactly this); `DialCallDuration` comes only with a bridged call, and counts
//! from the pick-up, whisper included; the action is requested whenever the dial ends, also when
//! the caller hung up (then with `CallStatus=completed`, and its answer ignored). Twilio's
//! documents do not name the `DialCallStatus` of a dial whose caller hung up while phones rang:
//! the legs are canceled, so `canceled` is sent; a server should go by `CallStatus` there.

use hotline_routes::twiml::{Callees, Dial, Method, Number};
use url::Url;

use super::SimulateError;
use super::callbacks::Leg;
use super::caller::Flow;
use super::event::{Event, LegStatus};
use super::http::Request;
use super::ringing::{Rung, Stage};
use super::script::{Behaviour, HangUp};
use super::session::Session;
use super::transcript::Hearing;
use super::twilio::{DIAL_TIME_LIMIT, DIAL_TIMEOUT, resolve};

/// Twilio's `DialCallStatus` for a dial that put nobody through.
fn unbridged_status(stages: &[Stage], legs: &[Leg], caller_left: bool) -> &'static str {
    let ended = |status: LegStatus| {
        stages
            .iter()
            .all(|s| matches!(s, Stage::Ended(e) if *e == status))
    };
    if legs.iter().any(|leg| leg.answered_at.is_some()) {
        // Answered, then hung up during screening: Twilio counts the dialled call completed.
        "completed"
    } else if caller_left {
        "canceled"
    } else if legs.is_empty() || ended(LegStatus::Failed) {
        "failed"
    } else if stages
        .iter()
        .all(|s| matches!(s, Stage::Ended(LegStatus::Busy | LegStatus::Failed)))
    {
        "busy"
    } else {
        "no-answer"
    }
}

impl Session<'_> {
    pub(super) async fn dial(&mut self, document: &Url, dial: Dial) -> Result<Flow, SimulateError> {
        if let (Some(HangUp::WhileRinging(after)), None, 0) =
            (self.script.hang_up, self.deadline, self.dials)
        {
            self.deadline = Some(self.clock + after);
        }
        self.dials += 1;
        let timeout = dial.timeout.filter(|&t| t > 0).unwrap_or(DIAL_TIMEOUT);
        // Without a callerId, Twilio shows the caller's own number to the person rung.
        let caller_id = dial
            .caller_id
            .clone()
            .unwrap_or_else(|| self.script.from.clone());
        let numbers = match &dial.callees {
            Callees::Numbers(numbers) => numbers.clone(),
            Callees::Plain(number) => vec![Number::new(number.as_str())],
        };
        let mut legs = Vec::with_capacity(numbers.len());
        for number in numbers {
            let behaviour = self.script.behaviour_of(&number.phone_number);
            legs.push(Leg::new(number, behaviour, caller_id.clone(), document)?);
        }
        let answer_on_bridge = dial.answer_on_bridge == Some(true);
        let Rung {
            stages,
            winner,
            mut caller_left,
        } = self
            .ring(document, &mut legs, timeout, answer_on_bridge)
            .await?;
        // The dialled call lasts from the moment it was picked up (whisper included) to its end.
        let talked = match winner {
            Some(i) => {
                caller_left = !self.talk(&legs[i], dial.time_limit);
                self.leg_event(&mut legs[i], "completed", "completed")
                    .await?;
                Some(self.clock - legs[i].answered_at.unwrap_or(self.clock))
            }
            None => None,
        };
        let status = match talked {
            Some(_) => "completed",
            None => unbridged_status(&stages, &legs, caller_left),
        };
        self.emit(Event::DialEnded {
            status: status.to_owned(),
        });
        // Without an action, the caller goes on with the next verb, if she is still there.
        let Some(action) = &dial.action else {
            return Ok(if caller_left {
                Flow::End(self.hang_up())
            } else {
                Flow::Next
            });
        };
        let mut params = self.caller_params(self.caller_status());
        params.push(("DialCallStatus".to_owned(), status.to_owned()));
        params.push(("DialBridged".to_owned(), talked.is_some().to_string()));
        let answered = legs.iter().position(|leg| leg.answered_at.is_some());
        let dialled = winner.or(answered).or(legs.len().checked_sub(1));
        if let Some(leg) = dialled.and_then(|i| legs.get(i)) {
            params.push(("DialCallSid".to_owned(), leg.sid.clone()));
        }
        if let Some(seconds) = talked {
            params.push(("DialCallDuration".to_owned(), seconds.to_string()));
        }
        let url = resolve(document, action)?;
        let method = dial.method.unwrap_or(Method::Post);
        self.continue_with(Request {
            url,
            method,
            params,
        })
        .await
    }

    /// The caller talks with whoever took the call, until the staff side hangs up or she does;
    /// returns whether she was still there at the end.
    fn talk(&mut self, leg: &Leg, time_limit: Option<u32>) -> bool {
        let number = leg.number.phone_number.clone();
        if leg.behaviour == Behaviour::Voicemail {
            self.emit(Event::PersonalVoicemail {
                number: number.clone(),
            });
        }
        self.emit(Event::Connected { number });
        let planned = self
            .script
            .talk_seconds
            .min(time_limit.unwrap_or(DIAL_TIME_LIMIT));
        let started = self.clock;
        let stayed = self.pass(planned, Hearing::Conversation);
        self.emit(Event::Talked {
            seconds: self.clock - started,
        });
        stayed
    }
}
