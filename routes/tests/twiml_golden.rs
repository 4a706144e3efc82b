//! Golden tests: each TwiML document our builder writes must be byte for byte what Twilio's own
//! Python helper library (`twilio` 9.x) writes for the same verbs, and our parser must read
//! Twilio's version back into the same value. Byte equality is possible because the Python
//! library sorts attributes by name whatever order they are passed in, and our writer does too.
//! Runs `tests/twiml_golden.py` once; never touches the network.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::OnceLock;

use hotline_routes::twiml::{
    Dial, Gather, Method, Number, Pause, Play, Record, Redirect, Reject, Say, VoiceResponse, parse,
};

const INSTALL: &str = "pip install -r tests/requirements.txt";
const ESCAPING: &str = "Tom & Jerry <b>bold</b> \"double\" 'single' a > b && c < d";
const KAZAKH: &str = "Сәлеметсіз бе! ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І";
const RUSSIAN: &str = "Здравствуйте! Вы позвонили на горячую линию. Ёлка, щука, ъ, ь.";
const EMOJI: &str = "Мы рядом 🙏📞💜 👩🏽\u{200d}⚖\u{fe0f}";
const MENU: &str = "/webhooks/voice/menu?call=CA123&step=language&lang=kk";

fn on_duty(number: &str, leg: u32) -> Number {
    Number::new(number)
        .url(format!(
            "/webhooks/voice/whisper?call=CA123&leg={leg}&service=legal"
        ))
        .method(Method::Post)
        .status_callback(format!("/webhooks/voice/status?call=CA123&leg={leg}"))
        .status_callback_event("initiated ringing answered completed")
        .status_callback_method(Method::Post)
}

/// The same cases, by the same names, as `twiml_golden.py`.
fn cases() -> Vec<(&'static str, VoiceResponse)> {
    let doc = VoiceResponse::new;
    vec![
        ("empty_response", doc()),
        ("say_plain", doc().say(Say::new("Hello"))),
        ("say_russian_with_voice", doc().say(Say::new(RUSSIAN).language("ru-RU").voice("Polly.Tatyana").loops(2))),
        ("say_escaping", doc().say(Say::new(ESCAPING))),
        ("say_kazakh_letters", doc().say(Say::new(KAZAKH))),
        ("say_emoji", doc().say(Say::new(EMOJI).language("ru-RU"))),
        ("say_empty", doc().say(Say::new(""))),
        ("say_line_breaks", doc().say(Say::new("line one\nline two\tand a tab"))),
        ("play_with_query_string", doc().play(Play::new("https://example.org/audio/kk/greeting.mp3?v=2&lang=kk").loops(1))),
        ("play_forever", doc().play(Play::new("/audio/kk/hold.mp3").loops(0))),
        ("pause_default_and_length", doc().pause(Pause::new()).pause(Pause::new().length(3))),
        (
            "gather_menu",
            doc()
                .gather(
                    Gather::new()
                        .input("dtmf")
                        .num_digits(1)
                        .timeout(6)
                        .action(MENU)
                        .method(Method::Post)
                        .finish_on_key("")
                        .action_on_empty_result(true)
                        .play(Play::new("/audio/kk/menu.mp3"))
                        .say(Say::new("Для русского языка нажмите 2.").language("ru-RU"))
                        .pause(Pause::new().length(1)),
                )
                .redirect(Redirect::new(format!("{MENU}&retry=1"))),
        ),
        ("gather_empty", doc().gather(Gather::new().num_digits(1).action_on_empty_result(false))),
        (
            "whisper",
            doc()
                .gather(
                    Gather::new()
                        .num_digits(1)
                        .timeout(10)
                        .action("/webhooks/voice/whisper/accept?leg=2&call=CA123")
                        .say(
                            Say::new("Горячая линия: юридическая помощь. Нажмите 1, чтобы принять звонок.")
                                .language("ru-RU"),
                        ),
                )
                .hangup(),
        ),
        ("dial_plain_number", doc().dial(Dial::plain("+77011234567"))),
        (
            "dial_on_duty_in_order",
            doc().say(Say::new("Соединяю с дежурным юристом.").language("ru-RU")).dial(
                Dial::new()
                    .caller_id("+77000000000")
                    .action("/webhooks/voice/dial?call=CA123&attempt=1")
                    .method(Method::Post)
                    .timeout(20)
                    .answer_on_bridge(true)
                    .time_limit(3600)
                    .record("do-not-record")
                    .number(on_duty("+77011234567", 1))
                    .number(on_duty("+77017654321", 2))
                    .number(on_duty("+77019999999", 3)),
            ),
        ),
        (
            "dial_bare_numbers",
            doc().dial(
                Dial::new()
                    .answer_on_bridge(false)
                    .number(Number::new("+77011234567"))
                    .number(Number::new("+77017654321")),
            ),
        ),
        (
            "record_every_attribute",
            doc().record(
                Record::new()
                    .action("/webhooks/voice/voicemail?call=CA123")
                    .method(Method::Post)
                    .max_length(120)
                    .timeout(5)
                    .play_beep(true)
                    .finish_on_key("#")
                    .recording_status_callback("/webhooks/voice/recording?call=CA123&kind=voicemail")
                    .recording_status_callback_method(Method::Post)
                    .trim("trim-silence"),
            ),
        ),
        ("record_plain", doc().record(Record::new())),
        (
            "voicemail",
            doc()
                .play(Play::new("/audio/kk/voicemail.mp3"))
                .say(Say::new("Оставьте сообщение после сигнала.").language("ru-RU"))
                .record(Record::new().max_length(180).play_beep(false).action("/webhooks/voice/voicemail"))
                .say(Say::new("Спасибо. Мы перезвоним.").language("ru-RU"))
                .hangup(),
        ),
        ("redirect_get", doc().redirect(Redirect::new("/webhooks/voice?call=CA123&step=2").method(Method::Get))),
        ("hangup", doc().hangup()),
        ("reject_busy", doc().reject(Reject::new().reason("busy"))),
        ("reject_plain", doc().reject(Reject::new())),
        (
            "attribute_escaping",
            doc().redirect(Redirect::new("/x?q=\"quoted\"&a=<b>&c='d'").method(Method::Post)).gather(
                Gather::new().action("/next?a=\"1\"&b=<2>&c='3'\n\tand\ra line").finish_on_key("&"),
            ),
        ),
    ]
}

