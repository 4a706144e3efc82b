//! A stream of signed webhooks for the fault tests: several tasks at once, each posting calls
//! coming in and texts from its own sender, each request remembered with the answer it got.
//! Afterwards the database is read back: every request that was acknowledged (a 2xx that is
//! not the caller's spoken apology) must be there, once. The load is signed in Rust with the
//! server's own signature code, for speed only; the requests that matter afterwards (the
//! retries) are signed by Twilio's Python library.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hotline::telephony::signature::{self, Algorithm};

use crate::helpers::{AUTH_TOKEN, HOTLINE_NUMBER, PUBLIC_URL, params};
use crate::signer::TwilioSigner;

/// How long a load request may take before it counts as unanswered.
const REQUEST_LIMIT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Call,
    Text,
}

/// What a request got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A 2xx that says the webhook was handled: what must be in the database.
    Kept,
    /// A 200 whose TwiML is the apology a caller hears when the server could not do its part.
    Apology,
    /// Any other status.
    Refused(u16),
    /// No answer at all: the connection failed or was cut.
    None,
}

#[derive(Debug, Clone)]
pub struct Sent {
    pub kind: Kind,
    pub sid: String,
    pub pairs: Vec<(String, String)>,
    pub answer: Answer,
}

impl Sent {
    fn path(&self) -> &'static str {
        match self.kind {
            Kind::Call => "/webhooks/voice",
            Kind::Text => "/webhooks/messages",
        }
    }
}

/// Tasks posting until told to stop.
pub struct Load {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<Vec<Sent>>>,
    kept: Arc<AtomicUsize>,
    answered: Arc<AtomicUsize>,
}

impl Load {
    /// `tasks` posters against `base`; `run` keeps the ids of one load apart from another's.
    pub fn start(base: &str, run: &str, tasks: usize) -> Self {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let kept = Arc::new(AtomicUsize::new(0));
        let answered = Arc::new(AtomicUsize::new(0));
        let client = reqwest::Client::builder()
            .timeout(REQUEST_LIMIT)
            .build()
            .expect("a client");
        let tasks = (0..tasks)
            .map(|task| {
                let poster = Poster {
                    client: client.clone(),
                    base: base.to_owned(),
                    run: run.to_owned(),
                    task,
                    kept: kept.clone(),
                    answered: answered.clone(),
                };
                tokio::spawn(poster.post_until(stopped.clone()))
            })
            .collect();
        Self {
            stop,
            tasks,
            kept,
            answered,
        }
    }

    /// Requests acknowledged so far.
    pub fn kept(&self) -> usize {
        self.kept.load(Ordering::SeqCst)
    }

