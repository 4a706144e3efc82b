//! Accounts a coordinator manages: a user added with her set-password link and its audit entry,
//! the link setting her password once and ending her sessions, her standing changed but never
//! leaving no active coordinator (a deactivated user's sessions end with it), a reset link
//! replacing the older ones, a password change ending every session, and reveal grants per
//! session and call until they run out.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;

use crate::{at, audit, lawyer};

fn coordinator(login: &str) -> NewUser {
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

fn link(hash: &str) -> NewLink {
    NewLink {
        token_hash: hash.to_owned(),
        created_at: at(9, 0),
        expires_at: at(9, 0) + Duration::hours(24),
    }
}

fn session(hash: &str, user_id: i64) -> NewSession {
    NewSession {
        token_hash: hash.to_owned(),
        user_id,
        csrf_secret: "form-secret".to_owned(),
        created_at: at(9, 0),
        expires_at: at(21, 0),
    }
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        ..audit()
    }
}

async fn actions(store: &Arc<dyn Store>) -> Vec<(String, String)> {
    store
        .audit_log(50)
        .await
        .expect("read")
        .into_iter()
        .map(|e| (e.entry.action, e.entry.subject))
        .collect()
}

pub async fn a_user_added_with_a_link_sets_her_own_password_once(store: Arc<dyn Store>) {
    let staff_id = store
        .upsert_staff(&lawyer("+77015550001"), &audit())
        .await
        .expect("staff added");
    let aigerim = NewUser {
        name: "Айгерим".to_owned(),
        login: "aigerim".to_owned(),
        password_hash: NO_PASSWORD.to_owned(),
        role: Role::Staff,
        staff_id: Some(staff_id),
        ..coordinator("aigerim")
    };
    let id = store
        .add_user_with_link(&aigerim, &link("her-link"), &entry("create-user"))
        .await
        .expect("added")
        .expect("a new login");
    assert_eq!(
        store
            .add_user_with_link(&aigerim, &link("other-link"), &entry("create-user"))
            .await
            .expect("refused"),
        None,
        "a login is taken once"
    );
    assert_eq!(
        store
            .password_link_user("other-link", at(10, 0))
            .await
            .expect("read"),
        None,
        "the refused one's link was not kept"
    );
    assert!(
        actions(&store)
            .await
            .contains(&("create-user".to_owned(), format!("user/{id}")))
    );
    assert!(
        !store
            .sign_in_link_open("her-link", at(10, 0))
            .await
            .expect("read"),
        "not a first coordinator's link"
    );
    assert_eq!(
        store
            .create_user_with_link("her-link", &coordinator("mallory"))
            .await
            .expect("refused"),
        None,
        "and it adds no one"
    );

    let found = store
        .password_link_user("her-link", at(10, 0))
        .await
        .expect("read")
        .expect("open");
    assert_eq!((found.id, found.password_hash.as_str()), (id, NO_PASSWORD));
    assert_eq!(
        store
            .password_link_user("her-link", at(9, 0) + Duration::hours(24))
            .await
            .expect("read"),
        None,
        "expired after a day"
    );

    store
        .start_session(&session("hers", id))
        .await
        .expect("started");
    let set = AuditEntry {
        at: at(10, 0),
        ..entry("set-password")
    };
    assert_eq!(
        store
            .set_password_with_link("her-link", "$argon2id$new", &set)
            .await
            .expect("set"),
        Some(id)
    );
    let user = store.user(id).await.expect("read").expect("her");
    assert_eq!(user.password_hash, "$argon2id$new");
    assert_eq!(
        store.session("hers", at(10, 1)).await.expect("read"),
        None,
        "her sessions ended"
    );
    assert_eq!(
        store
            .set_password_with_link("her-link", "$argon2id$thief", &set)
            .await
            .expect("refused"),
        None,
        "once only"
    );
    assert_eq!(
        store
            .user(id)
            .await
            .expect("read")
            .expect("her")
            .password_hash,
        "$argon2id$new"
    );
}

