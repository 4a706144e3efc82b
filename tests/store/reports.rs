//! Counts for the digest and the reports: conversations opened in a span, by service.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;
use hotline_routes::call::CallOutcome;
use hotline_schedules::{Language, Service};

use crate::at;

fn opened(code: &str, contact: &str, service: Service, hour: u32) -> NewConversation {
    NewConversation {
        code: code.to_owned(),
        line_number: "+77010000000".to_owned(),
        channel: Channel::Whatsapp,
        contact_sealed: vec![1, 2, 3],
        contact_hash: contact.to_owned(),
        service,
        opened_at: at(hour, 0),
    }
}

pub async fn conversations_are_counted_by_service_within_their_span(store: Arc<dyn Store>) {
    let opening = [
        ("A11", "her-1", Service::Legal, 8),
        ("A12", "her-2", Service::Legal, 10),
        ("A13", "her-3", Service::Psychological, 11),
        ("A14", "her-4", Service::Legal, 12),
    ];
    for (code, contact, service, hour) in opening {
        store
            .start_conversation(
                &opened(code, contact, service, hour),
                at(0, 0) - Duration::days(30),
            )
            .await
            .expect("kept")
            .expect("opened");
    }
    // From 10:00 (in) to 12:00 (out).
    let counted = store
        .conversations_opened(at(10, 0), at(12, 0))
        .await
        .expect("counted");
    assert_eq!(
        counted,
        vec![(Service::Legal, 1), (Service::Psychological, 1)]
    );
    assert!(
        store
            .conversations_opened(at(13, 0), at(14, 0))
            .await
            .expect("counted")
            .is_empty()
    );
}

fn call_from(sid: &str, hash: &str, started_at: chrono::DateTime<chrono::Utc>) -> NewCall {
    NewCall {
        call_sid: sid.to_owned(),
        line_number: "+77010000000".to_owned(),
        caller_sealed: vec![9, 9, 9],
        caller_hash: hash.to_owned(),
        status: "ringing".to_owned(),
        started_at,
    }
}

pub async fn the_months_calls_come_with_her_choices_and_whether_she_reached_us_before(
    store: Arc<dyn Store>,
) {
    let staff_id = store
        .upsert_staff(&crate::lawyer("+77015550101"), &crate::audit())
        .await
        .expect("staff");
    // Before the span: she (her-1) called, and her-3 wrote.
    store
        .record_call(&call_from("CA00", "her-1", at(9, 0)))
        .await
        .expect("recorded");
    let mut earlier = opened("B01", "her-3", Service::Legal, 9);
    earlier.opened_at = at(9, 30);
    store
        .start_conversation(&earlier, at(0, 0) - Duration::days(30))
        .await
        .expect("kept")
        .expect("opened");
    // In the span, 10:00 to 12:00.
    let again = store
        .record_call(&call_from("CA01", "her-1", at(10, 0)))
        .await
        .expect("recorded");
    store
        .set_call_choice(again.id, Language::Ru, Some(Service::Legal))
        .await
        .expect("chosen");
    store
        .claim_call(again.id, staff_id, at(10, 0) + Duration::seconds(35))
        .await
        .expect("claimed");
    let hung_up = store
        .record_call(&call_from("CA02", "her-2", at(10, 30)))
        .await
        .expect("recorded");
    store
        .set_call_outcome(hung_up.id, CallOutcome::Abandoned)
        .await
        .expect("ended");
    store
        .record_call(&call_from("CA03", "her-3", at(11, 59)))
        .await
        .expect("recorded");
    // At the span's end: the next span's.
    store
        .record_call(&call_from("CA04", "her-4", at(12, 0)))
        .await
        .expect("recorded");

    let calls = store
        .report_calls(at(10, 0), at(12, 0))
        .await
        .expect("read");
    let seen: Vec<_> = calls
        .iter()
        .map(|c| {
            (
                c.caller.as_str(),
                c.service,
                c.language,
                c.outcome,
                c.known_before,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "her-1",
                Some(Service::Legal),
                Some(Language::Ru),
                Some(CallOutcome::Answered),
                true
            ),
            ("her-2", None, None, Some(CallOutcome::Abandoned), false),
            ("her-3", None, None, None, true),
        ]
    );
    assert_eq!(calls[0].started_at, at(10, 0));
    assert_eq!(
        calls[0].answered_at,
        Some(at(10, 0) + Duration::seconds(35))
    );
    assert_eq!(calls[1].answered_at, None);
}

