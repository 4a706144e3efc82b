//! The people who sign in to the pages: users once per login, sessions by their token's hash
//! until they expire or end, failed sign-ins counted per login and per address, and the first
//! coordinator's link used once.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;

use crate::{at, audit, lawyer};

fn user(login: &str) -> NewUser {
    NewUser {
        name: "Динара Сеитова".to_owned(),
        login: login.to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        role: Role::Coordinator,
        staff_id: None,
        language: PageLanguage::Ru,
        created_at: at(9, 0),
    }
}

pub async fn users_are_added_once_per_login_and_keep_their_role_staff_and_language(
    store: Arc<dyn Store>,
) {
    assert_eq!(store.count_users().await.expect("counted"), 0);
    let staff_id = store
        .upsert_staff(&lawyer("+77015550001"), &audit())
        .await
        .expect("staff added");
    let coordinator = store
        .create_user(&user("dinara"))
        .await
        .expect("added")
        .expect("a new login");
    let lawyer_user = NewUser {
        name: "Айгерим".to_owned(),
        role: Role::Staff,
        staff_id: Some(staff_id),
        language: PageLanguage::Kk,
        ..user("aigerim")
    };
    let lawyer_id = store
        .create_user(&lawyer_user)
        .await
        .expect("added")
        .expect("a new login");
    assert_eq!(
        store.create_user(&user("dinara")).await.expect("refused"),
        None,
        "a login is taken once"
    );
    assert_eq!(store.count_users().await.expect("counted"), 2);

    let found = store
        .user_by_login("aigerim")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(found.id, lawyer_id);
    assert_eq!(
        (found.role, found.staff_id, found.language, found.active),
        (Role::Staff, Some(staff_id), PageLanguage::Kk, true)
    );
    assert_eq!(found.password_hash, lawyer_user.password_hash);
    assert_eq!(
        store.user(coordinator).await.expect("read").map(|u| u.role),
        Some(Role::Coordinator)
    );
    assert_eq!(store.user_by_login("nobody").await.expect("read"), None);

    assert!(
        store
            .set_user_language(lawyer_id, PageLanguage::En)
            .await
            .expect("set")
    );
    assert!(
        !store
            .set_user_language(9999, PageLanguage::En)
            .await
            .expect("no one")
    );
    let everyone = store.users().await.expect("listed");
    let languages: Vec<_> = everyone
        .iter()
        .map(|u| (u.login.as_str(), u.language))
        .collect();
    assert_eq!(
        languages,
        vec![("aigerim", PageLanguage::En), ("dinara", PageLanguage::Ru)],
        "by name"
    );
}

pub async fn a_session_is_found_by_its_token_hash_until_it_expires_or_ends(store: Arc<dyn Store>) {
    let user_id = store
        .create_user(&user("dinara"))
        .await
        .expect("added")
        .expect("new");
    let session = NewSession {
        token_hash: "hash-of-token".to_owned(),
        user_id,
        csrf_secret: "form-secret".to_owned(),
        created_at: at(9, 0),
        expires_at: at(21, 0),
    };
    store.start_session(&session).await.expect("started");

    let found = store
        .session("hash-of-token", at(10, 0))
        .await
        .expect("read")
        .expect("live");
    assert_eq!(found.user.id, user_id);
    assert_eq!(found.csrf_secret, "form-secret");
    assert_eq!(
        (found.created_at, found.last_seen_at, found.expires_at),
        (at(9, 0), at(9, 0), at(21, 0))
    );
    assert_eq!(
        store
            .session("another-hash", at(10, 0))
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store
            .session("hash-of-token", at(21, 0))
            .await
            .expect("read"),
        None,
        "expired"
    );

    store
        .touch_session("hash-of-token", at(20, 0), at(23, 0))
        .await
        .expect("touched");
    let touched = store
        .session("hash-of-token", at(22, 0))
        .await
        .expect("read")
        .expect("still live");
    assert_eq!(
        (touched.last_seen_at, touched.expires_at),
        (at(20, 0), at(23, 0))
    );

    store.end_session("hash-of-token").await.expect("ended");
    assert_eq!(
        store
            .session("hash-of-token", at(22, 0))
            .await
            .expect("read"),
        None,
        "ended"
    );

    // A session that ran out is forgotten when the next one starts.
    let short = NewSession {
        token_hash: "short-lived".to_owned(),
        expires_at: at(12, 0),
        ..session.clone()
    };
    store.start_session(&short).await.expect("started");
    let next = NewSession {
        token_hash: "next".to_owned(),
        created_at: at(12, 0),
        expires_at: at(23, 0),
        ..session
    };
    store.start_session(&next).await.expect("started");
    assert_eq!(
        store.session("short-lived", at(10, 0)).await.expect("read"),
        None,
        "gone, not only expired"
    );
    assert!(
        store
            .session("next", at(12, 1))
            .await
            .expect("read")
            .is_some()
    );
}

