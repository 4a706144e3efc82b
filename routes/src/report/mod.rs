//! The donors' monthly report: from plain facts about each contact of a local month (calls, text
//! conversations, follow-ups) to counts, rates and times. Counts only: a contact's hash is read
//! to tell people apart and new from returning, and never leaves this module. Pure: the month's
//! bounds and every instant are arguments.

pub mod csv;
mod month;
mod rank;
pub mod svg;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hotline_schedules::{Language, Service};
use serde::Serialize;

use crate::call::CallOutcome;

pub use month::{Month, MonthError};
pub use rank::{Spread, nearest_rank};

/// One call that began in the month, as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFact {
    /// The service she chose; `None` when she hung up (or was blocked) before choosing.
    pub service: Option<Service>,
    pub language: Option<Language>,
    /// `None` while the call has not ended.
    pub outcome: Option<CallOutcome>,
    pub started_at: DateTime<Utc>,
    /// When a person pressed 1 to accept it.
    pub answered_at: Option<DateTime<Utc>>,
    /// Her keyed hash: tells people apart, never shown.
    pub caller: String,
    /// She reached the hotline (by call or text) before the month began.
    pub known_before: bool,
}

/// How a text conversation came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TextChannel {
    Sms,
    Whatsapp,
}

/// One text conversation opened in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFact {
    pub service: Service,
    pub channel: TextChannel,
    /// Her first text: it opened the conversation.
    pub opened_at: DateTime<Utc>,
    /// The first reply a staff member sent her through the hotline (queued to her; a command or
    /// a reply refused for want of her consent is no reply).
    pub first_reply_at: Option<DateTime<Utc>>,
    pub contact: String,
    pub known_before: bool,
}

/// One follow-up (an answer owed to her) opened in the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpFact {
    pub opened_at: DateTime<Utc>,
    /// When someone marked it answered, whenever that was (even after the month).
    pub answered_at: Option<DateTime<Utc>>,
}

/// Everything the report is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthFacts {
    pub calls: Vec<CallFact>,
    pub texts: Vec<TextFact>,
    pub follow_ups: Vec<FollowUpFact>,
}

/// Calls and texts in one group of a breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub calls: u32,
    pub texts: u32,
    pub total: u32,
}

impl Tally {
    fn call(&mut self) {
        self.calls += 1;
        self.total += 1;
    }

    fn text(&mut self) {
        self.texts += 1;
        self.total += 1;
    }
}

/// One group of a breakdown, named by a fixed key (`legal`, `answered`, `kk`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Group {
    pub group: &'static str,
    #[serde(flatten)]
    pub tally: Tally,
}

/// People who reached the hotline in the month, each counted once however often she did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Callers {
    pub people: u32,
    /// No call or text from her before the month began.
    pub new: u32,
    /// She had called or written before the month began.
    pub repeat: u32,
}

/// The answer rate, exactly: of the calls that began in the month and in which she chose a
/// service (so there was someone to ring: calls that ended in the greeting or were blocked
/// are not counted), those a person accepted (`answered`). A call that went to voicemail,
/// was missed or abandoned after her choice, or is still ringing when the report is made, is
/// counted and not answered. Texts are not counted here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AnswerRate {
    pub answered: u32,
    pub reached_service: u32,
    /// `answered / reached_service` in whole percent, rounded half up; `None` with no calls.
    pub percent: Option<u32>,
}

/// Time to a person, by channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TimeToPerson {
    /// From the call's start to the moment a person accepted it, over answered calls.
    pub calls: Spread,
    /// From her first text to the first staff reply queued to her, over replied conversations.
    pub texts: Spread,
}

/// Follow-ups opened in the month and how fast they were answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FollowUps {
    pub opened: u32,
    pub answered: u32,
    /// From opening to being marked answered, over the answered ones.
    pub time_to_answer: Spread,
}

/// The month's report. Every breakdown lists every group (zeros included) in a fixed order, and
/// each adds up to `contacts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyReport {
    pub month: Month,
    /// Calls that began and text conversations opened in the month.
    pub contacts: Tally,
    /// `legal`, `psychological`, `mens`, and `none` (a call that ended before she chose).
    pub by_service: Vec<Group>,
    /// For calls their outcome, or `in_progress`; for texts `answered` (a staff reply was sent
    /// to her) or `unanswered`.
    pub by_outcome: Vec<Group>,
    /// `kk`, `ru`, and `none`: a call that ended before she chose, and every text (a
    /// conversation records no language).
    pub by_language: Vec<Group>,
    /// `voice`, `sms`, `whatsapp`.
    pub by_channel: Vec<Group>,
    pub callers: Callers,
    pub answer_rate: AnswerRate,
    pub time_to_person: TimeToPerson,
    pub follow_ups: FollowUps,
}

