//! TwiML built from any verbs with any text (XML's own `<&"'>` and `]]>`, control characters,
//! Cyrillic and Kazakh letters, astral characters): writing never panics, what is written is
//! well-formed XML, and our parser reads it back as the very document that was built. Any other
//! text given to the parser is read or refused, never a panic, and what it reads is written back
//! as a document it reads alike.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use hotline_routes::twiml::{
    self, Dial, Gather, Method, Number, Pause, Play, Record, Redirect, Reject, Say, VoiceResponse,
};
use libfuzzer_sys::fuzz_target;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Text made of pieces that XML writers get wrong more often than random letters do.
#[derive(Debug)]
struct Text(String);

#[derive(Debug, Arbitrary)]
enum Piece {
    Any(String),
    Markup(u8),
    Control(u8),
    Letters(u8),
    Space(u8),
}

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut text = String::new();
        for piece in u.arbitrary_iter::<Piece>()? {
            match piece? {
                Piece::Any(any) => text.push_str(&any),
                Piece::Markup(n) => {
                    const MARKUP: [&str; 10] = [
                        "<",
                        ">",
                        "&",
                        "\"",
                        "'",
                        "]]>",
                        "&amp;",
                        "<![CDATA[",
                        "<!--",
                        "&#0;",
                    ];
                    text.push_str(MARKUP[usize::from(n) % MARKUP.len()]);
                }
                Piece::Control(n) => text.push(char::from(n % 0x20)),
                Piece::Letters(n) => {
                    const LETTERS: [&str; 6] =
                        ["Сәлем", "қоңырау", "ЁЖЗ", "\u{FFFE}", "😀", "\u{85}"];
                    text.push_str(LETTERS[usize::from(n) % LETTERS.len()]);
                }
                Piece::Space(n) => text.push([' ', '\t', '\n', '\r', '\u{A0}'][usize::from(n) % 5]),
            }
        }
        Ok(Text(text))
    }
}

#[derive(Debug, Arbitrary)]
enum Step {
    Say(SayIn),
    Play(PlayIn),
    Pause(Option<u32>),
    Gather {
        input: Option<Text>,
        num_digits: Option<u32>,
        timeout: Option<u32>,
        action: Option<Text>,
        method: Option<bool>,
        finish_on_key: Option<Text>,
        action_on_empty_result: Option<bool>,
        prompts: Vec<PromptIn>,
    },
    Dial {
        plain: Option<Text>,
        numbers: Vec<NumberIn>,
        caller_id: Option<Text>,
        action: Option<Text>,
        method: Option<bool>,
        timeout: Option<u32>,
        answer_on_bridge: Option<bool>,
        time_limit: Option<u32>,
        record: Option<Text>,
    },
    Record {
        action: Option<Text>,
        method: Option<bool>,
        max_length: Option<u32>,
        timeout: Option<u32>,
        play_beep: Option<bool>,
        finish_on_key: Option<Text>,
        recording_status_callback: Option<Text>,
        recording_status_callback_method: Option<bool>,
        trim: Option<Text>,
    },
    Redirect(Text, Option<bool>),
    Hangup,
    Reject(Option<Text>),
}

#[derive(Debug, Arbitrary)]
struct SayIn {
    text: Text,
    language: Option<Text>,
    voice: Option<Text>,
    loops: Option<u32>,
}

#[derive(Debug, Arbitrary)]
struct PlayIn {
    url: Text,
    loops: Option<u32>,
}

#[derive(Debug, Arbitrary)]
enum PromptIn {
    Say(SayIn),
    Play(PlayIn),
    Pause(Option<u32>),
}

#[derive(Debug, Arbitrary)]
struct NumberIn {
    phone_number: Text,
    url: Option<Text>,
    method: Option<bool>,
    status_callback: Option<Text>,
    status_callback_event: Option<Text>,
    status_callback_method: Option<bool>,
}

fn method(post: bool) -> Method {
    if post { Method::Post } else { Method::Get }
}

/// Calls `set` only when the input has a value, as our routes do.
fn maybe<B, T>(builder: B, value: Option<T>, set: impl FnOnce(B, T) -> B) -> B {
    match value {
        Some(value) => set(builder, value),
        None => builder,
    }
}

fn say(input: SayIn) -> Say {
    let say = Say::new(input.text.0);
    let say = maybe(say, input.language, |s, v| s.language(v.0));
    let say = maybe(say, input.voice, |s, v| s.voice(v.0));
    maybe(say, input.loops, Say::loops)
}

fn play(input: PlayIn) -> Play {
    maybe(Play::new(input.url.0), input.loops, Play::loops)
}

fn pause(length: Option<u32>) -> Pause {
    maybe(Pause::new(), length, Pause::length)
}

fn number(input: NumberIn) -> Number {
    let n = Number::new(input.phone_number.0);
    let n = maybe(n, input.url, |n, v| n.url(v.0));
    let n = maybe(n, input.method, |n, v| n.method(method(v)));
    let n = maybe(n, input.status_callback, |n, v| n.status_callback(v.0));
    let n = maybe(n, input.status_callback_event, |n, v| {
        n.status_callback_event(v.0)
    });
    maybe(n, input.status_callback_method, |n, v| {
        n.status_callback_method(method(v))
    })
}

