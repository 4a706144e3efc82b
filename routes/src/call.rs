//! A call's way through the hotline, as pure functions: whom to ring next, when to offer
//! voicemail, what the caller hears at each step, and how the call is counted when it ends.
//! Never reads the clock or the database: the caller of these functions brings the facts.

mod ringing;
mod speech;

pub use ringing::{Candidate, Ringing, SHORTEST_ATTEMPT, Step, next_step};
pub use speech::{
    VOICEMAIL_SECONDS, WHISPER_SECONDS, accepts, after_conversation, after_voicemail, apology,
    blocked, closed, connect, leg_refused, taken_by_colleague, voicemail, whisper,
};

/// Where Twilio reports the end of a dial attempt; the attempt number rides in the query.
pub fn dial_action(attempt: i64) -> String {
    format!("/webhooks/voice/dial?attempt={attempt}")
}

fn leg_query(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!("call={call_id}&staff={staff_id}&attempt={attempt}")
}

/// The whisper a person hears on picking up, before she is connected.
pub fn whisper_url(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!(
        "/webhooks/voice/whisper?{}",
        leg_query(call_id, staff_id, attempt)
    )
}

/// Where the whisper's key press goes.
pub fn whisper_answer_url(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!(
        "/webhooks/voice/whisper/answer?{}",
        leg_query(call_id, staff_id, attempt)
    )
}

/// Where Twilio reports each ringing leg's progress.
pub fn leg_status_url(call_id: i64, staff_id: i64, attempt: i64) -> String {
    format!(
        "/webhooks/voice/leg?{}",
        leg_query(call_id, staff_id, attempt)
    )
}

/// Where Twilio posts a finished voicemail.
pub const VOICEMAIL_ACTION: &str = "/webhooks/voice/voicemail";
/// Where Twilio says a recording's file is ready; the voicemail is kept from here, since the
/// recording may not exist yet when the action is requested.
pub const RECORDING_STATUS: &str = "/webhooks/voice/recording";

/// Where a call is in the flow: what the caller was hearing when it ended tells its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStage {
    /// Answered by the server; nobody rung yet.
    Greeting,
    /// Someone's phone is ringing.
    Ringing,
    /// A person accepted the call.
    Connected,
    /// The caller was offered voicemail.
    Voicemail,
}

/// How a call ended, as the log and the reports count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CallOutcome {
    Answered,
    Voicemail,
    /// Nobody answered and she left no voicemail: someone owes her a call back.
    Missed,
    /// She hung up before anyone could answer.
    Abandoned,
    /// Her number is on the blocklist.
    Blocked,
    /// The provider never told us the call ended; the watchdog closed it.
    Closed,
}

/// Stable names for the log and the database: changing one is a migration.
macro_rules! named {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub fn as_str(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some($type::$variant),)+ _ => None }
            }
        }
    };
}

named!(CallStage { Greeting => "greeting", Ringing => "ringing", Connected => "connected", Voicemail => "voicemail" });
named!(CallOutcome {
    Answered => "answered",
    Voicemail => "voicemail",
    Missed => "missed",
    Abandoned => "abandoned",
    Blocked => "blocked",
    Closed => "closed",
});

/// How a call is counted once Twilio says it ended.
pub fn outcome_when_ended(stage: CallStage, has_voicemail: bool) -> CallOutcome {
    match (stage, has_voicemail) {
        (CallStage::Connected, _) => CallOutcome::Answered,
        (_, true) => CallOutcome::Voicemail,
        (CallStage::Voicemail, false) => CallOutcome::Missed,
        (CallStage::Greeting | CallStage::Ringing, false) => CallOutcome::Abandoned,
    }
}

/// Whether an outcome leaves an answer owed to her: every call that reached nobody.
pub fn owes_follow_up(outcome: CallOutcome) -> bool {
    matches!(
        outcome,
        CallOutcome::Voicemail | CallOutcome::Missed | CallOutcome::Abandoned | CallOutcome::Closed
    )
}

/// Whether Twilio's `CallStatus` is one a call never leaves.
pub fn is_final_status(call_status: &str) -> bool {
    matches!(
        call_status,
        "completed" | "busy" | "failed" | "no-answer" | "canceled"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_counted_by_where_it_ended() {
        assert_eq!(
            outcome_when_ended(CallStage::Connected, false),
            CallOutcome::Answered
        );
        assert_eq!(
            outcome_when_ended(CallStage::Voicemail, true),
            CallOutcome::Voicemail
        );
        assert_eq!(
            outcome_when_ended(CallStage::Voicemail, false),
            CallOutcome::Missed
        );
        assert_eq!(
            outcome_when_ended(CallStage::Ringing, false),
            CallOutcome::Abandoned
        );
        assert!(
            owes_follow_up(CallOutcome::Missed)
                && !owes_follow_up(CallOutcome::Answered)
                && !owes_follow_up(CallOutcome::Blocked)
        );
    }
}