/// The outcome groups, in the report's order.
pub const OUTCOMES: [&str; 8] = [
    "answered",
    "voicemail",
    "missed",
    "abandoned",
    "blocked",
    "closed",
    "in_progress",
    "unanswered",
];

fn call_outcome_group(outcome: Option<CallOutcome>) -> &'static str {
    match outcome {
        Some(CallOutcome::Answered) => "answered",
        Some(CallOutcome::Voicemail) => "voicemail",
        Some(CallOutcome::Missed) => "missed",
        Some(CallOutcome::Abandoned) => "abandoned",
        Some(CallOutcome::Blocked) => "blocked",
        Some(CallOutcome::Closed) => "closed",
        None => "in_progress",
    }
}

/// Tallies kept by key, read out in a fixed order.
struct Breakdown(BTreeMap<&'static str, Tally>);

impl Breakdown {
    fn new() -> Self {
        Self(BTreeMap::new())
    }

    fn at(&mut self, group: &'static str) -> &mut Tally {
        self.0.entry(group).or_default()
    }

    fn groups(&self, order: &[&'static str]) -> Vec<Group> {
        order
            .iter()
            .map(|&group| Group {
                group,
                tally: self.0.get(group).copied().unwrap_or_default(),
            })
            .collect()
    }
}

fn service_group(service: Option<Service>) -> &'static str {
    service.map_or("none", Service::as_str)
}

fn language_group(language: Option<Language>) -> &'static str {
    language.map_or("none", Language::as_str)
}

/// The month's report from its facts. Facts outside the month are the caller's to leave out.
pub fn monthly_report(month: Month, facts: &MonthFacts) -> MonthlyReport {
    let mut contacts = Tally::default();
    let (mut services, mut outcomes, mut languages, mut channels) = (
        Breakdown::new(),
        Breakdown::new(),
        Breakdown::new(),
        Breakdown::new(),
    );
    // Per person: whether she was known before the month.
    let mut people: BTreeMap<&str, bool> = BTreeMap::new();
    let mut rate = AnswerRate::default();
    let mut call_waits = Vec::new();
    for call in &facts.calls {
        contacts.call();
        services.at(service_group(call.service)).call();
        outcomes.at(call_outcome_group(call.outcome)).call();
        languages.at(language_group(call.language)).call();
        channels.at("voice").call();
        *people.entry(&call.caller).or_default() |= call.known_before;
        let answered = call.outcome == Some(CallOutcome::Answered);
        if call.service.is_some() {
            rate.reached_service += 1;
            rate.answered += u32::from(answered);
        }
        if let (true, Some(at)) = (answered, call.answered_at) {
            call_waits.push((at - call.started_at).num_seconds().max(0));
        }
    }
    let mut text_waits = Vec::new();
    for text in &facts.texts {
        contacts.text();
        services.at(text.service.as_str()).text();
        let replied = text.first_reply_at.is_some();
        outcomes
            .at(if replied { "answered" } else { "unanswered" })
            .text();
        languages.at("none").text();
        channels
            .at(match text.channel {
                TextChannel::Sms => "sms",
                TextChannel::Whatsapp => "whatsapp",
            })
            .text();
        *people.entry(&text.contact).or_default() |= text.known_before;
        if let Some(at) = text.first_reply_at {
            text_waits.push((at - text.opened_at).num_seconds().max(0));
        }
    }
    rate.percent = (rate.reached_service > 0)
        .then(|| (rate.answered * 100 + rate.reached_service / 2) / rate.reached_service);
    let repeat = people.values().filter(|&&known| known).count() as u32;
    let callers = Callers {
        people: people.len() as u32,
        new: people.len() as u32 - repeat,
        repeat,
    };
    let answer_waits: Vec<i64> = facts
        .follow_ups
        .iter()
        .filter_map(|f| {
            f.answered_at
                .map(|at| (at - f.opened_at).num_seconds().max(0))
        })
        .collect();
    MonthlyReport {
        month,
        contacts,
        by_service: services.groups(&["legal", "psychological", "mens", "none"]),
        by_outcome: outcomes.groups(&OUTCOMES),
        by_language: languages.groups(&["kk", "ru", "none"]),
        by_channel: channels.groups(&["voice", "sms", "whatsapp"]),
        callers,
        answer_rate: rate,
        time_to_person: TimeToPerson {
            calls: Spread::of_seconds(call_waits),
            texts: Spread::of_seconds(text_waits),
        },
        follow_ups: FollowUps {
            opened: facts.follow_ups.len() as u32,
            answered: answer_waits.len() as u32,
            time_to_answer: Spread::of_seconds(answer_waits),
        },
    }
}

#[cfg(test)]
mod tests;
