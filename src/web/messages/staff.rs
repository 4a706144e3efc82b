//! A text from a staff member's own number: a reply to her, relayed from the hotline number, or
//! a command. Every text gets an answer that says what was done, naming the code; an unknown or
//! closed code, a withdrawn consent or WhatsApp's closed window are said plainly, and then
//! nothing is sent to her. Commands that change something act only the first time a
//! MessageSid is seen; replies and callbacks are queued once per MessageSid however often it is
//! retried.

use chrono::Duration;
use hotline_routes::callback;
use hotline_routes::consent::{self, Decision, Withheld};
use hotline_routes::messages::texts;
use hotline_routes::messages::{Code, StaffText, read_staff_text};
use hotline_schedules::{HOTLINE_ZONE, StaffMember};

use super::{Incoming, text_staff};
use crate::rota::edit::Editor;
use crate::rota::spec::{ChangeSpec, OverrideSpec};
use crate::store::{
    Channel, Consent, Conversation, NewMessage, NewOutboxMessage, RuleKind, StoreError,
};
use crate::web::AppState;

/// WhatsApp allows a free-form message only this long after her last one.
const WHATSAPP_WINDOW: Duration = Duration::hours(24);

pub(super) async fn handle(
    state: &AppState,
    incoming: &Incoming<'_>,
    person: &StaffMember,
) -> Result<(), StoreError> {
    let key = &state.secrets.data_key;
    let (message, new) = state
        .store
        .record_message(&NewMessage {
            message_sid: incoming.sid.to_owned(),
            line_number: incoming.line_number.to_owned(),
            channel: incoming.channel,
            staff_id: Some(person.id),
            body_sealed: key.seal(&incoming.body),
            received_at: incoming.now,
        })
        .await?;
    let answer = match read_staff_text(&incoming.body) {
        StaffText::Reply { code, text } => {
            match conversation_named(state, person, code.as_ref()).await? {
                Err(refusal) => refusal,
                Ok((conversation, code)) => {
                    let answer = relay_to_her(state, incoming, &conversation, &code, &text).await?;
                    state
                        .store
                        .attach_message(message.id, conversation.id)
                        .await?;
                    state
                        .store
                        .note_staff(conversation.id, person.id, incoming.now)
                        .await?;
                    answer
                }
            }
        }
        StaffText::Done(code) => match conversation_named(state, person, code.as_ref()).await? {
            Err(refusal) => refusal,
            Ok((conversation, code)) => {
                state
                    .store
                    .close_conversation(conversation.id, person.id, incoming.now)
                    .await?;
                state
                    .store
                    .attach_message(message.id, conversation.id)
                    .await?;
                tracing::info!(
                    conversation = conversation.id,
                    staff_id = person.id,
                    "conversation closed"
                );
                texts::closed(&code)
            }
        },
        StaffText::Call(code) => match conversation_named(state, person, code.as_ref()).await? {
            Err(refusal) => refusal,
            Ok((conversation, code)) => {
                queue_callback(state, incoming, person, &conversation, &code).await?
            }
        },
        StaffText::Pause(length) => pause(state, incoming, person, length, new).await?,
        StaffText::Resume => {
            if new {
                resume(state, incoming, person).await?;
            }
            texts::resumed()
        }
        StaffText::Help => texts::help(),
        StaffText::Unreadable => texts::unreadable(),
        StaffText::NotACode(word) => texts::unknown_code(&word),
    };
    text_staff(
        state,
        person,
        format!("answer:{}", incoming.sid),
        &answer,
        incoming.now,
    )
    .await
}

/// The open conversation a staff text names by code, or the person's latest; otherwise the
/// answer that says why nothing will be sent.
async fn conversation_named(
    state: &AppState,
    person: &StaffMember,
    code: Option<&Code>,
) -> Result<Result<(Conversation, Code), String>, StoreError> {
    let conversation = match code {
        Some(code) => match state.store.conversation_by_code(code.as_str()).await? {
            None => return Ok(Err(texts::unknown_code(code.as_str()))),
            Some(c) if !c.open => return Ok(Err(texts::stale_code(code))),
            Some(c) => c,
        },
        None => match state.store.latest_conversation_of(person.id).await? {
            None => return Ok(Err(texts::no_latest_conversation())),
            Some(c) => c,
        },
    };
    let code = Code::parse(&conversation.code).ok_or_else(|| {
        StoreError::Corrupt(format!("conversation {} has no code", conversation.id))
    })?;
    Ok(Ok((conversation, code)))
}

/// Queues `text` to her from the hotline number, on the channel she wrote on, when she allows
/// it; returns the answer for the staff member.
async fn relay_to_her(
    state: &AppState,
    incoming: &Incoming<'_>,
    conversation: &Conversation,
    code: &Code,
    text: &str,
) -> Result<String, StoreError> {
    if text.trim().is_empty() {
        return Ok(texts::empty_reply(code));
    }
    if let Some(refusal) = refused(state, conversation, conversation.channel, incoming).await? {
        tracing::info!(
            conversation = conversation.id,
            reason = refusal.as_str(),
            "a reply was not sent: no consent in force"
        );
        return Ok(match refusal {
            Withheld::Expired => texts::consent_expired(code),
            Withheld::NoneRecorded | Withheld::Withdrawn => texts::no_consent(code),
        });
    }
    if conversation.channel == Channel::Whatsapp
        && incoming.now - conversation.last_inbound_at > WHATSAPP_WINDOW
    {
        tracing::info!(
            conversation = conversation.id,
            "a reply was not sent: WhatsApp's window closed"
        );
        return Ok(texts::window_closed(code));
    }
    let key = &state.secrets.data_key;
    let her = key
        .open(&conversation.contact_sealed)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    state
        .store
        .enqueue_outbox(&NewOutboxMessage {
            idempotency_key: format!("reply:{}", incoming.sid),
            channel: conversation.channel.as_str().to_owned(),
            to_sealed: key.seal(&her),
            body_sealed: key.seal(text.trim()),
            created_at: incoming.now,
            // The sender asks her consent again when it is due: her hours, STOP, expiry.
            contact_hash: Some(conversation.contact_hash.clone()),
        })
        .await?;
    state
        .metrics
        .count("hotline_messages_total", "event", "reply");
    tracing::info!(
        conversation = conversation.id,
        "a staff reply was queued to her"
    );
    Ok(texts::reply_sent(code))
}

