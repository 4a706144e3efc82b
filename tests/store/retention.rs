//! Retention: contacts closed before the cutoff lose what identifies her (her sealed number,
//! the words of every text, the voicemail's recording, notes), every row and every field a
//! report counts stays, open and newer contacts are not touched, and a second run erases
//! nothing.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hotline::store::*;
use hotline_schedules::{Language, Service};

use crate::databases::TestDatabase;
use crate::lawyer;

/// Noon on day `d` of November 2026.
pub fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0)
        .single()
        .expect("a real time")
}

/// Contacts closed before this are erased.
fn cutoff() -> DateTime<Utc> {
    day(20)
}

pub const HER: &[u8] = &[1, 2, 3];
pub const WORDS: &[u8] = &[7, 7, 7];

pub fn answered_note(follow_up: i64, at: DateTime<Utc>, note: &str) -> AuditEntry {
    AuditEntry {
        at,
        actor: "token:coordinator".into(),
        action: "answer-follow-up".into(),
        subject: format!("follow-up/{follow_up}"),
        before: Some(r#"{"status":"open"}"#.into()),
        after: Some(
            serde_json::json!({ "status": "answered", "staff_id": null, "note": note }).to_string(),
        ),
    }
}

/// A call that started on `started` and ended five minutes later (or is still going).
async fn a_call(
    store: &Arc<dyn Store>,
    sid: &str,
    started: DateTime<Utc>,
    service: Service,
    ended: bool,
) -> CallRecord {
    let call = store
        .record_call(&NewCall {
            call_sid: sid.to_owned(),
            line_number: "+77010000000".to_owned(),
            caller_sealed: HER.to_vec(),
            caller_hash: format!("hash-{sid}"),
            status: "ringing".to_owned(),
            started_at: started,
        })
        .await
        .expect("recorded");
    store
        .set_call_choice(call.id, Language::Ru, Some(service))
        .await
        .expect("chosen");
    if ended {
        store
            .apply_call_status(&CallStatusUpdate {
                call_sid: sid.to_owned(),
                status: "completed".to_owned(),
                sequence: 9,
                ended_at: Some(started + Duration::minutes(5)),
                duration_secs: Some(300),
                outcome: Some(CallOutcome::Missed),
            })
            .await
            .expect("ended");
    }
    call
}

/// A missed call's follow-up, answered at `answered` with a note when given.
pub async fn followed_up(
    store: &Arc<dyn Store>,
    call: &CallRecord,
    answered: Option<DateTime<Utc>>,
) -> i64 {
    let id = store
        .open_follow_up(&NewFollowUp {
            call_id: call.id,
            kind: CallOutcome::Missed,
            service: call.service,
            line_number: call.line_number.clone(),
            created_at: call.started_at + Duration::minutes(5),
        })
        .await
        .expect("opened")
        .expect("new");
    if let Some(at) = answered {
        let note = "позвонила ей, адрес: ул. Абая 5";
        assert!(
            store
                .answer_follow_up(
                    id,
                    None,
                    Some(note.as_bytes()),
                    &answered_note(id, at, note)
                )
                .await
                .expect("answered")
        );
    }
    id
}

/// A text in (hers when `staff_id` is empty) on `at`, placed in `conversation`.
pub async fn a_text(
    store: &Arc<dyn Store>,
    sid: &str,
    staff_id: Option<i64>,
    conversation: Option<i64>,
    at: DateTime<Utc>,
) -> i64 {
    let (message, _) = store
        .record_message(&NewMessage {
            message_sid: sid.to_owned(),
            line_number: "+77010000000".to_owned(),
            channel: Channel::Sms,
            staff_id,
            body_sealed: WORDS.to_vec(),
            received_at: at,
        })
        .await
        .expect("kept");
    if let Some(conversation) = conversation {
        store
            .attach_message(message.id, conversation)
            .await
            .expect("placed");
    }
    message.id
}

pub async fn a_conversation(store: &Arc<dyn Store>, code: &str, opened: DateTime<Utc>) -> i64 {
    store
        .start_conversation(
            &NewConversation {
                code: code.to_owned(),
                line_number: "+77010000000".to_owned(),
                channel: Channel::Sms,
                contact_sealed: HER.to_vec(),
                contact_hash: format!("hash-{code}"),
                service: Service::Legal,
                opened_at: opened,
            },
            opened - Duration::days(30),
        )
        .await
        .expect("opened")
        .expect("a free code")
        .id
}

pub async fn queue(store: &Arc<dyn Store>, key: &str, at: DateTime<Utc>) -> i64 {
    assert!(
        store
            .enqueue_outbox(&NewOutboxMessage {
                idempotency_key: key.to_owned(),
                channel: "sms".to_owned(),
                to_sealed: HER.to_vec(),
                body_sealed: WORDS.to_vec(),
                // A reply goes to her; the rest to staff.
                contact_hash: key.starts_with("reply:").then(|| "hash-K7Q".to_owned()),
                created_at: at,
            })
            .await
            .expect("queued")
    );
    store
        .pending_outbox(1000)
        .await
        .expect("read")
        .into_iter()
        .find(|m| m.idempotency_key == key)
        .expect("queued")
        .id
}

/// The outbox worker sends it: it is no longer waiting.
pub async fn sent(store: &Arc<dyn Store>, id: i64, at: DateTime<Utc>) {
    let claimed = store
        .claim_outbox(id, at, at + Duration::minutes(2))
        .await
        .expect("claimed")
        .expect("due");
    assert!(
        store
            .mark_outbox_sent(claimed.id, &format!("SMsent{id}"), at)
            .await
            .expect("sent")
    );
}

/// Everything a report reads about the calls and follow-ups: all but the erasable fields.
async fn report(store: &Arc<dyn Store>) -> Vec<String> {
    let mut lines = Vec::new();
    for call in store.calls_between(day(1), day(30)).await.expect("calls") {
        lines.push(format!(
            "call {} {} {} {:?} {:?} {:?} {:?} {} {:?} {:?} {:?} {} {}",
            call.id,
            call.call_sid,
            call.line_number,
            call.service,
            call.language,
            call.outcome,
            call.answered_by,
            call.started_at,
            call.answered_at,
            call.ended_at,
            call.duration_secs,
            call.caller_hash,
            call.status,
        ));
        let legs = store.legs(call.id).await.expect("legs");
        lines.push(format!("legs {legs:?}"));
    }
    for f in store.follow_ups(1000).await.expect("follow-ups") {
        lines.push(format!(
            "follow-up {} {:?} {} {:?} {} {} {} {:?} {:?} {} {:?}",
            f.id,
            f.call_id,
            f.kind,
            f.service,
            f.line_number,
            f.status,
            f.created_at,
            f.answered_at,
            f.answered_by,
            f.reminders_sent,
            f.code,
        ));
    }
    lines
}

pub async fn contacts_closed_before_the_cutoff_lose_her_number_words_and_notes(
    store: Arc<dyn Store>,
) {
    let lawyer = store
        .upsert_staff(&lawyer("+77015550101"), &audit_at(day(1)))
        .await
        .expect("staff");

    // Calls: answered and ended long ago; missed long ago and answered before the cutoff.
    let answered = a_call(&store, "CA01", day(10), Service::Psychological, false).await;
    store
        .claim_call(answered.id, lawyer, day(10) + Duration::minutes(1))
        .await
        .expect("claimed");
    store
        .apply_call_status(&CallStatusUpdate {
            call_sid: "CA01".into(),
            status: "completed".into(),
            sequence: 9,
            ended_at: Some(day(10) + Duration::minutes(30)),
            duration_secs: Some(1800),
            outcome: None,
        })
        .await
        .expect("ended");
    let missed = a_call(&store, "CA02", day(10), Service::Legal, true).await;
    let missed_follow_up = followed_up(&store, &missed, Some(day(11))).await;
    // Kept: a follow-up still open, one answered after the cutoff, a newer call, an unended one.
    let still_owed = a_call(&store, "CA03", day(10), Service::Legal, true).await;
    let still_owed_follow_up = followed_up(&store, &still_owed, None).await;
    let late = a_call(&store, "CA04", day(10), Service::Legal, true).await;
    let late_follow_up = followed_up(&store, &late, Some(day(21))).await;
    a_call(&store, "CA05", day(22), Service::Legal, true).await;
    a_call(&store, "CA06", day(10), Service::Legal, false).await;

    // A conversation closed long ago: her text relayed to the lawyer, his reply to her and its
    // answer to him, and a notice about the follow-up that names nobody.
    let old = a_conversation(&store, "K7Q", day(10)).await;
    a_text(&store, "SM01", None, Some(old), day(10)).await;
    a_text(&store, "SM02", Some(lawyer), Some(old), day(10)).await;
    let relay = queue(&store, &format!("relay:SM01:{lawyer}"), day(10)).await;
    sent(&store, relay, day(10)).await;
    let reply = queue(&store, "reply:SM02", day(10)).await;
    let answer = queue(&store, "answer:SM02", day(10)).await;
    sent(&store, answer, day(10)).await;
    let notice = queue(&store, "follow-up:1", day(10)).await;
    assert!(
        store
            .close_conversation(old, lawyer, day(11))
            .await
            .expect("closed")
    );
    // Kept: an open conversation from long ago, one closed after the cutoff.
    let open = a_conversation(&store, "M3R", day(10)).await;
    a_text(&store, "SM03", None, Some(open), day(10)).await;
    let open_relay = queue(&store, &format!("relay:SM03:{lawyer}"), day(10)).await;
    let recent = a_conversation(&store, "P4T", day(10)).await;
    a_text(&store, "SM04", None, Some(recent), day(10)).await;
    store
        .close_conversation(recent, lawyer, day(21))
        .await
        .expect("closed");
    // Texts in no conversation: her STOP long ago, and a newer one.
    let stop = a_text(&store, "SM05", None, None, day(10)).await;
    let newer_stop = a_text(&store, "SM06", None, None, day(22)).await;

    let before = report(&store).await;
    let erased = store
        .erase_closed_contacts(cutoff(), day(24))
        .await
        .expect("erased");
    assert_eq!(
        erased,
        Erased {
            calls: 2,
            voicemails: 0,
            conversations: 1,
            messages: 3,
            outbox: 3,
            notes: 2,
        }
    );
    assert_eq!(report(&store).await, before, "every count and time stays");

    // The calls closed long ago: number gone, hash (for repeat callers) kept.
    for sid in ["CA01", "CA02"] {
        let call = store.call_by_sid(sid).await.expect("read").expect("kept");
        assert!(call.caller_sealed.is_empty(), "{sid}'s number is erased");
        assert_eq!(call.caller_hash, format!("hash-{sid}"));
    }
    for sid in ["CA03", "CA04", "CA05", "CA06"] {
        let call = store.call_by_sid(sid).await.expect("read").expect("kept");
        assert_eq!(
            call.caller_sealed, HER,
            "{sid} is not closed before the cutoff"
        );
    }
    let note = |id| {
        let store = store.clone();
        async move {
            store
                .follow_up(id)
                .await
                .expect("read")
                .expect("kept")
                .answer_note_sealed
        }
    };
    assert_eq!(note(missed_follow_up).await, None, "the note is erased");
    assert!(
        note(late_follow_up).await.is_some(),
        "answered after the cutoff"
    );
    assert_eq!(
        store
            .follow_up(still_owed_follow_up)
            .await
            .expect("read")
            .expect("kept")
            .status,
        "open"
    );
    let audit = store.audit_log(100).await.expect("audit");
    let answer_of = |id: i64| {
        audit
            .iter()
            .find(|a| a.entry.subject == format!("follow-up/{id}"))
            .and_then(|a| a.entry.after.clone())
            .expect("audited")
    };
    assert!(
        !answer_of(missed_follow_up).contains("Абая"),
        "nor its copy"
    );
    assert!(answer_of(missed_follow_up).contains("answered"));
    assert!(answer_of(late_follow_up).contains("Абая"));
    let verified = hotline::audit_chain::verify(store.as_ref())
        .await
        .expect("read")
        .expect("the chain still verifies with the note erased");
    assert_eq!(verified.erased, 1, "the erased entry lost its salt");
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "erase-closed-contacts"
                && a.entry.actor == "retention"
                && a.entry.at == day(24)),
        "the erasure is audited"
    );

    // The conversation closed long ago: her number and every text's words gone, rows kept.
    let conversation = store.conversation(old).await.expect("read").expect("kept");
    assert!(conversation.contact_sealed.is_empty());
    assert_eq!(conversation.contact_hash, "hash-K7Q");
    assert_eq!(conversation.code, "K7Q");
    let texts = store.conversation_messages(old).await.expect("read");
    assert_eq!(texts.len(), 2, "the texts are still counted");
    assert!(texts.iter().all(|t| t.body_sealed.is_empty()));
    let outbox = |id| {
        let store = store.clone();
        async move { store.outbox_message(id).await.expect("read").expect("kept") }
    };
    let relayed = outbox(relay).await;
    assert!(relayed.body_sealed.is_empty(), "her words relayed to staff");
    assert_eq!(relayed.to_sealed, HER, "a staff member's number stays");
    assert_eq!(relayed.status, OutboxStatus::Sent);
    let replied = outbox(reply).await;
    assert!(replied.body_sealed.is_empty() && replied.to_sealed.is_empty());
    assert_eq!(
        replied.status,
        OutboxStatus::Failed,
        "a text still waiting to go to her must not go out now"
    );
    assert!(outbox(answer).await.body_sealed.is_empty());
    assert_eq!(outbox(notice).await.body_sealed, WORDS, "not hers");

    // Kept: the open conversation, the one closed after the cutoff, the newer loose text.
    for id in [open, recent] {
        let kept = store.conversation(id).await.expect("read").expect("kept");
        assert_eq!(kept.contact_sealed, HER);
        let texts = store.conversation_messages(id).await.expect("read");
        assert!(texts.iter().all(|t| t.body_sealed == WORDS));
    }
    assert_eq!(outbox(open_relay).await.body_sealed, WORDS);
    let body_of = |id: i64, sid: &str| {
        let store = store.clone();
        let sid = sid.to_owned();
        async move {
            let (message, _) = store
                .record_message(&NewMessage {
                    message_sid: sid,
                    line_number: "+77010000000".to_owned(),
                    channel: Channel::Sms,
                    staff_id: None,
                    body_sealed: vec![0],
                    received_at: day(24),
                })
                .await
                .expect("a repeat returns the first");
            assert_eq!(message.id, id);
            message.body_sealed
        }
    };
    assert!(body_of(stop, "SM05").await.is_empty(), "her STOP long ago");
    assert_eq!(body_of(newer_stop, "SM06").await, WORDS);

    assert_eq!(
        store
            .erase_closed_contacts(cutoff(), day(25))
            .await
            .expect("again"),
        Erased::default(),
        "a second run erases nothing"
    );
    assert_eq!(report(&store).await, before);
}

