//! Her texts as PostgreSQL's committers write them (see `texts_in.rs` for what each write is).
//! Every statement is a round trip the committer waits for, its batch behind it, so a later
//! text is one statement and an opening three, where written step by step (as SQLite, in
//! process, writes them) they were four and eight, and one more for each word on consent. A
//! statement's parts (data-modifying `WITH`s) all see the database as it was before it, and
//! its references are checked at its end.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder, Transaction};

use super::postgres::PostgresStore;
use super::*;

type Statement = QueryBuilder<Postgres>;

impl PostgresStore {
    /// Her later text (see `take_in_text`) in one statement: recorded and placed, her latest
    /// text noted, relayed and her words on consent kept, each part only if the text is new.
    /// A repeat changes nothing here; it is then taken in step by step, as it was kept before
    /// (placed already, or kept alone and placed now).
    pub(super) async fn insert_text_in(
        tx: &mut Transaction<'_, Postgres>,
        text: &TextIn,
    ) -> StoreResult<(StoredMessage, bool)> {
        let message = &text.message;
        let relay = &text.relay;
        let mut statement = Statement::new(
            "WITH recorded AS (INSERT INTO messages (message_sid, line_number, channel, staff_id, body_sealed,
                received_at, conversation_id) VALUES (",
        );
        statement
            .separated(", ")
            .push_bind(&message.message_sid)
            .push_bind(&message.line_number)
            .push_bind(message.channel.as_str())
            .push_bind(message.staff_id)
            .push_bind(&message.body_sealed)
            .push_bind(message.received_at)
            .push_bind(relay.conversation_id);
        statement.push(
            ") ON CONFLICT (message_sid) DO NOTHING
             RETURNING id, message_sid, line_number, channel, staff_id, conversation_id, body_sealed, received_at)",
        );
        // Her conversation's row is taken first, before her staff's rows: every part after
        // reads `go`, so it runs first (see `NOTE_INBOUND`).
        statement.push(
            ", go AS (UPDATE conversations SET last_inbound_at = CASE WHEN last_inbound_at < ",
        );
        statement.push_bind(relay.at);
        statement.push(" THEN ");
        statement.push_bind(relay.at);
        statement.push(
            " ELSE last_inbound_at END FROM recorded WHERE conversations.id = recorded.conversation_id
             RETURNING conversations.id AS conversation_id)",
        );
        push_relay(&mut statement, &relay.texts, relay.at);
        push_consents(&mut statement, &text.consents, false);
        statement.push(" SELECT * FROM recorded");
        let new: Option<messages::MessageRow> =
            statement.build_query_as().fetch_optional(&mut **tx).await?;
        match new {
            Some(row) => Ok((row.into_message()?, true)),
            None => Self::insert_text_in_by_steps(tx, text).await,
        }
    }

    /// Opens a conversation (see `open_conversation`) in three statements: her text recorded
    /// (a repeat already placed opens nothing), an id drawn for the follow-up she is owed (its
    /// first reminder is made from it), and then all the rest at once, each part only if the
    /// conversation opens.
    pub(super) async fn insert_opening(
        tx: &mut Transaction<'_, Postgres>,
        opening: &Opening,
    ) -> StoreResult<Opened> {
        let text = match Self::record_first_text(tx, opening).await? {
            Ok(text) => text,
            Err(taken_before) => return Ok(taken_before),
        };
        let follow_up: i64 =
            sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('follow_ups', 'id'))")
                .fetch_one(&mut **tx)
                .await?;
        let reminder = match &opening.first_reminder {
            Some(reminder) => Some(reminder.of(follow_up)?),
            None => None,
        };
        let conversation = &opening.conversation;
        let mut statement = Statement::new(
            "WITH opened AS (INSERT INTO conversations (code, line_number, channel, contact_sealed, contact_hash,
                service, opened_at, last_inbound_at, follow_up_id) SELECT ",
        );
        statement
            .separated(", ")
            .push_bind(&conversation.code)
            .push_bind(&conversation.line_number)
            .push_bind(conversation.channel.as_str())
            .push_bind(&conversation.contact_sealed)
            .push_bind(&conversation.contact_hash)
            .push_bind(conversation.service.as_str())
            .push_bind(conversation.opened_at)
            .push_bind(conversation.opened_at)
            .push_bind(follow_up);
        statement.push(" WHERE NOT EXISTS (SELECT 1 FROM conversations WHERE code = ");
        statement.push_bind(&conversation.code);
        statement.push(" AND (status = 'open' OR closed_at > ");
        statement.push_bind(opening.code_free_before);
        statement.push(")) ON CONFLICT DO NOTHING RETURNING id)");
        statement.push(", go AS (SELECT id AS conversation_id FROM opened)");
        statement.push(
            ", owed AS (INSERT INTO follow_ups (id, kind, service, line_number, created_at) SELECT ",
        );
        statement
            .separated(", ")
            .push_bind(follow_up)
            .push("'message'")
            .push_bind(conversation.service.as_str())
            .push_bind(&conversation.line_number)
            .push_bind(conversation.opened_at);
        statement.push(" FROM go)");
        if let Some(job) = &reminder {
            statement.push(
                ", reminded AS (INSERT INTO jobs (kind, payload, idempotency_key, status, due_at, created_at) SELECT ",
            );
            statement
                .separated(", ")
                .push_bind(&job.kind)
                .push_bind(&job.payload)
                .push_bind(&job.idempotency_key)
                .push("'queued'")
                .push_bind(job.due_at)
                .push_bind(job.created_at);
            statement.push(" FROM go ON CONFLICT (idempotency_key) DO NOTHING)");
        }
        if let Some(message_id) = text {
            statement.push(
                ", placed AS (UPDATE messages SET conversation_id = go.conversation_id FROM go WHERE messages.id = ",
            );
            statement.push_bind(message_id);
            statement.push(" AND messages.conversation_id IS NULL)");
        }
        push_relay(&mut statement, &opening.relay_texts, conversation.opened_at);
        push_consents(&mut statement, &opening.consents, true);
        statement.push(" SELECT conversation_id FROM go");
        let opened: Option<i64> = statement
            .build_query_scalar()
            .fetch_optional(&mut **tx)
            .await?;
        Ok(opened.map_or(Opened::NotOpened, Opened::Opened))
    }
}

