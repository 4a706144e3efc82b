//! The short code a conversation goes by in texts to staff (`K7Q`): three characters from an
//! alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), at least one of them a digit so
//! that no word is ever taken for a code, easy to read on a small screen and to type back. Which codes are free is the store's to say; here a code is drawn and read.

use std::fmt;

/// Letters and digits that cannot be mistaken for one another.
pub const ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
pub const LENGTH: usize = 3;
const DIGITS: &[u8] = b"34679";

/// How long a closed conversation's code stays out of use: a late reply or a delayed text may
/// still name it, and must not reach someone else's conversation.
pub const QUARANTINE_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code(String);

impl Code {
    /// The code drawn from `seed` (a random number the caller supplies).
    pub fn from_seed(seed: u64) -> Self {
        let base = ALPHABET.len() as u64;
        let mut rest = seed;
        let mut text = String::with_capacity(LENGTH);
        for _ in 0..LENGTH {
            text.push(char::from(ALPHABET[(rest % base) as usize]));
            rest /= base;
        }
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            let at = (rest % LENGTH as u64) as usize;
            let digit = char::from(DIGITS[(rest / LENGTH as u64 % DIGITS.len() as u64) as usize]);
            text.replace_range(at..=at, digit.encode_utf8(&mut [0; 4]));
        }
        Code(text)
    }

    /// A code as a person types it: any case, around spaces; `None` if it cannot be one.
    pub fn parse(text: &str) -> Option<Self> {
        let upper = text.trim().to_uppercase();
        let valid = upper.len() == LENGTH
            && upper.bytes().all(|b| ALPHABET.contains(&b))
            && upper.bytes().any(|b| b.is_ascii_digit());
        valid.then_some(Code(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_code_reads_back_as_itself() {
        for seed in [0, 1, 24, 25, 15_624, 987_654_321, u64::MAX] {
            let code = Code::from_seed(seed);
            assert_eq!(code.as_str().len(), LENGTH);
            assert_eq!(Code::parse(code.as_str()), Some(code.clone()));
            assert_eq!(Code::parse(&code.as_str().to_lowercase()), Some(code));
        }
    }

    #[test]
    fn look_alikes_and_wrong_lengths_are_not_codes() {
        for text in [
            "K0Q", "KIQ", "K1Q", "KOQ", "K7", "K7QQ", "", "К7Q", "HEY", "CAT",
        ] {
            assert_eq!(Code::parse(text), None, "{text}");
        }
    }

    #[test]
    fn different_seeds_spread_over_the_codes() {
        // Seeds are random numbers; these stand in for a thousand of them.
        let codes: std::collections::HashSet<Code> = (1..=1000u64)
            .map(|i| Code::from_seed(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            .collect();
        assert!(codes.len() > 900, "{}", codes.len());
    }
}
