//! The audit log's chain: every audited change is its next link, concurrent changes chain one
//! by one, and the database itself refuses to delete or rewrite an entry; if someone gets past
//! that (dropping the triggers), `verify` names the entry they touched.

use std::sync::Arc;

use hotline::audit_chain::{Broken, verify};
use hotline::store::*;

use super::databases::TestDatabase;
use super::{audit, lawyer};

async fn add_lawyers(store: &Arc<dyn Store>, count: usize) {
    for n in 0..count {
        store
            .create_staff(&lawyer(&format!("+7701555{n:04}")), &audit())
            .await
            .expect("kept")
            .expect("a new phone");
    }
}

pub async fn audited_changes_form_a_chain_that_verifies(store: Arc<dyn Store>) {
    let empty = verify(store.as_ref()).await.expect("read").expect("intact");
    assert_eq!(empty.chained, 0);
    add_lawyers(&store, 3).await;
    let verified = verify(store.as_ref()).await.expect("read").expect("intact");
    assert_eq!(verified.chained, 3);
    assert_eq!(verified.before_chain, 0);
    let (head_id, head_hash) = store.audit_head().await.expect("read");
    assert_eq!(verified.head, head_hash);
    assert_eq!(
        head_id,
        store.audit_log(1).await.expect("read")[0].id,
        "the head is the newest entry"
    );
}

pub async fn concurrent_audited_changes_chain_one_by_one(store: Arc<dyn Store>) {
    let writers: Vec<_> = (0..12)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_staff(&lawyer(&format!("+7702555{n:04}")), &audit())
                    .await
                    .expect("kept")
                    .expect("a new phone");
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("ran");
    }
    let verified = verify(store.as_ref())
        .await
        .expect("read")
        .expect("one chain, no fork");
    assert_eq!(verified.chained, 12);
}

/// Runs `sql` straight against the database, as someone with its file or password would.
pub async fn raw(database: &TestDatabase, sql: &str) -> Result<(), sqlx::Error> {
    if database.url.starts_with("sqlite:") {
        let mut connection =
            <sqlx::SqliteConnection as sqlx::Connection>::connect(&database.url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut connection)
            .await?;
    } else {
        let mut connection =
            <sqlx::PgConnection as sqlx::Connection>::connect(&database.url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut connection)
            .await?;
    }
    Ok(())
}

async fn entry_ids(store: &Arc<dyn Store>) -> Vec<i64> {
    let mut ids: Vec<i64> = store
        .audit_log(100)
        .await
        .expect("read")
        .iter()
        .map(|a| a.id)
        .collect();
    ids.sort();
    ids
}

async fn the_database_refuses_to_delete_or_rewrite_an_entry(database: TestDatabase) {
    let store = database.open().await;
    add_lawyers(&store, 3).await;
    let ids = entry_ids(&store).await;
    let second = ids[1];
    for sql in [
        format!("DELETE FROM audit_log WHERE id = {second}"),
        format!("UPDATE audit_log SET actor = 'nobody' WHERE id = {second}"),
        format!("UPDATE audit_log SET after = '{{}}' WHERE id = {second}"),
        format!("UPDATE audit_log SET hash = prev_hash WHERE id = {second}"),
    ] {
        let refused = raw(&database, &sql)
            .await
            .expect_err(&format!("{sql} was allowed"));
        assert!(
            refused.to_string().contains("audit"),
            "refused by our trigger: {sql}: {refused}"
        );
    }
    // Retention's one change: words erased with their salt.
    raw(
        &database,
        &format!("UPDATE audit_log SET after = '{{}}', salt = NULL WHERE id = {second}"),
    )
    .await
    .expect("erasing is allowed");
    let verified = verify(store.as_ref()).await.expect("read").expect("intact");
    assert_eq!((verified.chained, verified.erased), (3, 1));
}

async fn tampering_past_the_triggers_is_named_by_verify(database: TestDatabase) {
    let store = database.open().await;
    add_lawyers(&store, 4).await;
    let ids = entry_ids(&store).await;
    let drop = if database.url.starts_with("sqlite:") {
        "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_rewrite; \
         DROP TRIGGER audit_log_erase_only"
    } else {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    };
    for statement in drop.split("; ") {
        raw(&database, statement).await.expect("dropped");
    }
    raw(
        &database,
        &format!(
            "UPDATE audit_log SET actor = 'nobody' WHERE id = {}",
            ids[1]
        ),
    )
    .await
    .expect("no trigger now");
    assert_eq!(
        verify(store.as_ref()).await.expect("read"),
        Err(Broken::Changed(ids[1]))
    );
    raw(
        &database,
        &format!("UPDATE audit_log SET actor = 'test' WHERE id = {}", ids[1]),
    )
    .await
    .expect("put back");
    assert!(verify(store.as_ref()).await.expect("read").is_ok());

    raw(
        &database,
        &format!("DELETE FROM audit_log WHERE id = {}", ids[2]),
    )
    .await
    .expect("no trigger now");
    assert_eq!(
        verify(store.as_ref()).await.expect("read"),
        Err(Broken::Unlinked(ids[3]))
    );
    raw(
        &database,
        &format!("DELETE FROM audit_log WHERE id = {}", ids[3]),
    )
    .await
    .expect("no trigger now");
    assert_eq!(
        verify(store.as_ref()).await.expect("read"),
        Err(Broken::Truncated {
            found: ids[1],
            head: ids[3]
        })
    );
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn the_database_refuses_to_delete_or_rewrite_an_entry() {
        super::the_database_refuses_to_delete_or_rewrite_an_entry(TestDatabase::sqlite()).await;
    }

    #[tokio::test]
    async fn tampering_past_the_triggers_is_named_by_verify() {
        super::tampering_past_the_triggers_is_named_by_verify(TestDatabase::sqlite()).await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test]
    async fn the_database_refuses_to_delete_or_rewrite_an_entry() {
        super::the_database_refuses_to_delete_or_rewrite_an_entry(TestDatabase::postgres().await)
            .await;
    }

    #[tokio::test]
    async fn tampering_past_the_triggers_is_named_by_verify() {
        super::tampering_past_the_triggers_is_named_by_verify(TestDatabase::postgres().await).await;
    }
}
