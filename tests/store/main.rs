//! The store conformance suite: every test runs against SQLite and against the real PostgreSQL
//! server, each on a fresh database, so both backends keep the same promises.

#[path = "../support/databases.rs"]
mod databases;
mod outbox;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use hotline::store::*;
use hotline_schedules::{Gender, Language, PhoneNumber, Service};

use databases::TestDatabase;
use outbox::*;

/// Runs each named test once per backend: `sqlite::name` and `postgres::name`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let database = super::TestDatabase::sqlite();
                super::$name(database.open().await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                let database = super::TestDatabase::postgres().await;
                super::$name(database.open().await).await;
            })*
        }
    };
}

conformance!(
    staff_are_added_once_per_phone_and_updated_in_place,
    creating_staff_with_a_taken_phone_is_refused_and_updates_check_it_too,
    a_calendar_secret_finds_its_staff_member,
    rules_are_found_by_their_interval_and_the_time_they_are_in_force,
    an_edit_closes_a_rule_and_opens_its_replacement_in_one_step,
    a_call_is_recorded_once_per_call_sid,
    a_call_leg_keeps_its_first_result,
    of_two_people_accepting_at_once_exactly_one_wins,
    people_ringing_or_talking_are_busy_until_the_call_ends,
    a_call_keeps_her_choices_and_its_first_outcome,
    lines_are_kept_by_number_and_audited,
    a_blocked_number_is_found_by_hash_until_its_block_ends,
    a_follow_up_is_opened_once_per_call,
    a_voicemail_is_kept_once_and_counts_the_call,
    late_status_callbacks_do_not_undo_later_ones,
    outbox_messages_are_queued_once_per_key,
    an_outbox_message_is_claimed_by_one_worker_at_a_time,
    a_lapsed_claim_is_claimed_again_in_doubt_and_fences_the_old_worker,
    a_sent_message_keeps_its_first_provider_id,
    a_failed_attempt_waits_its_turn_and_keeps_its_doubt,
    a_rate_limited_claim_is_handed_back_uncounted,
    a_message_given_up_is_shown_to_the_coordinator,
    status_callbacks_move_a_message_on_and_never_back,
    a_status_callback_finds_a_message_whose_answer_was_lost,
    api_tokens_are_found_by_hash,
    the_store_answers_and_names_its_backend,
);

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, hour, minute, 0)
        .single()
        .expect("a real time")
}

fn lawyer(phone: &str) -> NewStaff {
    NewStaff {
        name: "Айгерим Омарова".to_owned(),
        phone: PhoneNumber::parse(phone).expect("valid"),
        services: vec![Service::Legal],
        languages: vec![Language::Kk, Language::Ru],
        gender: Some(Gender::Female),
        is_coordinator: false,
        active: true,
    }
}

fn audit() -> AuditEntry {
    AuditEntry {
        at: at(9, 0),
        actor: "test".into(),
        action: "setup".into(),
        subject: String::new(),
        before: None,
        after: None,
    }
}

fn call(sid: &str) -> NewCall {
    NewCall {
        call_sid: sid.to_owned(),
        line_number: "+77010000000".to_owned(),
        caller_sealed: vec![1, 2, 3],
        caller_hash: "hash-of-caller".to_owned(),
        status: "ringing".to_owned(),
        started_at: at(10, 0),
    }
}

async fn staff_are_added_once_per_phone_and_updated_in_place(store: Arc<dyn Store>) {
    let first = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let mut changed = lawyer("+77015550101");
    changed.name = "Айгерим Омарова-Сейткали".to_owned();
    changed.services = vec![Service::Legal, Service::Psychological];
    changed.is_coordinator = true;
    let again = store
        .upsert_staff(&changed, &audit())
        .await
        .expect("updated");
    let other = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    assert_eq!(first, again);
    assert_ne!(first, other);
    let staff = store.staff().await.expect("listed");
    assert_eq!(staff.len(), 2);
    assert_eq!(staff[0].name, "Айгерим Омарова-Сейткали");
    assert_eq!(
        staff[0].services,
        vec![Service::Legal, Service::Psychological]
    );
    assert_eq!(staff[0].languages, vec![Language::Kk, Language::Ru]);
    assert_eq!(staff[0].gender, Some(Gender::Female));
    assert!(staff[0].is_coordinator && staff[0].active);
    assert_eq!(
        store.staff_member(other).await.expect("read").map(|p| p.id),
        Some(other)
    );
    assert_eq!(store.staff_member(999).await.expect("read"), None);
}

