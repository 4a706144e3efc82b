//! Texts and the conversations they make: every text in once per MessageSid, sealed; each
//! contact's thread with its short code; who on staff has it; and her consent to be written to.
//! One trait, and the SQL both backends share: `message_sql!` implements it for a store over a
//! concrete sqlx pool. Which code to draw and what to answer are decided elsewhere.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::*;

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Records a text the first time its MessageSid is seen; a repeat returns the first record.
    /// The flag says whether this was the first time.
    async fn record_message(&self, message: &NewMessage) -> StoreResult<(StoredMessage, bool)>;
    /// Places a message in a conversation, unless it is placed already.
    async fn attach_message(&self, message_id: i64, conversation_id: i64) -> StoreResult<()>;
    /// The messages of a conversation, oldest first.
    async fn conversation_messages(&self, conversation_id: i64) -> StoreResult<Vec<StoredMessage>>;

    /// Opens a conversation under `code`, with the follow-up she is owed, unless the code is
    /// taken (open, or closed after `code_free_before`) or she already has an open conversation
    /// on this line and channel: then `None`, and nothing is written.
    async fn start_conversation(
        &self,
        conversation: &NewConversation,
        code_free_before: DateTime<Utc>,
    ) -> StoreResult<Option<Conversation>> {
        let opening = Opening::bare(conversation.clone(), code_free_before);
        match self.open_conversation(&opening).await? {
            Opened::Opened(id) => self.conversation(id).await,
            Opened::NotOpened | Opened::TakenBefore(_) => Ok(None),
        }
    }
    /// Opens a conversation as `start_conversation` does, with everything of `opening` in the
    /// same write, kept whole or not at all, in the group commit's shared transaction. Her text
    /// is recorded first (once per MessageSid), and kept even when no conversation opens.
    async fn open_conversation(&self, opening: &Opening) -> StoreResult<Opened>;
    /// Her open conversation on a line and channel.
    async fn open_conversation_of(
        &self,
        line_number: &str,
        contact_hash: &str,
        channel: Channel,
    ) -> StoreResult<Option<Conversation>>;
    async fn conversation(&self, id: i64) -> StoreResult<Option<Conversation>>;
    /// The latest conversation to go by `code`, open or closed.
    async fn conversation_by_code(&self, code: &str) -> StoreResult<Option<Conversation>>;
    /// She wrote again at `at`.
    async fn note_inbound(&self, conversation_id: i64, at: DateTime<Utc>) -> StoreResult<()>;
    /// Records her later text (once per MessageSid, as `record_message`), places it in her
    /// open conversation, notes it as her latest, queues each of the relay's texts to its staff
    /// member and notes that she has the conversation: all of it or nothing, in one write in
    /// the group commit's shared transaction (one synced commit for the text, where its parts
    /// once took six). A repeat already placed in a conversation is only returned, as it was
    /// relayed when it was placed, in the same write; her words on consent in it are recorded
    /// as it is placed, once.
    async fn take_in_text(&self, text: &TextIn) -> StoreResult<(StoredMessage, bool)>;
    /// A staff member had the conversation relayed to them, or answered it, at `at`.
    async fn note_staff(
        &self,
        conversation_id: i64,
        staff_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Everyone who has had the conversation.
    async fn conversation_staff(&self, conversation_id: i64) -> StoreResult<Vec<i64>>;
    /// The open conversation `staff_id` had last.
    async fn latest_conversation_of(&self, staff_id: i64) -> StoreResult<Option<Conversation>>;
    /// Closes a conversation and marks its follow-up answered by `staff_id`; false when it was
    /// closed already.
    async fn close_conversation(
        &self,
        id: i64,
        staff_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    async fn record_consent(&self, consent: &NewConsent) -> StoreResult<()>;
    /// Her latest word on being written to on `channel`: `None` when she never gave one.
    async fn consent(&self, contact_hash: &str, channel: Channel) -> StoreResult<Option<bool>>;
    /// Conversations opened in `[from, to)`, oldest first: the message log.
    async fn conversations_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Conversation>>;
}

#[derive(sqlx::FromRow)]
pub(super) struct MessageRow {
    id: i64,
    message_sid: String,
    line_number: String,
    channel: String,
    staff_id: Option<i64>,
    conversation_id: Option<i64>,
    body_sealed: Vec<u8>,
    received_at: DateTime<Utc>,
}

fn channel(name: &str) -> StoreResult<Channel> {
    Channel::from_name(name).ok_or_else(|| StoreError::Corrupt(name.to_owned()))
}

impl MessageRow {
    pub(super) fn into_message(self) -> StoreResult<StoredMessage> {
        Ok(StoredMessage {
            id: self.id,
            message_sid: self.message_sid,
            line_number: self.line_number,
            channel: channel(&self.channel)?,
            staff_id: self.staff_id,
            conversation_id: self.conversation_id,
            body_sealed: self.body_sealed,
            received_at: self.received_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ConversationRow {
    id: i64,
    code: String,
    line_number: String,
    channel: String,
    contact_sealed: Vec<u8>,
    contact_hash: String,
    service: String,
    status: String,
    follow_up_id: Option<i64>,
    opened_at: DateTime<Utc>,
    last_inbound_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    closed_by: Option<i64>,
}

impl ConversationRow {
    pub(super) fn into_conversation(self) -> StoreResult<Conversation> {
        Ok(Conversation {
            id: self.id,
            code: self.code,
            line_number: self.line_number,
            channel: channel(&self.channel)?,
            contact_sealed: self.contact_sealed,
            contact_hash: self.contact_hash,
            service: self
                .service
                .parse()
                .map_err(|e: hotline_schedules::UnknownName| StoreError::Corrupt(e.to_string()))?,
            open: self.status == "open",
            follow_up_id: self.follow_up_id,
            opened_at: self.opened_at,
            last_inbound_at: self.last_inbound_at,
            closed_at: self.closed_at,
            closed_by: self.closed_by,
        })
    }
}

/// The start of every query that reads conversations (as `c`).
macro_rules! select_conversations {
    () => {
        "SELECT c.id, c.code, c.line_number, c.channel, c.contact_sealed, c.contact_hash, c.service, \
         c.status, c.follow_up_id, c.opened_at, c.last_inbound_at, c.closed_at, c.closed_by FROM conversations c "
    };
}

/// Her text placed in its conversation and relayed to staff (see `take_in_text`).
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
/// `open_conversation`): her first text then costs two synced commits (the text kept, then
/// this), as any later text does, where each part of this was once a commit of its own.
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
    /// Her first text relayed: its `conversation_id` is replaced by the new one's.
    pub relay: Option<Relay>,
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
            relay: None,
        }
    }
}

/// Places a message in a conversation unless placed already (binds: conversation, message).
pub(super) const ATTACH: &str =
    "UPDATE messages SET conversation_id = $1 WHERE id = $2 AND conversation_id IS NULL";

/// Her latest text's time, never moved back (binds: conversation, at).
pub(super) const NOTE_INBOUND: &str =
    "UPDATE conversations SET last_inbound_at = $2 WHERE id = $1 AND last_inbound_at < $2";

macro_rules! select_messages {
    () => {
        "SELECT id, message_sid, line_number, channel, staff_id, conversation_id, body_sealed, received_at FROM messages "
    };
}

/// Implements [`MessageStore`] for `$store`, whose `pool` field is a `sqlx::Pool<$db>` and
/// whose `group_commit` field takes the hot writes (see `group_commit.rs`).
macro_rules! message_sql {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Opens a conversation (see `open_conversation`) inside the group commit's
            /// transaction: the conversation, the follow-up she is owed, the link between,
            /// and then the rest of the opening, each part naming what it opened.
            async fn insert_opening(
                tx: &mut sqlx::Transaction<'_, $db>,
                opening: &Opening,
            ) -> StoreResult<Opened> {
                let text = match &opening.text {
                    Some(message) => {
                        let (stored, _) = Self::insert_message(tx, message, None).await?;
                        if stored.conversation_id.is_some() {
                            return Ok(Opened::TakenBefore(stored));
                        }
                        Some(stored.id)
                    }
                    None => None,
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
                    sqlx::query(messages::ATTACH)
                        .bind(id)
                        .bind(message_id)
                        .execute(&mut **tx)
                        .await?;
                }
                if let Some(relay) = &opening.relay {
                    let relay = Relay {
                        conversation_id: id,
                        ..relay.clone()
                    };
                    Self::insert_relay(tx, &relay).await?;
                }
                Ok(Opened::Opened(id))
            }

            /// Her text relayed (see `take_in_text`), inside the group commit's transaction, as
            /// part of a write kept whole: each staff member's text queued, and the conversation
            /// noted as theirs. Each staff member's row is written in the order of their ids, as
            /// every relay's is, so two relays of one conversation never wait for each other
            /// crosswise.
            async fn insert_relay(tx: &mut sqlx::Transaction<'_, $db>, relay: &Relay) -> StoreResult<()> {
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
            /// commit's transaction.
            async fn insert_text_in(
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
                    sqlx::query(messages::ATTACH)
                        .bind(conversation_id)
                        .bind(stored.id)
                        .execute(&mut **tx)
                        .await?;
                }
                sqlx::query(messages::NOTE_INBOUND)
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

            /// A text's first record (placed in `conversation_id` if given), or the one its
            /// MessageSid already has, and whether it is new, inside the group commit's
            /// transaction.
            async fn insert_message(
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

        #[async_trait::async_trait]
        impl $crate::store::MessageStore for $store {
            async fn record_message(&self, message: &NewMessage) -> StoreResult<(StoredMessage, bool)> {
                // Answered once the shared transaction holding it has committed.
                match self.group_commit.submit(group_commit::HotWrite::Message(message.clone())).await? {
                    group_commit::Written::Message(stored, new) => Ok((stored, new)),
                    other => Err(other.mismatched()),
                }
            }

            async fn attach_message(&self, message_id: i64, conversation_id: i64) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(messages::ATTACH)
                    .bind(conversation_id)
                    .bind(message_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn conversation_messages(&self, conversation_id: i64) -> StoreResult<Vec<StoredMessage>> {
                let rows: Vec<messages::MessageRow> = sqlx::query_as(concat!(
                    messages::select_messages!(),
                    "WHERE conversation_id = $1 ORDER BY received_at, id"
                ))
                .bind(conversation_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(messages::MessageRow::into_message).collect()
            }

            async fn open_conversation(&self, opening: &Opening) -> StoreResult<Opened> {
                // Committed with the calls and texts queued beside it (see `group_commit.rs`).
                let write = group_commit::HotWrite::Open(Box::new(opening.clone()));
                match self.group_commit.submit(write).await? {
                    group_commit::Written::Opened(id) => Ok(id),
                    other => Err(other.mismatched()),
                }
            }

            async fn open_conversation_of(
                &self,
                line_number: &str,
                contact_hash: &str,
                channel: Channel,
            ) -> StoreResult<Option<Conversation>> {
                let row: Option<messages::ConversationRow> = sqlx::query_as(concat!(
                    messages::select_conversations!(),
                    "WHERE c.line_number = $1 AND c.contact_hash = $2 AND c.channel = $3 AND c.status = 'open'"
                ))
                .bind(line_number)
                .bind(contact_hash)
                .bind(channel.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.map(messages::ConversationRow::into_conversation).transpose()
            }

            async fn conversation(&self, id: i64) -> StoreResult<Option<Conversation>> {
                let row: Option<messages::ConversationRow> =
                    sqlx::query_as(concat!(messages::select_conversations!(), "WHERE c.id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(messages::ConversationRow::into_conversation).transpose()
            }

            async fn conversation_by_code(&self, code: &str) -> StoreResult<Option<Conversation>> {
                let row: Option<messages::ConversationRow> = sqlx::query_as(concat!(
                    messages::select_conversations!(),
                    "WHERE c.code = $1 ORDER BY c.id DESC LIMIT 1"
                ))
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
                row.map(messages::ConversationRow::into_conversation).transpose()
            }

            async fn note_inbound(&self, conversation_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(messages::NOTE_INBOUND)
                    .bind(conversation_id)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn note_staff(&self, conversation_id: i64, staff_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
                let _turn = self.turns.take().await?;
                sqlx::query(
                    "INSERT INTO conversation_staff (conversation_id, staff_id, last_at) VALUES ($1, $2, $3)
                     ON CONFLICT (conversation_id, staff_id) DO UPDATE SET last_at = excluded.last_at",
                )
                    .bind(conversation_id)
                    .bind(staff_id)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn take_in_text(&self, text: &TextIn) -> StoreResult<(StoredMessage, bool)> {
                // Committed with the calls and texts queued beside it (see `group_commit.rs`).
                match self.group_commit.submit(group_commit::HotWrite::TextIn(Box::new(text.clone()))).await? {
                    group_commit::Written::Message(stored, new) => Ok((stored, new)),
                    other => Err(other.mismatched()),
                }
            }

            async fn conversation_staff(&self, conversation_id: i64) -> StoreResult<Vec<i64>> {
                let ids = sqlx::query_scalar(
                    "SELECT staff_id FROM conversation_staff WHERE conversation_id = $1 ORDER BY staff_id",
                )
                .bind(conversation_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(ids)
            }

            async fn conversations_between(
                &self,
                from: DateTime<Utc>,
                to: DateTime<Utc>,
            ) -> StoreResult<Vec<Conversation>> {
                let rows: Vec<messages::ConversationRow> = sqlx::query_as(concat!(
                    messages::select_conversations!(),
                    "WHERE c.opened_at >= $1 AND c.opened_at < $2 ORDER BY c.opened_at, c.id"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(messages::ConversationRow::into_conversation)
                    .collect()
            }

            async fn latest_conversation_of(&self, staff_id: i64) -> StoreResult<Option<Conversation>> {
                let row: Option<messages::ConversationRow> = sqlx::query_as(concat!(
                    messages::select_conversations!(),
                    "JOIN conversation_staff s ON s.conversation_id = c.id
                     WHERE s.staff_id = $1 AND c.status = 'open' ORDER BY s.last_at DESC, c.id DESC LIMIT 1"
                ))
                .bind(staff_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(messages::ConversationRow::into_conversation).transpose()
            }

            async fn close_conversation(&self, id: i64, staff_id: i64, at: DateTime<Utc>) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE conversations SET status = 'closed', closed_at = $2, closed_by = $3
                     WHERE id = $1 AND status = 'open'",
                )
                .bind(id)
                .bind(at)
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 1 {
                    sqlx::query(
                        "UPDATE follow_ups SET status = 'answered', answered_at = $2, answered_by = $3
                         WHERE status = 'open' AND id = (SELECT follow_up_id FROM conversations WHERE id = $1)",
                    )
                    .bind(id)
                    .bind(at)
                    .bind(staff_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn record_consent(&self, consent: &NewConsent) -> StoreResult<()> {
                // Committed with the calls and texts queued beside it (see `group_commit.rs`).
                match self.group_commit.submit(group_commit::HotWrite::Consent(consent.clone())).await? {
                    group_commit::Written::Done => Ok(()),
                    other => Err(other.mismatched()),
                }
            }

            async fn consent(&self, contact_hash: &str, channel: Channel) -> StoreResult<Option<bool>> {
                let granted = sqlx::query_scalar(
                    "SELECT granted FROM consents WHERE contact_hash = $1 AND channel = $2 ORDER BY id DESC LIMIT 1",
                )
                .bind(contact_hash)
                .bind(channel.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(granted)
            }
        }
    };
}

pub(super) use {message_sql, select_conversations, select_messages};
