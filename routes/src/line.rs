//! A hotline line: one number callers dial, with its own languages, services, menus, ring
//! strategy, wait limit, opening hours and recorded prompts. Every field has the default a
//! coordinator in Shymkent would choose, so an unconfigured number still answers well.

use std::collections::BTreeMap;

use hotline_schedules::{Gender, Language, Service};
use serde::{Deserialize, Serialize};

use crate::hours::OpeningHours;
use crate::prompts::Prompt;

/// Ring one person at a time, or several at once (the first to accept wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingStrategy {
    #[default]
    Sequential,
    Simultaneous,
}

/// Twilio rings at most this many numbers in one `<Dial>`.
pub const MOST_AT_ONCE: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Spoken in the whisper so staff know which line a call came to.
    #[serde(default = "default_name")]
    pub name: String,
    /// The language menu, in the order of its digits (1, 2, …).
    #[serde(default = "default_languages")]
    pub languages: Vec<Language>,
    /// Used when the caller chooses nothing.
    #[serde(default = "default_language")]
    pub default_language: Language,
    /// The service menu, in the order of its digits. A line with one service skips the menu.
    #[serde(default = "default_services")]
    pub services: Vec<Service>,
    #[serde(default)]
    pub ring: RingStrategy,
    /// How long one attempt rings, in seconds.
    #[serde(default = "default_ring_seconds")]
    pub ring_seconds: u32,
    /// How long she may wait for a person in all, in seconds, before voicemail.
    #[serde(default = "default_wait_limit")]
    pub wait_limit_seconds: u32,
    /// None: always open.
    #[serde(default)]
    pub hours: Option<OpeningHours>,
    /// Staff of this gender are tried first (e.g. women on the victims' lines).
    #[serde(default)]
    pub prefer_gender: Option<Gender>,
    /// Recorded prompts by language: Kazakh has no text-to-speech voice, so Kazakh prompts are
    /// recordings; a missing one falls back to Russian speech.
    #[serde(default)]
    pub recordings: BTreeMap<Language, BTreeMap<Prompt, String>>,
}

fn default_name() -> String {
    "Горячая линия".to_owned()
}
fn default_languages() -> Vec<Language> {
    vec![Language::Kk, Language::Ru]
}
fn default_language() -> Language {
    Language::Ru
}
fn default_services() -> Vec<Service> {
    vec![Service::Legal, Service::Psychological, Service::Mens]
}
fn default_ring_seconds() -> u32 {
    20
}
fn default_wait_limit() -> u32 {
    90
}

impl Default for Line {
    fn default() -> Self {
        Line {
            name: default_name(),
            languages: default_languages(),
            default_language: default_language(),
            services: default_services(),
            ring: RingStrategy::default(),
            ring_seconds: default_ring_seconds(),
            wait_limit_seconds: default_wait_limit(),
            hours: None,
            prefer_gender: None,
            recordings: BTreeMap::new(),
        }
    }
}

/// What is wrong with a line's settings, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct LineError {
    pub field: &'static str,
    pub problem: String,
}

impl Line {
    pub fn validate(&self) -> Result<(), LineError> {
        let fail = |field, problem: &str| {
            Err(LineError {
                field,
                problem: problem.to_owned(),
            })
        };
        if self.languages.is_empty() || self.languages.len() > 9 {
            return fail("languages", "a line offers 1 to 9 languages");
        }
        if !self.languages.contains(&self.default_language) {
            return fail(
                "default_language",
                "the default language must be one the line offers",
            );
        }
        if self.services.is_empty() || self.services.len() > 9 {
            return fail("services", "a line offers 1 to 9 services");
        }
        if !(5..=120).contains(&self.ring_seconds) {
            return fail("ring_seconds", "an attempt rings for 5 to 120 seconds");
        }
        if self.wait_limit_seconds < self.ring_seconds || self.wait_limit_seconds > 900 {
            return fail(
                "wait_limit_seconds",
                "the wait limit is at least one attempt and at most 15 minutes",
            );
        }
        if self.hours.as_ref().is_some_and(|h| h.windows.is_empty()) {
            return fail(
                "hours.windows",
                "opening hours need at least one window (or no hours: always open)",
            );
        }
        Ok(())
    }

    /// The language chosen by a digit of the menu.
    pub fn language_for(&self, digit: &str) -> Option<Language> {
        choice(&self.languages, digit)
    }

    /// The service chosen by a digit of the menu.
    pub fn service_for(&self, digit: &str) -> Option<Service> {
        choice(&self.services, digit)
    }

    pub fn recording(&self, language: Language, prompt: Prompt) -> Option<&str> {
        self.recordings
            .get(&language)
            .and_then(|prompts| prompts.get(&prompt))
            .map(String::as_str)
    }
}

fn choice<T: Copy>(options: &[T], digit: &str) -> Option<T> {
    let index: usize = digit.trim().parse().ok()?;
    options.get(index.checked_sub(1)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconfigured_line_has_the_defaults_of_the_shymkent_hotline() {
        let line = Line::default();
        assert_eq!(
            serde_json::from_str::<Line>("{}").expect("all fields have defaults"),
            line
        );
        assert_eq!(
            line.languages,
            vec![Language::Kk, Language::Ru],
            "Kazakh first"
        );
        assert_eq!(line.default_language, Language::Ru);
        assert_eq!(
            line.services,
            vec![Service::Legal, Service::Psychological, Service::Mens]
        );
        assert_eq!(
            (line.ring, line.ring_seconds, line.wait_limit_seconds),
            (RingStrategy::Sequential, 20, 90)
        );
        assert_eq!(line.validate(), Ok(()));
    }

    #[test]
    fn digits_choose_from_the_menu_and_anything_else_chooses_nothing() {
        let line = Line::default();
        assert_eq!(line.language_for("1"), Some(Language::Kk));
        assert_eq!(line.language_for("2"), Some(Language::Ru));
        assert_eq!(line.service_for("3"), Some(Service::Mens));
        for nothing in ["", "0", "4", "*", "12", "x"] {
            assert_eq!(line.service_for(nothing), None, "{nothing:?}");
        }
    }

    #[test]
    fn impossible_settings_name_their_field() {
        let line: Line = serde_json::from_str(r#"{"languages":["kk"],"default_language":"ru"}"#)
            .expect("parses");
        assert_eq!(
            line.validate().map_err(|e| e.field),
            Err("default_language")
        );
        let line: Line =
            serde_json::from_str(r#"{"ring_seconds":30,"wait_limit_seconds":20}"#).expect("parses");
        assert_eq!(
            line.validate().map_err(|e| e.field),
            Err("wait_limit_seconds")
        );
        assert!(
            serde_json::from_str::<Line>(r#"{"ringing":"all"}"#).is_err(),
            "unknown fields are refused"
        );
    }
}
