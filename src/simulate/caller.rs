//! The caller's side of the call: Twilio carrying out the hotline's TwiML verb by verb, with the
//! caller's key presses, until the call ends; then the final status callback.

use hotline_routes::twiml::{Gather, Method, Pause, Play, Prompt, Record, Say, Verb};
use url::Url;

use super::SimulateError;
use super::session::{Document, Request, Session, pairs};
use super::transcript::Event;
use super::twilio::{
    self, GATHER_TIMEOUT, PLAY_SECONDS, RECORD_FINISH_ON_KEY, RECORD_MAX_LENGTH, resolve,
};

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
        let url = self.endpoint.public_url("/webhooks/voice")?;
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
                match self.verb(&document.url, verb).await? {
                    Flow::Next => {}
                    Flow::Follow(next) => {
                        document = next;
                        continue 'documents;
                    }
                    Flow::End(status) => return Ok(status),
                }
            }
            self.emit(Event::TwimlEnded);
            return Ok("completed");
        }
    }

    async fn verb(&mut self, document: &Url, verb: Verb) -> Result<Flow, SimulateError> {
        // Any verb but a first <Reject> makes Twilio answer the call.
        if !matches!(verb, Verb::Reject(_)) {
            self.answered = true;
        }
        match verb {
            Verb::Say(say) => self.say(None, &say),
            Verb::Play(play) => self.play(None, document, &play)?,
            Verb::Pause(pause) => self.pause(None, &pause),
            Verb::Gather(gather) => return self.gather(document, gather).await,
            Verb::Dial(dial) => return self.dial(document, dial).await,
            Verb::Record(record) => return self.record(document, record).await,
            Verb::Redirect(redirect) => {
                let url = resolve(document, &redirect.url)?;
                let method = redirect.method.unwrap_or(Method::Post);
                let params = self.caller_params("in-progress");
                return Ok(Flow::Follow(
                    self.fetch(Request {
                        url,
                        method,
                        params,
                    })
                    .await?,
                ));
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
        }
        Ok(Flow::Next)
    }

    /// Text-to-speech, heard by the caller (`listener` `None`) or by the staff phone named.
    pub(super) fn say(&mut self, listener: Option<&str>, say: &Say) {
        let (text, language) = (say.text.clone(), say.language.clone());
        self.clock += twilio::say_seconds(&text) * say.loops.unwrap_or(1).max(1);
        self.emit(match listener {
            None => Event::Heard { text, language },
            Some(number) => Event::StaffHeard {
                number: number.to_owned(),
                text,
                language,
            },
        });
    }

    pub(super) fn play(
        &mut self,
        listener: Option<&str>,
        document: &Url,
        play: &Play,
    ) -> Result<(), SimulateError> {
        let url = resolve(document, &play.url)?.to_string();
        self.clock += PLAY_SECONDS * play.loops.unwrap_or(1).max(1);
        self.emit(match listener {
            None => Event::Played { url },
            Some(number) => Event::StaffPlayed {
                number: number.to_owned(),
                url,
            },
        });
        Ok(())
    }

    pub(super) fn pause(&mut self, listener: Option<&str>, pause: &Pause) {
        let seconds = pause.length.unwrap_or(1);
        self.clock += seconds;
        if listener.is_none() {
            self.emit(Event::Paused { seconds });
        }
    }

    pub(super) fn prompts(
        &mut self,
        listener: Option<&str>,
        document: &Url,
        gather: &Gather,
    ) -> Result<(), SimulateError> {
        for prompt in &gather.prompts {
            match prompt {
                Prompt::Say(say) => self.say(listener, say),
                Prompt::Play(play) => self.play(listener, document, play)?,
                Prompt::Pause(pause) => self.pause(listener, pause),
            }
        }
        Ok(())
    }

    async fn gather(&mut self, document: &Url, gather: Gather) -> Result<Flow, SimulateError> {
        self.prompts(None, document, &gather)?;
        let digits = match self.presses.pop_front() {
            Some(press) => {
                self.clock += 1;
                self.emit(Event::Pressed(press.clone()));
                gathered(&press, &gather)
            }
            None => {
                let seconds = gather.timeout.unwrap_or(GATHER_TIMEOUT);
                self.clock += seconds;
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
        Ok(Flow::Follow(
            self.fetch(Request {
                url,
                method,
                params,
            })
            .await?,
        ))
    }

    async fn record(&mut self, document: &Url, record: Record) -> Result<Flow, SimulateError> {
        if !self.script.leave_voicemail {
            self.emit(Event::CallerHungUp);
            return Ok(Flow::End("completed"));
        }
        let max_length = record
            .max_length
            .filter(|&n| n > 0)
            .unwrap_or(RECORD_MAX_LENGTH);
        let seconds = self.script.voicemail_seconds.min(max_length);
        if seconds == 0 {
            // An empty recording: Twilio skips the action and goes on with the next verb.
            return Ok(Flow::Next);
        }
        self.emit(Event::Recorded { seconds });
        self.clock += seconds;
        let finish = record
            .finish_on_key
            .as_deref()
            .unwrap_or(RECORD_FINISH_ON_KEY);
        // She ends with # when it ends the message (as the hotline asks), or any finishing key;
        // with none, or when the time ran out, the recording ends on its own.
        let key = (seconds < max_length)
            .then(|| {
                finish
                    .contains('#')
                    .then_some('#')
                    .or(finish.chars().next())
            })
            .flatten();
        match key {
            Some(key) => self.emit(Event::Pressed(key.to_string())),
            None => self.clock += record.timeout.unwrap_or(GATHER_TIMEOUT),
        }
        let recording_sid = twilio::sid("RE");
        let recording_url = format!(
            "https://api.twilio.com/{}/Accounts/{}/Recordings/{recording_sid}",
            twilio::API_VERSION,
            self.account_sid
        );
        let duration = seconds.to_string();
        let mut params = self.caller_params("in-progress");
        params.extend(pairs(&[
            ("RecordingDuration", &duration),
            ("RecordingSid", &recording_sid),
            ("RecordingUrl", &recording_url),
        ]));
        if let Some(key) = key {
            params.push(("Digits".to_owned(), key.to_string()));
        }
        // Without an action, Twilio posts back to the document's own URL.
        let url = resolve(
            document,
            record.action.as_deref().unwrap_or(document.as_str()),
        )?;
        let method = record.method.unwrap_or(Method::Post);
        let next = self
            .fetch(Request {
                url,
                method,
                params,
            })
            .await?;
        if let Some(callback) = &record.recording_status_callback {
            // The file is ready a moment after the recording ends, while the call goes on.
            let params = pairs(&[
                ("AccountSid", &self.account_sid),
                ("CallSid", &self.call_sid),
                ("RecordingChannels", "1"),
                ("RecordingDuration", &duration),
                ("RecordingSid", &recording_sid),
                ("RecordingSource", "RecordVerb"),
                ("RecordingStartTime", &Self::timestamp(seconds)),
                ("RecordingStatus", "completed"),
                ("RecordingUrl", &recording_url),
            ]);
            let url = resolve(document, callback)?;
            let method = record
                .recording_status_callback_method
                .unwrap_or(Method::Post);
            self.notify(Request {
                url,
                method,
                params,
            })
            .await?;
        }
        Ok(Flow::Follow(next))
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
