//! Unit tests of the TwiML builder and parser: round trips, what the parser accepts from other
//! writers, and the errors it gives instead of panicking. Byte-for-byte agreement with Twilio's
//! Python library is in `tests/twiml_golden.rs`.

mod random;

use super::*;
use random::Random;

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

fn every_attribute() -> VoiceResponse {
    VoiceResponse::new()
        .say(
            Say::new("Здравствуйте")
                .language("ru-RU")
                .voice("Polly.Tatyana")
                .loops(2),
        )
        .play(Play::new("https://example.org/kk/greeting.mp3?v=1&lang=kk").loops(0))
        .pause(Pause::new().length(2))
        .gather(
            Gather::new()
                .input("dtmf")
                .num_digits(1)
                .timeout(6)
                .action("/webhooks/voice/menu?call=1&step=2")
                .method(Method::Post)
                .finish_on_key("")
                .action_on_empty_result(true)
                .play(Play::new("/audio/kk/menu.mp3"))
                .say(Say::new("Нажмите 1").language("ru-RU"))
                .pause(Pause::new()),
        )
        .dial(
            Dial::new()
                .caller_id("+77000000000")
                .action("/webhooks/voice/dial?call=1")
                .method(Method::Get)
                .timeout(20)
                .answer_on_bridge(false)
                .time_limit(3600)
                .record("do-not-record")
                .number(
                    Number::new("+77011234567")
                        .url("/webhooks/voice/whisper?leg=1")
                        .method(Method::Post)
                        .status_callback("/webhooks/voice/status?leg=1")
                        .status_callback_event("initiated ringing answered completed")
                        .status_callback_method(Method::Post),
                )
                .number(Number::new("+77017654321")),
        )
        .dial(Dial::plain("+77019999999"))
        .record(
            Record::new()
                .action("/webhooks/voice/voicemail")
                .method(Method::Post)
                .max_length(120)
                .timeout(5)
                .play_beep(true)
                .finish_on_key("#")
                .recording_status_callback("/webhooks/voice/recording")
                .recording_status_callback_method(Method::Post)
                .trim("trim-silence"),
        )
        .redirect(Redirect::new("/webhooks/voice?retry=1").method(Method::Post))
        .reject(Reject::new().reason("busy"))
        .hangup()
}

fn assert_round_trip(response: &VoiceResponse) {
    let xml = response.to_xml();
    assert_eq!(parse(&xml).as_ref(), Ok(response), "document: {xml}");
}

#[test]
fn an_empty_response_is_written_as_python_writes_it() {
    assert_eq!(
        VoiceResponse::new().to_xml(),
        format!("{DECLARATION}<Response />")
    );
    assert_round_trip(&VoiceResponse::new());
}

#[test]
fn every_verb_and_attribute_survives_a_round_trip() {
    assert_round_trip(&every_attribute());
}

#[test]
fn text_that_needs_escaping_survives_a_round_trip() {
    let nasty = "& < > \" ' ]]> &amp; \t tab\nline\r\nwindows\rmac ә ғ қ ң ө ұ ү һ і 🙏";
    let response = VoiceResponse::new()
        .say(Say::new(nasty).voice(nasty))
        .gather(
            Gather::new()
                .action(nasty)
                .finish_on_key(nasty)
                .say(Say::new(nasty)),
        )
        .dial(Dial::new().number(Number::new("+7").url(nasty).status_callback_event(nasty)));
    assert_round_trip(&response);
}

