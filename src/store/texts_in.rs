//! Her texts as the group commit writes them (see `group_commit.rs`): a text recorded; a later
//! text recorded, placed in her conversation and relayed to the people on duty, in one write
//! (`TextIn`); and her first text with the conversation it opens and all that comes with it
//! (`Opening`). `text_in_sql!` holds the SQL both backends share; SQLite's opening is below;
//! PostgreSQL writes an opening and a later text in fewer statements (`texts_in_postgres.rs`).
//! `messages.rs` holds the store's trait and the rest of the texts' SQL.

use chrono::{DateTime, Utc};

use super::*;

/// Her text relayed to staff in its conversation: the text queued to each of them, and the
/// conversation noted as theirs.
#[derive(Debug, Clone)]
pub struct Relay {
    pub conversation_id: i64,
    pub at: DateTime<Utc>,
    /// Each staff member, with the text queued to her.
    pub texts: Vec<(i64, NewOutboxMessage)>,
}

/// Her later text taken in, in one write (see `take_in_text`).
#[derive(Debug, Clone)]
pub struct TextIn {
    /// Whose text it is, by the hash of her number: her writes are committed in its order.
    pub contact_hash: String,
    pub message: NewMessage,
    /// Its relay in her open conversation.
    pub relay: Relay,
    /// Her words on consent in it (asking to be called), recorded as it is placed.
    pub consents: Vec<NewConsent>,
}

/// A conversation opened by her first text, in one write with all that comes with it (see
/// `open_conversation`): her first text then costs one synced commit, as a later text does,
/// where each part of it was once a commit of its own.
#[derive(Debug, Clone)]
pub struct Opening {
    pub conversation: NewConversation,
    /// Her code must not have gone to a conversation closed after this.
    pub code_free_before: DateTime<Utc>,
    /// The first reminder of the follow-up she is owed, made from that follow-up's id.
    pub first_reminder: Option<JobOf>,
    /// Her words on consent, each recorded as given in the conversation this opens.
    pub consents: Vec<NewConsent>,
    /// Her first text, recorded with it and placed in it.
    pub text: Option<NewMessage>,
    /// Her first text relayed in the conversation this opens, at its opening: each staff
    /// member, with the text queued to her.
    pub relay_texts: Vec<(i64, NewOutboxMessage)>,
}

/// What became of an opening (see `open_conversation`).
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The new conversation's id.
    Opened(i64),
    /// Nothing opened: the code was taken, or she has an open conversation now.
    NotOpened,
    /// Nothing opened: her text is a repeat, taken into this conversation before.
    TakenBefore(StoredMessage),
}

impl Opening {
    /// The conversation and its follow-up alone.
    pub fn bare(conversation: NewConversation, code_free_before: DateTime<Utc>) -> Self {
        Self {
            conversation,
            code_free_before,
            first_reminder: None,
            consents: Vec::new(),
            text: None,
            relay_texts: Vec::new(),
        }
    }
}

/// Places a message in a conversation unless placed already (binds: conversation, message).
pub(super) const ATTACH: &str =
    "UPDATE messages SET conversation_id = $1 WHERE id = $2 AND conversation_id IS NULL";

/// Her latest text's time, never moved back (binds: conversation, at). Her conversation's row
/// is taken whatever the time, and before her staff's rows, so two of her texts relayed at once
/// wait for each other in turn. Were one to take them the other way round, two committers'
/// transactions could each hold a row the other waits for: a deadlock, which PostgreSQL ends
/// only after a second.
pub(super) const NOTE_INBOUND: &str = "UPDATE conversations
     SET last_inbound_at = CASE WHEN last_inbound_at < $2 THEN $2 ELSE last_inbound_at END WHERE id = $1";

