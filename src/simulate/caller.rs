//! The caller's side of the call: Twilio carrying out the hotline's TwiML verb by verb, with the
//! caller's key presses, until the call ends or she hangs up; then the final status callback.
//! When she hangs up, Twilio stops where she was: a `<Gather>` reports nothing, while a `<Dial>`
//! or `<Record>` still requests its action, whose answer is ignored.

use hotline_routes::twiml::{Gather, Method, Pause, Play, Prompt, Say, Verb};
use url::Url;

use super::SimulateError;
use super::event::Event;
use super::http::{Document, Request};
use super::session::Session;
use super::transcript::Hearing;
use super::twilio::{self, GATHER_TIMEOUT, PRESS_SECONDS, resolve};

/// What the call does after a verb.
pub(super) enum Flow {
    /// Go on with the next verb of the document.
    Next,
    /// Continue with another document.
    Follow(Document),
    /// The call is over, with Twilio's final `CallStatus`.
    End(&'static str),
}

/// The keys a `<Gather>` collects from a press: up to `numDigits`, stopping at a finishing key,
/// which Twilio leaves out of `Digits`.
pub(super) fn gathered(press: &str, gather: &Gather) -> String {
    let finish = gather.finish_on_key.as_deref().unwrap_or("#");
    let limit = gather.num_digits.map_or(usize::MAX, |n| n as usize);
    press
        .chars()
        .take_while(|key| !finish.contains(*key))
        .take(limit)
        .collect()
}

impl Session<'_> {
    /// Places the call and follows it to the end.
    pub async fn run(&mut self) -> Result<(), SimulateError> {
        self.emit(Event::Placed {
            from: self.script.from.clone(),
            to: self.script.to.clone(),
            call_sid: self.call_sid.clone(),
        });
        let url = self.wire.endpoint.public_url("/webhooks/voice")?;
        let params = self.caller_params("ringing");
        let document = self
            .fetch(Request {
                url,
                method: Method::Post,
                params,
            })
            .await?;
        let status = self.follow(document).await?;
        self.finish(status).await
    }