#[test]
fn characters_xml_cannot_hold_are_dropped_not_written() {
    let response =
        VoiceResponse::new().say(Say::new("a\u{0}b\u{1B}c\u{FFFF}").language("ru\u{7}-RU"));
    assert_eq!(
        response.to_xml(),
        format!(r#"{DECLARATION}<Response><Say language="ru-RU">abc</Say></Response>"#)
    );
    assert_round_trip(&response);
}

#[test]
fn a_bare_dial_number_becomes_a_number_noun_when_more_are_added() {
    let dial = Dial::plain("+77011111111").number(Number::new("+77012222222"));
    assert_eq!(
        dial.callees.phone_numbers(),
        ["+77011111111", "+77012222222"]
    );
    assert!(matches!(dial.callees, Callees::Numbers(ref numbers) if numbers.len() == 2));
    assert_eq!(Dial::plain(" "), Dial::new());
}

/// A small deterministic generator stands in for a property-testing crate: many random documents
/// built from awkward strings must all read back unchanged.
#[test]
fn random_documents_survive_a_round_trip() {
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    for _ in 0..500 {
        let response = random.response();
        assert_round_trip(&response);
    }
}

#[test]
fn twiml_written_by_hand_is_read_like_twilio_reads_it() {
    let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>
        <Response>
          <!-- the menu -->
          <Gather numDigits='1' method=\"post\" action=\"/menu?a=1&amp;b=2\">
            <Say language=\"ru-RU\">Tom &amp; Jerry&#33; &#x1F64F; <![CDATA[<raw> & ]]>end</Say>
            <Play>
              /audio/kk/menu.mp3
            </Play>
          </Gather>
          <Dial callerId=\"+7 700\n000\"> +77011234567 </Dial>
          <Hangup/>
        </Response>
    ";
    let expected = VoiceResponse::new()
        .gather(
            Gather::new()
                .num_digits(1)
                .method(Method::Post)
                .action("/menu?a=1&b=2")
                .say(Say::new("Tom & Jerry! 🙏 <raw> & end").language("ru-RU"))
                .play(Play::new("/audio/kk/menu.mp3")),
        )
        // A raw line break in an attribute reads as a space, as XML requires.
        .dial(Dial::plain("+77011234567").caller_id("+7 700 000"))
        .hangup();
    assert_eq!(parse(xml), Ok(expected));
}

fn error_of(xml: &str) -> TwimlError {
    parse(xml).expect_err("the document should be refused")
}

#[test]
fn unknown_verbs_and_misplaced_ones_are_named() {
    let unknown = TwimlError::UnknownVerb {
        name: "Bogus".into(),
        parent: "Response".into(),
    };
    assert_eq!(error_of("<Response><Bogus/></Response>"), unknown);
    assert_eq!(
        unknown.to_string(),
        "<Bogus> inside <Response> is not a TwiML verb this hotline knows"
    );
    let misplaced = |name: &str, parent: &str| TwimlError::Misplaced {
        name: name.into(),
        parent: parent.into(),
    };
    assert_eq!(
        error_of("<Response><Number>+7</Number></Response>"),
        misplaced("Number", "Response")
    );
    assert_eq!(
        error_of("<Response><Gather><Record/></Gather></Response>"),
        misplaced("Record", "Gather")
    );
    assert_eq!(
        error_of("<Response><Dial><Say>x</Say></Dial></Response>"),
        misplaced("Say", "Dial")
    );
    assert_eq!(error_of("<Response><Say>x<break/></Say></Response>"), {
        TwimlError::UnknownVerb {
            name: "break".into(),
            parent: "Say".into(),
        }
    });
    assert_eq!(
        error_of("<Response><Hangup><Hangup/></Hangup></Response>"),
        misplaced("Hangup", "Hangup")
    );
}

#[test]
fn documents_that_are_not_twiml_are_refused() {
    assert_eq!(error_of(""), TwimlError::Empty);
    assert_eq!(error_of("  \n "), TwimlError::Empty);
    assert_eq!(error_of(DECLARATION), TwimlError::Empty);
    assert_eq!(error_of("<Foo/>"), TwimlError::NotResponse("Foo".into()));
    assert_eq!(error_of("<Response>hello</Response>"), {
        TwimlError::UnexpectedText {
            element: "Response".into(),
            text: "hello".into(),
        }
    });
    assert_eq!(
        error_of("<Response><Dial>+7<Number>+8</Number></Dial></Response>"),
        TwimlError::MixedDial
    );
}

#[test]
fn bad_attributes_are_refused_with_what_was_expected() {
    let invalid =
        |element: &str, attribute: &str, value: &str, expected| TwimlError::InvalidAttribute {
            element: element.into(),
            attribute: attribute.into(),
            value: value.into(),
            expected,
        };
    assert_eq!(
        error_of(r#"<Response><Pause length="two"/></Response>"#),
        invalid("Pause", "length", "two", "a whole number")
    );
    assert_eq!(
        error_of(r#"<Response><Pause length="-1"/></Response>"#),
        invalid("Pause", "length", "-1", "a whole number")
    );
    assert_eq!(
        error_of(r#"<Response><Record playBeep="yes"/></Response>"#),
        invalid("Record", "playBeep", "yes", "true or false")
    );
    assert_eq!(
        error_of(r#"<Response><Redirect method="PUT">/x</Redirect></Response>"#),
        invalid("Redirect", "method", "PUT", "GET or POST")
    );
    assert_eq!(
        error_of(r#"<Response><Say lang="ru">x</Say></Response>"#),
        {
            TwimlError::UnknownAttribute {
                element: "Say".into(),
                attribute: "lang".into(),
            }
        }
    );
    assert_eq!(error_of(r#"<Response voice="x"/>"#), {
        TwimlError::UnknownAttribute {
            element: "Response".into(),
            attribute: "voice".into(),
        }
    });
}

#[test]
fn malformed_xml_is_an_error_not_a_panic() {
    for garbage in [
        "not xml at all",
        "<Response>",
        "<Response><Say>hi</Response>",
        "<Response></Say></Response>",
        "<Response/><Response/>",
        "<Response><Say a=\"1\" a=\"2\">x</Say></Response>",
        "<Response><Say>&nbsp;</Say></Response>",
        "<Response><Say>&#1;</Say></Response>",
        "<Response><Say>\u{1}</Say></Response>",
        "<Response><Say>&#xD800;</Say></Response>",
        "<Response><Say><</Say></Response>",
        "</Response>",
    ] {
        assert!(
            matches!(parse(garbage), Err(TwimlError::Malformed { .. })),
            "{garbage:?} gave {:?}",
            parse(garbage)
        );
    }
}

#[test]
fn every_truncation_of_a_document_is_an_error() {
    let xml = every_attribute().to_xml();
    for (end, _) in xml.char_indices().skip(1) {
        assert!(
            parse(&xml[..end]).is_err(),
            "accepted the first {end} bytes"
        );
    }
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let deep = "<Response>".repeat(100_000);
    assert_eq!(error_of(&deep), TwimlError::TooDeep);
}
