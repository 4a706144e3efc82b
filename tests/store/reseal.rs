//! Resealing: every sealed column is read in batches by id, and a value is replaced only while
//! it is still the value that was read.

use std::sync::Arc;

use hotline::store::*;

pub async fn a_sealed_value_is_replaced_only_while_it_is_what_was_read(store: Arc<dyn Store>) {
    let first = store
        .record_call(&crate::call("CA1"))
        .await
        .expect("recorded");
    let second = store
        .record_call(&crate::call("CA2"))
        .await
        .expect("recorded");
    let values = store
        .sealed_values(SealedColumn::CallCaller, 0, 10)
        .await
        .expect("read");
    assert_eq!(
        values,
        vec![(first.id, vec![1, 2, 3]), (second.id, vec![1, 2, 3])]
    );
    assert_eq!(
        store
            .sealed_values(SealedColumn::CallCaller, first.id, 10)
            .await
            .expect("read")
            .len(),
        1,
        "after an id"
    );
    assert!(
        !store
            .reseal(SealedColumn::CallCaller, first.id, &[9, 9], &[4, 5, 6])
            .await
            .expect("ran"),
        "not what was read: left alone"
    );
    assert!(
        store
            .reseal(SealedColumn::CallCaller, first.id, &[1, 2, 3], &[4, 5, 6])
            .await
            .expect("ran")
    );
    let call = store
        .call_by_id(first.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(call.caller_sealed, vec![4, 5, 6]);
    for &column in SealedColumn::ALL {
        store
            .sealed_values(column, 0, 1)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", column.name()));
    }
}
