//! Any request as Twilio would send it: the signature check never panics, whatever the URL, form
//! parameters, tokens, body and `X-Twilio-Signature` header. And for those same inputs, the
//! signature our own signer computes is accepted (with either token of a rotation), while the
//! same signature with any one byte changed is refused; a URL signed with its default port
//! written out is accepted when called without it, and the other way round.
//!
//! An input is read as text, so the seeds in `fuzz/corpus/signature` are requests one can read:
//! the URL Twilio called, the auth token, the previous token (a rotation), the
//! `X-Twilio-Signature` header, the `X-Twilio-Webhooks-Signature-Settings` header, one a line,
//! then the form body. Bytes that are not UTF-8 are read as U+FFFD.
#![no_main]

use hotline::telephony::signature::{self, Algorithm, SignedRequest};
use hotline::web::webhook::form_params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(6, '\n');
    let mut line = || lines.next().unwrap_or_default();
    let (url, token, previous_token, header, settings) = (line(), line(), line(), line(), line());
    let body = line().as_bytes();
    let params = form_params(body);
    let settings = (!settings.is_empty()).then_some(settings);
    let Some(algorithm) = Algorithm::from_settings_header(settings) else {
        return;
    };
    let tokens = [previous_token, token];
    let accepts = |tokens: &[&str], signature: &str| {
        let request = SignedRequest {
            url,
            params: &params,
            body,
            signature,
            algorithm,
        };
        signature::is_valid(tokens, &request)
    };
    // The header as sent: accepted or not, but never a panic.
    let _ = accepts(&tokens, header);

    // A URL that does not parse is refused whatever its signature; one carrying `bodySHA256`
    // is checked by its body's hash instead of its parameters.
    let Ok(parsed) = url::Url::parse(url) else {
        assert!(!accepts(&tokens, header));
        return;
    };
    if parsed.query_pairs().any(|(name, _)| name == "bodySHA256") {
        return;
    }
    let signed = signature::compute(token, url, &params, algorithm);
    assert!(accepts(&tokens, &signed), "our own signature refused");
    assert!(accepts(&[token], &signed));

    // Twilio may sign a URL with the scheme's default port written out and call it without, or
    // the other way round: a URL as written canonically is accepted signed either way.
    if let (Some(port), None, true) = (
        parsed.port_or_known_default(),
        parsed.port(),
        parsed.as_str() == url && parsed.has_host(),
    ) {
        let with_port = format!(
            "{}:{port}{}",
            &parsed[..url::Position::AfterHost],
            &parsed[url::Position::BeforePath..]
        );
        let signed_with_port = signature::compute(token, &with_port, &params, algorithm);
        assert!(
            accepts(&tokens, &signed_with_port),
            "signed for {with_port}"
        );
        let called_with_port = SignedRequest {
            url: &with_port,
            params: &params,
            body,
            signature: &signed,
            algorithm,
        };
        assert!(
            signature::is_valid(&tokens, &called_with_port),
            "called as {with_port}"
        );
    }

    // Flip bits below 0x80 so the header stays ASCII text; any changed byte must be refused.
    let seed = data
        .iter()
        .fold(0usize, |seed, &b| seed.rotate_left(5) ^ usize::from(b));
    let mask = (seed as u8 & 0x7f).max(1);
    let mut bytes = signed.into_bytes();
    let at = seed % bytes.len();
    bytes[at] ^= mask;
    let flipped = String::from_utf8(bytes).expect("ASCII with a low bit flipped is ASCII");
    assert!(
        !accepts(&tokens, &flipped),
        "a signature with byte {at} changed was accepted"
    );
});