pub async fn a_voicemail_left_long_ago_loses_its_recording_and_keeps_its_count(
    store: Arc<dyn Store>,
) {
    let old = a_call(&store, "CA11", day(10), Service::Legal, false).await;
    let newer = a_call(&store, "CA12", day(22), Service::Legal, false).await;
    for (call, sid) in [(&old, "RE11"), (&newer, "RE12")] {
        assert!(
            store
                .record_voicemail(&NewVoicemail {
                    call_id: call.id,
                    recording_sid: sid.to_owned(),
                    recording_sealed: WORDS.to_vec(),
                    duration_secs: Some(14),
                    created_at: call.started_at + Duration::minutes(2),
                })
                .await
                .expect("kept")
        );
        store
            .apply_call_status(&CallStatusUpdate {
                call_sid: call.call_sid.clone(),
                status: "completed".to_owned(),
                sequence: 9,
                ended_at: Some(call.started_at + Duration::minutes(3)),
                duration_secs: Some(180),
                outcome: None,
            })
            .await
            .expect("ended");
        followed_up(&store, call, Some(call.started_at + Duration::hours(1))).await;
    }
    let before = report(&store).await;
    let erased = store
        .erase_closed_contacts(cutoff(), day(24))
        .await
        .expect("erased");
    assert_eq!((erased.calls, erased.voicemails), (1, 1));
    assert_eq!(report(&store).await, before);
    assert!(store.has_voicemail(old.id).await.expect("read"), "counted");
    let call = store
        .call_by_sid("CA11")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(call.outcome, Some(CallOutcome::Voicemail));
    assert!(call.caller_sealed.is_empty());
    assert_eq!(
        store
            .erase_closed_contacts(cutoff(), day(25))
            .await
            .expect("again"),
        Erased::default()
    );
}

