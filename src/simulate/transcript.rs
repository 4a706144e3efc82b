//! A whole simulated call as a test reads it: the events in order with the simulated second each
//! happened, what the caller heard from moment to moment, and the questions a test asks of them
//! (who took the call, after how long, did she ever wait in silence, did a retry change an answer).

use std::fmt;

use super::event::{Event, LegStatus};

/// What the caller hears during a stretch of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hearing {
    /// Text-to-speech or a recording (`<Say>`, `<Play>`, the beep before a `<Record>`).
    Speech,
    /// A menu has been read and waits for her keys.
    Menu,
    /// Ringback while staff phones ring, and while a whisper plays to the person who picked up
    /// if the dial has `answerOnBridge`.
    Ringing,
    /// Nothing at all: a `<Pause>`, or a whisper playing on the staff side of a dial without
    /// `answerOnBridge`.
    Silence,
    /// She talks with the person who took the call.
    Conversation,
    /// She leaves a message.
    Recording,
}

/// A stretch of the call, in simulated seconds since it began: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: u32,
    pub to: u32,
    pub hearing: Hearing,
}

impl Span {
    pub fn seconds(&self) -> u32 {
        self.to - self.from
    }
}

/// A whole simulated call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub call_sid: String,
    pub events: Vec<Event>,
    /// The simulated second (since the call began) at which each event happened, in step with
    /// `events`.
    pub times: Vec<u32>,
    /// What the caller heard, in order, covering the call from its start to her last moment.
    pub hearing: Vec<Span>,
}

impl Transcript {
    /// The printed conversation, one line per event; `verbose` adds every request made.
    pub fn lines(&self, verbose: bool) -> Vec<String> {
        self.events.iter().filter_map(|e| e.line(verbose)).collect()
    }

    /// Each event with the simulated second it happened at.
    pub fn timed(&self) -> impl Iterator<Item = (u32, &Event)> {
        self.times.iter().copied().zip(&self.events)
    }

    /// When the first event that `wanted` picks happened.
    pub fn time_of(&self, wanted: impl Fn(&Event) -> bool) -> Option<u32> {
        self.timed().find(|(_, e)| wanted(e)).map(|(at, _)| at)
    }

    /// The staff number the caller was put through to, if any.
    pub fn connected_to(&self) -> Option<&str> {
        self.events.iter().find_map(|event| match event {
            Event::Connected { number } => Some(number.as_str()),
            _ => None,
        })
    }

    /// How long she waited, from the start of the call, before a person was on the line.
    pub fn connected_after(&self) -> Option<u32> {
        self.time_of(|e| matches!(e, Event::Connected { .. }))
    }

    /// When she hung up herself, if she did.
    pub fn caller_hung_up_at(&self) -> Option<u32> {
        self.time_of(|e| matches!(e, Event::CallerHungUp))
    }

    /// Seconds from the start of the call to its end.
    pub fn duration(&self) -> u32 {
        self.time_of(|e| matches!(e, Event::Ended { .. }))
            .or_else(|| self.times.last().copied())
            .unwrap_or(0)
    }

    /// Every staff number rung, in order (a number rung twice appears twice).
    pub fn rang(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Ringing { number } => Some(number.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every staff number that pressed 1 at a whisper, in order.
    pub fn accepted_by(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::StaffPressed { number, digits } if digits == "1" => Some(number.as_str()),
                _ => None,
            })
            .collect()
    }

    /// How each leg that did not take the call ended, in order.
    pub fn unanswered_legs(&self) -> Vec<(&str, LegStatus)> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::NotAnswered { number, status } => Some((number.as_str(), *status)),
                _ => None,
            })
            .collect()
    }

    /// How long a message the caller left, if she left one.
    pub fn voicemail_seconds(&self) -> Option<u32> {
        self.events.iter().find_map(|event| match event {
            Event::Recorded { seconds } => Some(*seconds),
            _ => None,
        })
    }

    /// Everything the caller heard spoken, in order.
    pub fn heard(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Heard { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every stretch in which the caller heard nothing at all, adjacent ones joined. A hotline
    /// must never leave her in silence: between menus, before a dial and between attempts she
    /// hears a message or ringing.
    pub fn silences(&self) -> Vec<Span> {
        let mut silences: Vec<Span> = Vec::new();
        for span in self
            .hearing
            .iter()
            .filter(|s| s.hearing == Hearing::Silence)
        {
            match silences.last_mut() {
                Some(last) if last.to == span.from => last.to = span.to,
                _ if span.seconds() > 0 => silences.push(*span),
                _ => {}
            }
        }
        silences
    }

    /// Requests whose retry got a different answer: each is a handler that is not idempotent.
    pub fn retry_differences(&self) -> Vec<&Event> {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::RetryDiffered { .. }))
            .collect()
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, event) in self.timed() {
            if let Some(line) = event.line(false) {
                writeln!(f, "{:>4}s {line}", at)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::event::mask;

    fn transcript(events: Vec<Event>, hearing: Vec<Span>) -> Transcript {
        Transcript {
            call_sid: "CA1".to_owned(),
            times: (0..).take(events.len()).collect(),
            events,
            hearing,
        }
    }

    #[test]
    fn the_callers_number_is_masked_and_staff_numbers_are_shown() {
        let transcript = transcript(
            vec![
                Event::Placed {
                    from: "+77075550112".to_owned(),
                    to: "+77010000000".to_owned(),
                    call_sid: "CA1".to_owned(),
                },
                Event::Ringing {
                    number: "+77015550101".to_owned(),
                },
                Event::Request {
                    method: "POST",
                    url: "http://h/webhooks/voice".to_owned(),
                    status: 200,
                    params: vec![("From".to_owned(), "+77075550112".to_owned())],
                },
            ],
            Vec::new(),
        );
        let printed = transcript.to_string();
        assert!(!printed.contains("5550112"), "{printed}");
        assert!(printed.contains("+7••••••••12"), "{printed}");
        assert!(printed.contains("1s ↳ ringing +77015550101"), "{printed}");
        let verbose = transcript.lines(true).join("\n");
        assert!(
            verbose.contains("→ POST http://h/webhooks/voice"),
            "{verbose}"
        );
        assert!(!verbose.contains("5550112"), "{verbose}");
        assert_eq!(mask("anonymous"), "•••••••••");
    }

    #[test]
    fn silences_join_adjacent_stretches_and_ringing_is_not_silence() {
        let span = |from, to, hearing| Span { from, to, hearing };
        let transcript = transcript(
            Vec::new(),
            vec![
                span(0, 5, Hearing::Speech),
                span(5, 6, Hearing::Silence),
                span(6, 8, Hearing::Silence),
                span(8, 30, Hearing::Ringing),
                span(30, 30, Hearing::Silence),
                span(30, 33, Hearing::Silence),
            ],
        );
        assert_eq!(
            transcript.silences(),
            [span(5, 8, Hearing::Silence), span(30, 33, Hearing::Silence)]
        );
    }
}
