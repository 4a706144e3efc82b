//! Texts and conversations: a text kept once per MessageSid, a code never given twice while a
//! message about it could still arrive, one open conversation per contact, the follow-up that
//! closes with the conversation, each person's latest conversation, and consent as a history.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;
use hotline_schedules::Service;

use crate::{at, audit, lawyer};

pub(crate) fn text(sid: &str, staff_id: Option<i64>) -> NewMessage {
    NewMessage {
        message_sid: sid.to_owned(),
        line_number: "+77010000000".to_owned(),
        channel: Channel::Sms,
        staff_id,
        body_sealed: vec![7, 7, 7],
        received_at: at(10, 0),
    }
}

pub(crate) fn conversation(code: &str, contact: &str) -> NewConversation {
    NewConversation {
        code: code.to_owned(),
        line_number: "+77010000000".to_owned(),
        channel: Channel::Sms,
        contact_sealed: vec![1, 2, 3],
        contact_hash: contact.to_owned(),
        service: Service::Legal,
        opened_at: at(10, 0),
    }
}

/// A lawyer on staff, and her conversation K7Q opened at 10:00.
pub(crate) async fn a_lawyer_and_her_conversation(store: &dyn Store) -> (i64, Conversation) {
    let staff_id = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("staff");
    let open = store
        .start_conversation(&conversation("K7Q", "her"), quarantine_start(at(10, 0)))
        .await
        .expect("opened")
        .expect("free");
    (staff_id, open)
}

/// Codes closed before this are free again.
pub(crate) fn quarantine_start(
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    now - Duration::days(30)
}

pub async fn a_text_is_recorded_once_per_message_sid(store: Arc<dyn Store>) {
    let (first, new) = store
        .record_message(&text("SM01", None))
        .await
        .expect("kept");
    assert!(new);
    let (again, new) = store
        .record_message(&text("SM01", None))
        .await
        .expect("a repeat");
    assert!(!new, "a retry is not a second text");
    assert_eq!(again, first);
    assert_eq!(first.channel, Channel::Sms);
    assert_eq!(first.conversation_id, None);

    let started = store
        .start_conversation(&conversation("K7Q", "her"), quarantine_start(at(10, 0)))
        .await
        .expect("opened")
        .expect("the code is free");
    store
        .attach_message(first.id, started.id)
        .await
        .expect("placed");
    let messages = store.conversation_messages(started.id).await.expect("read");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body_sealed, vec![7, 7, 7]);
}

pub async fn a_code_is_not_given_again_while_open_or_for_thirty_days_after_it_closes(
    store: Arc<dyn Store>,
) {
    let (staff_id, first) = a_lawyer_and_her_conversation(store.as_ref()).await;
    assert!(first.open);
    assert_eq!(first.code, "K7Q");
    assert!(first.follow_up_id.is_some(), "she is owed an answer");
    assert_eq!(
        store
            .start_conversation(&conversation("K7Q", "another"), quarantine_start(at(11, 0)))
            .await
            .expect("asked"),
        None,
        "taken while open"
    );

    assert!(
        store
            .close_conversation(first.id, staff_id, at(12, 0))
            .await
            .expect("closed")
    );
    let a_week_later = at(12, 0) + Duration::days(7);
    assert_eq!(
        store
            .start_conversation(
                &conversation("K7Q", "another"),
                quarantine_start(a_week_later)
            )
            .await
            .expect("asked"),
        None,
        "a late reply may still name it"
    );
    let later = at(12, 0) + Duration::days(31);
    let reused = store
        .start_conversation(&conversation("K7Q", "another"), quarantine_start(later))
        .await
        .expect("asked")
        .expect("free again after the quarantine");
    let by_code = store
        .conversation_by_code("K7Q")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(by_code.id, reused.id, "the code names the newest");
}

pub async fn she_has_one_open_conversation_per_line_and_channel(store: Arc<dyn Store>) {
    let first = store
        .start_conversation(&conversation("K7Q", "her"), quarantine_start(at(10, 0)))
        .await
        .expect("opened")
        .expect("free");
    assert_eq!(
        store
            .start_conversation(&conversation("M3X", "her"), quarantine_start(at(10, 0)))
            .await
            .expect("asked"),
        None,
        "she already has one open"
    );
    let found = store
        .open_conversation_of("+77010000000", "her", Channel::Sms)
        .await
        .expect("read")
        .expect("open");
    assert_eq!(found.id, first.id);
    assert_eq!(
        store
            .open_conversation_of("+77010000000", "her", Channel::Whatsapp)
            .await
            .expect("read"),
        None
    );
    let whatsapp = NewConversation {
        channel: Channel::Whatsapp,
        ..conversation("M3X", "her")
    };
    assert!(
        store
            .start_conversation(&whatsapp, quarantine_start(at(10, 0)))
            .await
            .expect("opened")
            .is_some(),
        "another channel is another conversation"
    );
}

