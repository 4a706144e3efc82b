//! Her texts taken in as the webhook writes them (`texts_in.rs` in the store): a later text
//! recorded, placed and relayed all at once or not at all, once however often the provider
//! repeats it.

use std::sync::Arc;

use hotline::store::*;

use crate::at;
use crate::databases::TestDatabase;
use crate::messages::{a_lawyer_and_her_conversation, conversation, quarantine_start, text};

pub async fn a_text_is_taken_in_and_relayed_all_at_once_or_not_at_all(store: Arc<dyn Store>) {
    let (staff_id, open) = a_lawyer_and_her_conversation(store.as_ref()).await;
    let text_in = |staff: &[i64]| TextIn {
        contact_hash: "her".to_owned(),
        message: text("SM1", None),
        relay: crate::relay(open.id, 1, staff),
        consents: Vec::new(),
    };
    // A staff member who does not exist: the database refuses her row, and so all of it.
    let refused = store.take_in_text(&text_in(&[staff_id, 987_654])).await;
    assert!(refused.is_err());
    assert!(
        store.pending_outbox(10).await.expect("read").is_empty(),
        "no text was queued"
    );
    assert!(
        store
            .conversation_staff(open.id)
            .await
            .expect("read")
            .is_empty()
    );
    assert!(
        store
            .conversation_messages(open.id)
            .await
            .expect("read")
            .is_empty(),
        "the text was not placed"
    );

    // Twice, as a provider's retry would: the same one text, recorded and placed once.
    let (first, new) = store
        .take_in_text(&text_in(&[staff_id]))
        .await
        .expect("taken in");
    assert!(new, "the refused write had not recorded it");
    let (again, new) = store
        .take_in_text(&text_in(&[staff_id]))
        .await
        .expect("taken in");
    assert_eq!((again, new), (first, false));
    assert_eq!(store.pending_outbox(10).await.expect("read").len(), 1);
    assert_eq!(
        store.conversation_staff(open.id).await.expect("read"),
        vec![staff_id]
    );
    assert_eq!(
        store
            .conversation_messages(open.id)
            .await
            .expect("read")
            .len(),
        1
    );
    let kept = store
        .conversation(open.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(kept.last_inbound_at, at(10, 5), "her latest text is noted");
}

/// Her later text recorded and relayed in one write: placed, queued to the lawyer and her
/// consent to a call kept, all once however often the provider repeats it. A repeat already
/// placed in a conversation since closed is only returned: nothing of it goes into her new one.
pub async fn a_later_text_is_recorded_and_relayed_in_one_write(store: Arc<dyn Store>) {
    let (staff_id, open) = a_lawyer_and_her_conversation(store.as_ref()).await;
    let asked = NewConsent {
        contact_hash: "her".to_owned(),
        channel: Channel::Voice,
        granted: true,
        reason: "asked_to_be_called".to_owned(),
        conversation_id: Some(open.id),
        at: at(10, 5),
        safe_hours: None,
        expires_at: None,
        code_word_sealed: None,
    };
    let text_in = TextIn {
        contact_hash: "her".to_owned(),
        message: text("SM1", None),
        relay: crate::relay(open.id, 1, &[staff_id]),
        consents: vec![asked.clone()],
    };
    let (message, new) = store.take_in_text(&text_in).await.expect("taken in");
    assert!(new);
    assert_eq!(message.conversation_id, Some(open.id));
    // Her STOP since: a repeat of the text must not record her asking again over it.
    store
        .record_consent(&NewConsent {
            granted: false,
            reason: "stop".to_owned(),
            at: at(10, 6),
            ..asked
        })
        .await
        .expect("recorded");
    let (again, new) = store.take_in_text(&text_in).await.expect("a repeat");
    assert!(!new, "a retry is not a second text");
    assert_eq!(again, message);
    assert_eq!(
        store.conversation_messages(open.id).await.expect("read"),
        std::slice::from_ref(&message),
        "placed once"
    );
    let queued = store.pending_outbox(10).await.expect("read");
    assert_eq!(queued.len(), 1, "relayed once");
    assert_eq!(
        store.conversation_staff(open.id).await.expect("read"),
        [staff_id]
    );
    let latest = store
        .latest_consent("her", Channel::Voice)
        .await
        .expect("read")
        .expect("there");
    assert!(
        !latest.granted,
        "her STOP stands: the repeat recorded nothing"
    );

    // A text kept before but never placed (its first try recorded it alone) is placed now,
    // with her asking to be called in it.
    let (unplaced, _) = store
        .record_message(&text("SM2", None))
        .await
        .expect("kept");
    let asked_again = NewConsent {
        contact_hash: "her".to_owned(),
        channel: Channel::Voice,
        granted: true,
        reason: "asked_to_be_called".to_owned(),
        conversation_id: Some(open.id),
        at: at(10, 7),
        safe_hours: None,
        expires_at: None,
        code_word_sealed: None,
    };
    let (placed, new) = store
        .take_in_text(&TextIn {
            contact_hash: "her".to_owned(),
            message: text("SM2", None),
            relay: crate::relay(open.id, 2, &[staff_id]),
            consents: vec![asked_again],
        })
        .await
        .expect("taken in");
    assert!(!new);
    let latest = store
        .latest_consent("her", Channel::Voice)
        .await
        .expect("read")
        .expect("there");
    assert!(
        latest.granted,
        "her asking, in the text placed now, is recorded"
    );
    assert_eq!(placed.id, unplaced.id);
    assert_eq!(
        store
            .conversation_messages(open.id)
            .await
            .expect("read")
            .len(),
        2,
        "placed beside the first"
    );
    assert_eq!(
        store.pending_outbox(10).await.expect("read").len(),
        2,
        "and relayed"
    );

    assert!(
        store
            .close_conversation(open.id, staff_id, at(11, 0))
            .await
            .expect("closed")
    );
    let reopened = store
        .start_conversation(&conversation("M3X", "her"), quarantine_start(at(12, 0)))
        .await
        .expect("opened")
        .expect("free");
    let late_repeat = TextIn {
        relay: crate::relay(reopened.id, 1, &[staff_id]),
        consents: Vec::new(),
        ..text_in
    };
    let (returned, new) = store.take_in_text(&late_repeat).await.expect("answered");
    assert!(!new);
    assert_eq!(
        returned.conversation_id,
        Some(open.id),
        "where it was placed"
    );
    assert!(
        store
            .conversation_messages(reopened.id)
            .await
            .expect("read")
            .is_empty(),
        "nothing of it in her new conversation"
    );
    assert!(
        store
            .conversation_staff(reopened.id)
            .await
            .expect("read")
            .is_empty()
    );
}

/// Two of her texts at once on PostgreSQL, each in a committer's transaction: each takes her
/// conversation's row before her staff's rows, whether written in one statement or step by
/// step (a text kept alone before), so the two wait for each other in turn. Taken crosswise,
/// PostgreSQL ends the pair as a deadlock after a second, her texts and the batches with them
/// waiting all that while. Here her conversation's row is held by hand: a text taken in
/// meanwhile waits for it with her staff's rows still free.
async fn her_text_takes_her_conversation_before_her_staffs_rows(database: TestDatabase) {
    use sqlx::Connection;
    let store = database.open().await;
    let (staff_id, open) = a_lawyer_and_her_conversation(store.as_ref()).await;
    // Each a minute after the one before, as her texts come.
    let relayed = |sid: &str, i: u32| TextIn {
        contact_hash: "her".to_owned(),
        message: text(sid, None),
        relay: Relay {
            at: at(10, 5 + i),
            ..crate::relay(open.id, i as usize, &[staff_id])
        },
        consents: Vec::new(),
    };
    // Her lawyer has her conversation already: a row of hers for two texts to meet on.
    store
        .take_in_text(&relayed("SM1", 1))
        .await
        .expect("taken in");
    // Kept alone before (its first try lost the race to open her conversation): taken in
    // step by step.
    store
        .record_message(&text("SM3", None))
        .await
        .expect("kept");
    for (sid, i, new) in [("SM2", 2, true), ("SM3", 3, false)] {
        let mut holder = sqlx::PgConnection::connect(&database.url)
            .await
            .expect("connects");
        let mut held = holder.begin().await.expect("begins");
        sqlx::query("SELECT id FROM conversations WHERE id = $1 FOR NO KEY UPDATE")
            .bind(open.id)
            .execute(&mut *held)
            .await
            .expect("her conversation held, as a text being relayed holds it");
        let taking = tokio::spawn({
            let (store, text) = (store.clone(), relayed(sid, i));
            async move { store.take_in_text(&text).await }
        });
        until_a_write_waits(&database).await;
        let staff_rows = sqlx::query(
            "SELECT 1 FROM conversation_staff WHERE conversation_id = $1 FOR UPDATE NOWAIT",
        )
        .bind(open.id)
        .execute(&mut *held)
        .await;
        assert!(
            staff_rows.is_ok(),
            "{sid} took her staff's rows before her conversation's: {staff_rows:?}"
        );
        held.rollback().await.expect("let go");
        let (_, taken_new) = taking
            .await
            .expect("the task ran")
            .expect("taken in once her conversation is free");
        assert_eq!(taken_new, new, "{sid}");
    }
    assert_eq!(
        store.pending_outbox(10).await.expect("read").len(),
        3,
        "each text relayed once"
    );
}

/// Returns once a session on the test's database waits for a lock.
async fn until_a_write_waits(database: &TestDatabase) {
    use sqlx::Connection;
    let mut watcher = sqlx::PgConnection::connect(&database.url)
        .await
        .expect("connects");
    // A bound on the wait for the spawned write to reach the lock, not a measure of speed.
    for _ in 0..1000 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watcher)
        .await
        .expect("read");
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the text never came to wait for her conversation");
}

mod postgres {
    #[tokio::test]
    async fn her_text_takes_her_conversation_before_her_staffs_rows() {
        super::her_text_takes_her_conversation_before_her_staffs_rows(
            crate::databases::TestDatabase::postgres().await,
        )
        .await;
    }
}
