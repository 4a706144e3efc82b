//! The shapes of what the store keeps and returns. Personal values arrive here already sealed
//! (encrypted) by `crate::crypto`; the store never sees a caller's number in the clear.

use chrono::{DateTime, Utc};
pub use hotline_routes::call::{CallOutcome, CallStage};
use hotline_schedules::{Gender, Language, PhoneNumber, Service, StaffMember};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub name: String,
    pub phone: PhoneNumber,
    pub services: Vec<Service>,
    pub languages: Vec<Language>,
    pub gender: Option<Gender>,
    pub is_coordinator: bool,
    pub active: bool,
}

impl From<&StaffMember> for NewStaff {
    fn from(person: &StaffMember) -> Self {
        NewStaff {
            name: person.name.clone(),
            phone: person.phone.clone(),
            services: person.services.clone(),
            languages: person.languages.clone(),
            gender: person.gender,
            is_coordinator: person.is_coordinator,
            active: person.active,
        }
    }
}

/// Who changed what, for the audit log; written in the same transaction as the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// `token:NAME`, `import`, a user's name: never a caller's anything.
    pub actor: String,
    /// `create`, `update`, `close`, `deactivate`, …
    pub action: String,
    /// `staff/3`, `rule/12`, …
    pub subject: String,
    /// The subject as JSON before and after the change.
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Rotation,
    Shift,
    Override,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Rotation => "rotation",
            RuleKind::Shift => "shift",
            RuleKind::Override => "override",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [RuleKind::Rotation, RuleKind::Shift, RuleKind::Override]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// A rota rule to keep: its JSON body, and the columns queries select by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRule {
    pub kind: RuleKind,
    pub service: Option<Service>,
    /// Unset for a rotation, which has no end.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub body: String,
    pub valid_from: DateTime<Utc>,
}

/// A rota rule as kept, with the span of real time it is (or was) in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub id: i64,
    pub kind: RuleKind,
    pub body: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// The rule that took this one's place, when it was edited rather than deleted.
    pub replaced_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudit {
    pub id: i64,
    pub entry: AuditEntry,
}

/// An audit entry with its link in the chain (`crate::audit_chain`); entries from before the
/// chain began have none. `salt` is gone once retention erased the entry's personal words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedAudit {
    pub id: i64,
    pub entry: AuditEntry,
    pub salt: Option<String>,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewCall {
    pub call_sid: String,
    /// The hotline number she dialled (ours, not personal).
    pub line_number: String,
    pub caller_sealed: Vec<u8>,
    pub caller_hash: String,
    pub status: String,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub id: i64,
    pub call_sid: String,
    pub line_number: String,
    pub caller_sealed: Vec<u8>,
    pub caller_hash: String,
    pub status: String,
    pub stage: CallStage,
    pub language: Option<Language>,
    pub service: Option<Service>,
    pub ringing_since: Option<DateTime<Utc>>,
    pub outcome: Option<CallOutcome>,
    pub answered_by: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_secs: Option<i64>,
}

/// What her choice at a menu led to, kept with it in one write (`set_call_choice_then`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterChoice {
    /// These people rung, from this time (`start_legs`).
    Ring(Vec<NewLeg>, DateTime<Utc>),
    /// The call at this stage (`set_call_stage`): voicemail, with nobody to ring.
    Stage(CallStage),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeg {
    pub call_id: i64,
    pub attempt: i64,
    pub staff_id: i64,
    pub started_at: DateTime<Utc>,
}

