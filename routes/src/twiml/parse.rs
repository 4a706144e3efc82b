//! Reads a TwiML document back into a [`VoiceResponse`], as Twilio's servers would receive it, so
//! tests and the call simulator can follow a call verb by verb. Strict where Twilio is lenient:
//! an unknown verb or attribute is an error, so a typo in our TwiML fails a test rather than a
//! call. Never panics and never does I/O, whatever the input.

use super::tree::{Element, MAX_DEPTH, Node, read_tree};
use super::verbs::{
    Dial, Gather, Method, Number, Pause, Play, Prompt, Record, Redirect, Reject, Say,
};
use super::write::is_xml_space;
use super::{Verb, VoiceResponse};

/// Elements this module knows, so one in the wrong place is reported as misplaced, not unknown.
const KNOWN: [&str; 11] = [
    "Response", "Say", "Play", "Pause", "Gather", "Dial", "Number", "Record", "Redirect", "Hangup",
    "Reject",
];

/// Why a document is not TwiML this hotline can follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    #[error("not well-formed XML (at byte {position}): {reason}")]
    Malformed { position: u64, reason: String },
    #[error("the document is empty: TwiML needs a <Response> element")]
    Empty,
    #[error("the document's root is <{0}>, TwiML needs <Response>")]
    NotResponse(String),
    #[error("<{name}> inside <{parent}> is not a TwiML verb this hotline knows")]
    UnknownVerb { name: String, parent: String },
    #[error("<{name}> is not allowed inside <{parent}>")]
    Misplaced { name: String, parent: String },
    #[error("<{element}> has no attribute `{attribute}`")]
    UnknownAttribute { element: String, attribute: String },
    #[error("<{element}> attribute `{attribute}` is {value:?}, expected {expected}")]
    InvalidAttribute {
        element: String,
        attribute: String,
        value: String,
        expected: &'static str,
    },
    #[error("<{element}> may not contain text, found {text:?}")]
    UnexpectedText { element: String, text: String },
    #[error("<Dial> holds both a bare number and <Number> elements")]
    MixedDial,
    #[error("elements are nested more than {MAX_DEPTH} deep")]
    TooDeep,
}

/// Reads a TwiML voice document, with or without the XML declaration, ignoring whitespace
/// between elements and comments.
///
/// Text that Twilio uses as a URL or phone number (`<Play>`, `<Redirect>`, `<Number>`, a bare
/// `<Dial>` number) is trimmed; `<Say>` text is kept exactly.
pub fn parse(xml: &str) -> Result<VoiceResponse, TwimlError> {
    let root = read_tree(xml)?;
    if root.name != "Response" {
        return Err(TwimlError::NotResponse(root.name));
    }
    let Element {
        name,
        attributes,
        children,
    } = root;
    if let Some(attribute) = attributes.into_iter().next() {
        return Err(TwimlError::UnknownAttribute {
            element: name,
            attribute: attribute.0,
        });
    }
    let verbs = elements(&name, children)?
        .into_iter()
        .map(|child| verb(&name, child));
    Ok(VoiceResponse {
        verbs: verbs.collect::<Result<_, _>>()?,
    })
}

fn misplaced(parent: &str, child: Element) -> TwimlError {
    let (name, parent) = (child.name, parent.to_owned());
    if KNOWN.contains(&name.as_str()) {
        TwimlError::Misplaced { name, parent }
    } else {
        TwimlError::UnknownVerb { name, parent }
    }
}

/// Splits children into their text (all of it, joined) and their elements.
fn split(children: Vec<Node>) -> (String, Vec<Element>) {
    let mut text = String::new();
    let mut elements = Vec::new();
    for child in children {
        match child {
            Node::Text(more) => text.push_str(&more),
            Node::Element(element) => elements.push(element),
        }
    }
    (text, elements)
}

/// The child elements of a verb that holds verbs, not text.
fn elements(parent: &str, children: Vec<Node>) -> Result<Vec<Element>, TwimlError> {
    let (text, elements) = split(children);
    if !text.chars().all(is_xml_space) {
        let text = text.trim_matches(is_xml_space).chars().take(40).collect();
        return Err(TwimlError::UnexpectedText {
            element: parent.to_owned(),
            text,
        });
    }
    Ok(elements)
}

/// The text of a verb that holds only text.
fn text(parent: &str, children: Vec<Node>) -> Result<String, TwimlError> {
    let (text, elements) = split(children);
    match elements.into_iter().next() {
        Some(child) => Err(misplaced(parent, child)),
        None => Ok(text),
    }
}

/// For verbs with nothing inside.
fn nothing(parent: &str, children: Vec<Node>) -> Result<(), TwimlError> {
    match elements(parent, children)?.into_iter().next() {
        Some(child) => Err(misplaced(parent, child)),
        None => Ok(()),
    }
}

/// One attribute, carrying its element's name so a bad value can be reported in full.
struct Attribute<'a> {
    element: &'a str,
    name: String,
    value: String,
}

fn attributes(element: &str, list: Vec<(String, String)>) -> impl Iterator<Item = Attribute<'_>> {
    list.into_iter().map(move |(name, value)| Attribute {
        element,
        name,
        value,
    })
}

