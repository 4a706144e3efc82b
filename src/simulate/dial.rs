//! `<Dial>`: ringing the staff phones at once, each answering as the script says; a whisper
//! (`<Number url>`) followed on the staff side of the leg that picks up; the first leg that
//! accepts is put through; then the legs' status callbacks and the Dial's action.

use hotline_routes::twiml::{Callees, Dial, Method, Number};
use url::Url;

use super::SimulateError;
use super::caller::Flow;
use super::script::Behaviour;
use super::session::{Request, Session, pairs};
use super::transcript::{Event, LegStatus};
use super::twilio::{
    self, DECLINE_AFTER, DIAL_TIME_LIMIT, DIAL_TIMEOUT, PICK_UP_AFTER, VOICEMAIL_PICKS_UP_AFTER,
    country_of, resolve,
};

/// One staff phone rung by a `<Dial>`: a call of its own, with its own CallSid.
pub(super) struct Leg {
    pub sid: String,
    pub number: Number,
    pub behaviour: Behaviour,
    /// The number the staff phone sees calling (the Dial's `callerId`).
    pub caller_id: String,
}

/// When a phone picks up after it starts ringing, if it ever does.
fn picks_up_after(behaviour: Behaviour) -> Option<u32> {
    match behaviour {
        Behaviour::Accept => Some(PICK_UP_AFTER),
        Behaviour::Voicemail => Some(VOICEMAIL_PICKS_UP_AFTER),
        Behaviour::Decline | Behaviour::NoAnswer => None,
    }
}

/// Twilio's `DialCallStatus` when nobody was put through.
fn unanswered_status(outcomes: &[Option<LegStatus>]) -> &'static str {
    if outcomes.is_empty() {
        "failed"
    } else if outcomes.iter().all(|o| *o == Some(LegStatus::Busy)) {
        "busy"
    } else {
        "no-answer"
    }
}

