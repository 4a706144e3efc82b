//! Twilio's request signature (`X-Twilio-Signature`): an HMAC over the URL Twilio called and the
//! POST parameters, sorted. Checked before a webhook is read; compared in constant time. Never
//! logs a token or a body.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Which HMAC a request was signed with: SHA-1 with the auth token unless Twilio announces
/// otherwise in `X-Twilio-Webhooks-Signature-Settings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    HmacSha1,
    HmacSha256,
}

impl Algorithm {
    /// Reads `key=…,algorithm=HMAC_SHA256`; a missing header or algorithm means HMAC-SHA1.
    /// An algorithm we do not know gives `None`, and the request is refused.
    pub fn from_settings_header(header: Option<&str>) -> Option<Self> {
        let named = header
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| part.split_once('='))
            .find(|(name, value)| name.trim() == "algorithm" && !value.trim().is_empty())
            .map(|(_, value)| value.trim().to_ascii_uppercase());
        match named.as_deref() {
            None | Some("HMAC_SHA1") => Some(Self::HmacSha1),
            Some("HMAC_SHA256") => Some(Self::HmacSha256),
            Some(_) => None,
        }
    }
}

/// The signature Twilio computes: base64(HMAC(token, url ‖ each name ‖ value)), names sorted,
/// each name's distinct values sorted, as Twilio's own helper libraries do.
pub fn compute(
    token: &str,
    url: &str,
    params: &[(String, String)],
    algorithm: Algorithm,
) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // Byte order of UTF-8 is code point order, which is how Python sorts the names.
    pairs.sort_unstable();
    pairs.dedup();
    let mut text = String::from(url);
    for (name, value) in pairs {
        text.push_str(name);
        text.push_str(value);
    }
    let digest = match algorithm {
        Algorithm::HmacSha1 => mac::<Hmac<Sha1>>(token, &text),
        Algorithm::HmacSha256 => mac::<Hmac<Sha256>>(token, &text),
    };
    base64::engine::general_purpose::STANDARD.encode(digest)
}

fn mac<M: Mac + hmac::digest::KeyInit>(token: &str, text: &str) -> Vec<u8> {
    let mut mac = <M as Mac>::new_from_slice(token.as_bytes()).expect("HMAC takes any key length");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// What a webhook request carries that its signature covers.
#[derive(Debug)]
pub struct SignedRequest<'a> {
    /// The full public URL Twilio called, query included.
    pub url: &'a str,
    /// The form parameters, repeated names kept; empty for a JSON body.
    pub params: &'a [(String, String)],
    /// The raw body, for the `bodySHA256` variant that Twilio uses with JSON bodies.
    pub body: &'a [u8],
    pub signature: &'a str,
    pub algorithm: Algorithm,
}

/// Whether any of `tokens` (the current one and, during a rotation, the previous one) signed the
/// request. Twilio is inconsistent about the default port in the URL, so both forms are tried.
pub fn is_valid(tokens: &[&str], request: &SignedRequest<'_>) -> bool {
    let Ok(parsed) = url::Url::parse(request.url) else {
        return false;
    };
    let body_hash = parsed
        .query_pairs()
        .find(|(name, _)| name == "bodySHA256")
        .map(|(_, v)| v.into_owned());
    let params: &[(String, String)] = match &body_hash {
        Some(expected) => {
            let actual = hex::encode(Sha256::digest(request.body));
            if !bool::from(actual.as_bytes().ct_eq(expected.as_bytes())) {
                return false;
            }
            &[]
        }
        None => request.params,
    };
    let urls = url_variants(request.url, &parsed);
    let mut valid = false;
    for token in tokens {
        for url in &urls {
            let expected = compute(token, url, params, request.algorithm);
            // Fold every comparison in, so timing does not tell which token or URL matched.
            valid |= bool::from(expected.as_bytes().ct_eq(request.signature.as_bytes()));
        }
    }
    valid
}