    async fn follow(&mut self, mut document: Document) -> Result<&'static str, SimulateError> {
        'documents: loop {
            for verb in std::mem::take(&mut document.verbs) {
                if self.caller_gone() {
                    return Ok(self.hang_up());
                }
                match self.verb(&document.url, verb).await? {
                    Flow::Next => {}
                    Flow::Follow(next) => {
                        document = next;
                        continue 'documents;
                    }
                    Flow::End(status) => return Ok(status),
                }
            }
            if self.caller_gone() {
                return Ok(self.hang_up());
            }
            self.emit(Event::TwimlEnded);
            return Ok("completed");
        }
    }

    /// The caller hangs up: the call is over, as far as Twilio is concerned.
    pub(super) fn hang_up(&mut self) -> &'static str {
        self.caller_hangs_up();
        "completed"
    }

    /// Fetches the next document; after she hung up, Twilio still makes the request (a `<Dial>`
    /// or `<Record>` action) but ignores the answer, and the call ends.
    pub(super) async fn continue_with(&mut self, request: Request) -> Result<Flow, SimulateError> {
        let gone = self.caller_gone();
        let document = self.fetch(request).await?;
        if gone {
            self.emit(Event::AnswerIgnored {
                url: document.url.to_string(),
            });
            return Ok(Flow::End(self.hang_up()));
        }
        Ok(Flow::Follow(document))
    }

    async fn verb(&mut self, document: &Url, verb: Verb) -> Result<Flow, SimulateError> {
        // Any verb but a first <Reject> makes Twilio answer the call.
        if !matches!(verb, Verb::Reject(_)) {
            self.answered = true;
        }
        let stays = match verb {
            Verb::Say(say) => self.say(&say),
            Verb::Play(play) => self.play(document, &play)?,
            Verb::Pause(pause) => self.pause(&pause),
            Verb::Gather(gather) => return self.gather(document, gather).await,
            Verb::Dial(dial) => return self.dial(document, dial).await,
            Verb::Record(record) => return self.record(document, record).await,
            Verb::Redirect(redirect) => {
                let url = resolve(document, &redirect.url)?;
                let method = redirect.method.unwrap_or(Method::Post);
                let params = self.caller_params("in-progress");
                return self
                    .continue_with(Request {
                        url,
                        method,
                        params,
                    })
                    .await;
            }
            Verb::Hangup => {
                self.emit(Event::HungUp);
                return Ok(Flow::End("completed"));
            }
            Verb::Reject(reject) => {
                let reason = reject.reason.unwrap_or_else(|| "rejected".to_owned());
                // Only an unanswered call ends busy or unanswered, as its reason says.
                let status = match (self.answered, reason.as_str()) {
                    (true, _) => "completed",
                    (false, "busy") => "busy",
                    (false, _) => "no-answer",
                };
                self.emit(Event::Rejected { reason });
                return Ok(Flow::End(status));
            }
        };
        if stays {
            Ok(Flow::Next)
        } else {
            Ok(Flow::End(self.hang_up()))
        }
    }

    /// Text-to-speech; returns whether the caller stays to the end of it.
    fn say(&mut self, say: &Say) -> bool {
        let (text, language) = (say.text.clone(), say.language.clone());
        let seconds = twilio::said_seconds(say);
        self.emit(Event::Heard { text, language });
        self.pass(seconds, Hearing::Speech)
    }

    /// An audio file (Kazakh prompts are recordings); returns whether the caller stays.
    fn play(&mut self, document: &Url, play: &Play) -> Result<bool, SimulateError> {
        let url = resolve(document, &play.url)?.to_string();
        self.emit(Event::Played { url });
        Ok(self.pass(twilio::play_seconds(play), Hearing::Speech))
    }

    fn pause(&mut self, pause: &Pause) -> bool {
        let seconds = pause.length.unwrap_or(1);
        self.emit(Event::Paused { seconds });
        self.pass(seconds, Hearing::Silence)
    }

    /// A `<Gather>`'s prompts, heard by the caller; returns whether she stays to the end of them.
    fn caller_prompts(&mut self, document: &Url, gather: &Gather) -> Result<bool, SimulateError> {
        for prompt in &gather.prompts {
            let stays = match prompt {
                Prompt::Say(say) => self.say(say),
                Prompt::Play(play) => self.play(document, play)?,
                Prompt::Pause(pause) => self.pause(pause),
            };
            if !stays {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn gather(&mut self, document: &Url, gather: Gather) -> Result<Flow, SimulateError> {
        // Hanging up during a <Gather> ends the call: Twilio does not request its action.
        if !self.caller_prompts(document, &gather)? {
            return Ok(Flow::End(self.hang_up()));
        }
        let digits = match self.presses.front().cloned() {
            Some(press) => {
                if !self.pass(PRESS_SECONDS, Hearing::Menu) {
                    return Ok(Flow::End(self.hang_up()));
                }
                self.presses.pop_front();
                self.emit(Event::Pressed(press.clone()));
                gathered(&press, &gather)
            }
            None => {
                let seconds = gather.timeout.unwrap_or(GATHER_TIMEOUT);
                if !self.pass(seconds, Hearing::Menu) {
                    return Ok(Flow::End(self.hang_up()));
                }
                self.emit(Event::NoInput { seconds });
                String::new()
            }
        };
        // With nothing gathered Twilio moves on to the next verb, unless told to report it.
        if digits.is_empty() && gather.action_on_empty_result != Some(true) {
            return Ok(Flow::Next);
        }
        // Without an action, Twilio posts back to the document's own URL.
        let url = resolve(
            document,
            gather.action.as_deref().unwrap_or(document.as_str()),
        )?;
        let mut params = self.caller_params("in-progress");
        params.push(("Digits".to_owned(), digits));
        let method = gather.method.unwrap_or(Method::Post);
        self.continue_with(Request {
            url,
            method,
            params,
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gather_takes_keys_up_to_its_limit_or_finishing_key() {
        let plain = Gather::new();
        assert_eq!(gathered("12#", &plain), "12");
        assert_eq!(gathered("#", &plain), "");
        assert_eq!(gathered("123", &Gather::new().num_digits(1)), "1");
        assert_eq!(gathered("12#3", &Gather::new().finish_on_key("")), "12#3");
    }
}