/// The group commit's writes of her texts, for `$store` over a `sqlx::Pool<$db>`.
macro_rules! text_in_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Her text relayed (see `take_in_text`), inside the group commit's transaction, as
            /// part of a write kept whole: each staff member's text queued, and the conversation
            /// noted as theirs. Each staff member's row is written in the order of their ids, as
            /// every relay's is, so two relays of one conversation never wait for each other
            /// crosswise.
            pub(super) async fn insert_relay(tx: &mut sqlx::Transaction<'_, $db>, relay: &Relay) -> StoreResult<()> {
                if relay.texts.is_empty() {
                    return Ok(());
                }
                let mut texts: Vec<&(i64, NewOutboxMessage)> = relay.texts.iter().collect();
                texts.sort_by_key(|(staff_id, _)| *staff_id);
                // One statement for every person's text and one for every person's row, however
                // many are on duty: each statement is a round trip the committer waits for.
                let mut queue = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO outbox (idempotency_key, channel, to_sealed, body_sealed, status, next_attempt_at,
                        created_at, contact_hash) ",
                );
                queue.push_values(&texts, |mut row, (_, text)| {
                    row.push_bind(&text.idempotency_key)
                        .push_bind(&text.channel)
                        .push_bind(&text.to_sealed)
                        .push_bind(&text.body_sealed)
                        .push_bind("queued")
                        .push_bind(text.created_at)
                        .push_bind(text.created_at)
                        .push_bind(&text.contact_hash);
                });
                queue.push(" ON CONFLICT (idempotency_key) DO NOTHING");
                queue.build().execute(&mut **tx).await?;
                // Each person once: one statement may not touch a row twice.
                let mut people: Vec<i64> = texts.iter().map(|(staff_id, _)| *staff_id).collect();
                people.dedup();
                let mut note = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO conversation_staff (conversation_id, staff_id, last_at) ",
                );
                note.push_values(&people, |mut row, staff_id| {
                    row.push_bind(relay.conversation_id).push_bind(*staff_id).push_bind(relay.at);
                });
                note.push(" ON CONFLICT (conversation_id, staff_id) DO UPDATE SET last_at = excluded.last_at");
                note.build().execute(&mut **tx).await?;
                Ok(())
            }

            /// Her later text recorded and relayed (see `take_in_text`) inside the group
            /// commit's transaction, a statement for each part: SQLite's way, and PostgreSQL's
            /// for a repeat.
            pub(super) async fn insert_text_in_by_steps(
                tx: &mut sqlx::Transaction<'_, $db>,
                text: &TextIn,
            ) -> StoreResult<(StoredMessage, bool)> {
                let conversation_id = text.relay.conversation_id;
                // A new text is placed as it is recorded.
                let (stored, new) = Self::insert_message(tx, &text.message, Some(conversation_id)).await?;
                if !new {
                    if stored.conversation_id.is_some() {
                        // Placed and relayed before, in one write as this.
                        return Ok((stored, new));
                    }
                    sqlx::query(texts_in::ATTACH)
                        .bind(conversation_id)
                        .bind(stored.id)
                        .execute(&mut **tx)
                        .await?;
                }
                sqlx::query(texts_in::NOTE_INBOUND)
                    .bind(conversation_id)
                    .bind(text.relay.at)
                    .execute(&mut **tx)
                    .await?;
                Self::insert_relay(tx, &text.relay).await?;
                // Once, as it is placed: a text kept alone before (an opening that lost its
                // code to another of hers) still brings her word.
                for consent in &text.consents {
                    consents::insert_consent!(consent, &mut **tx)?;
                }
                let placed = StoredMessage {
                    conversation_id: Some(conversation_id),
                    ..stored
                };
                Ok((placed, new))
            }

            /// Her first text recorded before the conversation it opens: its id, to place it
            /// there (`None` for an opening without one), or, for a repeat placed before, the
            /// answer already (`Opened::TakenBefore`), and nothing opens.
            pub(super) async fn record_first_text(
                tx: &mut sqlx::Transaction<'_, $db>,
                opening: &Opening,
            ) -> StoreResult<Result<Option<i64>, Opened>> {
                let Some(message) = &opening.text else {
                    return Ok(Ok(None));
                };
                let (stored, _) = Self::insert_message(tx, message, None).await?;
                if stored.conversation_id.is_some() {
                    return Ok(Err(Opened::TakenBefore(stored)));
                }
                Ok(Ok(Some(stored.id)))
            }

            /// A text's first record (placed in `conversation_id` if given), or the one its
            /// MessageSid already has, and whether it is new, inside the group commit's
            /// transaction.
            pub(super) async fn insert_message(
                tx: &mut sqlx::Transaction<'_, $db>,
                message: &NewMessage,
                conversation_id: Option<i64>,
            ) -> StoreResult<(StoredMessage, bool)> {
                // A new text comes back from the INSERT itself; a repeat is read as first kept.
                let new: Option<messages::MessageRow> = sqlx::query_as(
                    "INSERT INTO messages (message_sid, line_number, channel, staff_id, body_sealed, received_at,
                        conversation_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_sid) DO NOTHING
                     RETURNING id, message_sid, line_number, channel, staff_id, conversation_id, body_sealed, received_at",
                )
                .bind(&message.message_sid)
                .bind(&message.line_number)
                .bind(message.channel.as_str())
                .bind(message.staff_id)
                .bind(&message.body_sealed)
                .bind(message.received_at)
                .bind(conversation_id)
                .fetch_optional(&mut **tx)
                .await?;
                let is_new = new.is_some();
                let row: messages::MessageRow = match new {
                    Some(row) => row,
                    None => sqlx::query_as(concat!(messages::select_messages!(), "WHERE message_sid = $1"))
                        .bind(&message.message_sid)
                        .fetch_one(&mut **tx)
                        .await?,
                };
                Ok((row.into_message()?, is_new))
            }
        }

    };
}

