//! A text from someone who is not on staff: she is reaching out. Her first text opens a
//! conversation with a fresh code and the follow-up she is owed; each text goes to the people
//! on duty for the conversation's service (and anyone who already has it), from the hotline
//! number, with the code and the service, never her number. STOP and START change her consent
//! and tell nobody. A text that is only a request to be called («позвоните») is also her consent
//! to a callback (`CALL K7Q`); STOP withdraws that too, START does not give it back.

use chrono::Duration;
use hotline_routes::messages::code::{Code, QUARANTINE_DAYS};
use hotline_routes::messages::service::service_of_first_message;
use hotline_routes::messages::{OptKeyword, asks_to_be_called, opt_keyword, texts};
use hotline_schedules::StaffMember;

use super::{Incoming, staff_text};
use crate::consent_words::{Word, change_consent};
use crate::store::{Channel, Conversation, NewConversation, NewMessage, Relay, StoreError};
use crate::web::AppState;

/// Drawing a free code fails this often only when nearly every code is taken.
const CODE_DRAWS: usize = 50;

pub(super) async fn handle(state: &AppState, incoming: &Incoming<'_>) -> Result<(), StoreError> {
    let key = &state.secrets.data_key;
    let contact_hash = key.hash(incoming.from);
    let (message, new) = state
        .store
        .record_message(&NewMessage {
            message_sid: incoming.sid.to_owned(),
            line_number: incoming.line_number.to_owned(),
            channel: incoming.channel,
            staff_id: None,
            body_sealed: key.seal(&incoming.body),
            received_at: incoming.now,
        })
        .await?;
    if let Some(keyword) = opt_keyword(&incoming.body) {
        if new {
            let granted = keyword == OptKeyword::Start;
            let reason = if granted { "start" } else { "stop" };
            let word = Word {
                contact_hash: &contact_hash,
                granted,
                reason,
                conversation_id: None,
                at: incoming.now,
            };
            change_consent(state.store.as_ref(), incoming.channel, &word).await?;
            if !granted {
                // A phone that must not get texts must not ring either; a call is asked for
                // again in words, never restored by START.
                change_consent(state.store.as_ref(), Channel::Voice, &word).await?;
            }
            state
                .metrics
                .count("hotline_messages_total", "event", "opt_change");
        }
        return Ok(());
    }
    let (conversation, first) = match message.conversation_id {
        Some(id) => {
            let conversation = state.store.conversation(id).await?.ok_or_else(|| {
                StoreError::Corrupt("a message names a conversation that is not there".into())
            })?;
            (conversation, false)
        }
        None => conversation_for(state, incoming, &contact_hash).await?,
    };
    if first {
        // Her writing to us on this channel is, for now, her consent to an answer on it.
        let word = Word {
            contact_hash: &contact_hash,
            granted: true,
            reason: "wrote_first",
            conversation_id: Some(conversation.id),
            at: incoming.now,
        };
        change_consent(state.store.as_ref(), incoming.channel, &word).await?;
    }
    let code = Code::parse(&conversation.code).ok_or_else(|| {
        StoreError::Corrupt(format!("conversation {} has no code", conversation.id))
    })?;
    let wants_call = asks_to_be_called(&incoming.body);
    if wants_call && new {
        let word = Word {
            contact_hash: &contact_hash,
            granted: true,
            reason: "asked_to_be_called",
            conversation_id: Some(conversation.id),
            at: incoming.now,
        };
        change_consent(state.store.as_ref(), Channel::Voice, &word).await?;
    }
    let mut body = texts::relay_to_staff(&code, conversation.service, &incoming.body, first);
    if wants_call {
        body = format!("{body}\n{}", texts::asked_to_be_called(&code));
    }
    let people = recipients(state, &conversation, incoming).await?;
    let texts = people
        .iter()
        .map(|person| {
            let key = format!("relay:{}:{}", incoming.sid, person.id);
            (
                person.id,
                staff_text(state, person, key, &body, incoming.now),
            )
        })
        .collect();
    // Her text placed and relayed in one write, committed with the texts and calls beside it.
    state
        .store
        .take_in_and_relay(&Relay {
            message_id: message.id,
            conversation_id: conversation.id,
            at: incoming.now,
            texts,
        })
        .await?;
    if people.is_empty() {
        // Still owed: the follow-up stays open for the coordinator to see.
        tracing::warn!(
            conversation = conversation.id,
            "nobody on duty or coordinating to relay a text to"
        );
    }
    state.metrics.count(
        "hotline_messages_total",
        "event",
        if first { "conversation" } else { "message" },
    );
    tracing::info!(
        conversation = conversation.id,
        code = %code,
        people = people.len(),
        "a text was relayed to staff"
    );
    Ok(())
}

/// Her open conversation on this line and channel, or a new one under a free code.
async fn conversation_for(
    state: &AppState,
    incoming: &Incoming<'_>,
    contact_hash: &str,
) -> Result<(Conversation, bool), StoreError> {
    let store = &state.store;
    if let Some(open) = store
        .open_conversation_of(incoming.line_number, contact_hash, incoming.channel)
        .await?
    {
        return Ok((open, false));
    }
    let line = crate::lines::for_number(store.as_ref(), incoming.line_number).await?;
    let new = NewConversation {
        code: String::new(),
        line_number: incoming.line_number.to_owned(),
        channel: incoming.channel,
        contact_sealed: state.secrets.data_key.seal(incoming.from),
        contact_hash: contact_hash.to_owned(),
        service: service_of_first_message(&incoming.body, &line.services),
        opened_at: incoming.now,
    };
    let code_free_before = incoming.now - Duration::days(QUARANTINE_DAYS);
    for _ in 0..CODE_DRAWS {
        let code = Code::from_seed(rand::random());
        let attempt = NewConversation {
            code: code.to_string(),
            ..new.clone()
        };
        if let Some(started) = store.start_conversation(&attempt, code_free_before).await? {
            if let Some(follow_up) = started.follow_up_id {
                // Her first text reaches the people on duty with its code: remind from then on.
                crate::jobs::reminders::schedule_first(state, follow_up, incoming.now, true)
                    .await?;
            }
            return Ok((started, true));
        }
        // The code was taken, or another of her texts opened the conversation just now.
        if let Some(open) = store
            .open_conversation_of(incoming.line_number, contact_hash, incoming.channel)
            .await?
        {
            return Ok((open, false));
        }
    }
    Err(StoreError::Conflict(
        "no free conversation code after many draws".into(),
    ))
}

/// The people on duty now for the conversation's service (the coordinators when nobody is),
/// and whoever already has the conversation.
async fn recipients(
    state: &AppState,
    conversation: &Conversation,
    incoming: &Incoming<'_>,
) -> Result<Vec<StaffMember>, StoreError> {
    let now = incoming.now;
    let (staff, rota) =
        crate::rota::load(state.store.as_ref(), now, now + Duration::seconds(1)).await?;
    let mut ids: Vec<i64> = rota
        .on_duty(conversation.service, None, now)
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
    ids.extend(state.store.conversation_staff(conversation.id).await?);
    Ok(staff
        .into_iter()
        .filter(|p| p.active && ids.contains(&p.id))
        .collect())
}