async fn creating_staff_with_a_taken_phone_is_refused_and_updates_check_it_too(
    store: Arc<dyn Store>,
) {
    let first = store
        .create_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    assert!(first.is_some());
    assert_eq!(
        store
            .create_staff(&lawyer("+77015550101"), &audit())
            .await
            .expect("refused"),
        None
    );
    let second = store
        .create_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added")
        .expect("new");
    let error = store
        .update_staff(second, &lawyer("+77015550101"), &audit())
        .await
        .expect_err("taken");
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    let mut renamed = lawyer("+77015550102");
    renamed.active = false;
    assert!(
        store
            .update_staff(second, &renamed, &audit())
            .await
            .expect("updated")
    );
    assert!(
        !store
            .update_staff(999, &renamed, &audit())
            .await
            .expect("no one")
    );
    let stored = store
        .staff_member(second)
        .await
        .expect("read")
        .expect("exists");
    assert!(!stored.active);
    let log = store.audit_log(10).await.expect("read");
    assert_eq!(
        log.len(),
        3,
        "two creations and one update are logged, refusals are not"
    );
    assert_eq!(log[0].entry.subject, format!("staff/{second}"));
}

async fn a_calendar_secret_finds_its_staff_member(store: Arc<dyn Store>) {
    let id = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    assert_eq!(store.calendar_secret(id).await.expect("read"), None);
    store
        .set_calendar_secret(id, "hash-1", &[7, 7])
        .await
        .expect("kept");
    assert_eq!(
        store.calendar_secret(id).await.expect("read"),
        Some(vec![7, 7])
    );
    assert_eq!(
        store
            .staff_by_calendar_hash("hash-1")
            .await
            .expect("read")
            .map(|p| p.id),
        Some(id)
    );
    assert_eq!(
        store.staff_by_calendar_hash("hash-2").await.expect("read"),
        None
    );
}

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

async fn rules_are_found_by_their_interval_and_the_time_they_are_in_force(store: Arc<dyn Store>) {
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

async fn an_edit_closes_a_rule_and_opens_its_replacement_in_one_step(store: Arc<dyn Store>) {
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

async fn a_call_is_recorded_once_per_call_sid(store: Arc<dyn Store>) {
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    let mut retry = call("CA01");
    retry.started_at = at(10, 1);
    let again = store.record_call(&retry).await.expect("a retry is fine");
    assert_eq!(first, again, "a retry returns the first record unchanged");
    assert_eq!(first.stage, CallStage::Greeting);
    assert_eq!(first.caller_sealed, vec![1, 2, 3]);
    store
        .record_call(&call("CA02"))
        .await
        .expect("another call");
    let calls = store
        .calls_between(at(0, 0), at(23, 0))
        .await
        .expect("listed");
    assert_eq!(
        calls
            .iter()
            .map(|c| c.call_sid.as_str())
            .collect::<Vec<_>>(),
        vec!["CA01", "CA02"]
    );
    assert_eq!(store.call_by_sid("CA99").await.expect("read"), None);
}

async fn a_call_leg_keeps_its_first_result(store: Arc<dyn Store>) {
    let one = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let two = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let legs = [one, two].map(|staff_id| NewLeg {
        call_id: call.id,
        attempt: 0,
        staff_id,
        started_at: at(10, 0),
    });
    store.start_legs(&legs, at(10, 0)).await.expect("started");
    store
        .start_legs(&legs, at(10, 1))
        .await
        .expect("a retried start changes nothing");
    let ringing = store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (ringing.stage, ringing.ringing_since),
        (CallStage::Ringing, Some(at(10, 0))),
        "the wait counts from the first ring"
    );
    let end = LegEnd {
        result: "declined".into(),
        dial_call_sid: Some("CA10".into()),
        duration_secs: None,
        ended_at: at(10, 1),
    };
    store
        .finish_leg(call.id, 0, Some(one), &end)
        .await
        .expect("one leg");
    let rest = LegEnd {
        result: "no-answer".into(),
        ..end.clone()
    };
    store
        .finish_leg(call.id, 0, None, &rest)
        .await
        .expect("every open leg of the attempt");
    store
        .finish_leg(call.id, 0, Some(one), &rest)
        .await
        .expect("a repeat changes nothing");
    let results: Vec<_> = store
        .legs(call.id)
        .await
        .expect("read")
        .into_iter()
        .map(|l| (l.staff_id, l.result))
        .collect();
    assert_eq!(
        results,
        vec![
            (one, Some("declined".into())),
            (two, Some("no-answer".into()))
        ]
    );
}

async fn of_two_people_accepting_at_once_exactly_one_wins(store: Arc<dyn Store>) {
    let one = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let two = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    let (first, second) = tokio::join!(
        store.claim_call(call.id, one, at(10, 1)),
        store.claim_call(call.id, two, at(10, 1))
    );
    let (first, second) = (first.expect("claimed"), second.expect("claimed"));
    assert_eq!(first, second, "both see the same winner");
    let winner = first.expect("someone won");
    assert!(winner == one || winner == two);
    let call = store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (call.answered_by, call.stage, call.outcome),
        (
            Some(winner),
            CallStage::Connected,
            Some(CallOutcome::Answered)
        )
    );
    assert_eq!(
        store
            .claim_call(call.id, winner, at(10, 2))
            .await
            .expect("again"),
        Some(winner),
        "a retried accept is still hers"
    );
}

