//! Sealing personal values at rest (XChaCha20-Poly1305) and hashing phone numbers for matching
//! (HMAC-SHA256). A sealed value starts with the id of the key that sealed it, so keys can be
//! rotated while old values stay readable: a key ring seals with its current key and opens with
//! it or any previous one, until `hotline rekey` has sealed everything again with the current.
//! The hash key is pinned across rotations (numbers must keep matching the contacts, consents
//! and blocks kept under their hash). Never logs a value, sealed or not.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the secret key must be 32 bytes written as 64 hex digits")]
    BadKey,
    #[error("a sealed value was made with key {0}, which this server does not hold")]
    UnknownKey(String),
    #[error("a sealed value is damaged or was not sealed by this hotline")]
    Damaged,
}

/// The data key: seals and opens personal values, and hashes numbers for matching.
#[derive(Clone)]
pub struct DataKey {
    id: [u8; KEY_ID_LEN],
    cipher: XChaCha20Poly1305,
    hash_key: [u8; 32],
    /// Keys rotated out: they still open what they sealed.
    previous: Vec<([u8; KEY_ID_LEN], XChaCha20Poly1305)>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", hex::encode(self.id))
    }
}

impl DataKey {
    /// Reads a key written as 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(text.trim()).map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Self::from_bytes(&key))
    }

    /// A key ring: `current` seals; it and each of `previous` open; numbers are hashed with
    /// `hash_key` (64 hex digits, as `hash_key_hex` gave it) when pinned, else with `current`'s.
    pub fn ring(
        current: &str,
        previous: &[String],
        hash_key: Option<&str>,
    ) -> Result<Self, CryptoError> {
        let mut ring = Self::from_hex(current)?;
        for old in previous {
            let old = Self::from_hex(old)?;
            if old.id != ring.id {
                ring.previous.push((old.id, old.cipher));
            }
        }
        if let Some(hash_key) = hash_key {
            let bytes = hex::decode(hash_key.trim()).map_err(|_| CryptoError::BadKey)?;
            ring.hash_key = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        }
        Ok(ring)
    }

    /// The hash key, to be pinned when this key is rotated out.
    pub fn hash_key_hex(&self) -> String {
        hex::encode(self.hash_key)
    }

    /// Whether `sealed` was sealed with the current key (else `hotline rekey` seals it again).
    pub fn sealed_with_current(&self, sealed: &[u8]) -> bool {
        sealed.get(..KEY_ID_LEN) == Some(self.id.as_slice())
    }

    /// Whether this ring holds the key `sealed` was sealed with, so it can open it.
    pub fn holds_key_of(&self, sealed: &[u8]) -> bool {
        let id = sealed.get(..KEY_ID_LEN);
        id == Some(self.id.as_slice())
            || self
                .previous
                .iter()
                .any(|(old, _)| Some(old.as_slice()) == id)
    }

    /// The id of the key `sealed` was sealed with, in hex.
    pub fn key_id_of(sealed: &[u8]) -> Option<String> {
        sealed.get(..KEY_ID_LEN).map(hex::encode)
    }

    pub fn generate_hex() -> String {
        hex::encode(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    fn from_bytes(key: &[u8; 32]) -> Self {
        // Separate subkeys, so the hash of a number reveals nothing about the sealing key.
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let id_digest = Sha256::digest(derive(b"hotline key id"));
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&id_digest[..KEY_ID_LEN]);
        Self {
            id,
            cipher: XChaCha20Poly1305::new(&derive(b"hotline seal").into()),
            hash_key: derive(b"hotline number hash"),
            previous: Vec::new(),
        }
    }

    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// Encrypts `plain` with a fresh random nonce: key id ‖ nonce ‖ ciphertext and tag.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        self.seal_bytes(plain.as_bytes())
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open_bytes(sealed)?).map_err(|_| CryptoError::Damaged)
    }

    /// Encrypts bytes (a voicemail's audio) as `seal` encrypts text: the same key id scheme, so
    /// `hotline rekey` seals them again like any other value.
    pub fn seal_bytes(&self, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain)
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        [self.id.as_slice(), nonce.as_slice(), &sealed].concat()
    }

    /// Opens what `seal_bytes` (or `seal`) sealed, with the current key or a previous one.
    pub fn open_bytes(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < KEY_ID_LEN + NONCE_LEN {
            return Err(CryptoError::Damaged);
        }
        let (id, rest) = sealed.split_at(KEY_ID_LEN);
        let cipher = if id == self.id {
            &self.cipher
        } else {
            self.previous
                .iter()
                .find(|(old, _)| old.as_slice() == id)
                .map(|(_, cipher)| cipher)
                .ok_or_else(|| CryptoError::UnknownKey(hex::encode(id)))?
        };
        let (nonce, body) = rest.split_at(NONCE_LEN);
        cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| CryptoError::Damaged)
    }

    /// A keyed hash of a value (a phone number in E.164), stable for this key, to recognise a
    /// repeat contact without storing or comparing the number itself.
    pub fn hash(&self, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key)
            .expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::from_hex(&DataKey::generate_hex()).expect("a generated key is valid")
    }

    #[test]
    fn a_sealed_value_opens_to_itself_and_hides_it() {
        let key = key();
        let sealed = key.seal("+77011234567");
        assert_eq!(key.open(&sealed), Ok("+77011234567".to_owned()));
        assert!(!sealed.windows(5).any(|w| w == b"70112"));
        assert_ne!(
            key.seal("+77011234567"),
            sealed,
            "each seal uses a fresh nonce"
        );
    }

    #[test]
    fn another_key_or_a_flipped_bit_is_refused() {
        let (one, other) = (key(), key());
        let mut sealed = one.seal("Қайырлы күн");
        assert!(matches!(
            other.open(&sealed),
            Err(CryptoError::UnknownKey(_))
        ));
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(one.open(&sealed), Err(CryptoError::Damaged));
        assert_eq!(one.open(b"short"), Err(CryptoError::Damaged));
    }

    #[test]
    fn hashes_match_for_one_key_and_differ_between_keys() {
        let (one, other) = (key(), key());
        assert_eq!(one.hash("+77011234567"), one.hash("+77011234567"));
        assert_ne!(one.hash("+77011234567"), one.hash("+77011234568"));
        assert_ne!(one.hash("+77011234567"), other.hash("+77011234567"));
    }

    #[test]
    fn a_ring_seals_with_its_current_key_opens_with_any_and_keeps_its_pinned_hash() {
        let (old_hex, new_hex) = (DataKey::generate_hex(), DataKey::generate_hex());
        let old = DataKey::from_hex(&old_hex).expect("valid");
        let sealed_before = old.seal("+77071234567");
        let ring = DataKey::ring(
            &new_hex,
            std::slice::from_ref(&old_hex),
            Some(&old.hash_key_hex()),
        )
        .expect("a ring");
        assert_eq!(ring.open(&sealed_before), Ok("+77071234567".to_owned()));
        assert!(!ring.sealed_with_current(&sealed_before));
        let sealed_now = ring.seal("+77071234567");
        assert!(ring.sealed_with_current(&sealed_now));
        assert!(matches!(
            old.open(&sealed_now),
            Err(CryptoError::UnknownKey(_))
        ));
        assert_eq!(
            ring.hash("+77071234567"),
            old.hash("+77071234567"),
            "numbers still match"
        );
        // Once everything is sealed again, the old key may go; the pinned hash stays.
        let alone = DataKey::ring(&new_hex, &[], Some(&old.hash_key_hex())).expect("a ring");
        assert_eq!(alone.open(&sealed_now), Ok("+77071234567".to_owned()));
        assert!(matches!(
            alone.open(&sealed_before),
            Err(CryptoError::UnknownKey(_))
        ));
        assert_eq!(alone.hash("+77071234567"), old.hash("+77071234567"));
        assert_eq!(
            DataKey::ring(&new_hex, &[], Some("abcd")).map(|_| ()),
            Err(CryptoError::BadKey)
        );
    }

    #[test]
    fn bytes_seal_and_open_as_text_does_and_a_ring_opens_old_bytes() {
        let (old_hex, new_hex) = (DataKey::generate_hex(), DataKey::generate_hex());
        let old = DataKey::from_hex(&old_hex).expect("valid");
        let audio: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
        let sealed = old.seal_bytes(&audio);
        assert_eq!(old.open_bytes(&sealed), Ok(audio.clone()));
        assert!(!sealed.windows(64).any(|w| w == &audio[..64]));
        let ring = DataKey::ring(&new_hex, std::slice::from_ref(&old_hex), None).expect("a ring");
        assert_eq!(ring.open_bytes(&sealed), Ok(audio.clone()));
        assert!(!ring.sealed_with_current(&sealed));
        assert!(ring.sealed_with_current(&ring.seal_bytes(&audio)));
        // Text sealed as text opens as bytes and back: one scheme for both.
        assert_eq!(
            old.open_bytes(&old.seal("Сәлем")),
            Ok("Сәлем".as_bytes().to_vec())
        );
        assert_eq!(
            old.open(&old.seal_bytes("Сәлем".as_bytes())),
            Ok("Сәлем".to_owned())
        );
        let mut damaged = sealed;
        damaged[40] ^= 1;
        assert_eq!(old.open_bytes(&damaged), Err(CryptoError::Damaged));
    }

    #[test]
    fn a_key_must_be_64_hex_digits() {
        assert_eq!(
            DataKey::from_hex("abcd").map(|_| ()),
            Err(CryptoError::BadKey)
        );
        assert_eq!(
            DataKey::from_hex(&"zz".repeat(32)).map(|_| ()),
            Err(CryptoError::BadKey)
        );
    }
}