fn build(steps: Vec<Step>) -> VoiceResponse {
    steps
        .into_iter()
        .fold(VoiceResponse::new(), |response, step| match step {
            Step::Say(input) => response.say(say(input)),
            Step::Play(input) => response.play(play(input)),
            Step::Pause(length) => response.pause(pause(length)),
            Step::Gather {
                input,
                num_digits,
                timeout,
                action,
                method: action_method,
                finish_on_key,
                action_on_empty_result,
                prompts,
            } => {
                let g = Gather::new();
                let g = maybe(g, input, |g, v| g.input(v.0));
                let g = maybe(g, num_digits, Gather::num_digits);
                let g = maybe(g, timeout, Gather::timeout);
                let g = maybe(g, action, |g, v| g.action(v.0));
                let g = maybe(g, action_method, |g, v| g.method(method(v)));
                let g = maybe(g, finish_on_key, |g, v| g.finish_on_key(v.0));
                let g = maybe(g, action_on_empty_result, Gather::action_on_empty_result);
                let g = prompts.into_iter().fold(g, |g, prompt| match prompt {
                    PromptIn::Say(input) => g.say(say(input)),
                    PromptIn::Play(input) => g.play(play(input)),
                    PromptIn::Pause(length) => g.pause(pause(length)),
                });
                response.gather(g)
            }
            Step::Dial {
                plain,
                numbers,
                caller_id,
                action,
                method: action_method,
                timeout,
                answer_on_bridge,
                time_limit,
                record,
            } => {
                let d = plain.map_or_else(Dial::new, |p| Dial::plain(p.0));
                let d = numbers.into_iter().fold(d, |d, n| d.number(number(n)));
                let d = maybe(d, caller_id, |d, v| d.caller_id(v.0));
                let d = maybe(d, action, |d, v| d.action(v.0));
                let d = maybe(d, action_method, |d, v| d.method(method(v)));
                let d = maybe(d, timeout, Dial::timeout);
                let d = maybe(d, answer_on_bridge, Dial::answer_on_bridge);
                let d = maybe(d, time_limit, Dial::time_limit);
                let d = maybe(d, record, |d, v| d.record(v.0));
                response.dial(d)
            }
            Step::Record {
                action,
                method: action_method,
                max_length,
                timeout,
                play_beep,
                finish_on_key,
                recording_status_callback,
                recording_status_callback_method,
                trim,
            } => {
                let r = Record::new();
                let r = maybe(r, action, |r, v| r.action(v.0));
                let r = maybe(r, action_method, |r, v| r.method(method(v)));
                let r = maybe(r, max_length, Record::max_length);
                let r = maybe(r, timeout, Record::timeout);
                let r = maybe(r, play_beep, Record::play_beep);
                let r = maybe(r, finish_on_key, |r, v| r.finish_on_key(v.0));
                let r = maybe(r, recording_status_callback, |r, v| {
                    r.recording_status_callback(v.0)
                });
                let r = maybe(r, recording_status_callback_method, |r, v| {
                    r.recording_status_callback_method(method(v))
                });
                let r = maybe(r, trim, |r, v| r.trim(v.0));
                response.record(r)
            }
            Step::Redirect(url, redirect_method) => {
                let r = maybe(Redirect::new(url.0), redirect_method, |r, v| {
                    r.method(method(v))
                });
                response.redirect(r)
            }
            Step::Hangup => response.hangup(),
            Step::Reject(reason) => {
                response.reject(maybe(Reject::new(), reason, |r, v| r.reason(v.0)))
            }
        })
}

/// Well-formed by a reader other than ours: every event, name, attribute and escape reads.
fn assert_well_formed(xml: &str) {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for attribute in e.attributes() {
                    let attribute = attribute.unwrap_or_else(|e| panic!("{e}: {xml}"));
                    attribute
                        .unescape_value()
                        .unwrap_or_else(|e| panic!("{e}: {xml}"));
                }
            }
            Ok(Event::Text(text)) => {
                text.decode().unwrap_or_else(|e| panic!("{e}: {xml}"));
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed ({e}): {xml}"),
        }
    }
}

// An input that starts like XML is a document to read, so the seeds in `fuzz/corpus/twiml` can be
// TwiML one can read; any other is the verbs to build.
fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'<') {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(read) = twiml::parse(text) {
            // What we accept, we write in a form we read back alike.
            assert_eq!(twiml::parse(&read.to_xml()), Ok(read), "{text}");
        }
        return;
    }
    let Ok(steps) = Unstructured::new(data).arbitrary::<Vec<Step>>() else {
        return;
    };
    let built = build(steps);
    let xml = built.to_xml();
    assert_well_formed(&xml);
    assert_eq!(twiml::parse(&xml), Ok(built), "{xml}");
});