impl Session<'_> {
    /// The parameters of a request about a staff leg.
    pub(super) fn leg_params(&self, leg: &Leg, call_status: &str) -> Vec<(String, String)> {
        let (from, to) = (leg.caller_id.as_str(), leg.number.phone_number.as_str());
        pairs(&[
            ("AccountSid", &self.account_sid),
            ("ApiVersion", twilio::API_VERSION),
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

    pub(super) async fn dial(&mut self, document: &Url, dial: Dial) -> Result<Flow, SimulateError> {
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
        let legs: Vec<Leg> = numbers
            .into_iter()
            .map(|number| Leg {
                sid: twilio::sid("CA"),
                behaviour: self.script.behaviour_of(&number.phone_number),
                number,
                caller_id: caller_id.clone(),
            })
            .collect();
        for leg in &legs {
            self.emit(Event::Ringing {
                number: leg.number.phone_number.clone(),
            });
        }
        let start = self.clock;
        let mut outcomes: Vec<Option<LegStatus>> = vec![None; legs.len()];
        for (outcome, leg) in outcomes.iter_mut().zip(&legs) {
            if leg.behaviour == Behaviour::Decline {
                *outcome = Some(LegStatus::Busy);
                self.clock = self.clock.max(start + DECLINE_AFTER);
                self.emit(Event::NotAnswered {
                    number: leg.number.phone_number.clone(),
                    status: LegStatus::Busy,
                });
            }
        }
        // The phones that pick up before the dial gives up, earliest first.
        let mut pickups: Vec<(u32, usize)> = legs
            .iter()
            .enumerate()
            .filter_map(|(i, leg)| picks_up_after(leg.behaviour).map(|after| (after, i)))
            .filter(|(after, _)| *after <= timeout)
            .collect();
        pickups.sort_unstable();
        let mut winner = None;
        for (after, i) in pickups {
            if winner.is_some() {
                break;
            }
            self.clock = self.clock.max(start + after);
            let leg = &legs[i];
            let accepted = match &leg.number.url {
                Some(url) => {
                    let method = leg.number.method.unwrap_or(Method::Post);
                    self.whisper(leg, resolve(document, url)?, method).await?
                }
                None => true,
            };
            if accepted {
                winner = Some(i);
            } else {
                outcomes[i] = Some(LegStatus::NotAccepted);
                self.emit(Event::NotAnswered {
                    number: leg.number.phone_number.clone(),
                    status: LegStatus::NotAccepted,
                });
            }
        }
        // Twilio hangs up the phones still ringing when someone takes the call or time runs out.
        let still_ringing = if winner.is_some() {
            LegStatus::Canceled
        } else {
            LegStatus::NoAnswer
        };
        for (i, leg) in legs.iter().enumerate() {
            if outcomes[i].is_none() && winner != Some(i) {
                outcomes[i] = Some(still_ringing);
                self.emit(Event::NotAnswered {
                    number: leg.number.phone_number.clone(),
                    status: still_ringing,
                });
            }
        }
        let talked = match winner {
            Some(i) => Some(self.talk(&legs[i], dial.time_limit)),
            None => {
                self.clock = self.clock.max(start + timeout);
                None
            }
        };
        for (i, leg) in legs.iter().enumerate() {
            self.leg_callbacks(document, leg, outcomes[i], talked)
                .await?;
        }
        let status = match talked {
            Some(_) => "completed",
            None => unanswered_status(&outcomes),
        };
        self.emit(Event::DialEnded {
            status: status.to_owned(),
        });
        // Without an action, the caller goes on with the next verb.
        let Some(action) = &dial.action else {
            return Ok(Flow::Next);
        };
        let mut params = self.caller_params("in-progress");
        params.push(("DialCallStatus".to_owned(), status.to_owned()));
        params.push(("DialBridged".to_owned(), talked.is_some().to_string()));
        let dialled = winner.or(legs.len().checked_sub(1));
        if let Some(leg) = dialled.and_then(|i| legs.get(i)) {
            params.push(("DialCallSid".to_owned(), leg.sid.clone()));
        }
        if let Some(seconds) = talked {
            params.push(("DialCallDuration".to_owned(), seconds.to_string()));
        }
        let url = resolve(document, action)?;
        let method = dial.method.unwrap_or(Method::Post);
        Ok(Flow::Follow(
            self.fetch(Request {
                url,
                method,
                params,
            })
            .await?,
        ))
    }

    /// The caller talks with whoever took the call; returns for how long.
    fn talk(&mut self, leg: &Leg, time_limit: Option<u32>) -> u32 {
        let number = leg.number.phone_number.clone();
        if leg.behaviour == Behaviour::Voicemail {
            self.emit(Event::PersonalVoicemail {
                number: number.clone(),
            });
        }
        self.emit(Event::Connected { number });
        let seconds = self
            .script
            .talk_seconds
            .min(time_limit.unwrap_or(DIAL_TIME_LIMIT));
        self.clock += seconds;
        self.emit(Event::Talked { seconds });
        seconds
    }

    /// A leg's `<Number statusCallback>` events, each numbered in its own sequence.
    async fn leg_callbacks(
        &mut self,
        document: &Url,
        leg: &Leg,
        outcome: Option<LegStatus>,
        talked: Option<u32>,
    ) -> Result<(), SimulateError> {
        let Some(callback) = &leg.number.status_callback else {
            return Ok(());
        };
        let wanted = leg
            .number
            .status_callback_event
            .as_deref()
            .unwrap_or("completed");
        let wanted: Vec<&str> = wanted.split([' ', ',']).filter(|e| !e.is_empty()).collect();
        let picked_up = matches!(outcome, None | Some(LegStatus::NotAccepted));
        let (final_status, duration) = match outcome {
            Some(status) => (status.call_status(), 0),
            None => ("completed", talked.unwrap_or(0)),
        };
        let mut progress = vec![("initiated", "initiated"), ("ringing", "ringing")];
        if picked_up {
            progress.push(("answered", "in-progress"));
        }
        progress.push(("completed", final_status));
        let url = resolve(document, callback)?;
        let method = leg.number.status_callback_method.unwrap_or(Method::Post);
        let mut sequence = 0;
        for (event, call_status) in progress {
            if !wanted.contains(&event) {
                continue;
            }
            let mut params = self.leg_params(leg, call_status);
            params.extend(pairs(&[
                ("CallbackSource", "call-progress-events"),
                ("SequenceNumber", &sequence.to_string()),
                ("Timestamp", &Self::timestamp(0)),
            ]));
            if event == "completed" {
                params.push(("CallDuration".to_owned(), duration.to_string()));
            }
            sequence += 1;
            self.notify(Request {
                url: url.clone(),
                method,
                params,
            })
            .await?;
        }
        Ok(())
    }
}
