//! Erasing one person: every contact keyed by her hash, open or closed, loses her number, her
//! words, notes and plans, and its hash becomes one of its own that links it to nothing; her
//! consents go, so nothing is sent to her; texts to her not yet sent end failed; every row
//! stays for the counts; someone else's contacts are untouched; and a second run erases
//! nothing.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;
use hotline_schedules::{Language, Service};

use crate::retention::{
    HER, WORDS, a_conversation, a_text, answered_note, day, followed_up, queue, sent,
};

/// Her keyed hash: the conversation `K7Q`'s, and her calls'.
const HASH: &str = "hash-K7Q";

async fn a_call_from(store: &Arc<dyn Store>, sid: &str, hash: &str, ended: bool) -> CallRecord {
    let call = store
        .record_call(&NewCall {
            call_sid: sid.to_owned(),
            line_number: "+77010000000".to_owned(),
            caller_sealed: HER.to_vec(),
            caller_hash: hash.to_owned(),
            status: "ringing".to_owned(),
            started_at: day(10),
        })
        .await
        .expect("recorded");
    store
        .set_call_choice(call.id, Language::Ru, Some(Service::Legal))
        .await
        .expect("chosen");
    if ended {
        store
            .apply_call_status(&CallStatusUpdate {
                call_sid: sid.to_owned(),
                status: "completed".to_owned(),
                sequence: 9,
                ended_at: Some(day(10) + Duration::minutes(5)),
                duration_secs: Some(300),
                outcome: Some(CallOutcome::Missed),
            })
            .await
            .expect("ended");
    }
    store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("kept")
}

async fn call(store: &Arc<dyn Store>, id: i64) -> CallRecord {
    store.call_by_id(id).await.expect("read").expect("kept")
}

