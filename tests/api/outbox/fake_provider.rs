//! A fake Twilio for fault tests: it answers `Messages.json` creates as each test scripts them
//! (500s, 429s, hangs, refusals, a create whose answer is lost) and lists the messages it
//! created, newest first and a page at a time as Twilio does (`PageSize`, `next_page_uri`
//! with a `PageToken` that holds its place while newer messages arrive), by its test's clock (a manual
//! one, or the machine's for a real server). It can also be slow: each create kept at once and
//! answered a little later, so a server killed meanwhile leaves a text the provider has and the
//! server does not know it has. Every request it gets is also sent on to prism, so the
//! requests the outbox makes under faults are checked against Twilio's description too.
//!
//! It also keeps voicemail recordings: serves each one's audio at `Recordings/RE….mp3` (or fails
//! as scripted) and deletes it on `DELETE Recordings/RE….json`, counting both. The media GET is
//! not sent on to prism: Twilio's description does not list it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline::clock::Clock;
use serde_json::json;

use super::prism::prism;

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const PROVIDER_TOKEN: &str = "provider-auth-token";
/// Longer than any client time limit in these tests.
const HANG: Duration = Duration::from_secs(30);

/// How the fake answers the next create; once the script runs out, it creates.
#[derive(Debug, Clone)]
pub enum Answer {
    Create,
    /// A 5xx, nothing created.
    Fail(u16),
    /// A 429 with `Retry-After` seconds, nothing created.
    SlowDown(u64),
    /// A 400 with Twilio's error code, nothing created.
    Refuse(i64, &'static str),
    /// Creates the message, then answers too late.
    CreateThenHang,
    /// Creates the message, then a proxy in front fails: the answer is lost.
    CreateThenFail(u16),
    /// Answers too late, having created nothing.
    Hang,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub sid: String,
    pub to: String,
    pub from: String,
    pub body: String,
    pub status_callback: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

struct Fake {
    answers: Mutex<VecDeque<Answer>>,
    created: Mutex<Vec<Created>>,
    look_ups: AtomicUsize,
    pages: AtomicUsize,
    creates: tokio::sync::watch::Sender<usize>,
    /// Creates kept but not answered yet.
    unanswered: AtomicUsize,
    /// How long each create waits, once kept, before it is answered.
    pace: Duration,
    /// How long each page of a list takes to come.
    list_pace: Mutex<Duration>,
    clock: Arc<dyn Clock>,
    checks: Mutex<Vec<tokio::task::JoinHandle<Option<String>>>>,
    /// Recordings by sid: their audio and its content type.
    recordings: Mutex<HashMap<String, (Vec<u8>, String)>>,
    /// Statuses the next media GETs fail with, in turn.
    media_failures: Mutex<VecDeque<u16>>,
    media_fetches: AtomicUsize,
    /// The sids of recordings asked to be deleted, in order, found or not.
    deletes: Mutex<Vec<String>>,
}

pub struct FakeProvider {
    pub base: url::Url,
    fake: Arc<Fake>,
}

impl FakeProvider {
    pub async fn start(clock: Arc<dyn Clock>, answers: impl IntoIterator<Item = Answer>) -> Self {
        Self::start_paced(clock, answers, Duration::ZERO).await
    }

    /// A provider that answers each create `pace` after it has kept it.
    pub async fn start_paced(
        clock: Arc<dyn Clock>,
        answers: impl IntoIterator<Item = Answer>,
        pace: Duration,
    ) -> Self {
        prism();
        let fake = Arc::new(Fake {
            answers: Mutex::new(answers.into_iter().collect()),
            created: Mutex::new(Vec::new()),
            look_ups: AtomicUsize::new(0),
            pages: AtomicUsize::new(0),
            creates: tokio::sync::watch::channel(0).0,
            unanswered: AtomicUsize::new(0),
            pace,
            list_pace: Mutex::new(Duration::ZERO),
            clock,
            checks: Mutex::new(Vec::new()),
            recordings: Mutex::new(HashMap::new()),
            media_failures: Mutex::new(VecDeque::new()),
            media_fetches: AtomicUsize::new(0),
            deletes: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: url::Url::parse(&base).expect("a URL"),
            fake,
        }
    }

    /// The messages it created: what reached the recipients.
    pub fn created(&self) -> Vec<Created> {
        self.fake.created.lock().expect("not poisoned").clone()
    }

    /// Create requests it got, answered or not.
    pub fn creates(&self) -> usize {
        *self.fake.creates.borrow()
    }

    /// Creates it has kept but not yet answered: a server stopped now leaves them in doubt.
    pub fn unanswered(&self) -> usize {
        self.fake.unanswered.load(Ordering::SeqCst)
    }

    /// Look-ups begun: lists of messages asked for from their first page.
    pub fn look_ups(&self) -> usize {
        self.fake.look_ups.load(Ordering::SeqCst)
    }

    /// Pages of messages served, first pages and the ones after.
    pub fn pages_listed(&self) -> usize {
        self.fake.pages.load(Ordering::SeqCst)
    }

    /// Makes each page of a list take `pace` to come, from now on.
    pub fn slow_lists(&self, pace: Duration) {
        *self.fake.list_pace.lock().expect("not poisoned") = pace;
    }

    /// Keeps a message as created at `at` without a request: a text sent by other means, or
    /// one of many, to set up a long list cheaply.
    pub fn add_sent(&self, to: &str, from: &str, body: &str, at: chrono::DateTime<chrono::Utc>) {
        let mut created = self.fake.created.lock().expect("not poisoned");
        let message = Created {
            sid: format!("SM{:032x}", created.len() + 1),
            to: to.to_owned(),
            from: from.to_owned(),
            body: body.to_owned(),
            status_callback: None,
            created_at: at,
        };
        created.push(message);
    }

    /// Waits until it has got `count` create requests.
    pub async fn creates_reach(&self, count: usize) {
        let mut creates = self.fake.creates.subscribe();
        let waited =
            tokio::time::timeout(Duration::from_secs(30), creates.wait_for(|n| *n >= count));
        assert!(
            waited.await.is_ok(),
            "the provider never got {count} creates"
        );
    }

    /// Keeps a recording `sid` whose audio is `audio`, served as `content_type`.
    pub fn add_recording(&self, sid: &str, audio: &[u8], content_type: &str) {
        self.fake
            .recordings
            .lock()
            .expect("not poisoned")
            .insert(sid.to_owned(), (audio.to_vec(), content_type.to_owned()));
    }

    /// Whether it still keeps recording `sid`.
    pub fn has_recording(&self, sid: &str) -> bool {
        self.fake
            .recordings
            .lock()
            .expect("not poisoned")
            .contains_key(sid)
    }

    /// The next media GETs fail with these statuses, one each.
    pub fn fail_media(&self, statuses: impl IntoIterator<Item = u16>) {
        self.fake
            .media_failures
            .lock()
            .expect("not poisoned")
            .extend(statuses);
    }

    /// Media GETs it got, served or not.
    pub fn media_fetches(&self) -> usize {
        self.fake.media_fetches.load(Ordering::SeqCst)
    }

    /// The recordings it was asked to delete, in order.
    pub fn deletes(&self) -> Vec<String> {
        self.fake.deletes.lock().expect("not poisoned").clone()
    }

    /// What prism said of the requests it got that Twilio would not accept.
    pub async fn invalid_requests(&self) -> Vec<String> {
        let checks: Vec<_> = std::mem::take(&mut *self.fake.checks.lock().expect("not poisoned"));
        let mut invalid = Vec::new();
        for check in checks {
            invalid.extend(check.await.expect("a check ran"));
        }
        invalid
    }

    /// Every request it got was one Twilio would accept.
    pub async fn all_requests_valid(&self) {
        let invalid = self.invalid_requests().await;
        assert!(invalid.is_empty(), "prism refused requests: {invalid:#?}");
    }
}

async fn answer(State(fake): State<Arc<Fake>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let recording = parts
        .uri
        .path()
        .rsplit_once("/Recordings/")
        .map(|(_, file)| file.to_owned());
    if let Some(file) = recording.as_deref().filter(|_| parts.method == Method::GET) {
        return media(&fake, file);
    }
    let check = tokio::spawn(check(
        parts.method.clone(),
        path_and_query,
        parts.headers.clone(),
        body.clone(),
    ));
    fake.checks.lock().expect("not poisoned").push(check);
    if let Some(file) = recording
        .as_deref()
        .filter(|_| parts.method == Method::DELETE)
    {
        return delete(&fake, file);
    }
    if !parts.uri.path().ends_with("/Messages.json") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if parts.method == Method::GET {
        let pace = *fake.list_pace.lock().expect("not poisoned");
        tokio::time::sleep(pace).await;
        return list(
            &fake,
            parts.uri.path(),
            parts.uri.query().unwrap_or_default(),
        );
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let next = fake
        .answers
        .lock()
        .expect("not poisoned")
        .pop_front()
        .unwrap_or(Answer::Create);
    fake.creates.send_modify(|n| *n += 1);
    let create = || {
        let mut created = fake.created.lock().expect("not poisoned");
        let message = Created {
            sid: format!("SM{:032x}", created.len() + 1),
            to: field("To").unwrap_or_default(),
            from: field("From").unwrap_or_default(),
            body: field("Body").unwrap_or_default(),
            status_callback: field("StatusCallback"),
            created_at: fake.clock.now(),
        };
        created.push(message.clone());
        message
    };
    match next {
        Answer::Create => {
            let message = create();
            if !fake.pace.is_zero() {
                // Counted down however the wait ends: a killed client drops the request.
                let _waiting = Unanswered::new(&fake.unanswered);
                tokio::time::sleep(fake.pace).await;
            }
            (StatusCode::CREATED, axum::Json(resource(&message))).into_response()
        }
        Answer::Fail(status) => error(status, None, "Internal Server Error"),
        Answer::SlowDown(seconds) => {
            let mut response = error(429, Some(20429), "Too Many Requests");
            response.headers_mut().insert(
                header::RETRY_AFTER,
                seconds.to_string().parse().expect("a header"),
            );
            response
        }
        Answer::Refuse(code, message) => error(400, Some(code), message),
        Answer::CreateThenHang => {
            let message = create();
            tokio::time::sleep(HANG).await;
            (StatusCode::CREATED, axum::Json(resource(&message))).into_response()
        }
        Answer::CreateThenFail(status) => {
            create();
            error(status, None, "Bad Gateway")
        }
        Answer::Hang => {
            tokio::time::sleep(HANG).await;
            error(500, None, "too late")
        }
    }
}

/// `GET Recordings/RE….mp3`: the audio, unless a failure is scripted or it was deleted.
fn media(fake: &Fake, file: &str) -> Response {
    fake.media_fetches.fetch_add(1, Ordering::SeqCst);
    if let Some(status) = fake
        .media_failures
        .lock()
        .expect("not poisoned")
        .pop_front()
    {
        return error(status, None, "Internal Server Error");
    }
    let recordings = fake.recordings.lock().expect("not poisoned");
    match file
        .strip_suffix(".mp3")
        .and_then(|sid| recordings.get(sid))
    {
        Some((audio, content_type)) => (
            [(header::CONTENT_TYPE, content_type.clone())],
            audio.clone(),
        )
            .into_response(),
        None => error(404, Some(20404), "The requested resource was not found"),
    }
}

/// `DELETE Recordings/RE….json`: 204, or 404 when it has no such recording (any more).
fn delete(fake: &Fake, file: &str) -> Response {
    let sid = file.strip_suffix(".json").unwrap_or(file);
    fake.deletes
        .lock()
        .expect("not poisoned")
        .push(sid.to_owned());
    match fake.recordings.lock().expect("not poisoned").remove(sid) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(404, Some(20404), "The requested resource was not found"),
    }
}

/// One create kept and not yet answered, for as long as it lives.
struct Unanswered<'a>(&'a AtomicUsize);

impl<'a> Unanswered<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A page of the messages that match `To` and `From`, newest first. Like Twilio's, the next
/// page's URI carries a token naming the last message served, so texts created between two
/// pages neither shift the next page nor show twice.
fn list(fake: &Fake, path: &str, query: &str) -> Response {
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let wanted = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    fake.pages.fetch_add(1, Ordering::SeqCst);
    let token = wanted("PageToken");
    if token.is_none() {
        fake.look_ups.fetch_add(1, Ordering::SeqCst);
    }
    // Twilio's default page is 50 and its largest 1000.
    let page_size = wanted("PageSize")
        .and_then(|size| size.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 1000);
    let page = wanted("Page")
        .and_then(|page| page.parse::<usize>().ok())
        .unwrap_or(0);
    let created = fake.created.lock().expect("not poisoned");
    let matching: Vec<&Created> = created
        .iter()
        .rev()
        .filter(|m| wanted("To").is_none_or(|to| to == m.to))
        .filter(|m| wanted("From").is_none_or(|from| from == m.from))
        .collect();
    let start = match token.and_then(|t| t.strip_prefix("PA")) {
        Some(after) => matching
            .iter()
            .position(|m| m.sid == after)
            .map_or(matching.len(), |at| at + 1),
        None => page * page_size,
    }
    .min(matching.len());
    let served = &matching[start..(start + page_size).min(matching.len())];
    let uri = |page: usize, token: Option<&str>| {
        let mut uri = form_urlencoded::Serializer::new(String::new());
        for name in ["To", "From"] {
            if let Some(value) = wanted(name) {
                uri.append_pair(name, value);
            }
        }
        uri.append_pair("PageSize", &page_size.to_string())
            .append_pair("Page", &page.to_string());
        if let Some(token) = token {
            uri.append_pair("PageToken", token);
        }
        format!("{path}?{}", uri.finish())
    };
    let next = (start + served.len() < matching.len())
        .then(|| served.last())
        .flatten()
        .map(|last| uri(page + 1, Some(&format!("PA{}", last.sid))));
    let messages: Vec<_> = served.iter().map(|m| resource(m)).collect();
    axum::Json(json!({
        "messages": messages,
        "page": page,
        "page_size": page_size,
        "start": start,
        "end": start + served.len().saturating_sub(1),
        "uri": uri(page, token),
        "first_page_uri": uri(0, None),
        "next_page_uri": next,
        "previous_page_uri": if page == 0 { None } else { Some(uri(page - 1, None)) },
    }))
    .into_response()
}

fn resource(message: &Created) -> serde_json::Value {
    json!({
        "sid": message.sid,
        "account_sid": ACCOUNT_SID,
        "to": message.to,
        "from": message.from,
        "body": message.body,
        "status": "queued",
        "direction": "outbound-api",
        "date_created": message.created_at.to_rfc2822(),
    })
}

fn error(status: u16, code: Option<i64>, message: &str) -> Response {
    let status = StatusCode::from_u16(status).expect("a status");
    let body = json!({ "code": code, "message": message, "status": status.as_u16() });
    (status, axum::Json(body)).into_response()
}

/// Sends the same request to prism; returns what it refused, if it did.
async fn check(
    method: Method,
    path_and_query: String,
    headers: HeaderMap,
    body: Bytes,
) -> Option<String> {
    let url = format!(
        "{}{path_and_query}",
        prism().base.as_str().trim_end_matches('/')
    );
    let mut request = reqwest::Client::new()
        .request(method.clone(), url)
        .body(body);
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT] {
        if let Some(value) = headers.get(&name) {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!(
            "{method} {path_and_query}: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        )),
        Err(error) => Some(format!(
            "prism did not answer {method} {path_and_query}: {error}"
        )),
    }
}
