//! A text from someone who is not on staff: she is reaching out. Her first text opens a
//! conversation with a fresh code and the follow-up she is owed, in one write with all it
//! brings (`open_with_first_text`); each later text is one write too (`relay_later`). Each
//! text goes to the people on duty for the conversation's service (and anyone who already has
//! it), from the hotline number, with the code and the service, never her number. STOP and
//! START change her consent and tell nobody. A text that is only a request to be called
//! («позвоните») is also her consent to a callback (`CALL K7Q`); STOP withdraws that too, START
//! does not give it back.

use chrono::Duration;
use hotline_routes::messages::code::{Code, QUARANTINE_DAYS};
use hotline_routes::messages::service::service_of_first_message;
use hotline_routes::messages::{OptKeyword, asks_to_be_called, opt_keyword, texts};
use hotline_schedules::{Service, StaffMember};

use super::{Incoming, staff_text};
use crate::consent_words::{Word, change_consent, consent_of};
use crate::store::{
    Channel, Conversation, NewConversation, NewMessage, NewOutboxMessage, Opened, Opening, Relay,
    StoreError, TextIn,
};
use crate::web::AppState;

/// Drawing a free code fails this often only when nearly every code is taken.
const CODE_DRAWS: usize = 50;

pub(super) async fn handle(state: &AppState, incoming: &Incoming<'_>) -> Result<(), StoreError> {
    let key = &state.secrets.data_key;
    let contact_hash = key.hash(incoming.from);
    let message = NewMessage {
        message_sid: incoming.sid.to_owned(),
        line_number: incoming.line_number.to_owned(),
        channel: incoming.channel,
        staff_id: None,
        body_sealed: key.seal(&incoming.body),
        received_at: incoming.now,
    };
    if let Some(keyword) = opt_keyword(&incoming.body) {
        return change_by_keyword(state, &message, &contact_hash, keyword, incoming).await;
    }
    let store = state.store.as_ref();
    let open = match store
        .open_conversation_of(incoming.line_number, &contact_hash, incoming.channel)
        .await?
    {
        Some(open) => open,
        None => match open_with_first_text(state, incoming, &message, &contact_hash).await? {
            FirstText::Opened | FirstText::TakenBefore => return Ok(()),
            FirstText::AlreadyOpen(open) => open,
        },
    };
    relay_later(state, incoming, &message, &contact_hash, open).await
}

/// STOP or START: her text is kept, her consent changed (once, however often the provider
/// repeats it), and nobody is told.
async fn change_by_keyword(
    state: &AppState,
    message: &NewMessage,
    contact_hash: &str,
    keyword: OptKeyword,
    incoming: &Incoming<'_>,
) -> Result<(), StoreError> {
    let (_, new) = state.store.record_message(message).await?;
    if !new {
        return Ok(());
    }
    let granted = keyword == OptKeyword::Start;
    let reason = if granted { "start" } else { "stop" };
    let word = Word {
        contact_hash,
        granted,
        reason,
        conversation_id: None,
        at: incoming.now,
    };
    change_consent(state.store.as_ref(), incoming.channel, &word).await?;
    if !granted {
        // A phone that must not get texts must not ring either; a call is asked for again in
        // words, never restored by START.
        change_consent(state.store.as_ref(), Channel::Voice, &word).await?;
    }
    state
        .metrics
        .count("hotline_messages_total", "event", "opt_change");
    Ok(())
}

/// Her text recorded and relayed in one write in a conversation she already has, to the
/// people on duty and whoever has the conversation.
async fn relay_later(
    state: &AppState,
    incoming: &Incoming<'_>,
    message: &NewMessage,
    contact_hash: &str,
    conversation: Conversation,
) -> Result<(), StoreError> {
    let store = state.store.as_ref();
    let code = Code::parse(&conversation.code).ok_or_else(|| {
        StoreError::Corrupt(format!("conversation {} has no code", conversation.id))
    })?;
    let people = recipients(state, conversation.service, Some(conversation.id), incoming).await?;
    let mut consents = Vec::new();
    if asks_to_be_called(&incoming.body) {
        let word = Word {
            contact_hash,
            granted: true,
            reason: "asked_to_be_called",
            conversation_id: Some(conversation.id),
            at: incoming.now,
        };
        consents.push(consent_of(store, Channel::Voice, &word).await?);
    }
    let text = TextIn {
        contact_hash: contact_hash.to_owned(),
        message: message.clone(),
        relay: Relay {
            conversation_id: conversation.id,
            at: incoming.now,
            texts: relay_texts(state, incoming, &code, conversation.service, false, &people),
        },
        consents,
    };
    // Committed with the texts and calls beside it.
    store.take_in_text(&text).await?;
    relayed(state, conversation.id, &code, people.len(), false);
    Ok(())
}

/// What became of her first text when she had no open conversation.
enum FirstText {
    /// It opened her conversation and was relayed in it.
    Opened,
    /// Another text of hers opened one just now: this one goes into it as a later text.
    AlreadyOpen(Conversation),
    /// It is a repeat, taken in before: it was relayed then, in the same write.
    TakenBefore,
}