pub async fn erasing_her_leaves_no_trace_of_her_and_every_count(store: Arc<dyn Store>) {
    let lawyer = store
        .create_staff(&crate::lawyer("+77015550101"), &crate::audit())
        .await
        .expect("kept")
        .expect("new");
    // Her: a missed call answered with a note and a voicemail, a call still owed an answer,
    // a conversation with her text and a staff reply, the texts those caused, a plan, consent.
    let answered = a_call_from(&store, "CAher1", HASH, true).await;
    let answered_follow_up = followed_up(&store, &answered, Some(day(11))).await;
    store
        .record_voicemail(&NewVoicemail {
            call_id: answered.id,
            recording_sid: "RE1".to_owned(),
            recording_sealed: WORDS.to_vec(),
            duration_secs: Some(20),
            created_at: day(10),
        })
        .await
        .expect("kept");
    let owed = a_call_from(&store, "CAher2", HASH, true).await;
    let owed_follow_up = followed_up(&store, &owed, None).await;
    let conversation = a_conversation(&store, "K7Q", day(12)).await;
    a_text(&store, "SMher", None, Some(conversation), day(12)).await;
    a_text(&store, "SMstaff", Some(lawyer), Some(conversation), day(12)).await;
    let relayed = queue(&store, &format!("relay:SMher:{lawyer}"), day(12)).await;
    sent(&store, relayed, day(12)).await;
    let to_her = queue(&store, "reply:SMstaff", day(12)).await;
    store
        .record_consent(&NewConsent {
            contact_hash: HASH.to_owned(),
            channel: Channel::Sms,
            granted: true,
            reason: "wrote_first".to_owned(),
            conversation_id: Some(conversation),
            at: day(12),
            safe_hours: None,
            expires_at: None,
            code_word_sealed: Some(WORDS.to_vec()),
        })
        .await
        .expect("kept");
    let plan = store
        .plan_follow_up(
            &NewPlannedFollowUp {
                conversation_id: Some(conversation),
                call_id: None,
                staff_id: lawyer,
                due_at: day(14),
                note_sealed: Some(WORDS.to_vec()),
                her_text_sealed: Some(WORDS.to_vec()),
                created_by: "test".to_owned(),
                created_at: day(12),
            },
            &crate::audit(),
        )
        .await
        .expect("planned");
    // Someone else, who must keep everything.
    let other = a_call_from(&store, "CAother", "hash-other", true).await;
    let other_follow_up = followed_up(&store, &other, Some(day(11))).await;
    let calls_before = store
        .calls_between(day(1), day(30))
        .await
        .expect("read")
        .len();

    let erased = store
        .erase_contact(HASH, "Гульнара", day(20))
        .await
        .expect("erased");
    assert_eq!(
        (
            erased.calls,
            erased.voicemails,
            erased.conversations,
            erased.messages
        ),
        (2, 1, 1, 2)
    );
    assert_eq!(
        erased.outbox, 2,
        "the relay of her words and the reply to her"
    );

    for id in [answered.id, owed.id] {
        let call = call(&store, id).await;
        assert!(call.caller_sealed.is_empty());
        assert_eq!(
            call.caller_hash,
            format!("erased:{id}"),
            "linked to nothing"
        );
    }
    let untouched = call(&store, other.id).await;
    assert_eq!(
        (untouched.caller_sealed, untouched.caller_hash),
        (HER.to_vec(), "hash-other".to_owned())
    );
    let note = |id: i64| {
        let store = store.clone();
        async move { store.follow_up(id).await.expect("read").expect("kept") }
    };
    assert_eq!(note(answered_follow_up).await.answer_note_sealed, None);
    assert!(note(other_follow_up).await.answer_note_sealed.is_some());
    let owed = note(owed_follow_up).await;
    assert_eq!(
        owed.status, "answered",
        "nobody can call her back: reminders stop"
    );

    let conversation = store
        .conversation(conversation)
        .await
        .expect("read")
        .expect("kept");
    assert!(conversation.contact_sealed.is_empty() && !conversation.open);
    assert!(conversation.contact_hash.starts_with("erased:"));
    for message in store
        .conversation_messages(conversation.id)
        .await
        .expect("read")
    {
        assert!(
            message.body_sealed.is_empty(),
            "text {} keeps words",
            message.id
        );
    }
    let relayed = store
        .outbox_message(relayed)
        .await
        .expect("read")
        .expect("kept");
    assert!(relayed.body_sealed.is_empty(), "her words to the lawyer");
    assert_eq!(relayed.to_sealed, HER.to_vec(), "the lawyer's number stays");
    let to_her = store
        .outbox_message(to_her)
        .await
        .expect("read")
        .expect("kept");
    assert!(to_her.body_sealed.is_empty() && to_her.to_sealed.is_empty());
    assert_eq!(to_her.status, OutboxStatus::Failed, "never sent now");
    assert_ne!(to_her.contact_hash.as_deref(), Some(HASH));
    assert_eq!(
        store.consent(HASH, Channel::Sms).await.expect("read"),
        None,
        "no consent: nothing goes to her number"
    );
    let plan = store
        .planned_follow_up(plan)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!((plan.note_sealed, plan.her_text_sealed), (None, None));
    assert_eq!(plan.status, "cancelled");

    assert_eq!(
        store
            .calls_between(day(1), day(30))
            .await
            .expect("read")
            .len(),
        calls_before,
        "every row stays"
    );
    let log = store.audit_log(100).await.expect("read");
    let entry = log
        .iter()
        .find(|a| a.entry.action == "erase-contact")
        .expect("audited");
    assert_eq!(entry.entry.actor, "Гульнара");
    assert!(
        !entry
            .entry
            .after
            .as_deref()
            .unwrap_or_default()
            .contains(HASH)
    );
    let answered_entry = log
        .iter()
        .find(|a| a.entry.subject == format!("follow-up/{answered_follow_up}"))
        .expect("audited");
    assert!(
        !answered_entry
            .entry
            .after
            .as_deref()
            .unwrap_or_default()
            .contains("Абая")
    );
    let unrelated = answered_note(other_follow_up, day(11), "позвонила ей, адрес: ул. Абая 5");
    assert!(
        log.iter().any(|a| a.entry.after == unrelated.after),
        "someone else's note stays"
    );
    hotline::audit_chain::verify(store.as_ref())
        .await
        .expect("read")
        .expect("the audit chain still verifies");

    assert_eq!(
        store
            .erase_contact(HASH, "Гульнара", day(21))
            .await
            .expect("ran"),
        Erased::default(),
        "nothing of hers is left"
    );
    assert_eq!(
        store.audit_log(100).await.expect("read").len(),
        log.len(),
        "nothing erased, nothing audited"
    );
}
