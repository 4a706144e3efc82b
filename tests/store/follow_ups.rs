//! What a call leaves for later: a follow-up opened once per call, and a voicemail kept once that
//! counts the call as one.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hotline::store::*;
use hotline_schedules::Service;

use crate::{at, call};

pub async fn a_follow_up_is_opened_once_per_call(store: Arc<dyn Store>) {
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let follow_up = NewFollowUp {
        call_id: call.id,
        kind: CallOutcome::Missed,
        service: Some(Service::Legal),
        line_number: "+77010000000".into(),
        created_at: at(10, 5),
    };
    let id = store.open_follow_up(&follow_up).await.expect("opened");
    assert!(id.is_some());
    assert_eq!(
        store.open_follow_up(&follow_up).await.expect("again"),
        None,
        "once per call"
    );
    let open = store.open_follow_ups().await.expect("read");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (
            open[0].kind.as_str(),
            open[0].service,
            open[0].status.as_str()
        ),
        ("missed", Some(Service::Legal), "open")
    );
}

pub async fn a_voicemail_is_kept_once_and_counts_the_call(store: Arc<dyn Store>) {
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let voicemail = NewVoicemail {
        call_id: call.id,
        recording_sid: "RE01".into(),
        recording_sealed: vec![9, 9],
        duration_secs: Some(12),
        created_at: at(10, 3),
    };
    assert!(!store.has_voicemail(call.id).await.expect("read"));
    assert!(store.record_voicemail(&voicemail).await.expect("kept"));
    assert!(
        !store
            .record_voicemail(&voicemail)
            .await
            .expect("a repeat is fine"),
        "kept once"
    );
    assert!(store.has_voicemail(call.id).await.expect("read"));
    let call = store
        .call_by_sid("CA01")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(call.outcome, Some(CallOutcome::Voicemail));
}

fn assigning(to: Option<i64>, minute: u32) -> AuditEntry {
    AuditEntry {
        at: at(11, minute),
        actor: "user:dinara".into(),
        action: "assign-follow-up".into(),
        subject: "follow-up".into(),
        before: None,
        after: Some(format!("{to:?}")),
    }
}