async fn people_ringing_or_talking_are_busy_until_the_call_ends(store: Arc<dyn Store>) {
    let one = store
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("added");
    let two = store
        .upsert_staff(&lawyer("+77015550102"), &audit())
        .await
        .expect("added");
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    let second = store.record_call(&call("CA02")).await.expect("recorded");
    let legs = [one, two].map(|staff_id| NewLeg {
        call_id: first.id,
        attempt: 0,
        staff_id,
        started_at: at(10, 0),
    });
    store.start_legs(&legs, at(10, 0)).await.expect("ringing");
    assert_eq!(
        store.busy_staff(second.id).await.expect("read"),
        vec![one, two],
        "both are ringing"
    );
    assert!(
        store.busy_staff(first.id).await.expect("read").is_empty(),
        "a call never waits on itself"
    );
    store
        .claim_call(first.id, one, at(10, 1))
        .await
        .expect("claimed");
    let end = LegEnd {
        result: "canceled".into(),
        dial_call_sid: None,
        duration_secs: None,
        ended_at: at(10, 1),
    };
    store
        .finish_leg(first.id, 0, Some(two), &end)
        .await
        .expect("finished");
    assert_eq!(
        store.busy_staff(second.id).await.expect("read"),
        vec![one],
        "one is talking"
    );
    let ended = CallStatusUpdate {
        call_sid: "CA01".into(),
        status: "completed".into(),
        sequence: 1,
        ended_at: Some(at(10, 9)),
        duration_secs: Some(500),
        outcome: None,
    };
    store.apply_call_status(&ended).await.expect("ended");
    assert!(store.busy_staff(second.id).await.expect("read").is_empty());
    assert_eq!(
        store
            .unfinished_calls(at(11, 0))
            .await
            .expect("read")
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![second.id]
    );
    assert!(
        store
            .unfinished_calls(at(9, 0))
            .await
            .expect("read")
            .is_empty()
    );
}

async fn a_call_keeps_her_choices_and_its_first_outcome(store: Arc<dyn Store>) {
    let call = store.record_call(&call("CA01")).await.expect("recorded");
    store
        .set_call_choice(call.id, Language::Kk, None)
        .await
        .expect("language");
    store
        .set_call_choice(call.id, Language::Kk, Some(Service::Psychological))
        .await
        .expect("service");
    store
        .set_call_outcome(call.id, CallOutcome::Blocked)
        .await
        .expect("counted");
    store
        .set_call_outcome(call.id, CallOutcome::Missed)
        .await
        .expect("kept first");
    let call = store
        .call_by_id(call.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (call.language, call.service, call.outcome),
        (
            Some(Language::Kk),
            Some(Service::Psychological),
            Some(CallOutcome::Blocked)
        )
    );
}

