//! A browser for the coordinator's pages, as a phone would be: a cookie jar, forms posted with
//! the hidden token the page gave, redirects seen rather than followed. And the people and
//! contacts the page tests sign in as and look at.

use std::sync::Arc;

use hotline::store::{CallOutcome, NewCall, NewFollowUp, NewUser, PageLanguage, Role};
use hotline::web::pages::hash_password;
use hotline_schedules::Service;
use reqwest::cookie::CookieStore;

use crate::helpers::{CALLER, HOTLINE_NUMBER, TestApp};

pub const PASSWORD: &str = "seven horses at dawn";

pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    address: String,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The hidden `csrf` field of the page's first form.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("the page has a form") + marker.len();
        let end = self.body[start..].find('"').expect("a closed value");
        self.body[start..start + end].to_owned()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Browser {
            client,
            jar,
            address: app.address.clone(),
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        Page {
            status,
            location,
            headers,
            body: response.text().await.expect("a body"),
        }
    }

    /// Where the server listens, for a request the helpers here do not make.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the server answers");
        Self::read(response).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .form(form)
            .send()
            .await
            .expect("the server answers");
        Self::read(response).await
    }

    /// Opens the sign-in page and signs in with its form.
    pub async fn sign_in(&self, login: &str, password: &str) -> Page {
        let csrf = self.get("/sign-in").await.csrf();
        self.post(
            "/sign-in",
            &[("csrf", &csrf), ("login", login), ("password", password)],
        )
        .await
    }

    /// The session token this browser holds, if any.
    pub fn session(&self) -> Option<String> {
        let url = url::Url::parse(&self.address).expect("a URL");
        let cookies = self.jar.cookies(&url)?;
        cookies
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == "hotline_session")
            .map(|(_, value)| value.to_owned())
    }

    /// Sends this cookie from now on, as a browser given one by someone else would.
    pub fn plant_session(&self, token: &str) {
        let url = url::Url::parse(&self.address).expect("a URL");
        self.jar
            .add_cookie_str(&format!("hotline_session={token}; Path=/"), &url);
    }
}

pub async fn add_user(
    app: &TestApp,
    login: &str,
    role: Role,
    staff_id: Option<i64>,
    language: PageLanguage,
) -> i64 {
    let user = NewUser {
        name: format!("{login} (name)"),
        login: login.to_owned(),
        password_hash: hash_password(PASSWORD).expect("hashed"),
        role,
        staff_id,
        language,
        created_at: app.clock_now(),
    };
    app.store
        .create_user(&user)
        .await
        .expect("added")
        .expect("a new login")
}

/// A coordinator, signed in.
pub async fn coordinator(app: &TestApp) -> Browser {
    add_user(app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Browser::new(app);
    assert_eq!(browser.sign_in("dinara", PASSWORD).await.status, 303);
    browser
}

/// A call from `CALLER` that opened a follow-up for `service`, `minutes` ago; its id.
pub async fn follow_up(app: &TestApp, sid: &str, service: Option<Service>, minutes: i64) -> i64 {
    let at = app.clock_now() - chrono::Duration::minutes(minutes);
    let call = app
        .store
        .record_call(&NewCall {
            call_sid: sid.to_owned(),
            line_number: HOTLINE_NUMBER.to_owned(),
            caller_sealed: app.data_key.seal(CALLER),
            caller_hash: app.data_key.hash(CALLER),
            status: "completed".to_owned(),
            started_at: at,
        })
        .await
        .expect("recorded");
    app.store
        .open_follow_up(&NewFollowUp {
            call_id: call.id,
            kind: CallOutcome::Voicemail,
            service,
            line_number: HOTLINE_NUMBER.to_owned(),
            created_at: at,
        })
        .await
        .expect("opened")
        .expect("a new follow-up")
}

impl TestApp {
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use hotline::clock::Clock;
        self.clock.now()
    }
}
