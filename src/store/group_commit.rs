//! Group commit for the writes on the webhook hot path: a call recorded, her choices and the
//! legs rung, a text recorded (and relayed to staff with it), or a conversation opened by her
//! first text (with its reminder job, her consent and the text's relay).
//! A synced commit costs the same for one row as for fifty, so the requests that arrive while a
//! commit is in flight share the next one: each hands its write to the store's committer and
//! waits; the committer takes everything queued, runs it in ONE transaction, commits, and only
//! then answers each request. Should one write of a batch fail, the batch is rolled back and
//! written again with each write under its own savepoint, so that it fails alone. Durability is
//! unchanged (SQLite stays WAL + `synchronous=FULL`), and nothing waits when the server is
//! idle: a lone write is committed at once; batches arise only from requests that arrive
//! during a commit.
//!
//! This module is the backend-neutral half (the queue, the batch, the answers);
//! `committer.rs` commits a batch on a concrete sqlx pool's connection, PostgreSQL's committers
//! are tasks (`postgres.rs`), SQLite's is a thread of its own (`sqlite_committer.rs`), and the
//! SQL of each write stays with its subject (`calls.rs`, `texts_in.rs`, `jobs.rs`).

use tokio::sync::{mpsc, oneshot};

use chrono::{DateTime, Utc};

use hotline_schedules::{Language, Service};

use super::{
    AfterChoice, CallRecord, CallStage, NewCall, NewConsent, NewJob, NewLeg, NewMessage, Opened,
    Opening, StoreError, StoreResult, StoredMessage, TextIn,
};

/// At most this many writes share a transaction, so one answer never waits behind a huge batch.
pub(super) const MAX_BATCH: usize = 256;

/// A write the committer can make.
#[derive(Debug)]
pub(super) enum HotWrite {
    Call(NewCall),
    Message(NewMessage),
    /// Her later text recorded and relayed together.
    TextIn(Box<TextIn>),
    /// A conversation opened under its code with all that comes with it, unless that code is
    /// not free.
    Open(Box<Opening>),
    Job(NewJob),
    Consent(NewConsent),
    /// Her language and service, chosen at the menus, on the call with this id.
    CallChoice(i64, Language, Option<Service>),
    /// Her choice with what it led to, kept whole.
    CallChoiceThen(i64, Language, Option<Service>, AfterChoice),
    CallStage(i64, CallStage),
    /// The legs rung for one call, from the given time.
    Legs(Vec<NewLeg>, DateTime<Utc>),
}

/// What a write returns, as its store method does.
#[derive(Debug)]
pub(super) enum Written {
    Call(CallRecord),
    /// The message, and whether this was the first time its MessageSid was seen.
    Message(StoredMessage, bool),
    /// What became of an opening.
    Opened(Opened),
    /// Whether the job was new (not there under its key already).
    Job(bool),
    /// A write that answers nothing but that it was kept.
    Done,
}

impl Written {
    /// A committer answered a write with another kind's answer: a bug, said as such.
    pub fn mismatched(self) -> StoreError {
        // Named by kind only: a record's fields (sealed or not) never go into an error.
        let kind = match self {
            Written::Call(_) => "a call",
            Written::Message(..) => "a text",
            Written::Opened(_) => "a conversation",
            Written::Job(_) => "a job",
            Written::Done => "a change",
        };
        StoreError::Corrupt(format!("the committer answered another write with {kind}"))
    }
}

/// A write done in the batch's transaction, with where its answer goes once that commits.
pub(super) type Answered = (oneshot::Sender<StoreResult<Written>>, StoreResult<Written>);

/// A write waiting for its commit, and where its answer goes.
pub(super) struct Queued {
    pub write: HotWrite,
    pub answer: oneshot::Sender<StoreResult<Written>>,
}

/// The queue every committer of a store takes its batches from.
pub(super) type Queue = std::sync::Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>>;

type Start = Box<dyn Fn(Queue) + Send + Sync>;

/// A store's way to its committers. They are tasks started on first use and again whenever
/// the ones before are gone (their runtime shut down, as a test's does).
pub(super) struct GroupCommit {
    sender: std::sync::Mutex<Option<mpsc::UnboundedSender<Queued>>>,
    committers: usize,
    start: Start,
}