/// Twilio's Python output for every case, produced once for all the tests in this file.
fn twilio_python() -> &'static BTreeMap<String, String> {
    static OUTPUT: OnceLock<Result<BTreeMap<String, String>, String>> = OnceLock::new();
    let output = OUTPUT.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/twiml_golden.py");
        let run = Command::new("python3").arg(script).output().map_err(|e| {
            format!("could not run python3 ({e}); install Python 3, then {INSTALL}")
        })?;
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            // The script names the fix itself when it is the missing library; other failures need it here.
            let fix = if stderr.contains(INSTALL) {
                String::new()
            } else {
                format!("\nTo fix: {INSTALL}")
            };
            return Err(format!("{script} failed ({}): {stderr}{fix}", run.status));
        }
        let stdout = String::from_utf8(run.stdout)
            .map_err(|e| format!("{script} printed non-UTF-8: {e}"))?;
        serde_json::from_str(&stdout).map_err(|e| format!("{script} printed bad JSON: {e}"))
    });
    match output {
        Ok(cases) => cases,
        Err(why) => panic!("{why}"),
    }
}

#[test]
fn python_and_rust_define_the_same_cases() {
    let python: Vec<&str> = twilio_python().keys().map(String::as_str).collect();
    let mut rust: Vec<&str> = cases().into_iter().map(|(name, _)| name).collect();
    rust.sort_unstable();
    assert_eq!(python, rust);
    assert!(rust.len() >= 15, "too few golden cases");
}

#[test]
fn our_twiml_is_byte_for_byte_what_twilio_python_writes() {
    let python = twilio_python();
    let mismatches: Vec<String> = cases()
        .into_iter()
        .filter_map(|(name, response)| {
            let ours = response.to_xml();
            let theirs = python.get(name)?;
            (&ours != theirs).then(|| format!("{name}:\n  ours:   {ours}\n  Python: {theirs}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn our_parser_reads_twilio_python_output_back_into_the_same_verbs() {
    let python = twilio_python();
    for (name, response) in cases() {
        let Some(theirs) = python.get(name) else {
            continue;
        };
        assert_eq!(parse(theirs).as_ref(), Ok(&response), "{name}: {theirs}");
    }
}
