//! Random TwiML documents for the round-trip test, from a small deterministic generator that
//! stands in for a property-testing crate. Builds values only through the public builder, so
//! every document it makes is one our own code could make.

use crate::twiml::*;

pub(super) struct Random(pub(super) u64);

impl Random {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }

    fn chance(&mut self) -> bool {
        self.next(2) == 0
    }

    fn text(&mut self) -> String {
        const PIECES: [&str; 16] = [
            "a", "Ж", "ә", "қ", "😀", "&", "<", ">", "\"", "'", " ", "\n", "\t", "\r", "&amp;",
            "]]>",
        ];
        let len = self.next(8);
        (0..len)
            .map(|_| PIECES[self.next(PIECES.len() as u64) as usize])
            .collect()
    }

    fn maybe_text(&mut self) -> Option<String> {
        self.chance().then(|| self.text())
    }

    fn maybe_number(&mut self) -> Option<u32> {
        self.chance()
            .then(|| self.next(u64::from(u32::MAX) + 1) as u32)
    }

    fn maybe_flag(&mut self) -> Option<bool> {
        self.chance().then(|| self.chance())
    }

    fn maybe_method(&mut self) -> Option<Method> {
        self.chance().then(|| {
            if self.chance() {
                Method::Get
            } else {
                Method::Post
            }
        })
    }

    fn say(&mut self) -> Say {
        let mut say = Say::new(self.text());
        (say.language, say.voice, say.loops) =
            (self.maybe_text(), self.maybe_text(), self.maybe_number());
        say
    }

    fn play(&mut self) -> Play {
        let mut play = Play::new(self.text());
        play.loops = self.maybe_number();
        play
    }

    fn pause(&mut self) -> Pause {
        let mut pause = Pause::new();
        pause.length = self.maybe_number();
        pause
    }

    fn verb(&mut self) -> Verb {
        match self.next(9) {
            0 => Verb::Say(self.say()),
            1 => Verb::Play(self.play()),
            2 => Verb::Pause(self.pause()),
            3 => {
                let mut gather = Gather::new();
                gather.input = self.maybe_text();
                gather.num_digits = self.maybe_number();
                gather.timeout = self.maybe_number();
                gather.action = self.maybe_text();
                gather.method = self.maybe_method();
                gather.finish_on_key = self.maybe_text();
                gather.action_on_empty_result = self.maybe_flag();
                for _ in 0..self.next(4) {
                    gather = match self.next(3) {
                        0 => gather.say(self.say()),
                        1 => gather.play(self.play()),
                        _ => gather.pause(self.pause()),
                    };
                }
                Verb::Gather(gather)
            }
            4 => {
                let mut dial = if self.chance() {
                    Dial::plain(self.text())
                } else {
                    Dial::new()
                };
                dial.caller_id = self.maybe_text();
                dial.action = self.maybe_text();
                dial.method = self.maybe_method();
                dial.timeout = self.maybe_number();
                dial.answer_on_bridge = self.maybe_flag();
                dial.time_limit = self.maybe_number();
                dial.record = self.maybe_text();
                for _ in 0..self.next(3) {
                    let mut number = Number::new(self.text());
                    number.url = self.maybe_text();
                    number.method = self.maybe_method();
                    number.status_callback = self.maybe_text();
                    number.status_callback_event = self.maybe_text();
                    number.status_callback_method = self.maybe_method();
                    dial = dial.number(number);
                }
                Verb::Dial(dial)
            }
            5 => {
                let mut record = Record::new();
                record.action = self.maybe_text();
                record.method = self.maybe_method();
                record.max_length = self.maybe_number();
                record.timeout = self.maybe_number();
                record.play_beep = self.maybe_flag();
                record.finish_on_key = self.maybe_text();
                record.recording_status_callback = self.maybe_text();
                record.recording_status_callback_method = self.maybe_method();
                record.trim = self.maybe_text();
                Verb::Record(record)
            }
            6 => {
                let mut redirect = Redirect::new(self.text());
                redirect.method = self.maybe_method();
                Verb::Redirect(redirect)
            }
            7 => Verb::Hangup,
            _ => {
                let mut reject = Reject::new();
                reject.reason = self.maybe_text();
                Verb::Reject(reject)
            }
        }
    }

    pub(super) fn response(&mut self) -> VoiceResponse {
        (0..self.next(6)).fold(VoiceResponse::new(), |response, _| {
            response.verb(self.verb())
        })
    }
}
