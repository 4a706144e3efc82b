//! The prompts a coordinator may record, in the order a call meets them, and their names as a
//! line's `recordings` key them (`choose_language`): serde's names, so the page and the stored
//! JSON can never disagree.

use hotline_routes::prompts::Prompt;

pub const PROMPTS: [Prompt; 14] = [
    Prompt::Welcome,
    Prompt::ChooseLanguage,
    Prompt::ChooseService,
    Prompt::Emergency,
    Prompt::NotAChoice,
    Prompt::Hold,
    Prompt::HoldAgain,
    Prompt::NobodyFree,
    Prompt::LeaveMessage,
    Prompt::NoMessage,
    Prompt::Thanks,
    Prompt::Closed,
    Prompt::Blocked,
    Prompt::Apology,
];

pub fn name(prompt: Prompt) -> String {
    match serde_json::to_value(prompt) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// The prompt of that name; nothing else (a path, a guess) names one.
pub fn named(name: &str) -> Option<Prompt> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a prompt is added and not listed above.
    fn listed(prompt: Prompt) -> bool {
        match prompt {
            Prompt::Welcome
            | Prompt::ChooseLanguage
            | Prompt::ChooseService
            | Prompt::Emergency
            | Prompt::NotAChoice
            | Prompt::Hold
            | Prompt::HoldAgain
            | Prompt::NobodyFree
            | Prompt::LeaveMessage
            | Prompt::NoMessage
            | Prompt::Thanks
            | Prompt::Closed
            | Prompt::Blocked
            | Prompt::Apology => PROMPTS.contains(&prompt),
        }
    }

    #[test]
    fn every_prompt_is_listed_once_under_the_name_its_recordings_are_kept_by() {
        for prompt in PROMPTS {
            assert!(listed(prompt));
            assert_eq!(named(&name(prompt)), Some(prompt));
            assert_eq!(PROMPTS.iter().filter(|p| **p == prompt).count(), 1);
        }
        assert_eq!(name(Prompt::ChooseLanguage), "choose_language");
        assert_eq!(named("../etc/passwd"), None);
    }
}
