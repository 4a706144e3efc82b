//! The staff side of a leg that picked up: the whisper TwiML (`<Number url>`) carried out one
//! step at a time for the person or voicemail on the line. A person who accepts presses 1 at a
//! `<Gather>`, one who refuses presses 2 or hangs up, a voicemail presses nothing. The leg is put
//! through when the TwiML runs out, and not when it hangs up.

use hotline_routes::twiml::{Method, Prompt, Verb};

use super::SimulateError;
use super::callbacks::Leg;
use super::caller::gathered;
use super::event::{Event, LegStatus};
use super::http::Request;
use super::ringing::{Response, Stage, response};
use super::session::Session;
use super::twilio::{self, GATHER_TIMEOUT, PRESS_SECONDS, resolve};

impl Session<'_> {
    /// Carries out what is due now on a leg in its whisper; returns where the leg is next.
    pub(super) fn whisper_step(&mut self, leg: &Leg, stage: Stage) -> Result<Stage, SimulateError> {
        let now = self.clock;
        let number = leg.number.phone_number.clone();
        match stage {
            Stage::Whisper { document, next, .. } => {
                let Some(verb) = document.verbs.get(next).cloned() else {
                    return Ok(Stage::Accepted);
                };
                let after = |seconds: u32, document| Stage::Whisper {
                    document,
                    next: next + 1,
                    at: now + seconds,
                };
                Ok(match verb {
                    Verb::Say(say) => {
                        self.emit(Event::StaffHeard {
                            number,
                            text: say.text.clone(),
                            language: say.language.clone(),
                        });
                        after(twilio::said_seconds(&say), document)
                    }
                    Verb::Play(play) => {
                        self.emit(Event::StaffPlayed {
                            number,
                            url: resolve(&document.url, &play.url)?.to_string(),
                        });
                        after(twilio::play_seconds(&play), document)
                    }
                    Verb::Pause(pause) => after(pause.length.unwrap_or(1), document),
                    Verb::Gather(gather) => {
                        let mut heard = 0;
                        for prompt in &gather.prompts {
                            heard += match prompt {
                                Prompt::Say(say) => {
                                    self.emit(Event::StaffHeard {
                                        number: number.clone(),
                                        text: say.text.clone(),
                                        language: say.language.clone(),
                                    });
                                    twilio::said_seconds(say)
                                }
                                Prompt::Play(play) => {
                                    self.emit(Event::StaffPlayed {
                                        number: number.clone(),
                                        url: resolve(&document.url, &play.url)?.to_string(),
                                    });
                                    twilio::play_seconds(play)
                                }
                                Prompt::Pause(pause) => pause.length.unwrap_or(1),
                            };
                        }
                        let response = response(leg.behaviour);
                        let waits = match response {
                            Response::Silence => gather.timeout.unwrap_or(GATHER_TIMEOUT),
                            Response::Press(_) | Response::HangUp => PRESS_SECONDS,
                        };
                        Stage::Answer {
                            gather,
                            document,
                            next: next + 1,
                            response,
                            at: now + heard + waits,
                        }
                    }
                    Verb::Redirect(redirect) => Stage::Fetch {
                        request: Request {
                            url: resolve(&document.url, &redirect.url)?,
                            method: redirect.method.unwrap_or(Method::Post),
                            params: self.leg_params(leg, "in-progress"),
                        },
                        at: now,
                    },
                    // Nobody on the staff side leaves a message: an empty recording goes on.
                    Verb::Record(_) => after(0, document),
                    Verb::Hangup | Verb::Reject(_) => Stage::Ended(LegStatus::NotAccepted),
                    Verb::Dial(_) => {
                        return Err(SimulateError::Unsupported(
                            "the whisper TwiML holds a <Dial>, which Twilio does not allow on \
                             the called party's side"
                                .to_owned(),
                        ));
                    }
                })
            }
            Stage::Answer {
                gather,
                document,
                next,
                response,
                ..
            } => {
                let digits = match response {
                    Response::HangUp => {
                        self.emit(Event::StaffHungUp { number });
                        return Ok(Stage::Ended(LegStatus::HungUp));
                    }
                    Response::Press(key) => {
                        self.emit(Event::StaffPressed {
                            number,
                            digits: key.to_owned(),
                        });
                        gathered(key, &gather)
                    }
                    Response::Silence => {
                        self.emit(Event::StaffSilent { number });
                        String::new()
                    }
                };
                if digits.is_empty() && gather.action_on_empty_result != Some(true) {
                    return Ok(Stage::Whisper {
                        document,
                        next,
                        at: now,
                    });
                }
                // Without an action, Twilio posts back to the document's own URL.
                let action = gather.action.as_deref().unwrap_or(document.url.as_str());
                let mut params = self.leg_params(leg, "in-progress");
                params.push(("Digits".to_owned(), digits));
                Ok(Stage::Fetch {
                    request: Request {
                        url: resolve(&document.url, action)?,
                        method: gather.method.unwrap_or(Method::Post),
                        params,
                    },
                    at: now,
                })
            }
            other => Ok(other),
        }
    }
}