/// The URL as called, without its port, and with the scheme's default port written out.
fn url_variants(original: &str, parsed: &url::Url) -> Vec<String> {
    let mut variants = vec![original.to_owned()];
    let host = parsed.host_str().unwrap_or_default();
    let default_port = parsed.port_or_known_default();
    let authority = |port: Option<u16>| match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let explicit = parsed.port();
    let prefix = format!("{}://", parsed.scheme());
    let Some(after_scheme) = original.strip_prefix(&prefix) else {
        return variants;
    };
    let rest = after_scheme
        .find(['/', '?'])
        .map_or("", |at| &after_scheme[at..]);
    let userinfo = after_scheme
        .split_once('@')
        .filter(|(u, _)| !u.contains('/'))
        .map(|(u, _)| format!("{u}@"));
    let userinfo = userinfo.unwrap_or_default();
    let without = format!("{prefix}{userinfo}{}{rest}", authority(None));
    let with = format!(
        "{prefix}{userinfo}{}{rest}",
        authority(explicit.or(default_port))
    );
    for variant in [without, with] {
        if !variants.contains(&variant) {
            variants.push(variant);
        }
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The vector Twilio publishes with its helper libraries.
    #[test]
    fn matches_twilios_published_vector() {
        let params = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            compute("12345", url, &params, Algorithm::HmacSha1),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        let request = SignedRequest {
            url,
            params: &params,
            body: b"",
            signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
            algorithm: Algorithm::HmacSha1,
        };
        assert!(is_valid(&["12345"], &request));
        assert!(
            is_valid(&["old-token", "12345"], &request),
            "the second token is accepted during rotation"
        );
        assert!(!is_valid(&["54321"], &request));
    }

    #[test]
    fn a_url_signed_with_or_without_its_default_port_is_accepted() {
        let params = params(&[("CallSid", "CA1")]);
        for (signed, called) in [
            (
                "https://example.org:443/webhooks/voice",
                "https://example.org/webhooks/voice",
            ),
            (
                "https://example.org/webhooks/voice",
                "https://example.org:443/webhooks/voice",
            ),
            (
                "http://example.org:80/webhooks/voice?x=1",
                "http://example.org/webhooks/voice?x=1",
            ),
        ] {
            let signature = compute("token", signed, &params, Algorithm::HmacSha1);
            let request = SignedRequest {
                url: called,
                params: &params,
                body: b"",
                signature: &signature,
                algorithm: Algorithm::HmacSha1,
            };
            assert!(
                is_valid(&["token"], &request),
                "{signed} called as {called}"
            );
        }
    }

    #[test]
    fn the_settings_header_names_the_algorithm() {
        assert_eq!(
            Algorithm::from_settings_header(None),
            Some(Algorithm::HmacSha1)
        );
        assert_eq!(
            Algorithm::from_settings_header(Some("key=k1,algorithm=HMAC_SHA256")),
            Some(Algorithm::HmacSha256)
        );
        assert_eq!(
            Algorithm::from_settings_header(Some("key=k1")),
            Some(Algorithm::HmacSha1)
        );
        assert_eq!(
            Algorithm::from_settings_header(Some("algorithm=ROT13")),
            None
        );
    }

    #[test]
    fn a_json_body_is_checked_by_its_hash() {
        let body = br#"{"CallSid":"CA1"}"#;
        let url = format!(
            "https://example.org/hook?bodySHA256={}",
            hex::encode(Sha256::digest(body))
        );
        let signature = compute("token", &url, &[], Algorithm::HmacSha1);
        let request = |body: &'static [u8]| SignedRequest {
            url: &url,
            params: &[],
            body,
            signature: &signature,
            algorithm: Algorithm::HmacSha1,
        };
        assert!(is_valid(&["token"], &request(body)));
        assert!(!is_valid(&["token"], &request(br#"{"CallSid":"CA2"}"#)));
    }
}