/// Opens her conversation under a free code with everything her first text brings, in one
/// write: the follow-up she is owed and its first reminder, her consent to an answer on this
/// channel (and to a call, if she asks for one), and her text relayed to the people on duty.
async fn open_with_first_text(
    state: &AppState,
    incoming: &Incoming<'_>,
    message: &NewMessage,
    contact_hash: &str,
) -> Result<FirstText, StoreError> {
    let store = state.store.as_ref();
    let now = incoming.now;
    let line = crate::lines::for_number(store, incoming.line_number).await?;
    let service = service_of_first_message(&incoming.body, &line.services);
    let new = NewConversation {
        code: String::new(),
        line_number: incoming.line_number.to_owned(),
        channel: incoming.channel,
        contact_sealed: state.secrets.data_key.seal(incoming.from),
        contact_hash: contact_hash.to_owned(),
        service,
        opened_at: now,
    };
    // Her writing to us on this channel is, for now, her consent to an answer on it. These
    // are written with the conversation, which is opened once, so a retry cannot miss them.
    let mut word = Word {
        contact_hash,
        granted: true,
        reason: "wrote_first",
        conversation_id: None,
        at: now,
    };
    let mut consents = vec![consent_of(store, incoming.channel, &word).await?];
    if asks_to_be_called(&incoming.body) {
        word.reason = "asked_to_be_called";
        consents.push(consent_of(store, Channel::Voice, &word).await?);
    }
    let people = recipients(state, service, None, incoming).await?;
    let code_free_before = now - Duration::days(QUARANTINE_DAYS);
    for _ in 0..CODE_DRAWS {
        let code = Code::from_seed(rand::random());
        let opening = Opening {
            conversation: NewConversation {
                code: code.to_string(),
                ..new.clone()
            },
            code_free_before,
            // Her first text reaches the people on duty with its code: remind from then on.
            first_reminder: Some(crate::jobs::reminders::first_of_opening(state, now, true)),
            consents: consents.clone(),
            text: Some(message.clone()),
            relay_texts: relay_texts(state, incoming, &code, service, true, &people),
        };
        match store.open_conversation(&opening).await? {
            Opened::Opened(id) => {
                relayed(state, id, &code, people.len(), true);
                return Ok(FirstText::Opened);
            }
            Opened::TakenBefore(_) => return Ok(FirstText::TakenBefore),
            Opened::NotOpened => {}
        }
        // The code was taken, or another of her texts opened the conversation just now.
        if let Some(open) = store
            .open_conversation_of(incoming.line_number, contact_hash, incoming.channel)
            .await?
        {
            return Ok(FirstText::AlreadyOpen(open));
        }
    }
    Err(StoreError::Conflict(
        "no free conversation code after many draws".into(),
    ))
}

/// Her text as each of `people` gets it from the hotline number: with the code and the
/// service, never her number; once per text and person, however often the provider retries.
fn relay_texts(
    state: &AppState,
    incoming: &Incoming<'_>,
    code: &Code,
    service: Service,
    first: bool,
    people: &[StaffMember],
) -> Vec<(i64, NewOutboxMessage)> {
    let mut body = texts::relay_to_staff(code, service, &incoming.body, first);
    if asks_to_be_called(&incoming.body) {
        body = format!("{body}\n{}", texts::asked_to_be_called(code));
    }
    people
        .iter()
        .map(|person| {
            let key = format!("relay:{}:{}", incoming.sid, person.id);
            (
                person.id,
                staff_text(state, person, key, &body, incoming.now),
            )
        })
        .collect()
}

/// Counts and logs a text relayed (by its conversation and code, never her number or words).
fn relayed(state: &AppState, conversation_id: i64, code: &Code, people: usize, first: bool) {
    if people == 0 {
        // Still owed: the follow-up stays open for the coordinator to see.
        tracing::warn!(
            conversation = conversation_id,
            "nobody on duty or coordinating to relay a text to"
        );
    }
    state.metrics.count(
        "hotline_messages_total",
        "event",
        if first { "conversation" } else { "message" },
    );
    tracing::info!(
        conversation = conversation_id,
        code = %code,
        people,
        "a text was relayed to staff"
    );
}

/// The people on duty now for the conversation's service (the coordinators when nobody is),
/// and whoever already has the conversation (a new one has nobody yet).
async fn recipients(
    state: &AppState,
    service: Service,
    conversation_id: Option<i64>,
    incoming: &Incoming<'_>,
) -> Result<Vec<StaffMember>, StoreError> {
    let now = incoming.now;
    let (staff, rota) =
        crate::rota::load(state.store.as_ref(), now, now + Duration::seconds(1)).await?;
    let mut ids: Vec<i64> = rota
        .on_duty(service, None, now)
        .iter()
        .map(|duty| duty.staff_id)
        .collect();
    if ids.is_empty() {
        ids = staff
            .iter()
            .filter(|p| p.is_coordinator && p.active)
            .map(|p| p.id)
            .collect();
    }
    if let Some(id) = conversation_id {
        ids.extend(state.store.conversation_staff(id).await?);
    }
    Ok(staff
        .into_iter()
        .filter(|p| p.active && ids.contains(&p.id))
        .collect())
}
