//! Passwords as argon2id hashes (PHC strings). Hashing is deliberately slow: callers run it off
//! the async threads (`spawn_blocking`).

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

/// The shortest password accepted.
pub const SHORTEST: usize = 10;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches `hash`; with no hash (an unknown login, or a user who has not
/// set her password yet) the same work is done against a stand-in, so the time taken does not
/// tell which logins exist.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    static STAND_IN: LazyLock<String> =
        LazyLock::new(|| self::hash("no such user, no such password").unwrap_or_default());
    let parsed = hash.and_then(|hash| PasswordHash::new(hash).ok());
    let known = parsed.is_some();
    let Some(parsed) = parsed.or_else(|| PasswordHash::new(STAND_IN.as_str()).ok()) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    known && matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_its_own_hash_only() {
        let hashed = hash("correct horse battery").expect("hashed");
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&hashed)));
        assert!(!verify("correct horse battery!", Some(&hashed)));
        assert!(!verify("no such user, no such password", None));
        assert!(!verify("", Some("")), "no password yet matches nothing");
    }
}