async fn lines_are_kept_by_number_and_audited(store: Arc<dyn Store>) {
    assert_eq!(store.line("+77010000000").await.expect("read"), None);
    store
        .put_line("+77010000000", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    store
        .put_line("+77010000000", r#"{"ring":"sequential"}"#, &audit())
        .await
        .expect("replaced");
    store
        .put_line("default", "{}", &audit())
        .await
        .expect("kept");
    assert_eq!(
        store.line("+77010000000").await.expect("read").as_deref(),
        Some(r#"{"ring":"sequential"}"#)
    );
    assert_eq!(store.lines().await.expect("read").len(), 2);
    assert!(
        store
            .delete_line("default", &audit())
            .await
            .expect("deleted")
    );
    assert!(!store.delete_line("default", &audit()).await.expect("gone"));
    assert_eq!(store.audit_log(10).await.expect("read").len(), 4);
}

async fn a_blocked_number_is_found_by_hash_until_its_block_ends(store: Arc<dyn Store>) {
    let id = store
        .block("hash-a", at(12, 0), "threats", &audit())
        .await
        .expect("blocked");
    assert!(store.is_blocked("hash-a", at(11, 59)).await.expect("read"));
    assert!(
        !store.is_blocked("hash-a", at(12, 0)).await.expect("read"),
        "the block has ended"
    );
    assert!(!store.is_blocked("hash-b", at(11, 0)).await.expect("read"));
    assert_eq!(
        store
            .blocklist()
            .await
            .expect("read")
            .iter()
            .map(|b| b.reason.as_str())
            .collect::<Vec<_>>(),
        vec!["threats"]
    );
    assert!(store.unblock(id, &audit()).await.expect("unblocked"));
    assert!(!store.is_blocked("hash-a", at(11, 0)).await.expect("read"));
}

async fn a_follow_up_is_opened_once_per_call(store: Arc<dyn Store>) {
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

async fn a_voicemail_is_kept_once_and_counts_the_call(store: Arc<dyn Store>) {
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

async fn late_status_callbacks_do_not_undo_later_ones(store: Arc<dyn Store>) {
    store.record_call(&call("CA01")).await.expect("recorded");
    let completed = CallStatusUpdate {
        call_sid: "CA01".into(),
        status: "completed".into(),
        sequence: 3,
        ended_at: Some(at(10, 5)),
        duration_secs: Some(300),
        outcome: Some(CallOutcome::Abandoned),
    };
    store.apply_call_status(&completed).await.expect("applied");
    let late = CallStatusUpdate {
        status: "in-progress".into(),
        sequence: 1,
        ended_at: None,
        duration_secs: None,
        outcome: None,
        ..completed.clone()
    };
    store.apply_call_status(&late).await.expect("ignored");
    let call = store
        .call_by_sid("CA01")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(call.status, "completed");
    assert_eq!(
        (call.ended_at, call.duration_secs),
        (Some(at(10, 5)), Some(300))
    );
    assert_eq!(call.outcome, Some(CallOutcome::Abandoned));
    let replay = CallStatusUpdate {
        outcome: Some(CallOutcome::Missed),
        ..completed
    };
    store.apply_call_status(&replay).await.expect("applied");
    let call = store
        .call_by_sid("CA01")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        call.outcome,
        Some(CallOutcome::Abandoned),
        "an outcome, once decided, stays"
    );
}

async fn api_tokens_are_found_by_hash(store: Arc<dyn Store>) {
    store
        .create_api_token("reports", "abc123", at(9, 0))
        .await
        .expect("created");
    assert_eq!(
        store
            .api_token_name("abc123")
            .await
            .expect("read")
            .as_deref(),
        Some("reports")
    );
    assert_eq!(store.api_token_name("abc124").await.expect("read"), None);
}

async fn the_store_answers_and_names_its_backend(store: Arc<dyn Store>) {
    store.ping().await.expect("the database answers");
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

#[tokio::test]
async fn the_same_database_opened_twice_keeps_its_records() {
    for database in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        database
            .open()
            .await
            .record_call(&call("CA01"))
            .await
            .expect("recorded");
        let reopened = database.open().await;
        assert!(
            reopened.call_by_sid("CA01").await.expect("read").is_some(),
            "{}",
            reopened.backend()
        );
    }
}

#[tokio::test]
async fn an_unknown_database_url_is_refused_clearly() {
    let error = hotline::store::open("mysql://root@localhost/x")
        .await
        .err()
        .expect("refused");
    assert!(
        error
            .to_string()
            .contains("use sqlite://FILE or postgres://"),
        "{error}"
    );
}
