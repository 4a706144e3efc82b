//! Group commit: calls and texts that arrive together share one transaction, yet each lands (or
//! fails) on its own, a repeat returns the first record, and a bad write fails only itself. The
//! tests run on one thread, so every write is queued before the committer runs: they reach it
//! as one batch.

use std::collections::HashSet;
use std::sync::Arc;

use hotline::store::*;
use tokio::task::JoinSet;

use crate::{at, call};

fn text(sid: &str, staff_id: Option<i64>) -> NewMessage {
    NewMessage {
        message_sid: sid.to_owned(),
        line_number: "+77010000000".to_owned(),
        channel: Channel::Sms,
        staff_id,
        body_sealed: vec![9, 9],
        received_at: at(10, 0),
    }
}

/// Woman `i`'s conversation by text, under `code`.
fn her_conversation(code: String, i: usize) -> NewConversation {
    NewConversation {
        code,
        line_number: "+77010000000".to_owned(),
        channel: Channel::Sms,
        contact_sealed: vec![1],
        contact_hash: format!("her-{i}"),
        service: hotline_schedules::Service::Legal,
        opened_at: at(10, 0),
    }
}

pub async fn calls_recorded_at_once_all_land(store: Arc<dyn Store>) {
    let mut recording = JoinSet::new();
    for i in 0..200 {
        let store = store.clone();
        recording.spawn(async move { store.record_call(&call(&format!("CA{i:03}"))).await });
    }
    let mut ids = HashSet::new();
    while let Some(done) = recording.join_next().await {
        let record = done.expect("the task ran").expect("each call is recorded");
        assert!(ids.insert(record.id), "each call has its own record");
    }
    assert_eq!(ids.len(), 200);
    let kept = store
        .calls_between(at(0, 0), at(23, 0))
        .await
        .expect("listed");
    assert_eq!(kept.len(), 200, "every answered call is in the database");
    for i in 0..200 {
        let sid = format!("CA{i:03}");
        let record = store.call_by_sid(&sid).await.expect("read").expect("kept");
        assert!(ids.contains(&record.id));
    }
}

pub async fn repeats_in_one_batch_return_the_first_record(store: Arc<dyn Store>) {
    let first = store
        .record_call(&call("CA-first"))
        .await
        .expect("recorded");
    let mut recording = JoinSet::new();
    for i in 0..50 {
        let store = store.clone();
        recording.spawn(async move {
            let mut repeat = call(if i % 2 == 0 { "CA-first" } else { "CA-new" });
            // A repeat carries its own time; the first record's must be kept.
            repeat.started_at = at(11, i);
            store.record_call(&repeat).await
        });
    }
    let mut new_ids = HashSet::new();
    while let Some(done) = recording.join_next().await {
        let record = done.expect("the task ran").expect("recorded");
        if record.call_sid == "CA-first" {
            assert_eq!(record, first, "a repeat returns the first record unchanged");
        } else {
            new_ids.insert(record.id);
            assert_eq!(record.call_sid, "CA-new");
        }
    }
    assert_eq!(
        new_ids.len(),
        1,
        "repeats within one batch share one record"
    );
    let kept = store
        .calls_between(at(0, 0), at(23, 0))
        .await
        .expect("listed");
    assert_eq!(kept.len(), 2);

    let mut texting = JoinSet::new();
    for _ in 0..20 {
        let store = store.clone();
        texting.spawn(async move { store.record_message(&text("SM-same", None)).await });
    }
    let mut firsts = 0;
    let mut message_ids = HashSet::new();
    while let Some(done) = texting.join_next().await {
        let (message, new) = done.expect("the task ran").expect("recorded");
        firsts += usize::from(new);
        message_ids.insert(message.id);
    }
    assert_eq!(firsts, 1, "exactly one of the repeats is the first time");
    assert_eq!(message_ids.len(), 1);
}

pub async fn a_bad_write_in_a_batch_fails_only_itself(store: Arc<dyn Store>) {
    let mut writing = JoinSet::new();
    for i in 0..40 {
        let calls = store.clone();
        writing.spawn(async move {
            calls
                .record_call(&call(&format!("CA{i:02}")))
                .await
                .map(|_| ())
        });
        let texts = store.clone();
        writing.spawn(async move {
            // Text 20 names a staff member who does not exist: the database refuses it.
            let staff_id = (i == 20).then_some(987_654);
            texts
                .record_message(&text(&format!("SM{i:02}"), staff_id))
                .await
                .map(|_| ())
        });
    }
    let mut failed = 0;
    while let Some(done) = writing.join_next().await {
        if done.expect("the task ran").is_err() {
            failed += 1;
        }
    }
    assert_eq!(failed, 1, "only the bad text fails");
    let calls = store
        .calls_between(at(0, 0), at(23, 0))
        .await
        .expect("listed");
    assert_eq!(calls.len(), 40, "every call of the batch is kept");
    for i in 0..40 {
        let again = store
            .record_message(&text(&format!("SM{i:02}"), None))
            .await
            .expect("recorded");
        assert_eq!(
            again.1,
            i == 20,
            "text {i} was kept by the batch unless it was the bad one"
        );
    }
}

