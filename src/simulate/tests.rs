//! The simulator against a fake hotline: a loopback server that answers fixed TwiML by path and
//! records each request, checking its signature as the real server does. Tests the following of
//! TwiML (relative URLs, menus, whispers, voicemail, loops, errors) without a database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::*;
use crate::telephony::signature::{self, Algorithm, SignedRequest};

const TOKEN: &str = "fake-token";

/// A request the fake received: path and query, form parameters, whether the signature held.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    params: Vec<(String, String)>,
    signed: bool,
}

impl Received {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

struct Fake {
    /// TwiML by path; an empty answer is a 204 (a callback).
    pages: HashMap<&'static str, &'static str>,
    /// The URL signatures are checked over, as with `HOTLINE_PUBLIC_URL`; else the Host.
    public_url: Option<&'static str>,
    received: Mutex<Vec<Received>>,
}

async fn answer(
    State(fake): State<Arc<Fake>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_and_query = uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let base = match fake.public_url {
        Some(url) => url.to_owned(),
        None => {
            let host = headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            format!("http://{host}")
        }
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|s| s.to_str().ok())
        .unwrap_or_default();
    let url = format!("{base}{path_and_query}");
    let request = SignedRequest {
        url: &url,
        params: &params,
        body: &body,
        signature,
        algorithm: Algorithm::HmacSha1,
    };
    let signed = signature::is_valid(&[TOKEN], &request);
    let mut received = fake.received.lock().unwrap_or_else(|p| p.into_inner());
    received.push(Received {
        path: path_and_query,
        params,
        signed,
    });
    match fake.pages.get(uri.path()) {
        Some(&"") => StatusCode::NO_CONTENT.into_response(),
        Some(twiml) => ([("content-type", "text/xml")], *twiml).into_response(),
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no such page").into_response(),
    }
}

async fn serve(
    pages: &[(&'static str, &'static str)],
    public_url: Option<&'static str>,
) -> (String, Arc<Fake>) {
    let fake = Arc::new(Fake {
        pages: pages.iter().copied().collect(),
        public_url,
        received: Mutex::default(),
    });
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, fake)
}

fn received(fake: &Fake) -> Vec<Received> {
    fake.received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

const A: &str = "+77015550101";
const B: &str = "+77015550102";

/// A menu, a dial of two phones with a whisper, voicemail when nobody accepts.
const HOTLINE: [(&str, &str); 9] = [
    (
        "/webhooks/voice",
        r#"<Response><Gather numDigits="1" action="menu"><Say language="ru-RU">Нажмите 1</Say></Gather><Say>Нет ввода</Say><Hangup/></Response>"#,
    ),
    (
        "/webhooks/menu",
        r#"<Response><Dial callerId="+77010000000" action="/webhooks/voice/dial?attempt=0" timeout="20"><Number url="whisper">+77015550101</Number><Number url="whisper" statusCallback="leg" statusCallbackEvent="ringing completed">+77015550102</Number></Dial></Response>"#,
    ),
    (
        "/webhooks/whisper",
        r#"<Response><Gather numDigits="1" action="/webhooks/accepted"><Say language="ru-RU">Нажмите 1</Say></Gather><Hangup/></Response>"#,
    ),
    ("/webhooks/accepted", "<Response/>"),
    (
        "/webhooks/voice/dial",
        r##"<Response><Say>Оставьте сообщение</Say><Record action="voicemail" finishOnKey="#" recordingStatusCallback="recording"/><Say>Не записано</Say><Hangup/></Response>"##,
    ),
    (
        "/webhooks/voice/voicemail",
        "<Response><Say>Спасибо</Say><Hangup/></Response>",
    ),
    ("/webhooks/voice/recording", ""),
    ("/webhooks/voice/status", ""),
    ("/webhooks/leg", ""),
];

fn signer() -> TokenSigner {
    TokenSigner(TOKEN.to_owned())
}

#[tokio::test]
async fn the_first_phone_that_accepts_at_the_whisper_takes_the_call() -> Result<(), SimulateError> {
    let (address, fake) = serve(
        // After a conversation, the hotline hangs up (later pages replace earlier ones).
        &[
            &HOTLINE[..],
            &[("/webhooks/voice/dial", "<Response><Hangup/></Response>")],
        ]
        .concat(),
        None,
    )
    .await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::Voicemail)
        .phone(B, Behaviour::Accept);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.connected_to(), Some(B), "{transcript}");
    assert_eq!(transcript.rang(), [A, B]);
    assert!(transcript.events.contains(&Event::NotAnswered {
        number: A.to_owned(),
        status: LegStatus::Canceled
    }));
    assert_eq!(transcript.voicemail_seconds(), None);
    let requests = received(&fake);
    assert!(requests.iter().all(|r| r.signed), "{requests:?}");
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/webhooks/voice",
            "/webhooks/menu",
            "/webhooks/whisper",
            "/webhooks/accepted",
            "/webhooks/leg",
            "/webhooks/leg",
            "/webhooks/voice/dial?attempt=0",
            "/webhooks/voice/status"
        ]
    );
    let whisper = &requests[2];
    let dial = &requests[6];
    assert_eq!(
        whisper.param("ParentCallSid"),
        Some(transcript.call_sid.as_str())
    );
    assert_eq!(
        whisper.param("From"),
        Some("+77010000000"),
        "staff see the hotline number"
    );
    assert_eq!(dial.param("DialCallStatus"), Some("completed"));
    assert_eq!(
        dial.param("DialCallSid"),
        whisper.param("CallSid"),
        "the leg that took the call"
    );
    assert_eq!(dial.param("DialCallDuration"), Some("30"));
    assert_eq!(requests[4].param("CallStatus"), Some("ringing"));
    assert_eq!(requests[5].param("SequenceNumber"), Some("1"));
    let status = &requests[7];
    assert_eq!(status.param("CallStatus"), Some("completed"));
    assert_eq!(status.param("CallSid"), Some(transcript.call_sid.as_str()));
    assert!(
        status
            .param("CallDuration")
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|d| d >= 30)
    );
    Ok(())
}

