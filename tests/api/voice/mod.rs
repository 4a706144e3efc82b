//! The call flow at the level of single webhooks: each test posts what Twilio would post, signed
//! by Twilio's Python library, follows the URLs in the TwiML it gets back, and checks the record.
//! (Whole calls driven by the emulator are in `call_flow`.)

mod answering;
mod ending;
mod menus;

use hotline_routes::twiml::{Callees, Number, Verb, VoiceResponse, parse};
use hotline_schedules::Service;

use crate::helpers::{TestApp, incoming_call, params};

pub const LAWYER: &str = "+77015550101";
pub const BACKUP: &str = "+77015550103";
pub const PSYCHOLOGIST: &str = "+77015550102";
pub const COORDINATOR: &str = "+77015550100";

/// What the server told Twilio to do, read back with our TwiML parser.
pub async fn twiml(response: reqwest::Response) -> VoiceResponse {
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    parse(&response.text().await.expect("a body")).expect("valid TwiML")
}

/// Everything said, in order, including inside a menu.
pub fn spoken(twiml: &VoiceResponse) -> String {
    let mut words = Vec::new();
    for verb in &twiml.verbs {
        match verb {
            Verb::Say(say) => words.push(say.text.clone()),
            Verb::Gather(gather) => {
                for prompt in &gather.prompts {
                    if let hotline_routes::twiml::Prompt::Say(say) = prompt {
                        words.push(say.text.clone());
                    }
                }
            }
            _ => {}
        }
    }
    words.join(" ")
}

pub fn gather_action(twiml: &VoiceResponse) -> String {
    twiml
        .verbs
        .iter()
        .find_map(|verb| match verb {
            Verb::Gather(gather) => gather.action.clone(),
            _ => None,
        })
        .expect("a menu with an action")
}

/// The `<Number>`s a document dials, and the dial's action.
pub fn dialled(twiml: &VoiceResponse) -> Option<(Vec<Number>, String)> {
    twiml.verbs.iter().find_map(|verb| match verb {
        Verb::Dial(dial) => match &dial.callees {
            Callees::Numbers(numbers) => {
                Some((numbers.clone(), dial.action.clone().expect("an action")))
            }
            Callees::Plain(_) => None,
        },
        _ => None,
    })
}

pub fn numbers_rung(twiml: &VoiceResponse) -> Vec<String> {
    dialled(twiml)
        .map(|(numbers, _)| numbers.into_iter().map(|n| n.phone_number).collect())
        .unwrap_or_default()
}

pub fn records_voicemail(twiml: &VoiceResponse) -> bool {
    twiml
        .verbs
        .iter()
        .any(|verb| matches!(verb, Verb::Record(_)))
}

/// One call, as Twilio sees it.
pub struct Call<'a> {
    pub app: &'a TestApp,
    pub sid: String,
}

impl TestApp {
    pub fn call(&self, sid: &str) -> Call<'_> {
        Call {
            app: self,
            sid: sid.to_owned(),
        }
    }

    /// A lawyer on duty now, another at the backup position, and a psychologist.
    pub async fn usual_rota(&self) {
        self.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
        self.on_duty_at("Сауле", BACKUP, Service::Legal, 1).await;
        self.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
            .await;
    }
}

impl Call<'_> {
    pub async fn post(&self, url: &str, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut pairs = params(&[
            ("CallSid", &self.sid),
            ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ]);
        pairs.extend(params(extra));
        self.app.post_signed(url, &pairs).await
    }

    pub async fn dials(&self) -> VoiceResponse {
        twiml(
            self.app
                .post_signed("/webhooks/voice", &incoming_call(&self.sid))
                .await,
        )
        .await
    }

    pub async fn presses(&self, menu: &VoiceResponse, digits: &str) -> VoiceResponse {
        twiml(self.post(&gather_action(menu), &[("Digits", digits)]).await).await
    }

    /// Dials and chooses a language and a service: what she hears next (usually a dial).
    pub async fn chooses(&self, language: &str, service: &str) -> VoiceResponse {
        let languages = self.dials().await;
        let services = self.presses(&languages, language).await;
        self.presses(&services, service).await
    }

    /// A rung person picks up and hears the whisper.
    pub async fn picks_up(&self, number: &Number) -> VoiceResponse {
        let url = number.url.as_deref().expect("every leg has a whisper");
        twiml(
            self.post(
                url,
                &[
                    ("CallSid", "CA7777"),
                    ("ParentCallSid", &self.sid),
                    ("To", &number.phone_number),
                ],
            )
            .await,
        )
        .await
    }

    /// A rung person picks up and presses `digits` at the whisper ("" for silence).
    pub async fn person_presses(&self, number: &Number, digits: &str) -> VoiceResponse {
        let whisper = self.picks_up(number).await;
        twiml(
            self.post(&gather_action(&whisper), &[("Digits", digits)])
                .await,
        )
        .await
    }

    pub async fn dial_ends(&self, action: &str, status: &str, talked: &str) -> VoiceResponse {
        twiml(
            self.post(
                action,
                &[
                    ("DialCallStatus", status),
                    ("DialCallSid", "CA8888"),
                    ("DialCallDuration", talked),
                ],
            )
            .await,
        )
        .await
    }

    /// She records a message: the action, then the recording callback.
    pub async fn leaves_voicemail(&self) -> VoiceResponse {
        let recording = [
            ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
            (
                "RecordingUrl",
                "https://api.twilio.com/2010-04-01/Accounts/AC01/Recordings/RE0123456789abcdef0123456789abcdef",
            ),
            ("RecordingDuration", "14"),
        ];
        let thanks = twiml(self.post("/webhooks/voice/voicemail", &recording).await).await;
        let ready = [recording.as_slice(), &[("RecordingStatus", "completed")]].concat();
        assert_eq!(
            self.post("/webhooks/voice/recording", &ready)
                .await
                .status(),
            204
        );
        thanks
    }

    pub async fn ends(&self, sequence: &str) {
        let response = self
            .post(
                "/webhooks/voice/status",
                &[
                    ("CallStatus", "completed"),
                    ("CallDuration", "95"),
                    ("SequenceNumber", sequence),
                ],
            )
            .await;
        assert_eq!(response.status(), 204);
    }

    pub async fn record(&self) -> hotline::store::CallRecord {
        self.app
            .store
            .call_by_sid(&self.sid)
            .await
            .expect("read")
            .expect("recorded")
    }
}
