//! Phone numbers in E.164 form, validated once at the edge so an invalid number cannot exist
//! inside the hotline. The full number is never shown in logs: use [`PhoneNumber::masked`].

use std::fmt;

/// A phone number in E.164 form: `+`, a country code and subscriber digits, 8 to 15 digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a phone number must start with + and the country code, like +77011234567")]
    MissingPlus,
    #[error("a phone number may hold only digits after the +")]
    NotDigits,
    #[error("a phone number has 8 to 15 digits after the +")]
    WrongLength,
    #[error("a country code never starts with 0")]
    LeadingZero,
}

impl PhoneNumber {
    /// Parses a number as staff or a provider write it: spaces, dashes, dots and brackets are
    /// dropped, because people copy numbers from contact cards in every format.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let text = text.trim();
        let digits = text.strip_prefix('+').ok_or(PhoneError::MissingPlus)?;
        let digits: String = digits
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(PhoneError::WrongLength);
        }
        if digits.starts_with('0') {
            return Err(PhoneError::LeadingZero);
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The number in E.164 form, for the provider and for encryption; never for a log line.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The number with all but the country code's first digit and the last two digits hidden,
    /// the only form fit for logs and screens: `+7••••••••69`.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let (first, rest) = digits.split_at(1);
        let tail = &rest[rest.len().saturating_sub(2)..];
        let hidden = "•".repeat(rest.len() - tail.len());
        format!("+{first}{hidden}{tail}")
    }

    /// The masked form grouped as people read numbers aloud, for pages: a Kazakh or Russian
    /// number (`+7` and ten digits) keeps the first digit of its operator code, which tells a
    /// Kazakh mobile from a Russian one, and the last two: `+7 7•• ••• •• 69`. Any other keeps,
    /// like [`PhoneNumber::masked`], only its first digit and last two, hidden digits in threes.
    pub fn masked_grouped(&self) -> String {
        let digits = &self.0[1..];
        let tail = &digits[digits.len() - 2..];
        if let Some(national) = digits.strip_prefix('7').filter(|n| n.len() == 10) {
            return format!("+7 {}•• ••• •• {tail}", &national[..1]);
        }
        let (first, rest) = digits.split_at(1);
        let hidden: Vec<String> = "•"
            .repeat(rest.len() - 2)
            .chars()
            .collect::<Vec<_>>()
            .chunks(3)
            .map(|chunk| chunk.iter().collect())
            .collect();
        format!("+{first} {} {tail}", hidden.join(" "))
    }
}

/// Debug shows the masked form, so a number in a struct that is logged with `{:?}` never leaks.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kazakh_numbers_written_in_the_usual_ways() {
        for text in [
            "+77011234567",
            "+7 701 123 45 67",
            "+7 (701) 123-45-67",
            " +7.701.123.45.67 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(text).map(|p| p.0),
                Ok("+77011234567".into()),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_e164() {
        assert_eq!(
            PhoneNumber::parse("87011234567"),
            Err(PhoneError::MissingPlus)
        );
        assert_eq!(
            PhoneNumber::parse("+7701abc4567"),
            Err(PhoneError::NotDigits)
        );
        assert_eq!(PhoneNumber::parse("+7701"), Err(PhoneError::WrongLength));
        assert_eq!(
            PhoneNumber::parse("+1234567890123456"),
            Err(PhoneError::WrongLength)
        );
        assert_eq!(
            PhoneNumber::parse("+07011234567"),
            Err(PhoneError::LeadingZero)
        );
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::MissingPlus));
    }

    #[test]
    fn masked_and_debug_forms_hide_the_middle_digits() {
        let number = PhoneNumber::parse("+77011234569").expect("valid");
        assert_eq!(number.masked(), "+7••••••••69");
        assert!(!format!("{number:?}").contains("701123"));
    }

    #[test]
    fn grouped_masks_keep_the_operators_first_digit_only_for_plus_seven_numbers() {
        let kazakh = PhoneNumber::parse("+77011234569").expect("valid");
        assert_eq!(kazakh.masked_grouped(), "+7 7•• ••• •• 69");
        let russian = PhoneNumber::parse("+79161234567").expect("valid");
        assert_eq!(russian.masked_grouped(), "+7 9•• ••• •• 67");
        // Elsewhere the country code's length is unknown here: only its first digit is kept.
        let german = PhoneNumber::parse("+4915112345678").expect("valid");
        assert_eq!(german.masked_grouped(), "+4 ••• ••• ••• • 78");
        let shortest = PhoneNumber::parse("+12345678").expect("valid");
        assert_eq!(shortest.masked_grouped(), "+1 ••• •• 78");
        for number in [kazakh, russian, german, shortest] {
            let shown: String = number
                .masked_grouped()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            assert!(shown.len() <= 4, "{shown}");
        }
    }
}
