//! `<Record>`: the caller leaves a message (or hangs up at the prompt, or in the middle of it);
//! Twilio requests the action with the recording, then tells the recording status callback the
//! file is ready. After a hang-up mid-message the action still comes, with `Digits=hangup`.

use hotline_routes::twiml::{Method, Record};
use url::Url;

use super::SimulateError;
use super::caller::Flow;
use super::event::Event;
use super::http::Request;
use super::session::{Session, pairs};
use super::transcript::Hearing;
use super::twilio::{
    self, BEEP_SECONDS, GATHER_TIMEOUT, RECORD_FINISH_ON_KEY, RECORD_MAX_LENGTH, resolve,
};

/// The key she ends her message with, when the recording has one: `#` when it ends the message
/// (as the hotline asks), else the first finishing key.
fn finishing_key(record: &Record) -> Option<char> {
    let finish = record
        .finish_on_key
        .as_deref()
        .unwrap_or(RECORD_FINISH_ON_KEY);
    finish
        .contains('#')
        .then_some('#')
        .or(finish.chars().next())
}

impl Session<'_> {
    pub(super) async fn record(
        &mut self,
        document: &Url,
        record: Record,
    ) -> Result<Flow, SimulateError> {
        if !self.script.leave_voicemail {
            return Ok(Flow::End(self.hang_up()));
        }
        if record.play_beep != Some(false) && !self.pass(BEEP_SECONDS, Hearing::Speech) {
            return Ok(Flow::End(self.hang_up()));
        }
        let max_length = record
            .max_length
            .filter(|&n| n > 0)
            .unwrap_or(RECORD_MAX_LENGTH);
        let planned = self.script.voicemail_seconds.min(max_length);
        let started = self.clock;
        let stays = self.pass(planned, Hearing::Recording);
        let seconds = self.clock - started;
        if seconds == 0 {
            // An empty recording: Twilio skips the action and goes on with the next verb.
            return Ok(if stays {
                Flow::Next
            } else {
                Flow::End(self.hang_up())
            });
        }
        self.emit(Event::Recorded { seconds });
        // How the recording ended: her key, the time running out, or her hanging up.
        let ended_by = if !stays {
            self.hang_up();
            Some("hangup".to_owned())
        } else if seconds < max_length {
            match finishing_key(&record) {
                Some(key) => {
                    self.emit(Event::Pressed(key.to_string()));
                    Some(key.to_string())
                }
                None => {
                    // Silence ends it; she may hang up while Twilio waits for it.
                    let timeout = record.timeout.unwrap_or(GATHER_TIMEOUT);
                    (!self.pass(timeout, Hearing::Recording)).then(|| {
                        self.hang_up();
                        "hangup".to_owned()
                    })
                }
            }
        } else {
            None
        };
        let recording_sid = twilio::sid("RE");
        let recording_url = format!(
            "https://api.twilio.com/{}/Accounts/{}/Recordings/{recording_sid}",
            twilio::API_VERSION,
            self.account_sid
        );
        let duration = seconds.to_string();
        let mut params = self.caller_params(self.caller_status());
        params.extend(pairs(&[
            ("RecordingDuration", &duration),
            ("RecordingSid", &recording_sid),
            ("RecordingUrl", &recording_url),
        ]));
        if let Some(key) = ended_by {
            params.push(("Digits".to_owned(), key));
        }
        // Without an action, Twilio posts back to the document's own URL.
        let url = resolve(
            document,
            record.action.as_deref().unwrap_or(document.as_str()),
        )?;
        let method = record.method.unwrap_or(Method::Post);
        let next = self
            .continue_with(Request {
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
                ("RecordingStartTime", &self.timestamp_at(started)),
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
        Ok(next)
    }
}