pub async fn more_closed_calls_than_one_batch_are_all_erased_around_the_open_ones(
    store: Arc<dyn Store>,
) {
    // Every 40th call is still owed an answer: it sits inside a batch's id range.
    let count = ERASE_BATCH + 41;
    let mut owed = Vec::new();
    for n in 0..count {
        let call = a_call(&store, &format!("CA{n:04}"), day(10), Service::Legal, true).await;
        if n % 40 == 7 {
            followed_up(&store, &call, None).await;
            owed.push(call.call_sid);
        }
    }
    let erased = store
        .erase_closed_contacts(cutoff(), day(24))
        .await
        .expect("erased");
    let owed_count = owed.len() as i64;
    assert_eq!(erased.calls, (count - owed_count) as u64);
    for n in 0..count {
        let sid = format!("CA{n:04}");
        let call = store.call_by_sid(&sid).await.expect("read").expect("kept");
        assert_eq!(
            call.caller_sealed.is_empty(),
            !owed.contains(&sid),
            "{sid}: erased unless still owed an answer"
        );
    }
    assert!(
        store
            .audit_log(100)
            .await
            .expect("audit")
            .iter()
            .filter(|a| a.entry.action == "erase-closed-contacts")
            .count()
            >= 2,
        "more than one batch, each audited"
    );
    assert_eq!(
        store
            .erase_closed_contacts(cutoff(), day(25))
            .await
            .expect("again"),
        Erased::default()
    );
}