pub async fn a_conversations_first_reply_is_the_first_staff_text_queued_to_her(
    store: Arc<dyn Store>,
) {
    let staff_id = store
        .upsert_staff(&crate::lawyer("+77015550101"), &crate::audit())
        .await
        .expect("staff");
    let free = at(0, 0) - Duration::days(30);
    let replied = store
        .start_conversation(&opened("C01", "her-1", Service::Legal, 10), free)
        .await
        .expect("kept")
        .expect("opened");
    let mut unanswered = opened("C02", "her-2", Service::Psychological, 11);
    unanswered.channel = Channel::Sms;
    let unanswered = store
        .start_conversation(&unanswered, free)
        .await
        .expect("kept")
        .expect("opened");
    store
        .start_conversation(&opened("C03", "her-3", Service::Legal, 13), free)
        .await
        .expect("kept")
        .expect("opened");
    // On each: a staff text that sent her nothing (a refused reply, a DONE); on the first, two
    // replies queued to her after it.
    let staff_text = |sid: &str, minutes: i64| NewMessage {
        message_sid: sid.to_owned(),
        line_number: "+77010000000".to_owned(),
        channel: Channel::Whatsapp,
        staff_id: Some(staff_id),
        body_sealed: vec![4, 4],
        received_at: at(10, 0) + Duration::minutes(minutes),
    };
    for (sid, minutes, conversation, to_her) in [
        ("SM01", 2, replied.id, false),
        ("SM02", 6, replied.id, true),
        ("SM03", 9, replied.id, true),
        ("SM04", 70, unanswered.id, false),
    ] {
        let (message, _) = store
            .record_message(&staff_text(sid, minutes))
            .await
            .expect("recorded");
        store
            .attach_message(message.id, conversation)
            .await
            .expect("attached");
        if to_her {
            store
                .enqueue_outbox(&NewOutboxMessage {
                    idempotency_key: format!("reply:{sid}"),
                    channel: "whatsapp".to_owned(),
                    to_sealed: vec![1],
                    body_sealed: vec![2],
                    created_at: message.received_at,
                    contact_hash: Some("her-1".to_owned()),
                })
                .await
                .expect("queued");
        }
    }

    let texts = store
        .report_texts(at(10, 0), at(12, 0))
        .await
        .expect("read");
    let seen: Vec<_> = texts
        .iter()
        .map(|t| {
            (
                t.contact.as_str(),
                t.service,
                t.channel,
                t.opened_at,
                t.first_reply_at,
                t.known_before,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "her-1",
                Service::Legal,
                hotline_routes::report::TextChannel::Whatsapp,
                at(10, 0),
                Some(at(10, 6)),
                false
            ),
            (
                "her-2",
                Service::Psychological,
                hotline_routes::report::TextChannel::Sms,
                at(11, 0),
                None,
                false
            ),
        ]
    );
    // Contacts inside the span are not "before" it, however early in it they came.
    let next_day = store
        .report_texts(at(10, 0), at(14, 0) + Duration::days(1))
        .await
        .expect("read");
    assert!(next_day.iter().all(|t| !t.known_before));
    let mut again = opened("C04", "her-1", Service::Legal, 10);
    again.opened_at = at(10, 0) + Duration::days(1);
    again.channel = Channel::Sms;
    store
        .start_conversation(&again, free)
        .await
        .expect("kept")
        .expect("opened");
    let tomorrow = store
        .report_texts(at(0, 0) + Duration::days(1), at(0, 0) + Duration::days(2))
        .await
        .expect("read");
    assert_eq!(tomorrow.len(), 1);
    assert!(tomorrow[0].known_before, "she wrote the day before");
}

pub async fn follow_ups_opened_in_the_span_come_with_when_they_were_answered(
    store: Arc<dyn Store>,
) {
    let mut ids = Vec::new();
    for (sid, hour) in [("CA01", 9), ("CA02", 10), ("CA03", 11), ("CA04", 12)] {
        let call = store
            .record_call(&call_from(sid, "her", at(hour, 0)))
            .await
            .expect("recorded");
        let id = store
            .open_follow_up(&NewFollowUp {
                call_id: call.id,
                kind: CallOutcome::Missed,
                service: Some(Service::Legal),
                line_number: "+77010000000".to_owned(),
                created_at: at(hour, 5),
            })
            .await
            .expect("kept")
            .expect("opened");
        ids.push(id);
    }
    let mut answered = crate::audit();
    answered.at = at(15, 0);
    assert!(
        store
            .answer_follow_up(ids[1], None, None, &answered)
            .await
            .expect("answered")
    );
    let follow_ups = store
        .report_follow_ups(at(10, 0), at(12, 0))
        .await
        .expect("read");
    assert_eq!(
        follow_ups,
        vec![
            hotline_routes::report::FollowUpFact {
                opened_at: at(10, 5),
                answered_at: Some(at(15, 0)),
            },
            hotline_routes::report::FollowUpFact {
                opened_at: at(11, 5),
                answered_at: None,
            },
        ]
    );
}

pub async fn the_message_log_lists_conversations_opened_in_a_span_oldest_first(
    store: Arc<dyn Store>,
) {
    for (code, contact, hour) in [
        ("B21", "her-1", 9),
        ("B22", "her-2", 11),
        ("B23", "her-3", 10),
    ] {
        store
            .start_conversation(
                &opened(code, contact, Service::Legal, hour),
                at(0, 0) - Duration::days(30),
            )
            .await
            .expect("kept")
            .expect("opened");
    }
    let listed: Vec<String> = store
        .conversations_between(at(10, 0), at(12, 0))
        .await
        .expect("read")
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(listed, vec!["B23", "B22"]);
}
