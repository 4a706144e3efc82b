//! The secrets a server needs (the data key, the webhook signing token): from the environment,
//! or made on first start and kept in a file only the server's user can read.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rand::RngCore;

use crate::config::SecretArgs;
use crate::crypto::DataKey;

#[derive(Debug, Clone)]
pub struct Secrets {
    pub data_key: DataKey,
    /// The tokens a webhook may be signed with: current first, then the one being rotated out.
    pub auth_tokens: Vec<String>,
    /// True when the signing token was made by the server (no Twilio account configured).
    pub made_own_signing_token: bool,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct SecretsFile {
    data_key: String,
    signing_token: String,
}

impl Secrets {
    pub fn load(args: &SecretArgs) -> anyhow::Result<Self> {
        let kept = if args.secret_key.is_some() && args.twilio_auth_token.is_some() {
            None
        } else {
            Some(load_or_create(&args.secrets_file)?)
        };
        let data_key_hex = args
            .secret_key
            .clone()
            .or_else(|| kept.as_ref().map(|file| file.data_key.clone()))
            .context("no data key")?;
        let data_key = DataKey::from_hex(&data_key_hex).context("HOTLINE_SECRET_KEY")?;
        let made_own_signing_token = args.twilio_auth_token.is_none();
        let token = args
            .twilio_auth_token
            .clone()
            .or_else(|| kept.as_ref().map(|file| file.signing_token.clone()))
            .context("no signing token")?;
        let mut auth_tokens = vec![token];
        auth_tokens.extend(
            args.twilio_secondary_auth_token
                .clone()
                .filter(|t| !t.is_empty()),
        );
        Ok(Self {
            data_key,
            auth_tokens,
            made_own_signing_token,
        })
    }
}

fn load_or_create(path: &Path) -> anyhow::Result<SecretsFile> {
    if path.exists() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return toml::from_str(&text)
            .with_context(|| format!("{} is not a secrets file", path.display()));
    }
    let mut token = [0u8; 16];
    rand::rng().fill_bytes(&mut token);
    let file = SecretsFile {
        data_key: DataKey::generate_hex(),
        signing_token: hex::encode(token),
    };
    let text = format!(
        "# Made by hotline on first start. Losing data_key makes stored personal data unreadable.\n{}",
        toml::to_string(&file)?
    );
    write_private(path, &text).with_context(|| format!("writing {}", path.display()))?;
    Ok(file)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(dir: &Path) -> SecretArgs {
        SecretArgs {
            secret_key: None,
            secrets_file: dir.join("hotline.secrets"),
            twilio_auth_token: None,
            twilio_secondary_auth_token: None,
        }
    }

    #[test]
    fn secrets_made_on_first_start_are_kept_for_the_next() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Secrets::load(&args(dir.path())).expect("made");
        let second = Secrets::load(&args(dir.path())).expect("read back");
        assert!(first.made_own_signing_token);
        assert_eq!(first.auth_tokens, second.auth_tokens);
        assert_eq!(first.data_key.id_hex(), second.data_key.id_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("hotline.secrets"))
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "nobody but the server's user may read the secrets"
            );
        }
    }

    #[test]
    fn configured_secrets_win_and_the_secondary_token_is_accepted_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args = args(dir.path());
        args.secret_key = Some("11".repeat(32));
        args.twilio_auth_token = Some("current".into());
        args.twilio_secondary_auth_token = Some("previous".into());
        let secrets = Secrets::load(&args).expect("configured");
        assert_eq!(
            secrets.auth_tokens,
            vec!["current".to_owned(), "previous".to_owned()]
        );
        assert!(!secrets.made_own_signing_token);
        assert!(
            !dir.path().join("hotline.secrets").exists(),
            "nothing is written when nothing is missing"
        );
    }
}
