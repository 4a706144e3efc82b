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

macro_rules! select_messages {
    () => {
        "SELECT id, message_sid, line_number, channel, staff_id, conversation_id, body_sealed, received_at FROM messages "
    };
}

/// Implements [`MessageStore`] for `$store`, whose `pool` field is a `sqlx::Pool<$db>` and
/// whose `group_commit` field takes the hot writes (see `group_commit.rs`; their SQL is in
/// `texts_in.rs`).
macro_rules! message_sql {
    ($store:ty, $db:ty) => {
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
                sqlx::query(texts_in::ATTACH)
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
                    group_commit::Written::Opened(opened) => Ok(opened),
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
                sqlx::query(texts_in::NOTE_INBOUND)
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
