//! Notes written before notes were sealed: the server seals each at start and erases its copy
//! in the audit log, the chain still verifies, and a second start does nothing.

use hotline::crypto::DataKey;
use hotline::store::*;

use super::audit::raw;
use super::databases::TestDatabase;
use crate::retention::{answered_note, day};

async fn a_plain_note_from_before_is_sealed_and_its_audit_copy_erased(database: TestDatabase) {
    let store = database.open().await;
    let call = store
        .record_call(&crate::call("CAold"))
        .await
        .expect("recorded");
    let id = store
        .open_follow_up(&NewFollowUp {
            call_id: call.id,
            kind: hotline_routes::call::CallOutcome::Missed,
            service: None,
            line_number: call.line_number.clone(),
            created_at: day(1),
        })
        .await
        .expect("opened")
        .expect("new");
    let words = "живёт у сестры, ул. Абая 5";
    // As the server wrote it before: the words in the note and in the audit entry.
    assert!(
        store
            .answer_follow_up(id, None, None, &answered_note(id, day(2), words))
            .await
            .expect("answered")
    );
    raw(
        &database,
        &format!("UPDATE follow_ups SET answer_note = '{words}' WHERE id = {id}"),
    )
    .await
    .expect("an old note");

    let key = DataKey::from_hex(&DataKey::generate_hex()).expect("a key");
    assert_eq!(
        hotline::legacy_notes::seal(store.as_ref(), &key)
            .await
            .expect("sealed"),
        1
    );
    let follow_up = store.follow_up(id).await.expect("read").expect("kept");
    assert_eq!(
        hotline::log::follow_up_note(&key, &follow_up).as_deref(),
        Some(words)
    );
    assert!(store.plain_notes(10).await.expect("read").is_empty());
    let log = store.audit_log(10).await.expect("read");
    assert!(
        log.iter().all(|a| !a
            .entry
            .after
            .as_deref()
            .unwrap_or_default()
            .contains("Абая")),
        "the audit's copy is erased"
    );
    hotline::audit_chain::verify(store.as_ref())
        .await
        .expect("read")
        .expect("the chain still verifies");
    assert_eq!(
        hotline::legacy_notes::seal(store.as_ref(), &key)
            .await
            .expect("ran"),
        0
    );
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn a_plain_note_from_before_is_sealed_and_its_audit_copy_erased() {
        super::a_plain_note_from_before_is_sealed_and_its_audit_copy_erased(TestDatabase::sqlite())
            .await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test]
    async fn a_plain_note_from_before_is_sealed_and_its_audit_copy_erased() {
        super::a_plain_note_from_before_is_sealed_and_its_audit_copy_erased(
            TestDatabase::postgres().await,
        )
        .await;
    }
}