/// The result of a leg still open when the call ended: a placeholder the leg's own report
/// replaces if it comes later, since the provider knows best how a leg ended.
pub const CALLER_HUNG_UP: &str = "caller-hung-up";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegEnd {
    /// Twilio's DialCallStatus: completed, answered, busy, no-answer, failed, canceled.
    pub result: String,
    pub dial_call_sid: Option<String>,
    pub duration_secs: Option<i64>,
    pub ended_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLeg {
    pub call_id: i64,
    pub attempt: i64,
    pub staff_id: i64,
    pub started_at: DateTime<Utc>,
    pub result: Option<String>,
    pub dial_call_sid: Option<String>,
    pub duration_secs: Option<i64>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewVoicemail {
    pub call_id: i64,
    pub recording_sid: String,
    pub recording_sealed: Vec<u8>,
    pub duration_secs: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatusUpdate {
    pub call_sid: String,
    pub status: String,
    /// Twilio's SequenceNumber; callbacks may arrive out of order.
    pub sequence: i64,
    /// Set when the status is final.
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_secs: Option<i64>,
    /// Set when the status is final and the call had no outcome yet.
    pub outcome: Option<CallOutcome>,
}

/// A number kept from calling, by keyed hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEntry {
    pub id: i64,
    pub until: DateTime<Utc>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// An answer owed to someone who reached out and got no person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub call_id: i64,
    /// The call's outcome that opened it: voicemail, missed, abandoned.
    pub kind: CallOutcome,
    pub service: Option<Service>,
    pub line_number: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: i64,
    pub call_id: Option<i64>,
    pub kind: String,
    pub service: Option<Service>,
    pub line_number: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The staff member who answered it, when a staff member did (not an API token).
    pub answered_by: Option<i64>,
    pub reminders_sent: i64,
    /// The note left when it was answered, sealed with the data key (`log::follow_up_note`).
    pub answer_note_sealed: Option<Vec<u8>>,
    /// The conversation's code, for a follow-up of a text conversation.
    pub code: Option<String>,
    /// The staff member it belongs to, when it was assigned or taken.
    pub assignee: Option<Assignee>,
}

/// Whom a follow-up belongs to, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub staff_id: i64,
    pub name: String,
    /// A deactivated assignee's follow-ups are the people on duty's again.
    pub active: bool,
    pub since: DateTime<Utc>,
}

impl FollowUp {
    /// The staff member whose it is now: its assignee while she is active; none when it was
    /// never assigned or she has left, and then it is whoever is on duty's, as before.
    pub fn holder(&self) -> Option<i64> {
        self.assignee
            .as_ref()
            .filter(|a| a.active)
            .map(|a| a.staff_id)
    }
}

/// The channel a text came on and an answer goes back on; and, for consents only, `Voice`:
/// her leave to be called back, which her texting alone never gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Whatsapp,
    Voice,
}

impl Channel {
    /// The name the outbox and the tables use.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Voice => "voice",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sms" => Some(Channel::Sms),
            "whatsapp" => Some(Channel::Whatsapp),
            "voice" => Some(Channel::Voice),
            _ => None,
        }
    }
}

/// A text as it came in, before it is placed in a conversation.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub message_sid: String,
    pub line_number: String,
    pub channel: Channel,
    /// The staff member who wrote it, when it came from a staff number.
    pub staff_id: Option<i64>,
    pub body_sealed: Vec<u8>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub message_sid: String,
    pub line_number: String,
    pub channel: Channel,
    pub staff_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub body_sealed: Vec<u8>,
    pub received_at: DateTime<Utc>,
}

/// A conversation to open, with the code the caller drew for it.
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub code: String,
    pub line_number: String,
    pub channel: Channel,
    pub contact_sealed: Vec<u8>,
    pub contact_hash: String,
    pub service: Service,
    pub opened_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: i64,
    pub code: String,
    pub line_number: String,
    pub channel: Channel,
    pub contact_sealed: Vec<u8>,
    pub contact_hash: String,
    pub service: Service,
    pub open: bool,
    /// The follow-up it opened: she is owed an answer until someone marks it done.
    pub follow_up_id: Option<i64>,
    pub opened_at: DateTime<Utc>,
    /// Her latest message: WhatsApp allows free-form answers for 24 hours after it.
    pub last_inbound_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<i64>,
}

/// A change to her consent to be written to on a channel.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub contact_hash: String,
    pub channel: Channel,
    pub granted: bool,
    /// Why: `wrote_first`, `stop`, `start`, `asked_to_be_called`, or `terms` (set by staff
    /// through the API).
    pub reason: String,
    pub conversation_id: Option<i64>,
    pub at: DateTime<Utc>,
    /// Her terms: the hours contact is safe (`None`: any hour), when the consent ends, and a
    /// code word sealed with the data key.
    pub safe_hours: Option<hotline_routes::consent::SafeHours>,
    pub expires_at: Option<DateTime<Utc>>,
    pub code_word_sealed: Option<Vec<u8>>,
}
