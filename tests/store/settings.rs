//! What routes a call (staff, rules, lines, blocks) is kept in each store's memory: a change made
//! through another store on the same database, or by hand in SQL, still reaches it, and its own
//! changes reach it at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use hotline::store::*;
use hotline_schedules::Service;

use crate::databases::TestDatabase;
use crate::{at, audit, lawyer};

mod sqlite {
    #[tokio::test]
    async fn a_change_made_elsewhere_reaches_what_a_store_keeps() {
        super::a_change_made_elsewhere_reaches_what_a_store_keeps(super::TestDatabase::sqlite())
            .await;
    }
}

mod postgres {
    #[tokio::test]
    async fn a_change_made_elsewhere_reaches_what_a_store_keeps() {
        super::a_change_made_elsewhere_reaches_what_a_store_keeps(
            super::TestDatabase::postgres().await,
        )
        .await;
    }
}

/// What `store` says of the settings, in one line each, so a change is easy to wait for.
async fn seen(store: &Arc<dyn Store>) -> (Option<String>, usize, bool, usize) {
    let now = at(12, 0);
    (
        store.line("default").await.expect("read"),
        store.staff().await.expect("read").len(),
        store.is_blocked("her-hash", now).await.expect("read"),
        store
            .rules_between(now, now + Span::seconds(1))
            .await
            .expect("read")
            .len(),
    )
}

/// Asks `store` until it says `expected`; each instance reads the revision at least every
/// tenth of a second, so this is well past the time another's change may go unseen.
async fn until_seen(store: &Arc<dyn Store>, expected: (Option<String>, usize, bool, usize)) {
    for _ in 0..40 {
        if seen(store).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        seen(store).await,
        expected,
        "the change never reached the store"
    );
}

async fn a_change_made_elsewhere_reaches_what_a_store_keeps(database: TestDatabase) {
    let this = database.open().await;
    let other = database.open().await;
    assert_eq!(seen(&this).await, (None, 0, false, 0), "kept from now on");

    // Another instance changes every kind of setting.
    other
        .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    other
        .upsert_staff(&lawyer("+77015550101"), &audit())
        .await
        .expect("kept");
    let block = other
        .block("her-hash", at(23, 0), "calls to threaten staff", &audit())
        .await
        .expect("kept");
    let shift = NewRule {
        kind: RuleKind::Shift,
        service: Some(Service::Legal),
        starts_at: Some(at(9, 0)),
        ends_at: Some(at(18, 0)),
        body: "{}".to_owned(),
        valid_from: at(8, 0),
    };
    let ids = other
        .create_rules(std::slice::from_ref(&shift), &audit())
        .await
        .expect("kept");
    until_seen(
        &this,
        (Some(r#"{"ring":"simultaneous"}"#.to_owned()), 1, true, 1),
    )
    .await;

    // A change by hand, in SQL, with no server involved: the triggers tell every store.
    crate::by_hand(
        &database,
        &["UPDATE lines SET body = '{\"ring\":\"sequential\"}' WHERE number = 'default'"],
    )
    .await;
    until_seen(
        &this,
        (Some(r#"{"ring":"sequential"}"#.to_owned()), 1, true, 1),
    )
    .await;

    // A store's own change is seen by it at once, with no wait at all.
    this.close_rule(ids[0], at(10, 0), &audit())
        .await
        .expect("closed");
    this.unblock(block, &audit()).await.expect("unblocked");
    assert_eq!(
        seen(&this).await,
        (Some(r#"{"ring":"sequential"}"#.to_owned()), 1, false, 0)
    );
}
