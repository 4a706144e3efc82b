//! Reading a placed call back as its story, step by step: what she hears and presses, which
//! phones ring, who picks up, what they hear at the whisper, and who is put through.

use hotline::simulate::{Event, Transcript};

use super::Placed;

impl Placed {
    /// The call as it reads, step by step.
    pub fn story(&self) -> Story<'_> {
        Story {
            transcript: &self.transcript,
            at: 0,
        }
    }
}

/// Reads a transcript in order, like the story of the call: each step must come after the one
/// before it, or the test fails showing the whole call.
pub struct Story<'t> {
    transcript: &'t Transcript,
    at: usize,
}

impl Story<'_> {
    fn then(mut self, what: &str, wanted: impl Fn(&Event) -> bool) -> Self {
        match self.transcript.events[self.at..].iter().position(wanted) {
            Some(found) => {
                self.at += found + 1;
                self
            }
            None => panic!("expected next: {what}\nthe call was:\n{}", self.transcript),
        }
    }

    pub fn hears(self, words: &str) -> Self {
        self.then(
            &format!("she hears {words:?}"),
            |e| matches!(e, Event::Heard { text, .. } if text.contains(words)),
        )
    }

    pub fn presses(self, digits: &str) -> Self {
        self.then(
            &format!("she presses {digits}"),
            |e| matches!(e, Event::Pressed(d) if d == digits),
        )
    }

    pub fn presses_nothing(self) -> Self {
        self.then("she presses nothing", |e| {
            matches!(e, Event::NoInput { .. })
        })
    }

    pub fn rings(self, number: &str) -> Self {
        self.then(
            &format!("{number} rings"),
            |e| matches!(e, Event::Ringing { number: n } if n == number),
        )
    }

    pub fn picks_up(self, number: &str) -> Self {
        self.then(
            &format!("{number} picks up"),
            |e| matches!(e, Event::PickedUp { number: n } if n == number),
        )
    }

    /// The person (or machine) on `number` hears the whisper say `words`.
    pub fn whisper_says(self, number: &str, words: &str) -> Self {
        self.then(&format!("{number} hears {words:?}"), |e| {
            matches!(e, Event::StaffHeard { number: n, text, .. } if n == number && text.contains(words))
        })
    }

    /// Nothing is pressed on `number` when the whisper asks: a personal voicemail.
    pub fn stays_silent(self, number: &str) -> Self {
        self.then(
            &format!("{number} presses nothing"),
            |e| matches!(e, Event::StaffSilent { number: n } if n == number),
        )
    }

    pub fn presses_at_whisper(self, number: &str, digits: &str) -> Self {
        self.then(&format!("{number} presses {digits}"), |e| {
            matches!(e, Event::StaffPressed { number: n, digits: d } if n == number && d == digits)
        })
    }

    pub fn does_not_take_the_call(self, number: &str) -> Self {
        self.then(
            &format!("{number} is not put through"),
            |e| matches!(e, Event::NotAnswered { number: n, .. } if n == number),
        )
    }

    pub fn connects_her_to(self, number: &str) -> Self {
        self.then(
            &format!("she is connected to {number}"),
            |e| matches!(e, Event::Connected { number: n } if n == number),
        )
    }

    pub fn leaves_a_message(self) -> Self {
        self.then("she leaves a message", |e| {
            matches!(e, Event::Recorded { .. })
        })
    }

    pub fn hangs_up(self) -> Self {
        self.then("she hangs up", |e| matches!(e, Event::CallerHungUp))
    }
}