pub async fn a_bad_relay_in_a_batch_leaves_nothing_of_itself(store: Arc<dyn Store>) {
    let lawyer = store
        .upsert_staff(&crate::lawyer("+77015550101"), &crate::audit())
        .await
        .expect("staff");
    let mut relays = Vec::new();
    for i in 0..20 {
        let open = store
            .start_conversation(&her_conversation(format!("K{i:02}"), i), at(0, 0))
            .await
            .expect("opened")
            .expect("free");
        // Relay 7 also names a staff member who does not exist: its second row is refused.
        let staff: &[i64] = if i == 7 {
            &[lawyer, 987_654]
        } else {
            &[lawyer]
        };
        let text_in = TextIn {
            contact_hash: format!("her-{i}"),
            message: text(&format!("SM{i:02}"), None),
            relay: crate::relay(open.id, i, staff),
            consents: Vec::new(),
        };
        relays.push((open.id, text_in));
    }
    let mut relaying = JoinSet::new();
    for (conversation_id, text_in) in relays {
        let store = store.clone();
        relaying.spawn(async move { (conversation_id, store.take_in_text(&text_in).await) });
    }
    let mut refused = Vec::new();
    while let Some(done) = relaying.join_next().await {
        let (conversation_id, result) = done.expect("the task ran");
        if result.is_err() {
            refused.push(conversation_id);
        }
    }
    assert_eq!(refused.len(), 1, "only the bad relay fails");
    assert_eq!(
        store.pending_outbox(100).await.expect("read").len(),
        19,
        "every good relay queued its text, and the bad one none, not even its good row"
    );
    assert!(
        store
            .conversation_messages(refused[0])
            .await
            .expect("read")
            .is_empty(),
        "the bad relay's text was not placed either"
    );
    let (_, new) = store
        .record_message(&text("SM07", None))
        .await
        .expect("recorded");
    assert!(new, "nor even recorded");
}

/// Her first texts, from many women at once, as the messages webhook writes them: each opens a
/// conversation with its follow-up, the follow-up's first reminder, her consents and her text
/// relayed, all in one write through the group commit. Two draw the same code: exactly one gets
/// it, and the other is left with nothing of its opening written, free to draw again.
pub async fn first_texts_opened_together_each_keep_their_whole_opening(store: Arc<dyn Store>) {
    let lawyer = store
        .upsert_staff(&crate::lawyer("+77015550101"), &crate::audit())
        .await
        .expect("staff");
    let mut opening = JoinSet::new();
    for i in 0..30 {
        let store = store.clone();
        opening.spawn(async move {
            // Women 0 and 1 draw the same code.
            let code = if i == 1 {
                "K00".to_owned()
            } else {
                format!("K{i:02}")
            };
            let consent = |channel| NewConsent {
                contact_hash: format!("her-{i}"),
                channel,
                granted: true,
                reason: "wrote_first".to_owned(),
                conversation_id: None,
                at: at(10, 0),
                safe_hours: None,
                expires_at: None,
                code_word_sealed: None,
            };
            let opening = Opening {
                first_reminder: Some(JobOf::new(|follow_up| {
                    Ok(NewJob {
                        kind: "reminder".to_owned(),
                        payload: "{}".to_owned(),
                        idempotency_key: format!("first-reminder-{follow_up}"),
                        due_at: at(10, 15),
                        created_at: at(10, 0),
                    })
                })),
                consents: vec![consent(Channel::Sms), consent(Channel::Voice)],
                text: Some(text(&format!("SM{i:02}"), None)),
                relay_texts: crate::relay(0, i, &[lawyer]).texts,
                ..Opening::bare(her_conversation(code, i), at(0, 0))
            };
            let opened = store.open_conversation(&opening).await.expect("written");
            (i, opened)
        });
    }
    let mut opened = Vec::new();
    let mut lost = Vec::new();
    while let Some(done) = opening.join_next().await {
        match done.expect("the task ran") {
            (i, Opened::Opened(id)) => opened.push((i, id)),
            (i, Opened::NotOpened) => lost.push(i),
            (i, taken) => panic!("her first text {i} was new: {taken:?}"),
        }
    }
    assert_eq!(
        opened.len(),
        29,
        "every free code opened, the clash once: {opened:?}"
    );
    let [loser] = lost[..] else {
        panic!("exactly one lost its code: {lost:?}");
    };
    assert!(loser < 2, "the one that lost drew the clashing code");
    assert!(
        store
            .open_conversation_of("+77010000000", &format!("her-{loser}"), Channel::Sms)
            .await
            .expect("read")
            .is_none(),
        "the one that lost the code has no conversation"
    );
    for channel in [Channel::Sms, Channel::Voice] {
        assert!(
            store
                .latest_consent(&format!("her-{loser}"), channel)
                .await
                .expect("read")
                .is_none(),
            "nor her consent"
        );
    }
    let due = store.due_jobs(at(11, 0), 100).await.expect("read");
    assert_eq!(due.len(), 29, "one first reminder per conversation");
    let queued = store.pending_outbox(100).await.expect("read");
    assert_eq!(queued.len(), 29, "one relayed text per conversation");
    assert!(
        !queued
            .iter()
            .any(|text| text.idempotency_key == format!("relay:SM{loser:02}:{lawyer}")),
        "nor her relayed text"
    );
    for (i, id) in opened {
        let open = store.conversation(id).await.expect("read").expect("opened");
        assert_eq!(open.contact_hash, format!("her-{i}"));
        let follow_up = open.follow_up_id.expect("each is owed a follow-up");
        assert!(
            due.iter()
                .any(|job| job.idempotency_key == format!("first-reminder-{follow_up}")),
            "the first reminder is made from her own follow-up"
        );
        for channel in [Channel::Sms, Channel::Voice] {
            let consent = store
                .latest_consent(&format!("her-{i}"), channel)
                .await
                .expect("read")
                .expect("recorded");
            assert!(consent.granted);
            assert_eq!(
                consent.conversation_id,
                Some(id),
                "given in her conversation"
            );
        }
        let messages = store.conversation_messages(id).await.expect("read");
        assert_eq!(messages.len(), 1, "her text is placed in her conversation");
        assert_eq!(messages[0].message_sid, format!("SM{i:02}"));
        assert_eq!(
            store.conversation_staff(id).await.expect("read"),
            [lawyer],
            "the lawyer has it"
        );
    }
    // The one that lost kept her text, unplaced; her next draw opens with it.
    let (kept, new) = store
        .record_message(&text(&format!("SM{loser:02}"), None))
        .await
        .expect("read");
    assert!(!new, "her text was kept though nothing opened");
    assert_eq!(kept.conversation_id, None);
    let again = Opening {
        text: Some(text(&format!("SM{loser:02}"), None)),
        ..Opening::bare(her_conversation("K99".to_owned(), loser), at(0, 0))
    };
    let Opened::Opened(id) = store.open_conversation(&again).await.expect("written") else {
        panic!("K99 is free");
    };
    let placed = store.conversation_messages(id).await.expect("read");
    assert_eq!(placed.len(), 1, "her text is placed in it");
    // A provider's repeat of a text placed before opens nothing.
    let repeat = Opening {
        text: Some(text("SM05", None)),
        ..Opening::bare(her_conversation("K98".to_owned(), 5), at(0, 0))
    };
    let taken = store.open_conversation(&repeat).await.expect("answered");
    assert!(
        matches!(&taken, Opened::TakenBefore(message) if message.conversation_id.is_some()),
        "{taken:?}"
    );
    assert_eq!(store.conversation_by_code("K98").await.expect("read"), None);
}