/// Her text relayed at `at` in the conversation `go` names (see `insert_relay`): each staff
/// member's text queued and the conversation noted as theirs, in the order of their ids.
fn push_relay(statement: &mut Statement, texts: &[(i64, NewOutboxMessage)], at: DateTime<Utc>) {
    if texts.is_empty() {
        return;
    }
    let mut texts: Vec<&(i64, NewOutboxMessage)> = texts.iter().collect();
    texts.sort_by_key(|(staff_id, _)| *staff_id);
    statement.push(
        ", queued AS (INSERT INTO outbox (idempotency_key, channel, to_sealed, body_sealed, status,
            next_attempt_at, created_at, contact_hash)
         SELECT q.key, q.channel, q.to_sealed, q.body_sealed, 'queued', q.at, q.at, q.contact_hash FROM go, (",
    );
    statement.push_values(texts.iter().copied(), |mut row, (_, text)| {
        row.push_bind(&text.idempotency_key)
            .push_bind(&text.channel)
            .push_bind(&text.to_sealed)
            .push_bind(&text.body_sealed)
            .push_bind(text.created_at)
            .push_bind(&text.contact_hash);
    });
    statement.push(
        ") AS q (key, channel, to_sealed, body_sealed, at, contact_hash)
         ON CONFLICT (idempotency_key) DO NOTHING)",
    );
    // Each person once: one statement may not touch a row twice.
    let mut people: Vec<i64> = texts.iter().map(|(staff_id, _)| *staff_id).collect();
    people.dedup();
    statement.push(
        ", noted AS (INSERT INTO conversation_staff (conversation_id, staff_id, last_at)
         SELECT go.conversation_id, n.staff_id, ",
    );
    statement.push_bind(at);
    statement.push(" FROM go, (");
    statement.push_values(people, |mut row, staff_id| {
        row.push_bind(staff_id);
    });
    statement.push(
        ") AS n (staff_id)
         ON CONFLICT (conversation_id, staff_id) DO UPDATE SET last_at = excluded.last_at)",
    );
}

/// Her words on consent, each kept as given if `go` names a conversation: in it when
/// `in_opened`, else in the conversation each names.
fn push_consents(statement: &mut Statement, consents: &[NewConsent], in_opened: bool) {
    if consents.is_empty() {
        return;
    }
    statement.push(
        ", consented AS (INSERT INTO consents (contact_hash, channel, granted, reason, conversation_id, at,
            safe_from, safe_until, expires_at, code_word_sealed)
         SELECT c.contact_hash, c.channel, c.granted, c.reason, ",
    );
    statement.push(if in_opened {
        "go.conversation_id"
    } else {
        "c.conversation_id"
    });
    statement
        .push(", c.at, c.safe_from, c.safe_until, c.expires_at, c.code_word_sealed FROM go, (");
    statement.push_values(consents, |mut row, consent| {
        let (safe_from, safe_until) = consents::hours_columns(consent);
        row.push_bind(&consent.contact_hash)
            .push_bind(consent.channel.as_str())
            .push_bind(consent.granted)
            .push_bind(&consent.reason)
            .push_bind(consent.conversation_id)
            .push_bind(consent.at)
            .push_bind(safe_from)
            .push_bind(safe_until)
            .push_bind(consent.expires_at)
            .push_bind(&consent.code_word_sealed);
    });
    statement.push(
        ") AS c (contact_hash, channel, granted, reason, conversation_id, at, safe_from, safe_until,
            expires_at, code_word_sealed))",
    );
}