#[tokio::test]
async fn a_voicemail_that_picks_up_does_not_swallow_the_call() -> Result<(), SimulateError> {
    let (address, fake) = serve(&HOTLINE, None).await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::Voicemail)
        .phone(B, Behaviour::Decline);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.connected_to(), None, "{transcript}");
    assert!(transcript.events.contains(&Event::StaffSilent {
        number: A.to_owned()
    }));
    assert!(transcript.events.contains(&Event::NotAnswered {
        number: A.to_owned(),
        status: LegStatus::NotAccepted
    }));
    assert!(transcript.events.contains(&Event::NotAnswered {
        number: B.to_owned(),
        status: LegStatus::Busy
    }));
    assert_eq!(transcript.voicemail_seconds(), Some(12));
    assert_eq!(transcript.heard().last(), Some(&"Спасибо"));
    let requests = received(&fake);
    let by_path = |path: &str| requests.iter().find(|r| r.path == path).cloned();
    let dial = by_path("/webhooks/voice/dial?attempt=0").expect("the dial's action");
    assert_eq!(dial.param("DialCallStatus"), Some("no-answer"));
    let voicemail = by_path("/webhooks/voice/voicemail").expect("the record's action");
    assert_eq!(voicemail.param("RecordingDuration"), Some("12"));
    assert_eq!(voicemail.param("Digits"), Some("#"));
    let recording = by_path("/webhooks/voice/recording").expect("the recording callback");
    assert_eq!(
        recording.param("RecordingSid"),
        voicemail.param("RecordingSid")
    );
    assert_eq!(recording.param("RecordingStatus"), Some("completed"));
    let leg = by_path("/webhooks/leg").expect("B's leg callback");
    assert_eq!(leg.param("CallStatus"), Some("ringing"));
    Ok(())
}

#[tokio::test]
async fn without_input_the_menu_moves_on_and_without_voicemail_she_hangs_up()
-> Result<(), SimulateError> {
    let (address, _) = serve(&HOTLINE, None).await;
    let transcript = run_call(&address, &CallScript::default(), &signer()).await?;
    assert_eq!(transcript.heard(), ["Нажмите 1", "Нет ввода"]);
    assert!(
        matches!(transcript.events.last(), Some(Event::Ended { status, .. }) if status == "completed")
    );
    let (address, _) = serve(&HOTLINE, None).await;
    let script = CallScript {
        leave_voicemail: false,
        other_phones: Behaviour::NoAnswer,
        ..CallScript::default().digits(["1"])
    };
    let transcript = run_call(&address, &script, &signer()).await?;
    assert!(
        transcript.events.contains(&Event::CallerHungUp),
        "{transcript}"
    );
    assert_eq!(transcript.voicemail_seconds(), None);
    Ok(())
}

#[tokio::test]
async fn signatures_cover_the_public_url_when_the_server_has_one() -> Result<(), SimulateError> {
    let public = "https://hotline.example.org";
    let (address, fake) = serve(&HOTLINE, Some(public)).await;
    let script = CallScript {
        public_url: Some(public.to_owned()),
        ..CallScript::default()
    };
    run_call(&address, &script, &signer()).await?;
    let requests = received(&fake);
    assert!(
        !requests.is_empty() && requests.iter().all(|r| r.signed),
        "{requests:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_loop_errors_and_bad_answers_end_the_simulation_clearly() {
    let (address, _) = serve(
        &[(
            "/webhooks/voice",
            "<Response><Redirect>voice</Redirect></Response>",
        )],
        None,
    )
    .await;
    let result = run_call(&address, &CallScript::default(), &signer()).await;
    assert_eq!(result, Err(SimulateError::TooManySteps(50)));

    let (address, _) = serve(
        &[(
            "/webhooks/voice",
            "<Response><Dial><Number>+77015550101</Number></Dial></Response>",
        )],
        None,
    )
    .await;
    let result = run_call(&address, &CallScript::default(), &signer()).await;
    assert!(
        matches!(result, Err(SimulateError::HttpStatus { status: 500, ref url, .. }) if url.ends_with("/webhooks/voice/status")),
        "{result:?}"
    );

    let (address, _) = serve(
        &[("/webhooks/voice", "<Response><Sya>typo</Sya></Response>")],
        None,
    )
    .await;
    let result = run_call(&address, &CallScript::default(), &signer()).await;
    assert!(
        matches!(result, Err(SimulateError::BadTwiml { .. })),
        "{result:?}"
    );
}

#[test]
fn a_call_can_run_on_a_spawned_task() {
    fn is_send<T: Send>(_: &T) {}
    let (script, signer) = (CallScript::default(), signer());
    is_send(&run_call("http://127.0.0.1:9", &script, &signer));
}
