//! Reads XML into a generic element tree, kept apart from understanding TwiML so that each
//! TwiML error can name the element it is about. Enforces what quick-xml leaves to its caller
//! (one root, closed elements, legal characters, attribute-value normalization); never panics,
//! whatever the input.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::parse::TwimlError;
use super::write::{is_xml_char, is_xml_space};

/// Far deeper than valid TwiML goes (Response > Gather > Say); the limit keeps hostile input from
/// exhausting the stack when the tree is built or dropped.
pub(super) const MAX_DEPTH: usize = 16;

pub(super) struct Element {
    pub(super) name: String,
    pub(super) attributes: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
}

pub(super) enum Node {
    Element(Element),
    Text(String),
}

fn malformed(position: u64, reason: impl ToString) -> TwimlError {
    TwimlError::Malformed {
        position,
        reason: reason.to_string(),
    }
}

pub(super) fn read_tree(xml: &str) -> Result<Element, TwimlError> {
    // Editors on Windows save a byte-order mark, which XML allows before the declaration.
    let mut reader = Reader::from_str(xml.strip_prefix('\u{FEFF}').unwrap_or(xml));
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(reader.error_position(), e))?;
        let position = reader.buffer_position();
        let text = match event {
            Event::Start(tag) | Event::Empty(tag) if open.is_empty() && root.is_some() => {
                return Err(malformed(
                    position,
                    format!("a second root element <{}>", name_of(&tag, position)?),
                ));
            }
            Event::Start(_) | Event::Empty(_) if open.len() >= MAX_DEPTH => {
                return Err(TwimlError::TooDeep);
            }
            Event::Start(tag) => {
                open.push(element(&tag, position)?);
                continue;
            }
            Event::Empty(tag) => {
                close(&mut open, &mut root, element(&tag, position)?);
                continue;
            }
            Event::End(_) => {
                let element = open
                    .pop()
                    .ok_or_else(|| malformed(position, "a closing tag with no opening tag"))?;
                close(&mut open, &mut root, element);
                continue;
            }
            Event::Text(text) => text
                .xml10_content()
                .map_err(|e| malformed(position, e))?
                .into_owned(),
            Event::CData(text) => text
                .xml10_content()
                .map_err(|e| malformed(position, e))?
                .into_owned(),
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| malformed(position, e))?
                {
                    Some(c) => Some(c.to_string()),
                    None => reference
                        .decode()
                        .ok()
                        .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name))
                        .map(str::to_owned),
                };
                resolved.ok_or_else(|| malformed(position, "an unknown entity reference"))?
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => continue,
            Event::Eof => break,
        };
        add_text(&mut open, text, position)?;
    }
    if let Some(unclosed) = open.last() {
        return Err(malformed(
            reader.buffer_position(),
            format!("the document ends inside <{}>", unclosed.name),
        ));
    }
    root.ok_or(TwimlError::Empty)
}

fn name_of(tag: &BytesStart, position: u64) -> Result<String, TwimlError> {
    std::str::from_utf8(tag.name().as_ref())
        .map(str::to_owned)
        .map_err(|e| malformed(position, e))
}

fn element(tag: &BytesStart, position: u64) -> Result<Element, TwimlError> {
    let mut attributes = Vec::new();
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|e| malformed(position, e))?;
        let name =
            std::str::from_utf8(attribute.key.as_ref()).map_err(|e| malformed(position, e))?;
        let raw = std::str::from_utf8(&attribute.value).map_err(|e| malformed(position, e))?;
        // XML's attribute-value normalization, which quick-xml leaves to us: literal line breaks
        // and tabs read as spaces, escaped ones (as we write them) stay what they were.
        let normalized = raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ");
        let value = quick_xml::escape::unescape(&normalized).map_err(|e| malformed(position, e))?;
        check_chars(&value, position)?;
        attributes.push((name.to_owned(), value.into_owned()));
    }
    Ok(Element {
        name: name_of(tag, position)?,
        attributes,
        children: Vec::new(),
    })
}

fn close(open: &mut [Element], root: &mut Option<Element>, element: Element) {
    match open.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn add_text(open: &mut [Element], text: String, position: u64) -> Result<(), TwimlError> {
    check_chars(&text, position)?;
    let Some(parent) = open.last_mut() else {
        return if text.chars().all(is_xml_space) {
            Ok(())
        } else {
            Err(malformed(position, "text outside the root element"))
        };
    };
    // Entity references and comments split text into several events; TwiML sees one string.
    match parent.children.last_mut() {
        Some(Node::Text(before)) => before.push_str(&text),
        _ => parent.children.push(Node::Text(text)),
    }
    Ok(())
}

/// quick-xml does not enforce XML's character rules, and `&#1;` resolves to a character no XML
/// may hold; letting it through would make a value the writer cannot write back.
fn check_chars(text: &str, position: u64) -> Result<(), TwimlError> {
    match text.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(malformed(
            position,
            format!("character U+{:04X} is not allowed in XML", u32::from(c)),
        )),
        None => Ok(()),
    }
}
