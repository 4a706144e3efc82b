//! The rota's rules: found by their interval and by the time they are in force, and an edit
//! that closes a rule and opens its replacement in one step.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hotline::store::*;
use hotline_schedules::Service;

use crate::{at, audit};

fn shift_rule(from: DateTime<Utc>, to: DateTime<Utc>, valid_from: DateTime<Utc>) -> NewRule {
    NewRule {
        kind: RuleKind::Shift,
        service: Some(Service::Legal),
        starts_at: Some(from),
        ends_at: Some(to),
        body: format!("{{\"from\":\"{from}\"}}"),
        valid_from,
    }
}

pub async fn rules_are_found_by_their_interval_and_the_time_they_are_in_force(
    store: Arc<dyn Store>,
) {
    let day = shift_rule(at(9, 0), at(18, 0), at(8, 0));
    let rotation = NewRule {
        kind: RuleKind::Rotation,
        starts_at: None,
        ends_at: None,
        ..shift_rule(at(0, 0), at(0, 1), at(8, 0))
    };
    let ids = store
        .create_rules(&[day, rotation], &audit())
        .await
        .expect("kept");
    let found = |from, to| {
        let store = store.clone();
        async move {
            store
                .rules_between(from, to)
                .await
                .expect("read")
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(at(17, 59), at(18, 0)).await, ids);
    assert_eq!(
        found(at(18, 0), at(19, 0)).await,
        vec![ids[1]],
        "a shift ends at its end; a rotation has no end"
    );
    assert_eq!(
        found(at(7, 0), at(8, 0)).await,
        Vec::<i64>::new(),
        "nothing was in force before 08:00"
    );
    let stored = store.rule(ids[0]).await.expect("read").expect("exists");
    assert_eq!(
        (stored.kind, stored.valid_from, stored.valid_until),
        (RuleKind::Shift, at(8, 0), None)
    );
}

pub async fn an_edit_closes_a_rule_and_opens_its_replacement_in_one_step(store: Arc<dyn Store>) {
    let ids = store
        .create_rules(&[shift_rule(at(9, 0), at(18, 0), at(8, 0))], &audit())
        .await
        .expect("kept");
    let moved = shift_rule(at(10, 0), at(19, 0), at(12, 0));
    let new_id = store
        .replace_rule(ids[0], &moved, &audit())
        .await
        .expect("replaced")
        .expect("was in force");
    let old = store.rule(ids[0]).await.expect("read").expect("kept");
    assert_eq!(
        (old.valid_until, old.replaced_by),
        (Some(at(12, 0)), Some(new_id))
    );
    assert_eq!(
        store
            .replace_rule(ids[0], &moved, &audit())
            .await
            .expect("read"),
        None,
        "a closed rule stays closed"
    );
    assert_eq!(
        store
            .rules_between(at(11, 0), at(11, 1))
            .await
            .expect("read")
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(
        store
            .rules_between(at(13, 0), at(13, 1))
            .await
            .expect("read")
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![new_id]
    );
    assert!(
        store
            .close_rule(new_id, at(14, 0), &audit())
            .await
            .expect("closed")
    );
    assert!(
        !store
            .close_rule(new_id, at(15, 0), &audit())
            .await
            .expect("already closed")
    );
    assert!(
        store
            .rules_between(at(14, 0), at(23, 0))
            .await
            .expect("read")
            .is_empty()
    );
    let log = store.audit_log(10).await.expect("read");
    assert_eq!(
        log.iter()
            .map(|e| e.entry.subject.as_str())
            .collect::<Vec<_>>(),
        vec![
            format!("rule/{new_id}"),
            format!("rule/{}", ids[0]),
            format!("rule/{}", ids[0])
        ]
    );
}

pub async fn an_audit_entry_with_no_change_is_kept_newest_first(store: Arc<dyn Store>) {
    let reveal = AuditEntry {
        action: "reveal-number".into(),
        subject: "call/7".into(),
        ..audit()
    };
    store.record_audit(&reveal).await.expect("kept");
    let newest = store.audit_log(1).await.expect("read");
    assert_eq!(newest[0].entry, reveal);
}

pub async fn the_audit_log_pages_back_from_an_entry_newest_first(store: Arc<dyn Store>) {
    for n in 1..=5 {
        let entry = AuditEntry {
            subject: format!("staff/{n}"),
            ..audit()
        };
        store.record_audit(&entry).await.expect("kept");
    }
    let newest = store.audit_log(2).await.expect("read");
    let subjects = |log: &[hotline::store::StoredAudit]| {
        log.iter()
            .map(|e| e.entry.subject.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(subjects(&newest), ["staff/5", "staff/4"]);
    let older = store.audit_log_before(newest[1].id, 2).await.expect("read");
    assert_eq!(subjects(&older), ["staff/3", "staff/2"]);
    let oldest = store.audit_log_before(older[1].id, 2).await.expect("read");
    assert_eq!(subjects(&oldest), ["staff/1"], "the last page is short");
    assert!(
        store
            .audit_log_before(oldest[0].id, 2)
            .await
            .expect("read")
            .is_empty()
    );
}
