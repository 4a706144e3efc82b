"""What Twilio's own Python helper library writes for the TwiML cases in twiml_golden.rs.

Prints one JSON object {case_name: xml} on stdout; the Rust test builds the same cases with our
builder and compares. Each case here must match the Rust case of the same name, verb for verb.
Never touches the network.
"""

import json
import sys

try:
    from twilio.twiml.voice_response import (
        Dial,
        Gather,
        Hangup,
        Number,
        Pause,
        Play,
        Record,
        Redirect,
        Reject,
        Say,
        VoiceResponse,
    )
except ImportError as missing:
    sys.exit(f"twilio's Python library is missing ({missing}): pip install -r tests/requirements.txt")

ESCAPING = "Tom & Jerry <b>bold</b> \"double\" 'single' a > b && c < d"
KAZAKH = "Сәлеметсіз бе! ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І"
RUSSIAN = "Здравствуйте! Вы позвонили на горячую линию. Ёлка, щука, ъ, ь."
EMOJI = "Мы рядом 🙏📞💜 👩🏽‍⚖️"
MENU = "/webhooks/voice/menu?call=CA123&step=language&lang=kk"


def response(*verbs):
    doc = VoiceResponse()
    for verb in verbs:
        doc.append(verb)
    return doc


def gather(attrs, *prompts):
    element = Gather(**attrs)
    for prompt in prompts:
        element.append(prompt)
    return element


def dial(attrs, *numbers):
    element = Dial(**attrs)
    for number in numbers:
        element.append(number)
    return element


WHISPER_EVENTS = "initiated ringing answered completed"


def on_duty(number, leg):
    return Number(
        number,
        url=f"/webhooks/voice/whisper?call=CA123&leg={leg}&service=legal",
        method="POST",
        status_callback=f"/webhooks/voice/status?call=CA123&leg={leg}",
        status_callback_event=WHISPER_EVENTS,
        status_callback_method="POST",
    )


CASES = {
    "empty_response": response(),
    "say_plain": response(Say("Hello")),
    "say_russian_with_voice": response(Say(RUSSIAN, language="ru-RU", voice="Polly.Tatyana", loop=2)),
    "say_escaping": response(Say(ESCAPING)),
    "say_kazakh_letters": response(Say(KAZAKH)),
    "say_emoji": response(Say(EMOJI, language="ru-RU")),
    "say_empty": response(Say("")),
    "say_line_breaks": response(Say("line one\nline two\tand a tab")),
    "play_with_query_string": response(Play("https://example.org/audio/kk/greeting.mp3?v=2&lang=kk", loop=1)),
    "play_forever": response(Play("/audio/kk/hold.mp3", loop=0)),
    "pause_default_and_length": response(Pause(), Pause(length=3)),
    "gather_menu": response(
        gather(
            dict(
                input="dtmf",
                num_digits=1,
                timeout=6,
                action=MENU,
                method="POST",
                finish_on_key="",
                action_on_empty_result=True,
            ),
            Play("/audio/kk/menu.mp3"),
            Say("Для русского языка нажмите 2.", language="ru-RU"),
            Pause(length=1),
        ),
        Redirect(MENU + "&retry=1"),
    ),
    "gather_empty": response(gather(dict(num_digits=1, action_on_empty_result=False))),
    "whisper": response(
        gather(
            dict(num_digits=1, timeout=10, action="/webhooks/voice/whisper/accept?leg=2&call=CA123"),
            Say("Горячая линия: юридическая помощь. Нажмите 1, чтобы принять звонок.", language="ru-RU"),
        ),
        Hangup(),
    ),
    "dial_plain_number": response(Dial("+77011234567")),
    "dial_on_duty_in_order": response(
        Say("Соединяю с дежурным юристом.", language="ru-RU"),
        dial(
            dict(
                caller_id="+77000000000",
                action="/webhooks/voice/dial?call=CA123&attempt=1",
                method="POST",
                timeout=20,
                answer_on_bridge=True,
                time_limit=3600,
                record="do-not-record",
            ),
            on_duty("+77011234567", 1),
            on_duty("+77017654321", 2),
            on_duty("+77019999999", 3),
        ),
    ),
    "dial_bare_numbers": response(dial(dict(answer_on_bridge=False), Number("+77011234567"), Number("+77017654321"))),
    "record_every_attribute": response(
        Record(
            action="/webhooks/voice/voicemail?call=CA123",
            method="POST",
            max_length=120,
            timeout=5,
            play_beep=True,
            finish_on_key="#",
            recording_status_callback="/webhooks/voice/recording?call=CA123&kind=voicemail",
            recording_status_callback_method="POST",
            trim="trim-silence",
        )
    ),
    "record_plain": response(Record()),
    "voicemail": response(
        Play("/audio/kk/voicemail.mp3"),
        Say("Оставьте сообщение после сигнала.", language="ru-RU"),
        Record(max_length=180, play_beep=False, action="/webhooks/voice/voicemail"),
        Say("Спасибо. Мы перезвоним.", language="ru-RU"),
        Hangup(),
    ),
    "redirect_get": response(Redirect("/webhooks/voice?call=CA123&step=2", method="GET")),
    "hangup": response(Hangup()),
    "reject_busy": response(Reject(reason="busy")),
    "reject_plain": response(Reject()),
    "attribute_escaping": response(
        Redirect(
            "/x?q=\"quoted\"&a=<b>&c='d'",
            method="POST",
        ),
        gather(dict(action="/next?a=\"1\"&b=<2>&c='3'\n\tand\ra line", finish_on_key="&")),
    ),
}

json.dump({name: doc.to_xml() for name, doc in CASES.items()}, sys.stdout, ensure_ascii=True)
