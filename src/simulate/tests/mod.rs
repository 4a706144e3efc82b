//! The simulator against a fake hotline: a loopback server that answers fixed TwiML by path and
//! records each request, checking its signature as the real server does. Tests the following of
//! TwiML (relative URLs, menus, whispers, voicemail, loops, errors) and Twilio's awkward moments
//! (hang-ups, retries, late callbacks) without a database.

mod awkward;
mod following;

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
pub(super) struct Received {
    pub path: String,
    pub params: Vec<(String, String)>,
    pub signed: bool,
}

impl Received {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

pub(super) struct Fake {
    /// TwiML by path; an empty answer is a 204 (a callback). `{n}` in a page becomes how many
    /// requests that path has had, so a page can answer a retry differently.
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
    let seen = received
        .iter()
        .filter(|r| r.path.split('?').next() == Some(uri.path()))
        .count();
    received.push(Received {
        path: path_and_query,
        params,
        signed,
    });
    match fake.pages.get(uri.path()) {
        Some(&"") => StatusCode::NO_CONTENT.into_response(),
        Some(twiml) => {
            let twiml = twiml.replace("{n}", &(seen + 1).to_string());
            ([("content-type", "text/xml")], twiml).into_response()
        }
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no such page").into_response(),
    }
}

pub(super) async fn serve(
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

pub(super) fn received(fake: &Fake) -> Vec<Received> {
    fake.received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

pub(super) const A: &str = "+77015550101";
pub(super) const B: &str = "+77015550102";

/// A menu, a dial of two phones with a whisper, voicemail when nobody accepts.
pub(super) const HOTLINE: [(&str, &str); 9] = [
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

pub(super) fn signer() -> TokenSigner {
    TokenSigner(TOKEN.to_owned())
}