pub(super) use text_in_sql;

/// SQLite writes her texts step by step: each statement is a call in process, not a round
/// trip (PostgreSQL's writes are in `texts_in_postgres.rs`).
impl super::SqliteStore {
    /// Opens a conversation (see `open_conversation`) inside the group commit's
    /// transaction: her text first (a repeat already placed opens nothing), then the
    /// conversation, the follow-up she is owed, the link between, and the rest of the
    /// opening, each part naming what it opened.
    pub(super) async fn insert_opening(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        opening: &Opening,
    ) -> StoreResult<Opened> {
        let text = match Self::record_first_text(tx, opening).await? {
            Ok(text) => text,
            Err(taken_before) => return Ok(taken_before),
        };
        let conversation = &opening.conversation;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO conversations (code, line_number, channel, contact_sealed, contact_hash, service,
                opened_at, last_inbound_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $7
             WHERE NOT EXISTS (SELECT 1 FROM conversations
                               WHERE code = $1 AND (status = 'open' OR closed_at > $8))
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&conversation.code)
        .bind(&conversation.line_number)
        .bind(conversation.channel.as_str())
        .bind(&conversation.contact_sealed)
        .bind(&conversation.contact_hash)
        .bind(conversation.service.as_str())
        .bind(conversation.opened_at)
        .bind(opening.code_free_before)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(id) = id else {
            return Ok(Opened::NotOpened);
        };
        let follow_up: i64 = sqlx::query_scalar(
            "INSERT INTO follow_ups (kind, service, line_number, created_at) VALUES ('message', $1, $2, $3)
             RETURNING id",
        )
        .bind(conversation.service.as_str())
        .bind(&conversation.line_number)
        .bind(conversation.opened_at)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query("UPDATE conversations SET follow_up_id = $1 WHERE id = $2")
            .bind(follow_up)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if let Some(reminder) = &opening.first_reminder {
            Self::insert_job(tx, &reminder.of(follow_up)?).await?;
        }
        for consent in &opening.consents {
            let consent = NewConsent {
                conversation_id: Some(id),
                ..consent.clone()
            };
            consents::insert_consent!(&consent, &mut **tx)?;
        }
        if let Some(message_id) = text {
            sqlx::query(texts_in::ATTACH)
                .bind(id)
                .bind(message_id)
                .execute(&mut **tx)
                .await?;
        }
        let relay = Relay {
            conversation_id: id,
            at: conversation.opened_at,
            texts: opening.relay_texts.clone(),
        };
        Self::insert_relay(tx, &relay).await?;
        Ok(Opened::Opened(id))
    }

    /// Her later text, step by step (see `insert_text_in_by_steps`).
    pub(super) async fn insert_text_in(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        text: &TextIn,
    ) -> StoreResult<(StoredMessage, bool)> {
        Self::insert_text_in_by_steps(tx, text).await
    }
}
