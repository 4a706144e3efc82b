//! The requests under load, each a new call or text (a unique CallSid or MessageSid, so the
//! idempotent repeat is not what is measured), signed as Twilio signs: HMAC-SHA1 over the URL
//! and the sorted parameters, with the server's auth token.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::server::AUTH_TOKEN;

/// The number the calls and texts come to: a line without settings of its own, so the default
/// line answers (two languages, two services).
const HOTLINE_NUMBER: &str = "+77272000000";

/// Texts come from this many women, in turn: the first text of each opens a conversation (the
/// codes are three letters, so a new woman per text would soon use them all), later ones are
/// relayed in it. A warm-up's texts come from as many others, so that the fixed-rate run
/// after it still opens its conversations.
const CONTACTS: u64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Endpoint {
    /// `GET /healthz`: the server's fixed answer, the yardstick.
    Healthz,
    /// `POST /webhooks/voice`: a new call on the default line; signature, line, blocked list,
    /// record, and the language menu's TwiML.
    Voice,
    /// `POST /webhooks/voice/service`: she pressed 1 at the service menu of a call recorded
    /// before the run; the rota is read and someone is rung, or (all busy) the voicemail prompt.
    VoiceService,
    /// `POST /webhooks/messages`: a text from a woman; recorded, put in her conversation,
    /// relayed to the people on duty through the outbox.
    Messages,
}

impl Endpoint {
    pub const ALL: [Endpoint; 4] = [
        Endpoint::Healthz,
        Endpoint::Voice,
        Endpoint::VoiceService,
        Endpoint::Messages,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Healthz => "GET /healthz",
            Endpoint::Voice => "POST /webhooks/voice (language menu)",
            Endpoint::VoiceService => "POST /webhooks/voice/service (rota, ring)",
            Endpoint::Messages => "POST /webhooks/messages",
        }
    }
}

/// One request, ready to send.
pub struct Prepared {
    pub url: String,
    /// Form body and its signature; `None` for a GET.
    pub form: Option<(String, String)>,
}

/// Makes the requests of one run: request `i` of run `run` names call or text `i` of that run.
pub struct Source {
    pub endpoint: Endpoint,
    base: String,
    run: u32,
    /// The first of this run's women (see [`CONTACTS`]).
    first_contact: u64,
    prepared: AtomicU64,
}

impl Source {
    /// A warm-up's texts come from women of its own.
    pub fn new(endpoint: Endpoint, base: String, run: u32, warm_up: bool) -> Self {
        Self {
            endpoint,
            base,
            run,
            first_contact: if warm_up { CONTACTS } else { 0 },
            prepared: AtomicU64::new(0),
        }
    }

    /// Request `i`, or `None` when a run that needs prepared calls has used them all.
    pub fn request(&self, i: u64) -> Option<Prepared> {
        let call_sid = format!("CA{:08x}{i:024x}", self.run);
        match self.endpoint {
            Endpoint::Healthz => Some(Prepared {
                url: format!("{}/healthz", self.base),
                form: None,
            }),
            Endpoint::Voice => Some(self.signed("/webhooks/voice", &incoming_call(&call_sid, i))),
            Endpoint::VoiceService => {
                if i >= self.prepared.load(Ordering::Relaxed) {
                    return None;
                }
                let params = [
                    ("CallSid", call_sid),
                    ("AccountSid", account_sid()),
                    ("Digits", "1".to_owned()),
                    ("CallStatus", "in-progress".to_owned()),
                ];
                Some(self.signed("/webhooks/voice/service?language=ru&try=1", &params))
            }
            Endpoint::Messages => {
                let params = [
                    ("MessageSid", format!("SM{:08x}{i:024x}", self.run)),
                    ("AccountSid", account_sid()),
                    (
                        "From",
                        format!("+7702{:07}", self.first_contact + i % CONTACTS),
                    ),
                    ("To", HOTLINE_NUMBER.to_owned()),
                    (
                        "Body",
                        "Здравствуйте, мне нужна консультация юриста".to_owned(),
                    ),
                    ("NumMedia", "0".to_owned()),
                ];
                Some(self.signed("/webhooks/messages", &params))
            }
        }
    }

    /// Records `count` calls (with `connections` at once) that the service step then names.
    pub async fn prepare_calls(&self, count: u64, connections: usize) -> anyhow::Result<u64> {
        let client = crate::load::client()?;
        let next = AtomicU64::new(0);
        let failed = AtomicU64::new(0);
        let worker = || async {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let call_sid = format!("CA{:08x}{i:024x}", self.run);
                let request = self.signed("/webhooks/voice", &incoming_call(&call_sid, i));
                if !crate::load::send(&client, request).await {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        };
        join_workers(connections, worker).await;
        let failed = failed.load(Ordering::Relaxed);
        if failed > 0 {
            anyhow::bail!("{failed} of {count} calls could not be prepared");
        }
        self.prepared.store(count, Ordering::Relaxed);
        Ok(count)
    }

    fn signed<V: AsRef<str>>(&self, path_and_query: &str, params: &[(&str, V)]) -> Prepared {
        let url = format!("{}{path_and_query}", self.base);
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in params {
            form.append_pair(name, value.as_ref());
        }
        let signature = sign(&url, params);
        Prepared {
            url,
            form: Some((form.finish(), signature)),
        }
    }
}

/// Runs `n` copies of a worker at once on this thread and waits for all.
pub(crate) async fn join_workers<F, Fut>(n: usize, worker: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut all: Vec<std::pin::Pin<Box<Fut>>> = (0..n).map(|_| Box::pin(worker())).collect();
    std::future::poll_fn(|cx| {
        all.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if all.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}

fn account_sid() -> String {
    "AC00000000000000000000000000000000".to_owned()
}

fn incoming_call(call_sid: &str, i: u64) -> [(&'static str, String); 6] {
    [
        ("CallSid", call_sid.to_owned()),
        ("AccountSid", account_sid()),
        ("From", format!("+7701{:07}", i % 10_000_000)),
        ("To", HOTLINE_NUMBER.to_owned()),
        ("CallStatus", "ringing".to_owned()),
        ("Direction", "inbound".to_owned()),
    ]
}

/// Twilio's signature: base64(HMAC-SHA1(token, url ‖ name ‖ value …)), names sorted.
fn sign<V: AsRef<str>>(url: &str, params: &[(&str, V)]) -> String {
    sign_with(AUTH_TOKEN, url, params)
}

fn sign_with<V: AsRef<str>>(token: &str, url: &str, params: &[(&str, V)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    pairs.sort_unstable();
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(token.as_bytes()).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in pairs {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_twilios_published_example() {
        // Twilio's documented example: token 12345, this URL and these parameters.
        let params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ];
        let ours = sign_with(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params,
        );
        assert_eq!(ours, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }
}
