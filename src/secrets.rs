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
    /// Keys rotated out by `hotline secrets rotate`, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    previous_data_keys: Vec<String>,
    /// Pinned at the first rotation: numbers are hashed with it for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash_key: Option<String>,
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
        let mut previous = args.previous_secret_keys.clone();
        if let Some(file) = &kept {
            previous.extend(file.previous_data_keys.iter().cloned());
        }
        previous.retain(|key| !key.trim().is_empty());
        let hash_key = args
            .hash_key
            .clone()
            .or_else(|| kept.as_ref().and_then(|file| file.hash_key.clone()));
        if !previous.is_empty() && hash_key.is_none() {
            anyhow::bail!(
                "previous keys are given but no hash key: numbers would stop matching their earlier contacts, consents and blocks; set HOTLINE_HASH_KEY (hotline secrets rotate prints it)"
            );
        }
        let data_key = DataKey::ring(&data_key_hex, &previous, hash_key.as_deref())
            .context("HOTLINE_SECRET_KEY, HOTLINE_PREVIOUS_SECRET_KEYS or HOTLINE_HASH_KEY")?;
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
        previous_data_keys: Vec::new(),
        hash_key: None,
    };
    let text = format!(
        "# Made by hotline on first start. Losing data_key makes stored personal data unreadable.\n{}",
        toml::to_string(&file)?
    );
    write_private(path, &text).with_context(|| format!("writing {}", path.display()))?;
    Ok(file)
}

/// What `rotate` did: the new key's id, and how many keys it still opens with.
#[derive(Debug)]
pub struct Rotated {
    pub key_id: String,
    pub previous: usize,
}

/// `hotline secrets rotate`: a new data key in the secrets file, the old one kept to open what
/// it sealed, and the hash key pinned. Only for a server whose keys live in the file; a server
/// configured by environment is told what to set instead (by the caller).
pub fn rotate(path: &Path) -> anyhow::Result<Rotated> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut file: SecretsFile = toml::from_str(&text)
        .with_context(|| format!("{} is not a secrets file", path.display()))?;
    let old = DataKey::ring(
        &file.data_key,
        &file.previous_data_keys,
        file.hash_key.as_deref(),
    )
    .context("the secrets file's keys")?;
    file.hash_key = Some(old.hash_key_hex());
    file.previous_data_keys.insert(0, file.data_key.clone());
    file.data_key = DataKey::generate_hex();
    let new = DataKey::from_hex(&file.data_key).context("a new key")?;
    let text = format!(
        "# Made by hotline. Losing data_key or a previous key makes what it sealed unreadable.\n{}",
        toml::to_string(&file)?
    );
    // Written beside, then moved into place: a crash leaves the old file whole.
    let next = path.with_extension("secrets.next");
    let _ = std::fs::remove_file(&next);
    write_private(&next, &text).with_context(|| format!("writing {}", next.display()))?;
    std::fs::rename(&next, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(Rotated {
        key_id: new.id_hex(),
        previous: file.previous_data_keys.len(),
    })
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
            previous_secret_keys: Vec::new(),
            hash_key: None,
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
    fn a_rotation_keeps_the_old_key_to_open_and_the_hash_pinned() {
        let dir = tempfile::tempdir().expect("temp dir");
        let before = Secrets::load(&args(dir.path())).expect("made");
        let sealed = before.data_key.seal("+77071234567");
        let rotated = rotate(&dir.path().join("hotline.secrets")).expect("rotated");
        assert_eq!(rotated.previous, 1);
        let after = Secrets::load(&args(dir.path())).expect("read back");
        assert_eq!(after.data_key.id_hex(), rotated.key_id);
        assert_ne!(after.data_key.id_hex(), before.data_key.id_hex());
        assert_eq!(after.data_key.open(&sealed), Ok("+77071234567".to_owned()));
        assert_eq!(
            after.data_key.hash("+77071234567"),
            before.data_key.hash("+77071234567")
        );
        assert_eq!(
            after.auth_tokens, before.auth_tokens,
            "the signing token stays"
        );
        rotate(&dir.path().join("hotline.secrets")).expect("again");
        let twice = Secrets::load(&args(dir.path())).expect("read back");
        assert_eq!(twice.data_key.open(&sealed), Ok("+77071234567".to_owned()));
        assert_eq!(twice.data_key.hash("+7"), before.data_key.hash("+7"));
    }

    #[test]
    fn previous_keys_without_a_hash_key_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args = args(dir.path());
        args.secret_key = Some("11".repeat(32));
        args.twilio_auth_token = Some("token".into());
        args.previous_secret_keys = vec!["22".repeat(32)];
        let refused = Secrets::load(&args).expect_err("refused");
        assert!(
            refused.to_string().contains("HOTLINE_HASH_KEY"),
            "{refused}"
        );
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