    /// Requests answered so far, whatever the answer.
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }

    /// Waits until `count` more requests have been acknowledged than now, at most `limit`.
    pub async fn until_kept(&self, count: usize, limit: Duration) {
        let target = self.kept() + count;
        let started = std::time::Instant::now();
        while self.kept() < target {
            assert!(
                started.elapsed() < limit,
                "only {} of {target} requests acknowledged in {limit:?}",
                self.kept()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the posters once their request in flight has its answer; everything sent.
    pub async fn finish(self) -> Vec<Sent> {
        let _ = self.stop.send(true);
        let mut sent = Vec::new();
        for task in self.tasks {
            sent.extend(task.await.expect("a poster"));
        }
        sent
    }
}

struct Poster {
    client: reqwest::Client,
    base: String,
    run: String,
    task: usize,
    kept: Arc<AtomicUsize>,
    answered: Arc<AtomicUsize>,
}

impl Poster {
    async fn post_until(self, stop: tokio::sync::watch::Receiver<bool>) -> Vec<Sent> {
        let mut sent = Vec::new();
        let mut n = 0;
        while !*stop.borrow() {
            let mut request = self.request(n);
            request.answer = self.post(&request).await;
            match request.answer {
                Answer::Kept => {
                    self.kept.fetch_add(1, Ordering::SeqCst);
                    self.answered.fetch_add(1, Ordering::SeqCst);
                }
                Answer::None => {
                    // The server is gone or restarting: do not spin on a closed port.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => {
                    self.answered.fetch_add(1, Ordering::SeqCst);
                    // As Twilio does, not hammering a server that is failing.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            sent.push(request);
            n += 1;
        }
        sent
    }

    /// Calls and texts by turns; each task's texts come from one sender, as one woman writing.
    fn request(&self, n: usize) -> Sent {
        let (run, task) = (&self.run, self.task);
        if n.is_multiple_of(2) {
            let sid = format!("CA{run}{task:02}{n:06}");
            let caller = format!("+7707{task:02}{:05}", n % 100_000);
            let pairs = params(&[
                ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
                ("CallSid", &sid),
                ("CallStatus", "ringing"),
                ("Direction", "inbound"),
                ("From", &caller),
                ("To", HOTLINE_NUMBER),
            ]);
            Sent {
                kind: Kind::Call,
                sid,
                pairs,
                answer: Answer::None,
            }
        } else {
            let sid = format!("SM{run}{task:02}{n:06}");
            let pairs = params(&[
                ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
                ("MessageSid", &sid),
                ("From", &sender(task)),
                ("To", HOTLINE_NUMBER),
                ("Body", &format!("нужна помощь юриста {n}")),
                ("NumMedia", "0"),
            ]);
            Sent {
                kind: Kind::Text,
                sid,
                pairs,
                answer: Answer::None,
            }
        }
    }

    async fn post(&self, request: &Sent) -> Answer {
        let url = format!("{PUBLIC_URL}{}", request.path());
        let signature = signature::compute(AUTH_TOKEN, &url, &request.pairs, Algorithm::HmacSha1);
        send(
            &self.client,
            &self.base,
            request.path(),
            &request.pairs,
            &signature,
        )
        .await
    }
}

/// The number a task's texts come from.
pub fn sender(task: usize) -> String {
    format!("+7708{task:07}")
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    pairs: &[(String, String)],
    signature: &str,
) -> Answer {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let response = client
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await;
    let Ok(response) = response else {
        return Answer::None;
    };
    let status = response.status();
    let Ok(text) = response.text().await else {
        return Answer::None;
    };
    if !status.is_success() {
        return Answer::Refused(status.as_u16());
    }
    if path == "/webhooks/voice" && text == hotline_routes::call::apology().to_xml() {
        return Answer::Apology;
    }
    Answer::Kept
}

/// Posts again, signed by Twilio's Python library, every request that was not acknowledged,
/// as Twilio retries (or the caller calls again); returns them with their new answers.
pub async fn retry_unacknowledged(base: &str, sent: &[Sent]) -> Vec<Sent> {
    let client = reqwest::Client::builder()
        .timeout(REQUEST_LIMIT)
        .build()
        .expect("a client");
    let mut retried = Vec::new();
    for request in sent.iter().filter(|s| s.answer != Answer::Kept) {
        let path = request.path();
        let signature =
            TwilioSigner::shared().sign(AUTH_TOKEN, &format!("{PUBLIC_URL}{path}"), &request.pairs);
        let mut again = request.clone();
        again.answer = send(&client, base, path, &request.pairs, &signature).await;
        retried.push(again);
    }
    retried
}

/// How many requests got each kind of answer, for the test's log.
pub fn tally(sent: &[Sent]) -> BTreeMap<String, usize> {
    let mut tally = BTreeMap::new();
    for request in sent {
        let name = match request.answer {
            Answer::Kept => "kept".to_owned(),
            Answer::Apology => "apology".to_owned(),
            Answer::Refused(status) => format!("status {status}"),
            Answer::None => "no answer".to_owned(),
        };
        *tally.entry(name).or_default() += 1;
    }
    tally
}

/// The records, read straight from the database the server writes.
pub enum Records {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Records {
    pub async fn connect(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Self::Sqlite(
                sqlx::SqlitePool::connect(url)
                    .await
                    .expect("read alongside"),
            )
        } else {
            Self::Postgres(sqlx::PgPool::connect(url).await.expect("read alongside"))
        }
    }

    async fn strings(&self, sql: &'static str) -> Vec<String> {
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        }
        .expect("read")
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("counted")
    }

    /// Every CallSid and MessageSid recorded, with how often each is.
    async fn sids(&self) -> BTreeMap<String, usize> {
        let mut sids = BTreeMap::new();
        for sid in self.strings("SELECT call_sid FROM calls").await {
            *sids.entry(sid).or_default() += 1;
        }
        for sid in self.strings("SELECT message_sid FROM messages").await {
            *sids.entry(sid).or_default() += 1;
        }
        sids
    }

    /// Asserts that every acknowledged request in `sent` is recorded, nothing is recorded twice,
    /// and nothing is recorded that was never sent; returns how many are recorded.
    pub async fn assert_acknowledged_kept(&self, sent: &[Sent]) -> usize {
        let sids = self.sids().await;
        let twice: Vec<_> = sids.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "recorded twice: {twice:?}");
        let lost: Vec<&str> = sent
            .iter()
            .filter(|s| s.answer == Answer::Kept && !sids.contains_key(&s.sid))
            .map(|s| s.sid.as_str())
            .collect();
        assert!(
            lost.is_empty(),
            "{} acknowledged webhooks are not in the database: {lost:?}",
            lost.len()
        );
        let known: BTreeSet<&str> = sent.iter().map(|s| s.sid.as_str()).collect();
        let strange: Vec<&String> = sids
            .keys()
            .filter(|sid| !known.contains(sid.as_str()))
            .collect();
        assert!(strange.is_empty(), "recorded but never sent: {strange:?}");
        sids.len()
    }

    /// Asserts that each sender whose texts were kept has one conversation, not one per retry.
    pub async fn assert_one_conversation_per_sender(&self, sent: &[Sent]) {
        let senders: BTreeSet<&str> = sent
            .iter()
            .filter(|s| s.kind == Kind::Text)
            .filter_map(|s| {
                s.pairs
                    .iter()
                    .find(|(k, _)| k == "From")
                    .map(|(_, v)| v.as_str())
            })
            .collect();
        let conversations = self.count("SELECT count(*) FROM conversations").await;
        assert_eq!(
            usize::try_from(conversations).expect("a count"),
            senders.len(),
            "one conversation per woman writing"
        );
    }
}

/// Waits until `GET {base}{path}` answers 200, at most `limit`; returns how long it took.
pub async fn until_ok(base: &str, path: &str, limit: Duration) -> Option<Duration> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("a client");
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if let Ok(response) = client.get(format!("{base}{path}")).send().await
            && response.status().is_success()
        {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// Puts `phone` on duty for `service` from an hour ago for six hours, by the machine's clock
/// (the real server's), straight in the store before the server starts.
pub async fn on_duty_now(
    store: &dyn hotline::store::Store,
    name: &str,
    phone: &str,
    service: hotline_schedules::Service,
) -> i64 {
    use hotline_schedules::{Gender, Language, PhoneNumber};
    let staff_id = store
        .upsert_staff(
            &hotline::store::NewStaff {
                name: name.to_owned(),
                phone: PhoneNumber::parse(phone).expect("valid"),
                services: vec![service],
                languages: vec![Language::Kk, Language::Ru],
                gender: Some(Gender::Female),
                is_coordinator: false,
                active: true,
            },
            &crate::helpers::audit(),
        )
        .await
        .expect("staff added");
    let now = chrono::Utc::now();
    let shift = hotline::rota::spec::ShiftSpec {
        staff_id,
        service,
        position: 0,
        starts_at: now - chrono::Duration::hours(1),
        ends_at: now + chrono::Duration::hours(6),
    };
    store
        .create_rules(
            &[shift.to_rule(now - chrono::Duration::minutes(1))],
            &crate::helpers::audit(),
        )
        .await
        .expect("shift added");
    staff_id
}
