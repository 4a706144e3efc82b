//! Writes TwiML byte for byte as Twilio's Python helper library does (its ElementTree escaping,
//! attributes sorted by name, `<X />` for an empty element), so the golden tests can compare
//! bytes. A hand-written writer rather than quick-xml's because quick-xml writes `<X/>` and
//! `&apos;`. Never does I/O, and never writes a character XML 1.0 forbids.

use super::verbs::{
    Callees, Dial, Gather, Method, Number, Pause, Play, Prompt, Record, Redirect, Reject, Say,
};
use super::{Verb, VoiceResponse};

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

pub(super) fn document(response: &VoiceResponse) -> String {
    let mut out = Writer(String::from(DECLARATION));
    out.parent(
        "Response",
        Attrs::default(),
        !response.verbs.is_empty(),
        |out| {
            response.verbs.iter().for_each(|verb| out.verb(verb));
        },
    );
    out.0
}

/// Whether XML 1.0 can carry `c` at all, even escaped (`Char` in the XML spec). Python writes
/// such characters raw and Twilio then rejects the whole document, which for a caller means
/// "an application error has occurred"; dropping them is the lesser harm.
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

pub(super) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

pub(super) fn xml_chars(text: String) -> String {
    if text.chars().all(is_xml_char) {
        text
    } else {
        text.chars().filter(|&c| is_xml_char(c)).collect()
    }
}

pub(super) fn trim_xml_space(text: String) -> String {
    let trimmed = text.trim_matches(is_xml_space);
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_owned()
    }
}

