//! What a panic leaves in the log. The standard hook prints the panic's message, and a message
//! made at run time can quote the value being handled (a slice of her text, a number that did not
//! parse). This hook keeps the place and only a message written into the code itself.

use std::panic::PanicHookInfo;

/// Replaces the standard panic hook for the whole process.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|at| format!("{}:{}", at.file(), at.line()))
            .unwrap_or_else(|| "an unknown place".into());
        tracing::error!(%location, message = fixed_message(info), "a panic");
    }));
}

/// The panic's message when it was written as a literal (it cannot hold a value from outside);
/// otherwise a fixed word, since a formatted message may.
pub fn fixed_message(info: &PanicHookInfo<'_>) -> &'static str {
    match info.payload().downcast_ref::<&'static str>() {
        Some(literal) => literal,
        None => "(withheld: the message was formatted at run time)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Runs `panicking` under a hook that keeps what `fixed_message` says.
    fn message_of(panicking: fn()) -> String {
        let said = Arc::new(Mutex::new(String::new()));
        let kept = Arc::clone(&said);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            *kept.lock().unwrap_or_else(|p| p.into_inner()) = fixed_message(info).to_owned();
        }));
        let _ = std::panic::catch_unwind(panicking);
        std::panic::set_hook(previous);
        said.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    #[test]
    fn a_formatted_message_is_withheld_and_a_literal_one_kept() {
        let withheld = message_of(|| {
            let her_text = std::hint::black_box("Помогите, +77015550123");
            let _ = &her_text[..std::hint::black_box(2) + 1];
        });
        assert!(withheld.starts_with("(withheld"), "{withheld}");
        assert!(!withheld.contains("77015550123"));
        let literal = message_of(|| panic!("a literal"));
        assert_eq!(literal, "a literal");
    }
}