impl GroupCommit {
    /// `start` spawns a committer taking batches from the given queue; `committers` of them
    /// share it, each committing its own batch while the others take the next.
    pub fn new(committers: usize, start: impl Fn(Queue) + Send + Sync + 'static) -> Self {
        Self {
            sender: std::sync::Mutex::new(None),
            committers: committers.max(1),
            start: Box::new(start),
        }
    }

    /// Hands `write` to the committer; returns once the transaction holding it has committed.
    pub async fn submit(&self, write: HotWrite) -> StoreResult<Written> {
        let (answer, answered) = oneshot::channel();
        self.enqueue(Queued { write, answer });
        answered.await.unwrap_or_else(|_| {
            Err(shared_failure(
                "the committer stopped before answering; the write may not be kept",
            ))
        })
    }

    fn enqueue(&self, queued: Queued) {
        let mut sender = self
            .sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let queued = match sender.as_ref() {
            Some(open) => match open.send(queued) {
                Ok(()) => return,
                Err(mpsc::error::SendError(queued)) => queued,
            },
            None => queued,
        };
        let (open, queue) = mpsc::unbounded_channel();
        let queue: Queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        for _ in 0..self.committers {
            (self.start)(queue.clone());
        }
        // The queue was just made and its reader is alive, so this cannot fail; if it did, the
        // dropped answer tells the request so.
        let _ = open.send(queued);
        *sender = Some(open);
    }
}

/// Waits for the next write, then takes every write already queued behind it (up to
/// [`MAX_BATCH`]) without waiting for more, in the order [`HotWrite::key`] gives. `None` when
/// the store is gone.
pub(super) async fn next_batch(queue: &Queue) -> Option<Vec<Queued>> {
    let mut receiver = queue.lock().await;
    let first = receiver.recv().await?;
    // Requests already running get to hand in their writes first: under load that makes a
    // batch of many where there would be one and then another (a commit costs about the same
    // either way); when idle, nothing else runs and the write goes on at once.
    tokio::task::yield_now().await;
    let mut batch = vec![first];
    take_queued(&mut receiver, &mut batch);
    drop(receiver);
    Some(batch)
}

/// As [`next_batch`], for a committer on a thread of its own (SQLite's): it blocks that thread
/// while it waits. Requests run on the runtime's threads meanwhile, so none needs to be let go
/// first.
pub(super) fn next_batch_blocking(queue: &Queue) -> Option<Vec<Queued>> {
    let mut receiver = queue.blocking_lock();
    let first = receiver.blocking_recv()?;
    let mut batch = vec![first];
    take_queued(&mut receiver, &mut batch);
    Some(batch)
}

/// Adds to `batch` the writes queued since it was taken, unless another committer is waiting
/// on the queue (then nothing is queued).
pub(super) fn top_up(queue: &Queue, batch: &mut Vec<Queued>) {
    if let Ok(mut receiver) = queue.try_lock() {
        take_queued(&mut receiver, batch);
    }
}

fn take_queued(receiver: &mut mpsc::UnboundedReceiver<Queued>, batch: &mut Vec<Queued>) {
    while batch.len() < MAX_BATCH {
        match receiver.try_recv() {
            Ok(queued) => batch.push(queued),
            Err(_) => break,
        }
    }
    batch.sort_by(|a, b| a.write.key().cmp(&b.write.key()));
}

impl HotWrite {
    /// What each write takes its locks on. Every batch writes in this order (calls by CallSid,
    /// texts recorded alone by MessageSid, her texts taken in or opening her conversation by
    /// her), so two committers with the same two keys (a provider's retry beside its first
    /// try, two texts of hers) wait for each other in turn and never crosswise, which
    /// PostgreSQL would end as a deadlock.
    fn key(&self) -> (u8, &str, i64) {
        match self {
            HotWrite::Call(call) => (0, &call.call_sid, 0),
            HotWrite::Message(message) => (1, &message.message_sid, 0),
            // A text of hers, taken in or opening her conversation, in the order of the women:
            // her texts meet on her one open conversation (its row, and the index that keeps
            // it one), so two kinds ordered apart would let two batches meet there crosswise.
            // Each of her texts takes that row before her staff's rows (`NOTE_INBOUND`).
            // (Two women drawing one code at once still may; PostgreSQL ends that as a
            // deadlock, and the batch is written again apart.)
            HotWrite::TextIn(text) => (2, &text.contact_hash, 0),
            HotWrite::Open(opening) => (2, &opening.conversation.contact_hash, 0),
            HotWrite::Job(job) => (4, &job.idempotency_key, 0),
            HotWrite::Consent(consent) => (5, &consent.contact_hash, 0),
            // One kind for every write to a call's row, in the order of the calls: two
            // kinds would let two batches take two calls' rows in opposite orders.
            HotWrite::CallChoice(call_id, ..)
            | HotWrite::CallChoiceThen(call_id, ..)
            | HotWrite::CallStage(call_id, _) => (6, "", *call_id),
            HotWrite::Legs(legs, _) => (6, "", legs.first().map_or(0, |leg| leg.call_id)),
        }
    }