pub async fn closing_a_conversation_answers_its_follow_up_once(store: Arc<dyn Store>) {
    let (staff_id, started) = a_lawyer_and_her_conversation(store.as_ref()).await;
    let open = store.open_follow_ups().await.expect("read");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].kind.as_str(), open[0].call_id, open[0].service),
        ("message", None, Some(Service::Legal))
    );
    assert!(
        store
            .close_conversation(started.id, staff_id, at(11, 0))
            .await
            .expect("closed")
    );
    assert!(
        !store
            .close_conversation(started.id, staff_id, at(11, 5))
            .await
            .expect("a repeat"),
        "closed once"
    );
    assert!(store.open_follow_ups().await.expect("read").is_empty());
    let closed = store
        .conversation(started.id)
        .await
        .expect("read")
        .expect("kept");
    assert!(!closed.open);
    assert_eq!(closed.closed_at, Some(at(11, 0)));
    assert_eq!(closed.closed_by, Some(staff_id));
    assert_eq!(
        store
            .open_conversation_of("+77010000000", "her", Channel::Sms)
            .await
            .expect("read"),
        None
    );
}

pub async fn a_staff_members_latest_conversation_is_the_open_one_they_had_last(
    store: Arc<dyn Store>,
) {
    let staff_id = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("staff");
    assert_eq!(
        store.latest_conversation_of(staff_id).await.expect("read"),
        None
    );
    let older = store
        .start_conversation(&conversation("K7Q", "her"), quarantine_start(at(10, 0)))
        .await
        .expect("opened")
        .expect("free");
    let newer = store
        .start_conversation(&conversation("M3X", "another"), quarantine_start(at(10, 0)))
        .await
        .expect("opened")
        .expect("free");
    store
        .note_staff(older.id, staff_id, at(10, 1))
        .await
        .expect("noted");
    store
        .note_staff(newer.id, staff_id, at(10, 2))
        .await
        .expect("noted");
    let latest = |store: Arc<dyn Store>| async move {
        store
            .latest_conversation_of(staff_id)
            .await
            .expect("read")
            .map(|c| c.id)
    };
    assert_eq!(latest(store.clone()).await, Some(newer.id));
    store
        .note_staff(older.id, staff_id, at(10, 3))
        .await
        .expect("noted again");
    assert_eq!(latest(store.clone()).await, Some(older.id));
    assert_eq!(
        store.conversation_staff(older.id).await.expect("read"),
        vec![staff_id]
    );
    store
        .close_conversation(older.id, staff_id, at(10, 4))
        .await
        .expect("closed");
    assert_eq!(
        latest(store.clone()).await,
        Some(newer.id),
        "only open ones"
    );

    store
        .note_inbound(newer.id, at(10, 9))
        .await
        .expect("noted");
    store
        .note_inbound(newer.id, at(10, 5))
        .await
        .expect("a late one");
    let newer = store
        .conversation(newer.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(newer.last_inbound_at, at(10, 9), "the latest stays");
}

pub async fn the_latest_word_on_consent_decides(store: Arc<dyn Store>) {
    assert_eq!(
        store.consent("her", Channel::Sms).await.expect("read"),
        None
    );
    for (granted, reason, minute) in [(true, "wrote_first", 1), (false, "stop", 2)] {
        store
            .record_consent(&NewConsent {
                contact_hash: "her".into(),
                channel: Channel::Sms,
                granted,
                reason: reason.into(),
                conversation_id: None,
                at: at(10, minute),
                safe_hours: None,
                expires_at: None,
                code_word_sealed: None,
            })
            .await
            .expect("kept");
    }
    assert_eq!(
        store.consent("her", Channel::Sms).await.expect("read"),
        Some(false)
    );
    assert_eq!(
        store.consent("her", Channel::Whatsapp).await.expect("read"),
        None,
        "per channel"
    );
}