/// One element's attributes, gathered first so they can be written sorted, as Python does.
#[derive(Default)]
struct Attrs(Vec<(&'static str, String)>);

impl Attrs {
    fn text(mut self, name: &'static str, value: Option<&String>) -> Self {
        if let Some(value) = value {
            self.0.push((name, value.clone()));
        }
        self
    }

    fn number(mut self, name: &'static str, value: Option<u32>) -> Self {
        if let Some(value) = value {
            self.0.push((name, value.to_string()));
        }
        self
    }

    /// Python renders `True` as `"true"`, and so does Twilio expect.
    fn flag(mut self, name: &'static str, value: Option<bool>) -> Self {
        if let Some(value) = value {
            self.0.push((name, value.to_string()));
        }
        self
    }

    fn method(mut self, name: &'static str, value: Option<Method>) -> Self {
        if let Some(value) = value {
            self.0.push((name, value.as_str().to_owned()));
        }
        self
    }
}

struct Writer(String);

impl Writer {
    fn start(&mut self, name: &str, mut attrs: Attrs) {
        self.0.push('<');
        self.0.push_str(name);
        attrs.0.sort_by_key(|(name, _)| *name);
        for (name, value) in attrs.0 {
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            escape(&mut self.0, &value, true);
            self.0.push('"');
        }
    }

    fn end(&mut self, name: &str) {
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push('>');
    }

    /// An element holding only text; Python writes an empty text as `<X />`.
    fn leaf(&mut self, name: &str, attrs: Attrs, text: &str) {
        self.start(name, attrs);
        if text.chars().any(is_xml_char) {
            self.0.push('>');
            escape(&mut self.0, text, false);
            self.end(name);
        } else {
            self.0.push_str(" />");
        }
    }

    fn parent(
        &mut self,
        name: &str,
        attrs: Attrs,
        has_children: bool,
        children: impl FnOnce(&mut Self),
    ) {
        self.start(name, attrs);
        if has_children {
            self.0.push('>');
            children(self);
            self.end(name);
        } else {
            self.0.push_str(" />");
        }
    }

    fn verb(&mut self, verb: &Verb) {
        match verb {
            Verb::Say(say) => self.say(say),
            Verb::Play(play) => self.play(play),
            Verb::Pause(pause) => self.pause(pause),
            Verb::Gather(gather) => self.gather(gather),
            Verb::Dial(dial) => self.dial(dial),
            Verb::Record(record) => self.record(record),
            Verb::Redirect(redirect) => self.redirect(redirect),
            Verb::Hangup => self.leaf("Hangup", Attrs::default(), ""),
            Verb::Reject(reject) => self.reject(reject),
        }
    }

    fn say(&mut self, say: &Say) {
        let attrs = Attrs::default()
            .text("language", say.language.as_ref())
            .text("voice", say.voice.as_ref())
            .number("loop", say.loops);
        self.leaf("Say", attrs, &say.text);
    }

    fn play(&mut self, play: &Play) {
        self.leaf(
            "Play",
            Attrs::default().number("loop", play.loops),
            &play.url,
        );
    }

    fn pause(&mut self, pause: &Pause) {
        self.leaf("Pause", Attrs::default().number("length", pause.length), "");
    }

    fn gather(&mut self, gather: &Gather) {
        let attrs = Attrs::default()
            .text("input", gather.input.as_ref())
            .number("numDigits", gather.num_digits)
            .number("timeout", gather.timeout)
            .text("action", gather.action.as_ref())
            .method("method", gather.method)
            .text("finishOnKey", gather.finish_on_key.as_ref())
            .flag("actionOnEmptyResult", gather.action_on_empty_result);
        self.parent("Gather", attrs, !gather.prompts.is_empty(), |out| {
            for prompt in &gather.prompts {
                match prompt {
                    Prompt::Say(say) => out.say(say),
                    Prompt::Play(play) => out.play(play),
                    Prompt::Pause(pause) => out.pause(pause),
                }
            }
        });
    }

    fn dial(&mut self, dial: &Dial) {
        let attrs = Attrs::default()
            .text("callerId", dial.caller_id.as_ref())
            .text("action", dial.action.as_ref())
            .method("method", dial.method)
            .number("timeout", dial.timeout)
            .flag("answerOnBridge", dial.answer_on_bridge)
            .number("timeLimit", dial.time_limit)
            .text("record", dial.record.as_ref());
        match &dial.callees {
            Callees::Plain(number) => self.leaf("Dial", attrs, number),
            Callees::Numbers(numbers) => self.parent("Dial", attrs, !numbers.is_empty(), |out| {
                numbers.iter().for_each(|number| out.number(number));
            }),
        }
    }

    fn number(&mut self, number: &Number) {
        let attrs = Attrs::default()
            .text("url", number.url.as_ref())
            .method("method", number.method)
            .text("statusCallback", number.status_callback.as_ref())
            .text("statusCallbackEvent", number.status_callback_event.as_ref())
            .method("statusCallbackMethod", number.status_callback_method);
        self.leaf("Number", attrs, &number.phone_number);
    }

    fn record(&mut self, record: &Record) {
        let attrs = Attrs::default()
            .text("action", record.action.as_ref())
            .method("method", record.method)
            .number("maxLength", record.max_length)
            .number("timeout", record.timeout)
            .flag("playBeep", record.play_beep)
            .text("finishOnKey", record.finish_on_key.as_ref())
            .text(
                "recordingStatusCallback",
                record.recording_status_callback.as_ref(),
            )
            .method(
                "recordingStatusCallbackMethod",
                record.recording_status_callback_method,
            )
            .text("trim", record.trim.as_ref());
        self.leaf("Record", attrs, "");
    }

    fn redirect(&mut self, redirect: &Redirect) {
        self.leaf(
            "Redirect",
            Attrs::default().method("method", redirect.method),
            &redirect.url,
        );
    }

    fn reject(&mut self, reject: &Reject) {
        self.leaf(
            "Reject",
            Attrs::default().text("reason", reject.reason.as_ref()),
            "",
        );
    }
}

/// ElementTree's escaping, plus two things it gets wrong: `\r` in text is escaped (a parser would
/// otherwise turn it into `\n`), and characters XML forbids are dropped.
fn escape(out: &mut String, text: &str, in_attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if in_attribute => out.push_str("&quot;"),
            // Raw whitespace in an attribute would be read back as a space.
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#09;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}