pub async fn a_follow_up_is_assigned_taken_back_and_listed_for_its_staff_member(
    store: Arc<dyn Store>,
) {
    let aigerim = store
        .create_staff(&crate::lawyer("+77015550001"), &crate::audit())
        .await
        .expect("added")
        .expect("new");
    let mut saule = crate::lawyer("+77015550002");
    saule.name = "Сауле".into();
    let saule = store
        .create_staff(&saule, &crate::audit())
        .await
        .expect("added")
        .expect("new");
    let mut opened = Vec::new();
    for (n, service) in [
        Some(Service::Legal),
        Some(Service::Legal),
        Some(Service::Psychological),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let call = store
            .record_call(&call(&format!("CA0{n}")))
            .await
            .expect("recorded");
        let id = store
            .open_follow_up(&NewFollowUp {
                call_id: call.id,
                kind: CallOutcome::Missed,
                service,
                line_number: "+77010000000".into(),
                created_at: at(10, 5 + n as u32),
            })
            .await
            .expect("opened")
            .expect("new");
        opened.push(id);
    }
    let (first, second, psychological, unchosen) = (opened[0], opened[1], opened[2], opened[3]);
    let legal = [Service::Legal];
    let ids = |list: Vec<FollowUp>| list.iter().map(|f| f.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .follow_ups_for_staff(aigerim, &legal, 10)
            .await
            .expect("read")),
        vec![first, second],
        "unassigned ones of her service, oldest first"
    );

    // Aigerim takes the first: it is hers, with since when, and no longer Saule's to see.
    assert!(
        store
            .assign_follow_up(first, None, Some(aigerim), &assigning(Some(aigerim), 0))
            .await
            .expect("taken")
    );
    let taken = store.follow_up(first).await.expect("read").expect("there");
    assert_eq!(
        taken.assignee,
        Some(Assignee {
            staff_id: aigerim,
            name: "Айгерим Омарова".into(),
            active: true,
            since: at(11, 0),
        })
    );
    assert_eq!(taken.holder(), Some(aigerim));
    assert!(
        !store
            .assign_follow_up(first, None, Some(saule), &assigning(Some(saule), 1))
            .await
            .expect("read"),
        "Saule was too late: it is not unassigned any more"
    );
    assert!(
        !store
            .assign_follow_up(first, Some(aigerim), Some(aigerim), &assigning(None, 1))
            .await
            .expect("read"),
        "no change"
    );
    assert_eq!(
        ids(store
            .follow_ups_for_staff(saule, &legal, 10)
            .await
            .expect("read")),
        vec![second]
    );
    assert_eq!(
        ids(store
            .follow_ups_for_staff(aigerim, &legal, 10)
            .await
            .expect("read")),
        vec![first, second]
    );
    // Assigned to her, it is hers to see even outside her services.
    assert!(
        store
            .assign_follow_up(unchosen, None, Some(saule), &assigning(Some(saule), 2))
            .await
            .expect("assigned")
    );
    assert_eq!(
        ids(store
            .follow_ups_for_staff(saule, &legal, 10)
            .await
            .expect("read")),
        vec![second, unchosen]
    );
    assert_eq!(
        ids(store
            .follow_ups_for_staff(saule, &[Service::Legal, Service::Psychological], 10)
            .await
            .expect("read")),
        vec![second, psychological, unchosen]
    );

    // The coordinator moves the first to Saule, then clears it.
    assert!(
        store
            .assign_follow_up(
                first,
                Some(aigerim),
                Some(saule),
                &assigning(Some(saule), 3)
            )
            .await
            .expect("moved")
    );
    assert_eq!(
        store
            .follow_up(first)
            .await
            .expect("read")
            .expect("there")
            .holder(),
        Some(saule)
    );
    assert!(
        store
            .assign_follow_up(first, Some(saule), None, &assigning(None, 4))
            .await
            .expect("cleared")
    );
    let cleared = store.follow_up(first).await.expect("read").expect("there");
    assert_eq!(cleared.assignee, None);
    let audited = store.audit_log(20).await.expect("read");
    assert_eq!(
        audited
            .iter()
            .filter(|a| a.entry.action == "assign-follow-up")
            .count(),
        4,
        "each change audited, the refused ones not"
    );

    // A deactivated assignee's follow-up is her service's again.
    assert!(
        store
            .assign_follow_up(second, None, Some(saule), &assigning(Some(saule), 5))
            .await
            .expect("assigned")
    );
    let mut gone = crate::lawyer("+77015550002");
    gone.name = "Сауле".into();
    gone.active = false;
    assert!(
        store
            .update_staff(saule, &gone, &crate::audit())
            .await
            .expect("deactivated")
    );
    let second_now = store.follow_up(second).await.expect("read").expect("there");
    assert_eq!(second_now.holder(), None);
    assert_eq!(second_now.assignee.map(|a| a.active), Some(false));
    assert_eq!(
        ids(store
            .follow_ups_for_staff(aigerim, &legal, 10)
            .await
            .expect("read")),
        vec![first, second]
    );

    // An answered follow-up is not assigned any more.
    assert!(
        store
            .answer_follow_up(first, Some(aigerim), None, &assigning(None, 6))
            .await
            .expect("answered")
    );
    assert!(
        !store
            .assign_follow_up(first, None, Some(aigerim), &assigning(Some(aigerim), 7))
            .await
            .expect("read")
    );

    // The reminders texted about it, to whom and when, read from the outbox.
    for (key, minute) in [
        (format!("follow-up:{second}:reminder:1:{aigerim}"), 15),
        (format!("follow-up:{second}:reminder:2:{saule}"), 30),
        (format!("follow-up:{second}:reminder:2:{aigerim}"), 30),
        (format!("follow-up:{first}:reminder:1:{aigerim}"), 20),
        (format!("follow-up:{second}:opened"), 5),
    ] {
        assert!(
            store
                .enqueue_outbox(&NewOutboxMessage {
                    idempotency_key: key,
                    channel: "sms".into(),
                    to_sealed: vec![1],
                    body_sealed: vec![2],
                    created_at: at(12, minute),
                    contact_hash: None,
                })
                .await
                .expect("queued")
        );
    }
    let sent = store.sent_reminders(second).await.expect("read");
    let seen: Vec<(i64, i64, DateTime<Utc>)> =
        sent.iter().map(|r| (r.n, r.staff_id, r.at)).collect();
    assert_eq!(seen.len(), 3, "its own reminders only: {seen:?}");
    assert_eq!(seen[0], (1, aigerim, at(12, 15)));
    assert!(seen[1..].contains(&(2, saule, at(12, 30))));
    assert!(seen[1..].contains(&(2, aigerim, at(12, 30))));
    assert!(
        store
            .sent_reminders(psychological)
            .await
            .expect("read")
            .is_empty()
    );
}