pub async fn a_change_of_standing_never_leaves_no_active_coordinator(store: Arc<dyn Store>) {
    let dinara = store
        .create_user(&coordinator("dinara"))
        .await
        .expect("added")
        .expect("new");
    store
        .start_session(&session("dinaras", dinara))
        .await
        .expect("started");
    let off = Standing {
        role: Role::Coordinator,
        staff_id: None,
        active: false,
    };
    assert_eq!(
        store
            .change_standing(dinara, &off, &entry("deactivate-user"))
            .await
            .expect("answered"),
        StandingChanged::LastCoordinator
    );
    let demoted = Standing {
        role: Role::Staff,
        ..off
    };
    let demoted = Standing {
        active: true,
        ..demoted
    };
    assert_eq!(
        store
            .change_standing(dinara, &demoted, &entry("update-user"))
            .await
            .expect("answered"),
        StandingChanged::LastCoordinator
    );
    let user = store.user(dinara).await.expect("read").expect("her");
    assert_eq!(
        (user.role, user.active),
        (Role::Coordinator, true),
        "unchanged"
    );
    assert!(
        store
            .session("dinaras", at(10, 0))
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        actions(&store).await.is_empty(),
        "nothing audited when refused"
    );
    assert_eq!(
        store
            .change_standing(9999, &demoted, &entry("update-user"))
            .await
            .expect("answered"),
        StandingChanged::NoSuchUser
    );

    let saule = store
        .create_user(&coordinator("saule"))
        .await
        .expect("added")
        .expect("new");
    assert_eq!(
        store
            .change_standing(dinara, &off, &entry("deactivate-user"))
            .await
            .expect("answered"),
        StandingChanged::Done
    );
    assert_eq!(
        store.session("dinaras", at(10, 0)).await.expect("read"),
        None,
        "a deactivated user's sessions end at once"
    );
    assert!(!store.user(dinara).await.expect("read").expect("her").active);
    assert_eq!(
        actions(&store).await,
        vec![("deactivate-user".to_owned(), format!("user/{dinara}"))]
    );
    assert_eq!(
        store
            .change_standing(saule, &off, &entry("deactivate-user"))
            .await
            .expect("answered"),
        StandingChanged::LastCoordinator,
        "now saule is the last one"
    );
}

pub async fn a_reset_link_replaces_older_ones_and_a_password_change_ends_every_session(
    store: Arc<dyn Store>,
) {
    let dinara = store
        .create_user(&coordinator("dinara"))
        .await
        .expect("added")
        .expect("new");
    store
        .start_session(&session("phone", dinara))
        .await
        .expect("started");
    store
        .start_session(&session("laptop", dinara))
        .await
        .expect("started");
    assert!(
        store
            .reset_password(dinara, &link("first"), &entry("reset-password"))
            .await
            .expect("reset")
    );
    assert_eq!(store.session("phone", at(10, 0)).await.expect("read"), None);
    assert!(
        store
            .reset_password(dinara, &link("second"), &entry("reset-password"))
            .await
            .expect("reset")
    );
    assert_eq!(
        store
            .password_link_user("first", at(10, 0))
            .await
            .expect("read"),
        None,
        "the older link stopped working"
    );
    assert!(
        store
            .password_link_user("second", at(10, 0))
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        !store
            .reset_password(9999, &link("third"), &entry("reset-password"))
            .await
            .expect("answered")
    );

    store
        .start_session(&session("phone", dinara))
        .await
        .expect("started");
    store
        .start_session(&session("laptop", dinara))
        .await
        .expect("started");
    assert!(
        store
            .change_password(dinara, "$argon2id$changed", &entry("change-password"))
            .await
            .expect("changed")
    );
    assert_eq!(store.session("phone", at(10, 0)).await.expect("read"), None);
    assert_eq!(
        store.session("laptop", at(10, 0)).await.expect("read"),
        None
    );
    assert_eq!(
        store
            .user(dinara)
            .await
            .expect("read")
            .expect("her")
            .password_hash,
        "$argon2id$changed"
    );
    assert!(
        !store
            .change_password(9999, "$argon2id$x", &entry("change-password"))
            .await
            .expect("answered")
    );
    let audited = actions(&store).await;
    assert_eq!(audited.len(), 3, "{audited:?}");
    assert!(
        audited
            .iter()
            .all(|(_, subject)| subject == &format!("user/{dinara}"))
    );
}

pub async fn a_reveal_grant_is_for_one_session_and_call_until_it_runs_out(store: Arc<dyn Store>) {
    store
        .grant_reveal("session-a", 7, at(10, 0), at(10, 5))
        .await
        .expect("granted");
    assert!(
        store
            .reveal_granted("session-a", 7, at(10, 4))
            .await
            .expect("read")
    );
    assert!(
        !store
            .reveal_granted("session-a", 8, at(10, 4))
            .await
            .expect("read")
    );
    assert!(
        !store
            .reveal_granted("session-b", 7, at(10, 4))
            .await
            .expect("read")
    );
    assert!(
        !store
            .reveal_granted("session-a", 7, at(10, 5))
            .await
            .expect("read"),
        "ran out"
    );
    store
        .grant_reveal("session-a", 7, at(10, 6), at(10, 11))
        .await
        .expect("granted again");
    assert!(
        store
            .reveal_granted("session-a", 7, at(10, 10))
            .await
            .expect("read")
    );
}