/// Why nothing may be queued to her on `channel` now: no consent, withdrawn or ended. Her safe
/// hours do not refuse: the outbox holds the message until they open, and asks again then.
async fn refused(
    state: &AppState,
    conversation: &Conversation,
    channel: Channel,
    incoming: &Incoming<'_>,
) -> Result<Option<Withheld>, StoreError> {
    let latest = state
        .store
        .latest_consent(&conversation.contact_hash, channel)
        .await?;
    let terms = latest.as_ref().map(Consent::terms);
    // Withholding never depends on the zone; only the hours do, and they do not refuse here.
    Ok(
        match consent::decide(terms.as_ref(), incoming.now, HOTLINE_ZONE) {
            Decision::Withhold(reason) => Some(reason),
            Decision::Send | Decision::HoldUntil(_) => None,
        },
    )
}

/// `CALL K7Q`: with her consent to a call, queues a call to the staff member in the outbox; the
/// provider is never called from inside this webhook's answer. She is dialled only after the
/// staff member picks up and presses 1 (`web::voice::callback`).
async fn queue_callback(
    state: &AppState,
    incoming: &Incoming<'_>,
    person: &StaffMember,
    conversation: &Conversation,
    code: &Code,
) -> Result<String, StoreError> {
    if let Some(refusal) = refused(state, conversation, Channel::Voice, incoming).await? {
        tracing::info!(
            conversation = conversation.id,
            reason = refusal.as_str(),
            "a callback was not queued: no consent to a call in force"
        );
        return Ok(match refusal {
            Withheld::Expired => texts::consent_expired(code),
            Withheld::NoneRecorded | Withheld::Withdrawn => texts::call_without_consent(code),
        });
    }
    let key = &state.secrets.data_key;
    state
        .store
        .enqueue_outbox(&NewOutboxMessage {
            idempotency_key: format!("callback:{}", incoming.sid),
            channel: crate::outbox::CALLBACK_CHANNEL.to_owned(),
            to_sealed: key.seal(person.phone.as_e164()),
            // What the provider fetches when the staff member answers: no number in it.
            body_sealed: key.seal(&callback::callback_url(conversation.id, person.id)),
            created_at: incoming.now,
            // The call rings staff first but ends at her phone: her consent to a call decides.
            contact_hash: Some(conversation.contact_hash.clone()),
        })
        .await?;
    state
        .metrics
        .count("hotline_messages_total", "event", "callback");
    tracing::info!(
        conversation = conversation.id,
        staff_id = person.id,
        "a callback was queued"
    );
    Ok(texts::call_queued(code))
}

/// `PAUSE 2h`: off duty for every service until then, as the staff API's pause does.
async fn pause(
    state: &AppState,
    incoming: &Incoming<'_>,
    person: &StaffMember,
    length: Duration,
    new: bool,
) -> Result<String, StoreError> {
    let until = incoming.now + length;
    if new {
        let editor = editor(state, incoming, person);
        let pause = OverrideSpec {
            service: None,
            change: ChangeSpec::Remove {
                staff_id: person.id,
            },
            starts_at: incoming.now,
            ends_at: until,
        };
        if let Err(error) = editor.create(&pause).await {
            tracing::warn!(%error, staff_id = person.id, "a pause by text was refused");
            return Ok(format!("Пауза не поставлена: {error}"));
        }
    }
    let local = until.with_timezone(&state.schedule.zone);
    Ok(texts::paused(&local.format("%H:%M").to_string()))
}

/// `RESUME`: ends the person's breaks now.
async fn resume(
    state: &AppState,
    incoming: &Incoming<'_>,
    person: &StaffMember,
) -> Result<(), StoreError> {
    let now = incoming.now;
    let editor = editor(state, incoming, person);
    let rules = state
        .store
        .rules_between(now, now + Duration::seconds(1))
        .await?;
    for rule in rules
        .into_iter()
        .filter(|r| r.kind == RuleKind::Override && r.valid_until.is_none())
    {
        let Ok(spec) = serde_json::from_str::<OverrideSpec>(&rule.body) else {
            continue;
        };
        let own_break = ChangeSpec::Remove {
            staff_id: person.id,
        };
        if spec.service.is_none()
            && spec.change == own_break
            && let Err(error) = editor.close::<OverrideSpec>(rule.id).await
        {
            tracing::warn!(%error, staff_id = person.id, "a break could not be ended by text");
        }
    }
    Ok(())
}

fn editor<'a>(state: &'a AppState, incoming: &Incoming<'_>, person: &StaffMember) -> Editor<'a> {
    Editor {
        store: state.store.as_ref(),
        actor: format!("staff/{} by text", person.id),
        now: incoming.now,
    }
}
