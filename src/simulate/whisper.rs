//! The staff side of a leg that picked up: the whisper TwiML (`<Number url>`) carried out for the
//! person or voicemail on the line. A person who accepts presses 1 at every `<Gather>`; a
//! voicemail presses nothing. The leg is put through if the TwiML runs out, and not if it hangs up.

use hotline_routes::twiml::{Method, Verb};
use url::Url;

use super::SimulateError;
use super::caller::gathered;
use super::dial::Leg;
use super::script::Behaviour;
use super::session::Request;
use super::session::Session;
use super::transcript::Event;
use super::twilio::{GATHER_TIMEOUT, resolve};

/// The key a person presses to accept a hotline call.
const ACCEPT_KEY: &str = "1";

impl Session<'_> {
    /// Runs the whisper at `url` on `leg`; returns whether the leg is put through.
    pub(super) async fn whisper(
        &mut self,
        leg: &Leg,
        url: Url,
        method: Method,
    ) -> Result<bool, SimulateError> {
        let number = leg.number.phone_number.clone();
        let params = self.leg_params(leg, "in-progress");
        let mut document = self
            .fetch(Request {
                url,
                method,
                params,
            })
            .await?;
        'documents: loop {
            for verb in std::mem::take(&mut document.verbs) {
                let next = match verb {
                    Verb::Say(say) => {
                        self.say(Some(&number), &say);
                        None
                    }
                    Verb::Play(play) => {
                        self.play(Some(&number), &document.url, &play)?;
                        None
                    }
                    Verb::Pause(pause) => {
                        self.pause(Some(&number), &pause);
                        None
                    }
                    Verb::Gather(gather) => {
                        self.prompts(Some(&number), &document.url, &gather)?;
                        let digits = if leg.behaviour == Behaviour::Accept {
                            self.clock += 1;
                            self.emit(Event::StaffPressed {
                                number: number.clone(),
                                digits: ACCEPT_KEY.to_owned(),
                            });
                            gathered(ACCEPT_KEY, &gather)
                        } else {
                            self.clock += gather.timeout.unwrap_or(GATHER_TIMEOUT);
                            self.emit(Event::StaffSilent {
                                number: number.clone(),
                            });
                            String::new()
                        };
                        if digits.is_empty() && gather.action_on_empty_result != Some(true) {
                            None
                        } else {
                            let action = gather.action.as_deref().unwrap_or(document.url.as_str());
                            let mut params = self.leg_params(leg, "in-progress");
                            params.push(("Digits".to_owned(), digits));
                            Some(Request {
                                url: resolve(&document.url, action)?,
                                method: gather.method.unwrap_or(Method::Post),
                                params,
                            })
                        }
                    }
                    Verb::Redirect(redirect) => Some(Request {
                        url: resolve(&document.url, &redirect.url)?,
                        method: redirect.method.unwrap_or(Method::Post),
                        params: self.leg_params(leg, "in-progress"),
                    }),
                    // Nobody on the staff side leaves a message: an empty recording goes on.
                    Verb::Record(_) => None,
                    Verb::Hangup | Verb::Reject(_) => return Ok(false),
                    Verb::Dial(_) => {
                        return Err(SimulateError::Unsupported(
                            "the whisper TwiML holds a <Dial>, which Twilio does not allow on \
                             the called party's side"
                                .to_owned(),
                        ));
                    }
                };
                if let Some(request) = next {
                    document = self.fetch(request).await?;
                    continue 'documents;
                }
            }
            return Ok(true);
        }
    }
}