    /// A write of several statements: it needs a savepoint of its own whenever it shares a
    /// transaction, on any database, so that it is kept whole or not at all.
    pub fn is_compound(&self) -> bool {
        matches!(
            self,
            HotWrite::TextIn(_)
                | HotWrite::Open(_)
                | HotWrite::Legs(..)
                | HotWrite::CallChoiceThen(..)
        )
    }
}

/// An error every request of a batch is given when their shared transaction failed. The
/// database's own error is not `Clone`, so each gets its text (which holds no personal value:
/// it is about the transaction, not a row).
pub(super) fn shared_failure(what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Io(std::io::Error::other(what.to_string())))
}

/// The calls among a batch's writes, in its order.
pub(super) fn calls_of(batch: &[Queued]) -> Vec<&NewCall> {
    batch
        .iter()
        .filter_map(|queued| match &queued.write {
            HotWrite::Call(call) => Some(call),
            _ => None,
        })
        .collect()
}

/// Answers every request of a batch that could not be committed.
pub(super) fn fail_all(
    batch: Vec<oneshot::Sender<StoreResult<Written>>>,
    error: &impl std::fmt::Display,
) {
    for answer in batch {
        let _ = answer.send(Err(shared_failure(format_args!(
            "the shared commit failed: {error}"
        ))));
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::{Channel, NewConversation, Relay};
    use super::*;

    fn queued(sid: &str) -> (Queued, oneshot::Receiver<StoreResult<Written>>) {
        let (answer, answered) = oneshot::channel();
        let call = NewCall {
            call_sid: sid.to_owned(),
            line_number: "+77010000000".to_owned(),
            caller_sealed: vec![1],
            caller_hash: "h".to_owned(),
            status: "ringing".to_owned(),
            started_at: Utc.timestamp_opt(0, 0).single().expect("a time"),
        };
        (
            Queued {
                write: HotWrite::Call(call),
                answer,
            },
            answered,
        )
    }

    #[tokio::test]
    async fn a_batch_is_everything_queued_and_no_more_than_the_limit() {
        let (sender, queue) = mpsc::unbounded_channel();
        let queue: Queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        let mut waiting = Vec::new();
        for i in 0..MAX_BATCH + 3 {
            let (q, answered) = queued(&format!("CA{i}"));
            waiting.push(answered);
            sender.send(q).expect("queued");
        }
        let first = next_batch(&queue).await.expect("a batch");
        assert_eq!(first.len(), MAX_BATCH);
        let rest = next_batch(&queue).await.expect("the rest");
        assert_eq!(
            rest.len(),
            3,
            "what is left is taken at once, without waiting for more"
        );
        drop(sender);
        assert!(
            next_batch(&queue).await.is_none(),
            "no batch once the store is gone"
        );
    }

    #[tokio::test]
    async fn a_batch_is_written_in_the_order_of_its_keys() {
        let (sender, queue) = mpsc::unbounded_channel();
        let queue: Queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        let mut waiting = Vec::new();
        for sid in ["CA3", "CA1", "CA2"] {
            let (q, answered) = queued(sid);
            waiting.push(answered);
            sender.send(q).expect("queued");
        }
        let batch = next_batch(&queue).await.expect("a batch");
        let sids: Vec<&str> = batch.iter().map(|q| q.write.key().1).collect();
        assert_eq!(sids, ["CA1", "CA2", "CA3"]);
    }

    #[test]
    fn her_texts_are_in_the_order_of_the_women_not_of_their_codes_or_conversations() {
        let opening = |contact: &str, code: &str| {
            HotWrite::Open(Box::new(Opening::bare(
                NewConversation {
                    code: code.to_owned(),
                    line_number: "+77010000000".to_owned(),
                    channel: Channel::Sms,
                    contact_sealed: vec![1],
                    contact_hash: contact.to_owned(),
                    service: Service::Legal,
                    opened_at: Utc.timestamp_opt(0, 0).single().expect("a time"),
                },
                Utc.timestamp_opt(0, 0).single().expect("a time"),
            )))
        };
        // Her two first texts, racing, drew K01 and K03; another woman drew K02 between.
        let (hers, again, another) = (
            opening("her", "K01"),
            opening("her", "K03"),
            opening("another", "K02"),
        );
        let taken_in = |contact: &str, conversation_id| {
            HotWrite::TextIn(Box::new(TextIn {
                contact_hash: contact.to_owned(),
                message: NewMessage {
                    message_sid: "SM1".to_owned(),
                    line_number: "+77010000000".to_owned(),
                    channel: Channel::Sms,
                    staff_id: None,
                    body_sealed: vec![1],
                    received_at: Utc.timestamp_opt(0, 0).single().expect("a time"),
                },
                relay: Relay {
                    conversation_id,
                    at: Utc.timestamp_opt(0, 0).single().expect("a time"),
                    texts: Vec::new(),
                },
                consents: Vec::new(),
            }))
        };
        // Her later text, in a conversation opened before another woman's.
        let (later, anothers_later) = (taken_in("her", 1), taken_in("another", 2));
        assert!(another.key() < hers.key());
        assert!(anothers_later.key() < later.key());
        assert_eq!(
            hers.key(),
            again.key(),
            "hers are side by side in any batch"
        );
        assert_eq!(hers.key(), later.key());
    }

    #[tokio::test]
    async fn a_lone_write_is_taken_at_once() {
        let (sender, queue) = mpsc::unbounded_channel();
        let queue: Queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        let (q, _answered) = queued("CA1");
        sender.send(q).expect("queued");
        let batch = tokio::time::timeout(std::time::Duration::from_millis(100), next_batch(&queue))
            .await
            .expect("no wait for company")
            .expect("a batch");
        assert_eq!(batch.len(), 1);
    }

    #[tokio::test]
    async fn a_write_handed_in_by_a_request_already_running_joins_the_batch() {
        let (sender, queue) = mpsc::unbounded_channel();
        let queue: Queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        let (q, _first) = queued("CA1");
        sender.send(q).expect("queued");
        let (q, _second) = queued("CA2");
        // Ready to run, but it runs only when the committer gives way.
        let running = tokio::spawn(async move { sender.send(q).expect("queued") });
        let batch = next_batch(&queue).await.expect("a batch");
        running.await.expect("handed in");
        assert_eq!(batch.len(), 2, "one commit for both");
    }

    #[tokio::test]
    async fn writes_that_came_while_a_batch_waited_for_its_turn_join_it() {
        let (sender, queue) = mpsc::unbounded_channel();
        let queue: Queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
        let (q, _answered) = queued("CA2");
        sender.send(q).expect("queued");
        let mut batch = next_batch(&queue).await.expect("a batch");
        let (q, _answered) = queued("CA1");
        sender.send(q).expect("queued");
        top_up(&queue, &mut batch);
        let sids: Vec<&str> = batch.iter().map(|q| q.write.key().1).collect();
        assert_eq!(sids, ["CA1", "CA2"], "joined, and still in key order");

        // Another committer waiting on the queue has it: nothing is taken from under it.
        let held = queue.lock().await;
        let (q, _answered) = queued("CA3");
        sender.send(q).expect("queued");
        top_up(&queue, &mut batch);
        assert_eq!(batch.len(), 2);
        drop(held);
    }

    #[tokio::test]
    async fn a_request_whose_committer_is_gone_gets_an_error_and_the_next_starts_a_new_one() {
        let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let group = GroupCommit::new(1, {
            let started = started.clone();
            move |queue: Queue| {
                started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // A committer that dies at once, dropping what it was handed.
                drop(queue);
            }
        });
        let (q, _) = queued("CA1");
        assert!(group.submit(q.write).await.is_err());
        let (q, _) = queued("CA2");
        assert!(group.submit(q.write).await.is_err());
        assert_eq!(
            started.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "a gone committer is replaced"
        );
    }
}
