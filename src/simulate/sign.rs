//! Signing the simulator's requests as Twilio signs its webhooks, with our own implementation or
//! (in tests) Twilio's own library behind the same trait; and finding the token a local server
//! made for itself.

use std::path::Path;

use crate::telephony::signature::{self, Algorithm};

/// Computes `X-Twilio-Signature` for a request to `url` (query included) with form `params`.
pub trait Signer: Send + Sync {
    fn sign(&self, url: &str, params: &[(String, String)]) -> String;
}

/// Signs with an auth token, HMAC-SHA1, as Twilio does by default.
pub struct TokenSigner(pub String);

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never in a log or a panic message.
        f.write_str("TokenSigner(…)")
    }
}

impl Signer for TokenSigner {
    fn sign(&self, url: &str, params: &[(String, String)]) -> String {
        signature::compute(&self.0, url, params, Algorithm::HmacSha1)
    }
}

#[derive(serde::Deserialize)]
struct SecretsFile {
    signing_token: String,
}

/// The `signing_token` that `hotline serve` keeps in its secrets file.
pub fn signing_token_from_file(path: &Path) -> anyhow::Result<String> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading the signing token from {}: start `hotline serve` in this directory first, \
             or pass --secrets-file, or --auth-token (TWILIO_AUTH_TOKEN)",
            path.display()
        )
    })?;
    let file: SecretsFile = toml::from_str(&text)
        .with_context(|| format!("{} has no signing_token", path.display()))?;
    Ok(file.signing_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_signer_matches_twilios_published_vector() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let signer = TokenSigner("12345".to_owned());
        assert_eq!(
            signer.sign("https://mycompany.com/myapp.php?foo=1&bar=2", &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert_eq!(format!("{signer:?}"), "TokenSigner(…)");
    }

    #[test]
    fn the_token_is_read_from_the_servers_secrets_file() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("hotline.secrets");
        std::fs::write(
            &path,
            "# Made by hotline\ndata_key = \"00\"\nsigning_token = \"abc123\"\n",
        )?;
        assert_eq!(signing_token_from_file(&path)?, "abc123");
        let missing = signing_token_from_file(&dir.path().join("nope"));
        assert!(missing.is_err_and(|e| e.to_string().contains("hotline serve")));
        Ok(())
    }
}