/// A call the database refuses (by a trigger put there for this test: nothing in a real call
/// is refused) among calls recorded together: they are written one by one instead, so only it
/// fails and every other call lands.
async fn a_refused_call_among_many_fails_only_itself(database: crate::databases::TestDatabase) {
    let store = database.open().await;
    let refuse_one: &[&str] = if database.url.starts_with("sqlite:") {
        &[
            "CREATE TRIGGER refuse_one BEFORE INSERT ON calls WHEN NEW.call_sid = 'CA13'
           BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
        ]
    } else {
        &[
            "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.call_sid = 'CA13' THEN RAISE EXCEPTION 'refused for the test'; END IF;
             RETURN NEW; END; $$",
            "CREATE TRIGGER refuse_one BEFORE INSERT ON calls FOR EACH ROW EXECUTE FUNCTION refuse_one()",
        ]
    };
    crate::by_hand(&database, refuse_one).await;
    let mut recording = JoinSet::new();
    for i in 0..30 {
        let store = store.clone();
        recording.spawn(async move {
            let sid = format!("CA{i:02}");
            (sid.clone(), store.record_call(&call(&sid)).await.is_ok())
        });
    }
    let mut failed = Vec::new();
    while let Some(done) = recording.join_next().await {
        let (sid, kept) = done.expect("the task ran");
        if !kept {
            failed.push(sid);
        }
    }
    assert_eq!(failed, ["CA13"], "only the refused call fails");
    let kept = store
        .calls_between(at(0, 0), at(23, 0))
        .await
        .expect("listed");
    assert_eq!(kept.len(), 29, "every other call of the batch is kept");
}

mod sqlite {
    #[tokio::test]
    async fn a_refused_call_among_many_fails_only_itself() {
        super::a_refused_call_among_many_fails_only_itself(crate::databases::TestDatabase::sqlite())
            .await;
    }
}

mod postgres {
    #[tokio::test]
    async fn a_refused_call_among_many_fails_only_itself() {
        super::a_refused_call_among_many_fails_only_itself(
            crate::databases::TestDatabase::postgres().await,
        )
        .await;
    }
}