fn audit_at(at: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        at,
        actor: "test".into(),
        action: "setup".into(),
        subject: String::new(),
        before: None,
        after: None,
    }
}

/// The recording's columns, read as they lie in the database (no store method reads them).
async fn recording_columns(url: &str, call_id: i64) -> (String, Vec<u8>) {
    let sql = "SELECT recording_sid, recording_sealed FROM voicemails WHERE call_id = $1";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("connects");
        sqlx::query_as(sql)
            .bind(call_id)
            .fetch_one(&pool)
            .await
            .expect("a voicemail")
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("connects");
        sqlx::query_as(sql)
            .bind(call_id)
            .fetch_one(&pool)
            .await
            .expect("a voicemail")
    }
}

#[tokio::test]
async fn the_recording_sid_and_url_are_emptied_on_both_backends() {
    for database in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        let store = database.open().await;
        let old = a_call(&store, "CA21", day(10), Service::Legal, false).await;
        let newer = a_call(&store, "CA22", day(22), Service::Legal, false).await;
        for (call, sid) in [(&old, "RE21"), (&newer, "RE22")] {
            store
                .record_voicemail(&NewVoicemail {
                    call_id: call.id,
                    recording_sid: sid.to_owned(),
                    recording_sealed: WORDS.to_vec(),
                    duration_secs: Some(14),
                    created_at: call.started_at,
                })
                .await
                .expect("kept");
            store
                .apply_call_status(&CallStatusUpdate {
                    call_sid: call.call_sid.clone(),
                    status: "completed".to_owned(),
                    sequence: 9,
                    ended_at: Some(call.started_at + Duration::minutes(3)),
                    duration_secs: Some(180),
                    outcome: None,
                })
                .await
                .expect("ended");
        }
        store
            .erase_closed_contacts(cutoff(), day(24))
            .await
            .expect("erased");
        assert_eq!(
            recording_columns(&database.url, old.id).await,
            (String::new(), Vec::new()),
            "{}",
            store.backend()
        );
        assert_eq!(
            recording_columns(&database.url, newer.id).await,
            ("RE22".to_owned(), WORDS.to_vec()),
            "{}",
            store.backend()
        );
    }
}
