//! A real hotline server on a loopback port, over a fresh database, and typed helpers that post
//! webhooks to it signed by Twilio's own Python library.

use std::sync::Arc;

use hotline::clock::{Clock, ManualClock};
use hotline::crypto::DataKey;
use hotline::metrics::Metrics;
use hotline::rota::spec::ShiftSpec;
use hotline::secrets::Secrets;
use hotline::store::{AuditEntry, NewStaff, Store};
use hotline::web::{self, AppState};
use hotline_schedules::{Gender, Language, PhoneNumber, Service};

use crate::databases::TestDatabase;
use crate::signer::TwilioSigner;

pub const AUTH_TOKEN: &str = "test-auth-token-0123456789abcdef";
/// The URL Twilio is told to call; the server sits behind it (as behind a proxy) on a loopback
/// port, so signatures must be checked over this URL and not the socket's address.
pub const PUBLIC_URL: &str = "https://hotline.example.org";
pub const HOTLINE_NUMBER: &str = "+77010000000";
pub const CALLER: &str = "+77071234567";

pub struct TestApp {
    pub address: String,
    pub store: Arc<dyn Store>,
    pub data_key: DataKey,
    /// The server's clock: it stands still until a test sets it.
    pub clock: Arc<ManualClock>,
    /// What the server's handlers and jobs share, for running a job's pass in a test.
    pub state: AppState,
    pub client: reqwest::Client,
    _database: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(TestDatabase::sqlite()).await
}

pub async fn spawn_app_on(database: TestDatabase) -> TestApp {
    let prompts = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/prompts");
    spawn_app_serving_prompts(database, prompts.into()).await
}

/// A server whose recorded prompts live in `prompts_dir`: a test that uploads one gives it a
/// folder of its own.
pub async fn spawn_app_serving_prompts(
    database: TestDatabase,
    prompts_dir: std::path::PathBuf,
) -> TestApp {
    let store = database.open().await;
    let data_key = DataKey::from_hex(&DataKey::generate_hex()).expect("a key");
    let secrets = Secrets {
        data_key: data_key.clone(),
        auth_tokens: vec![AUTH_TOKEN.to_owned()],
        made_own_signing_token: false,
    };
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let state = AppState {
        store: store.clone(),
        secrets: Arc::new(secrets),
        public_url: Some(Arc::new(url::Url::parse(PUBLIC_URL).expect("a URL"))),
        metrics: Arc::new(Metrics::default()),
        clock: clock.clone(),
        prompts_dir: prompts_dir.as_path().into(),
        reminders: Arc::default(),
        schedule: Arc::default(),
        trusted_proxies: web::client_address::TrustedProxies::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = format!("http://{}", listener.local_addr().expect("bound"));
    // As `hotline serve` does: sign-in throttling counts failures by the peer's address.
    let app = web::app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    TestApp {
        address,
        store,
        data_key,
        clock,
        state,
        client: reqwest::Client::new(),
        _database: database,
    }
}

pub fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// What Twilio posts when a call comes in.
pub fn incoming_call(call_sid: &str) -> Vec<(String, String)> {
    params(&[
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", call_sid),
        ("CallStatus", "ringing"),
        ("Called", HOTLINE_NUMBER),
        ("Caller", CALLER),
        ("Direction", "inbound"),
        ("From", CALLER),
        ("FromCountry", "KZ"),
        ("To", HOTLINE_NUMBER),
        ("ToCountry", "KZ"),
    ])
}

impl TestApp {
    /// Posts `params` to `path_and_query`, signed by Twilio's Python library over the public URL.
    pub async fn post_signed(
        &self,
        path_and_query: &str,
        params: &[(String, String)],
    ) -> reqwest::Response {
        let signature = TwilioSigner::shared().sign(
            AUTH_TOKEN,
            &format!("{PUBLIC_URL}{path_and_query}"),
            params,
        );
        self.post_with_signature(path_and_query, params, Some(&signature))
            .await
    }

    pub async fn post_with_signature(
        &self,
        path_and_query: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> reqwest::Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let mut request = self
            .client
            .post(format!("{}{path_and_query}", self.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-twilio-signature", signature);
        }
        request.send().await.expect("the server answers")
    }

    /// The SQLite file behind this app.
    pub fn database_path(&self) -> String {
        self._database
            .url
            .trim_start_matches("sqlite://")
            .to_owned()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the server answers")
    }

    /// Puts a person on duty for `service` (as primary) from an hour ago to an hour from now.
    pub async fn on_duty_now(&self, name: &str, phone: &str, service: Service) -> i64 {
        self.on_duty_at(name, phone, service, 0).await
    }

    /// Puts a person at `position` (0 primary, 1 backup) from an hour ago to an hour from now.
    pub async fn on_duty_at(&self, name: &str, phone: &str, service: Service, position: u8) -> i64 {
        let staff_id = self.add_staff(name, phone, vec![service], false).await;
        let now = self.clock.now();
        let hour = chrono::Duration::hours(1);
        let shift = ShiftSpec {
            staff_id,
            service,
            position,
            starts_at: now - hour,
            ends_at: now + hour,
        };
        // In force since a minute ago, so it already applies to a call placed now.
        let rule = shift.to_rule(now - chrono::Duration::minutes(1));
        self.store
            .create_rules(&[rule], &audit())
            .await
            .expect("shift added");
        staff_id
    }

    pub async fn add_staff(
        &self,
        name: &str,
        phone: &str,
        services: Vec<Service>,
        coordinator: bool,
    ) -> i64 {
        let staff = NewStaff {
            name: name.to_owned(),
            phone: PhoneNumber::parse(phone).expect("valid"),
            services,
            languages: vec![Language::Kk, Language::Ru],
            gender: Some(Gender::Female),
            is_coordinator: coordinator,
            active: true,
        };
        self.store
            .upsert_staff(&staff, &audit())
            .await
            .expect("staff added")
    }
}

/// An audit entry for changes the tests make directly in the store.
pub fn audit() -> AuditEntry {
    AuditEntry {
        at: chrono::Utc::now(),
        actor: "test".to_owned(),
        action: "setup".to_owned(),
        subject: String::new(),
        before: None,
        after: None,
    }
}