pub async fn failed_sign_ins_are_counted_per_login_and_per_address_and_old_ones_forgotten(
    store: Arc<dyn Store>,
) {
    let long_ago = at(8, 0) - Duration::days(1);
    store
        .record_failed_sign_in("dinara", "10.0.0.1", long_ago, long_ago)
        .await
        .expect("kept");
    store
        .record_failed_sign_in("dinara", "10.0.0.1", at(9, 0), at(8, 30))
        .await
        .expect("kept");
    store
        .record_failed_sign_in("aigerim", "10.0.0.1", at(9, 5), at(8, 35))
        .await
        .expect("kept");
    store
        .record_failed_sign_in("dinara", "10.0.0.2", at(9, 10), at(8, 40))
        .await
        .expect("kept");

    let failed = store
        .failed_sign_ins("dinara", "10.0.0.1", long_ago)
        .await
        .expect("read");
    assert_eq!(
        failed.for_login,
        vec![at(9, 0), at(9, 10)],
        "the day-old one was forgotten"
    );
    assert_eq!(failed.from_ip, vec![at(9, 0), at(9, 5)]);
    let since = store
        .failed_sign_ins("dinara", "10.0.0.1", at(9, 5))
        .await
        .expect("read");
    assert_eq!(
        (since.for_login, since.from_ip),
        (vec![at(9, 10)], vec![at(9, 5)])
    );

    store
        .forget_failed_sign_ins("dinara")
        .await
        .expect("forgotten");
    let after = store
        .failed_sign_ins("dinara", "10.0.0.1", long_ago)
        .await
        .expect("read");
    assert_eq!((after.for_login, after.from_ip), (vec![], vec![at(9, 5)]));
}

pub async fn a_sign_in_link_adds_one_user_once_and_never_after_it_expires(store: Arc<dyn Store>) {
    store
        .create_sign_in_link("hash-of-link", at(9, 0), at(9, 0) + Duration::hours(24))
        .await
        .expect("made");
    assert!(
        store
            .sign_in_link_open("hash-of-link", at(10, 0))
            .await
            .expect("read")
    );
    assert!(
        !store
            .sign_in_link_open("another", at(10, 0))
            .await
            .expect("read")
    );
    assert!(
        !store
            .sign_in_link_open("hash-of-link", at(9, 0) + Duration::hours(24))
            .await
            .expect("read"),
        "expired after a day"
    );

    let first = NewUser {
        created_at: at(10, 0),
        ..user("dinara")
    };
    let id = store
        .create_user_with_link("hash-of-link", &first)
        .await
        .expect("used")
        .expect("a user");
    assert_eq!(
        store.user(id).await.expect("read").map(|u| u.login),
        Some("dinara".to_owned())
    );
    assert!(
        !store
            .sign_in_link_open("hash-of-link", at(10, 1))
            .await
            .expect("read"),
        "used"
    );
    let second = NewUser {
        created_at: at(10, 1),
        ..user("someone")
    };
    assert_eq!(
        store
            .create_user_with_link("hash-of-link", &second)
            .await
            .expect("refused"),
        None,
        "once only"
    );
    assert_eq!(store.count_users().await.expect("counted"), 1);

    // A taken login leaves the link unused; an expired link adds nobody.
    store
        .create_sign_in_link("second-link", at(10, 0), at(11, 0))
        .await
        .expect("made");
    let taken = NewUser {
        created_at: at(10, 30),
        ..user("dinara")
    };
    assert_eq!(
        store
            .create_user_with_link("second-link", &taken)
            .await
            .expect("refused"),
        None
    );
    assert!(
        store
            .sign_in_link_open("second-link", at(10, 31))
            .await
            .expect("read"),
        "still unused"
    );
    let late = NewUser {
        created_at: at(11, 0),
        ..user("late")
    };
    assert_eq!(
        store
            .create_user_with_link("second-link", &late)
            .await
            .expect("refused"),
        None
    );
    assert_eq!(store.count_users().await.expect("counted"), 1);
}
