//! Webhook signatures: whatever Twilio's own Python library signs, the server accepts; anything
//! else is refused with 403 before it is read.

use hotline::telephony::signature::{self, Algorithm, SignedRequest};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::helpers::{AUTH_TOKEN, PUBLIC_URL, params, spawn_app};
use crate::signer::TwilioSigner;

/// Letters Twilio relays from Kazakh and Russian speakers, and the characters that break naive
/// form encoding.
const ALPHABET: &[&str] = &[
    "a", "Z", "0", "9", " ", "+", "&", "=", "%", "?", "/", ".", "ә", "ғ", "қ", "ң", "ө", "ұ", "ү",
    "һ", "і", "Ж", "щ", "Ё", "🙂", "\u{00a0}",
];
const NAMES: &[&str] = &[
    "Body",
    "From",
    "To",
    "Digits",
    "MediaUrl0",
    "ProfileName",
    "Атауы",
    "x",
    "SpeechResult",
];

fn text(rng: &mut StdRng, max_len: usize) -> String {
    let len = rng.random_range(0..=max_len);
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

/// A request as Twilio might send it: repeated names, empty values, a query string or not.
fn random_request(rng: &mut StdRng) -> (String, Vec<(String, String)>) {
    let mut url = format!("{PUBLIC_URL}/webhooks/voice/status");
    if rng.random_bool(0.5) {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("attempt", &rng.random_range(0..5).to_string())
            .append_pair("note", &text(rng, 6))
            .finish();
        url = format!("{url}?{query}");
    }
    let mut pairs = params(&[
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "in-progress"),
    ]);
    for _ in 0..rng.random_range(0..8) {
        let name = NAMES[rng.random_range(0..NAMES.len())];
        pairs.push((name.to_owned(), text(rng, 12)));
    }
    (url, pairs)
}

#[test]
fn our_signatures_equal_twilios_over_many_generated_requests() {
    let mut rng = StdRng::seed_from_u64(20261124);
    let signer = TwilioSigner::shared();
    for _ in 0..400 {
        let (url, pairs) = random_request(&mut rng);
        let theirs = signer.sign(AUTH_TOKEN, &url, &pairs);
        assert_eq!(
            signature::compute(AUTH_TOKEN, &url, &pairs, Algorithm::HmacSha1),
            theirs,
            "{url} {pairs:?}"
        );
        let request = SignedRequest {
            url: &url,
            params: &pairs,
            body: b"",
            signature: &theirs,
            algorithm: Algorithm::HmacSha1,
        };
        assert!(signature::is_valid(&[AUTH_TOKEN], &request));
        let sha256 = signer.sign_with(AUTH_TOKEN, &url, &pairs, Some("HMAC_SHA256"));
        assert_eq!(
            signature::compute(AUTH_TOKEN, &url, &pairs, Algorithm::HmacSha256),
            sha256
        );
    }
}

#[tokio::test]
async fn requests_signed_by_twilios_library_are_accepted_over_http() {
    let app = spawn_app().await;
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..60 {
        let (url, pairs) = random_request(&mut rng);
        let path = url.strip_prefix(PUBLIC_URL).expect("our URL");
        let response = app.post_signed(path, &pairs).await;
        assert_eq!(response.status(), 204, "{url} {pairs:?}");
    }
}

#[tokio::test]
async fn a_changed_value_a_missing_or_forged_signature_or_another_token_is_refused() {
    let app = spawn_app().await;
    let pairs = params(&[
        ("CallSid", "CA01"),
        ("CallStatus", "completed"),
        ("Body", "Сәлем, көмек керек"),
    ]);
    let path = "/webhooks/voice/status";
    let good = TwilioSigner::shared().sign(AUTH_TOKEN, &format!("{PUBLIC_URL}{path}"), &pairs);

    let mut changed = pairs.clone();
    changed[2].1.push('!');
    assert_eq!(
        app.post_with_signature(path, &changed, Some(&good))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.post_with_signature(path, &pairs, None).await.status(),
        403
    );
    assert_eq!(
        app.post_with_signature(path, &pairs, Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ="))
            .await
            .status(),
        403
    );
    let other_token =
        TwilioSigner::shared().sign("another-token", &format!("{PUBLIC_URL}{path}"), &pairs);
    assert_eq!(
        app.post_with_signature(path, &pairs, Some(&other_token))
            .await
            .status(),
        403
    );
    // Signed over the socket's own address rather than the public URL Twilio was given.
    let socket_url =
        TwilioSigner::shared().sign(AUTH_TOKEN, &format!("{}{path}", app.address), &pairs);
    assert_eq!(
        app.post_with_signature(path, &pairs, Some(&socket_url))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.post_with_signature(path, &pairs, Some(&good))
            .await
            .status(),
        204
    );

    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("hotline_webhooks_refused_total{reason=\"signature\"} 5"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let pairs = params(&[("CallSid", "CA01"), ("Body", &"я".repeat(40_000))]);
    let response = app.post_signed("/webhooks/voice/status", &pairs).await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_signed_request_missing_what_it_needs_gets_a_clear_400() {
    let app = spawn_app().await;
    let response = app
        .post_signed("/webhooks/voice/status", &params(&[("CallSid", "CA01")]))
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.text().await.expect("text"),
        "the request lacks CallStatus"
    );
}