impl Attribute<'_> {
    fn text(self) -> Option<String> {
        Some(self.value)
    }

    fn number(self) -> Result<Option<u32>, TwimlError> {
        match self.value.parse() {
            Ok(number) => Ok(Some(number)),
            Err(_) => Err(self.invalid("a whole number")),
        }
    }

    fn flag(self) -> Result<Option<bool>, TwimlError> {
        match self.value.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(self.invalid("true or false")),
        }
    }

    fn method(self) -> Result<Option<Method>, TwimlError> {
        match self.value.to_ascii_uppercase().as_str() {
            "GET" => Ok(Some(Method::Get)),
            "POST" => Ok(Some(Method::Post)),
            _ => Err(self.invalid("GET or POST")),
        }
    }

    fn invalid(self, expected: &'static str) -> TwimlError {
        let Attribute {
            element,
            name: attribute,
            value,
        } = self;
        TwimlError::InvalidAttribute {
            element: element.to_owned(),
            attribute,
            value,
            expected,
        }
    }

    fn unknown(self) -> TwimlError {
        TwimlError::UnknownAttribute {
            element: self.element.to_owned(),
            attribute: self.name,
        }
    }
}

fn verb(parent: &str, element: Element) -> Result<Verb, TwimlError> {
    Ok(match element.name.as_str() {
        "Say" => Verb::Say(say(element)?),
        "Play" => Verb::Play(play(element)?),
        "Pause" => Verb::Pause(pause(element)?),
        "Gather" => Verb::Gather(gather(element)?),
        "Dial" => Verb::Dial(dial(element)?),
        "Record" => Verb::Record(record(element)?),
        "Redirect" => Verb::Redirect(redirect(element)?),
        "Hangup" => {
            let Element {
                name,
                attributes: list,
                children,
            } = element;
            if let Some(attribute) = attributes(&name, list).next() {
                return Err(attribute.unknown());
            }
            nothing(&name, children)?;
            Verb::Hangup
        }
        "Reject" => Verb::Reject(reject(element)?),
        _ => return Err(misplaced(parent, element)),
    })
}

fn say(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Say, TwimlError> {
    let mut say = Say::new(text(&name, children)?);
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "language" => say.language = attribute.text(),
            "voice" => say.voice = attribute.text(),
            "loop" => say.loops = attribute.number()?,
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(say)
}

fn play(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Play, TwimlError> {
    let mut play = Play::new(text(&name, children)?);
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "loop" => play.loops = attribute.number()?,
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(play)
}

fn pause(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Pause, TwimlError> {
    nothing(&name, children)?;
    let mut pause = Pause::new();
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "length" => pause.length = attribute.number()?,
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(pause)
}

fn gather(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Gather, TwimlError> {
    let mut gather = Gather::new();
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "input" => gather.input = attribute.text(),
            "numDigits" => gather.num_digits = attribute.number()?,
            "timeout" => gather.timeout = attribute.number()?,
            "action" => gather.action = attribute.text(),
            "method" => gather.method = attribute.method()?,
            "finishOnKey" => gather.finish_on_key = attribute.text(),
            "actionOnEmptyResult" => gather.action_on_empty_result = attribute.flag()?,
            _ => return Err(attribute.unknown()),
        }
    }
    for child in elements(&name, children)? {
        gather.prompts.push(match child.name.as_str() {
            "Say" => Prompt::Say(say(child)?),
            "Play" => Prompt::Play(play(child)?),
            "Pause" => Prompt::Pause(pause(child)?),
            _ => return Err(misplaced(&name, child)),
        });
    }
    Ok(gather)
}

fn dial(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Dial, TwimlError> {
    let (text, children) = split(children);
    let mut dial = match (text.chars().all(is_xml_space), children.is_empty()) {
        (true, _) => Dial::new(),
        (false, true) => Dial::plain(text),
        (false, false) => return Err(TwimlError::MixedDial),
    };
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "callerId" => dial.caller_id = attribute.text(),
            "action" => dial.action = attribute.text(),
            "method" => dial.method = attribute.method()?,
            "timeout" => dial.timeout = attribute.number()?,
            "answerOnBridge" => dial.answer_on_bridge = attribute.flag()?,
            "timeLimit" => dial.time_limit = attribute.number()?,
            "record" => dial.record = attribute.text(),
            _ => return Err(attribute.unknown()),
        }
    }
    for child in children {
        match child.name.as_str() {
            "Number" => dial = dial.number(number(child)?),
            _ => return Err(misplaced(&name, child)),
        }
    }
    Ok(dial)
}

fn number(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Number, TwimlError> {
    let mut number = Number::new(text(&name, children)?);
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "url" => number.url = attribute.text(),
            "method" => number.method = attribute.method()?,
            "statusCallback" => number.status_callback = attribute.text(),
            "statusCallbackEvent" => number.status_callback_event = attribute.text(),
            "statusCallbackMethod" => number.status_callback_method = attribute.method()?,
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(number)
}

fn record(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Record, TwimlError> {
    nothing(&name, children)?;
    let mut record = Record::new();
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "action" => record.action = attribute.text(),
            "method" => record.method = attribute.method()?,
            "maxLength" => record.max_length = attribute.number()?,
            "timeout" => record.timeout = attribute.number()?,
            "playBeep" => record.play_beep = attribute.flag()?,
            "finishOnKey" => record.finish_on_key = attribute.text(),
            "recordingStatusCallback" => record.recording_status_callback = attribute.text(),
            "recordingStatusCallbackMethod" => {
                record.recording_status_callback_method = attribute.method()?
            }
            "trim" => record.trim = attribute.text(),
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(record)
}

fn redirect(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Redirect, TwimlError> {
    let mut redirect = Redirect::new(text(&name, children)?);
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "method" => redirect.method = attribute.method()?,
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(redirect)
}

fn reject(
    Element {
        name,
        attributes: list,
        children,
    }: Element,
) -> Result<Reject, TwimlError> {
    nothing(&name, children)?;
    let mut reject = Reject::new();
    for attribute in attributes(&name, list) {
        match attribute.name.as_str() {
            "reason" => reject.reason = attribute.text(),
            _ => return Err(attribute.unknown()),
        }
    }
    Ok(reject)
}
