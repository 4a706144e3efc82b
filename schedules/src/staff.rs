//! The people on the rota and the words the hotline routes by: services and languages.

use std::fmt;
use std::str::FromStr;

use crate::PhoneNumber;

/// A kind of help the hotline gives; each has its own rota.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Legal,
    Psychological,
    Mens,
}

/// A language a caller may choose and a staff member may speak.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Kk,
    Ru,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {name:?}; expected one of {expected}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
    pub expected: &'static str,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Legal, Service::Psychological, Service::Mens];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Legal => "legal",
            Service::Psychological => "psychological",
            Service::Mens => "mens",
        }
    }
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Kk, Language::Ru];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Kk => "kk",
            Language::Ru => "ru",
        }
    }
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }
}

impl FromStr for Gender {
    type Err = UnknownName;
    fn from_str(name: &str) -> Result<Self, UnknownName> {
        [Gender::Female, Gender::Male]
            .into_iter()
            .find(|g| g.as_str() == name)
            .ok_or_else(|| UnknownName {
                kind: "gender",
                name: name.to_owned(),
                expected: "female, male",
            })
    }
}

impl FromStr for Service {
    type Err = UnknownName;
    fn from_str(name: &str) -> Result<Self, UnknownName> {
        Service::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| UnknownName {
                kind: "service",
                name: name.to_owned(),
                expected: "legal, psychological, mens",
            })
    }
}

impl FromStr for Language {
    type Err = UnknownName;
    fn from_str(name: &str) -> Result<Self, UnknownName> {
        Language::ALL
            .into_iter()
            .find(|l| l.as_str() == name)
            .ok_or_else(|| UnknownName {
                kind: "language",
                name: name.to_owned(),
                expected: "kk, ru",
            })
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A caller on a domestic-violence line may ask for a woman.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
}

/// A lawyer, psychologist or coordinator who can be rung through the hotline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    pub phone: PhoneNumber,
    pub services: Vec<Service>,
    pub languages: Vec<Language>,
    pub gender: Option<Gender>,
    /// Coordinators are the last resort after every position of a service.
    pub is_coordinator: bool,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_say_what_is_expected() {
        for service in Service::ALL {
            assert_eq!(service.as_str().parse(), Ok(service));
        }
        for language in Language::ALL {
            assert_eq!(language.as_str().parse(), Ok(language));
        }
        let error = "medical".parse::<Service>().expect_err("not a service");
        assert_eq!(
            error.to_string(),
            "unknown service \"medical\"; expected one of legal, psychological, mens"
        );
    }
}
