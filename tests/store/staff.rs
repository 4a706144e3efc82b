//! Staff: added once per phone and updated in place, a taken phone refused on creation and on
//! update, and a calendar secret that finds its staff member.

use std::sync::Arc;

use hotline::store::*;
use hotline_schedules::{Gender, Language, Service};

use crate::{audit, lawyer};

pub async fn staff_are_added_once_per_phone_and_updated_in_place(store: Arc<dyn Store>) {
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

pub async fn creating_staff_with_a_taken_phone_is_refused_and_updates_check_it_too(
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

pub async fn a_calendar_secret_finds_its_staff_member(store: Arc<dyn Store>) {
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
