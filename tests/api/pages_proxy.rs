//! Sign-in throttling behind a proxy: with the proxy trusted (`HOTLINE_TRUSTED_PROXIES`), the
//! failures are counted by the client it names in `Fly-Client-IP`, so one guesser does not lock
//! out everyone behind the same proxy; from an untrusted peer the header is ignored, so a guesser
//! cannot dodge the lock by writing a new address into each request.

use hotline::store::{PageLanguage, Role};
use hotline::web::{self, AppState, client_address::TrustedProxies};

use crate::helpers::spawn_app;
use crate::pages_browser::{PASSWORD, add_user};

/// A browser that says which client it is, as a proxy in front would.
struct Behind {
    client: reqwest::Client,
    address: String,
    csrf: String,
}

impl Behind {
    async fn new(address: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let page = client
            .get(format!("{address}/sign-in"))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("a body");
        let marker = "name=\"csrf\" value=\"";
        let start = page.find(marker).expect("a form") + marker.len();
        let csrf = page[start..start + 64].to_owned();
        Behind {
            client,
            address: address.to_owned(),
            csrf,
        }
    }

    /// Signs in as `login`, the request saying it comes from `client_ip`; the status.
    async fn sign_in(&self, client_ip: &str, login: &str, password: &str) -> u16 {
        self.client
            .post(format!("{}/sign-in", self.address))
            .header("fly-client-ip", client_ip)
            .form(&[
                ("csrf", self.csrf.as_str()),
                ("login", login),
                ("password", password),
            ])
            .send()
            .await
            .expect("answered")
            .status()
            .as_u16()
    }
}

/// Five wrong passwords from `client_ip`, each for another login (so no login is locked).
async fn five_guesses(browser: &Behind, client_ip: impl Fn(usize) -> String) {
    for guess in 0..5 {
        let status = browser
            .sign_in(&client_ip(guess), &format!("guess{guess}"), "a guess")
            .await;
        assert_eq!(status, 401);
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_by_the_client_it_names() {
    let app = spawn_app().await;
    add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    // The same hotline as `app`, served as behind a proxy on this loopback address.
    let state = AppState {
        trusted_proxies: TrustedProxies::parse("127.0.0.1").expect("parsed"),
        ..app.state.clone()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = format!("http://{}", listener.local_addr().expect("bound"));
    let proxied = web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, proxied).await });

    let browser = Behind::new(&address).await;
    five_guesses(&browser, |_| "198.51.100.1".to_owned()).await;
    assert_eq!(
        browser.sign_in("198.51.100.1", "dinara", PASSWORD).await,
        429,
        "the guesser's address is locked"
    );
    assert_eq!(
        browser.sign_in("198.51.100.2", "dinara", PASSWORD).await,
        303,
        "someone else behind the same proxy is not"
    );
}

#[tokio::test]
async fn from_an_untrusted_peer_a_client_address_header_is_ignored() {
    let app = spawn_app().await;
    add_user(&app, "dinara", Role::Coordinator, None, PageLanguage::Ru).await;
    let browser = Behind::new(&app.address).await;
    five_guesses(&browser, |guess| format!("198.51.100.{guess}")).await;
    assert_eq!(
        browser.sign_in("203.0.113.77", "dinara", PASSWORD).await,
        429,
        "counted by the connection's own address, whatever the header says"
    );
}
