//! Any bytes as a webhook's form body: the parser the webhook gate uses never panics; what it
//! reads, written out again and read back, is the same pairs in the same order (so nothing a
//! signature covers is lost or invented between two readings); and a signature over those pairs
//! is accepted.
#![no_main]

use hotline::telephony::signature::{self, Algorithm, SignedRequest};
use hotline::web::webhook::form_params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let params = form_params(body);
    let written = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    assert_eq!(form_params(written.as_bytes()), params, "{written:?}");

    let url = "https://hotline.example.org/webhooks/messages";
    let signed = signature::compute("token", url, &params, Algorithm::HmacSha1);
    let request = SignedRequest {
        url,
        params: &params,
        body,
        signature: &signed,
        algorithm: Algorithm::HmacSha1,
    };
    assert!(signature::is_valid(&["token"], &request));
});
