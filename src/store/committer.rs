//! The commit of a batch of `group_commit.rs` on a concrete sqlx pool's connection: written
//! whole (or, should a write fail, again apart), committed, each request answered. PostgreSQL's
//! committers (`postgres.rs`) and SQLite's (`sqlite_committer.rs`) take the batches and call it.
//! The SQL of each write stays with its subject (`calls.rs`, `texts_in.rs`, `jobs.rs`).

/// Commits a batch on one connection, in one transaction.
///
/// `$isolate` says whether each write of a shared transaction needs its own savepoint: on
/// PostgreSQL a failed statement aborts the whole transaction, so yes; on SQLite a failed
/// statement undoes only itself and the transaction goes on, so only a compound write (a text relayed)
/// needs one, and the batch saves two round trips to SQLite's worker thread per other write. (Should SQLite ever abandon the transaction
/// itself, on a full disk or an I/O error, the commit fails and every write of the batch is
/// answered with an error: nothing is ever answered as kept that was not.)
macro_rules! group_commit_sql {
    ($store:ty, $db:ty, $isolate:literal) => {
        impl $store {
            /// One transaction for the whole batch; answers each write after the commit.
            /// False when the transaction itself failed (the connection may be broken).
            ///
            /// A batch of several is first written whole, with no savepoints (each costs round
            /// trips the committer waits for, and writes almost never fail). Should any write
            /// fail, that transaction is rolled back, nothing of it kept, and the batch is
            /// written again apart: each write under a savepoint where it needs one, so that
            /// the failed one fails alone.
            ///
            /// Calls alone (a surge of them, or one) are one INSERT, which is a transaction by
            /// itself: committed and synced before it answers, with no BEGIN or COMMIT to wait
            /// for, a third of the round trips.
            pub(super) async fn commit_batch(
                connection: &mut sqlx::pool::PoolConnection<$db>,
                batch: Vec<group_commit::Queued>,
            ) -> bool {
                use sqlx::Connection;
                let calls_alone = batch
                    .iter()
                    .all(|queued| matches!(queued.write, group_commit::HotWrite::Call(_)));
                if calls_alone {
                    match Self::insert_calls(&mut **connection, &group_commit::calls_of(&batch)).await {
                        Ok(records) => {
                            for (queued, record) in batch.into_iter().zip(records) {
                                // A request that stopped waiting still had its call kept.
                                let _ = queued.answer.send(Ok(group_commit::Written::Call(record)));
                            }
                            return true;
                        }
                        // Nothing of it was kept: written again apart, so the bad one fails alone.
                        Err(error) => tracing::warn!(%error, "a batch of calls could not be recorded together; one by one"),
                    }
                    return Self::commit_apart(connection, batch).await;
                }
                if batch.len() > 1 {
                    let mut tx = match connection.begin().await {
                        Ok(tx) => tx,
                        Err(error) => {
                            group_commit::fail_all(batch.into_iter().map(|q| q.answer).collect(), &error);
                            return false;
                        }
                    };
                    match Self::write_whole(&mut tx, &batch).await {
                        Ok(written) => {
                            return match tx.commit().await {
                                Ok(()) => {
                                    for (queued, written) in batch.into_iter().zip(written) {
                                        // A request that stopped waiting still had its write kept.
                                        let _ = queued.answer.send(Ok(written));
                                    }
                                    true
                                }
                                Err(error) => {
                                    group_commit::fail_all(batch.into_iter().map(|q| q.answer).collect(), &error);
                                    false
                                }
                            };
                        }
                        Err(error) => {
                            tracing::warn!(%error, "a write of a batch failed; writing the batch again, each write apart");
                            if let Err(error) = tx.rollback().await {
                                group_commit::fail_all(batch.into_iter().map(|q| q.answer).collect(), &error);
                                return false;
                            }
                        }
                    }
                }
                Self::commit_apart(connection, batch).await
            }

            /// Every write of a batch, in one transaction with no savepoints: the calls in one
            /// INSERT, then the rest in the batch's order. The answers are in the batch's order.
            async fn write_whole(
                tx: &mut sqlx::Transaction<'_, $db>,
                batch: &[group_commit::Queued],
            ) -> StoreResult<Vec<group_commit::Written>> {
                let calls = group_commit::calls_of(batch);
                let mut records = if calls.is_empty() {
                    Vec::new()
                } else {
                    Self::insert_calls(&mut **tx, &calls).await?
                }
                .into_iter();
                let mut written = Vec::with_capacity(batch.len());
                for queued in batch {
                    written.push(match &queued.write {
                        group_commit::HotWrite::Call(_) => records
                            .next()
                            .map(group_commit::Written::Call)
                            .ok_or_else(|| StoreError::Corrupt("a call vanished after it was recorded".into()))?,
                        write => Self::one_write(tx, write).await?,
                    });
                }
                Ok(written)
            }

            /// The batch written apart (see `commit_batch`): a lone write, or a batch one of
            /// whose writes failed when written whole.
            async fn commit_apart(
                connection: &mut sqlx::pool::PoolConnection<$db>,
                batch: Vec<group_commit::Queued>,
            ) -> bool {
                use sqlx::Connection;
                let mut tx = match connection.begin().await {
                    Ok(tx) => tx,
                    Err(error) => {
                        group_commit::fail_all(
                            batch.into_iter().map(|q| q.answer).collect(),
                            &error,
                        );
                        return false;
                    }
                };
                // A lone write needs no savepoint: the transaction is its own.
                let batch_of_one = batch.len() == 1;
                let mut done = Vec::with_capacity(batch.len());
                let batch = Self::calls_together(&mut tx, batch, &mut done).await;
                for queued in batch {
                    let savepoint = !batch_of_one && ($isolate || queued.write.is_compound());
                    let result = Self::hot_write(&mut tx, &queued.write, savepoint).await;
                    if batch_of_one && result.is_err() {
                        // Nothing else shares the transaction: undo it, and say why.
                        let undone = tx.rollback().await.is_ok();
                        let _ = queued.answer.send(result);
                        return undone;
                    }
                    done.push((queued.answer, result));
                }
                match tx.commit().await {
                    Ok(()) => {
                        for (answer, result) in done {
                            // A request that stopped waiting still had its write kept.
                            let _ = answer.send(result);
                        }
                        true
                    }
                    Err(error) => {
                        group_commit::fail_all(done.into_iter().map(|(a, _)| a).collect(), &error);
                        false
                    }
                }
            }

            /// Records every call of a batch of several in one statement (each write is a round
            /// trip the committer waits for), answering them into `done`; returns the rest of
            /// the batch. Should that statement fail, the calls are left in the batch, to be
            /// written one by one so that only the bad one fails.
            async fn calls_together(
                tx: &mut sqlx::Transaction<'_, $db>,
                batch: Vec<group_commit::Queued>,
                done: &mut Vec<group_commit::Answered>,
            ) -> Vec<group_commit::Queued> {
                use sqlx::Connection;
                let (calls, rest): (Vec<_>, Vec<_>) = batch
                    .into_iter()
                    .partition(|queued| matches!(queued.write, group_commit::HotWrite::Call(_)));
                if calls.len() < 2 {
                    return calls.into_iter().chain(rest).collect();
                }
                let new = group_commit::calls_of(&calls);
                let recorded = if $isolate {
                    // PostgreSQL: a failed statement would abort the whole transaction.
                    match (&mut **tx).begin().await {
                        Ok(mut savepoint) => match Self::insert_calls(&mut savepoint, &new).await {
                            Ok(records) => savepoint.commit().await.map(|()| records).map_err(StoreError::from),
                            Err(error) => {
                                let _ = savepoint.rollback().await;
                                Err(error)
                            }
                        },
                        Err(error) => Err(error.into()),
                    }
                } else {
                    Self::insert_calls(&mut **tx, &new).await
                };
                match recorded {
                    Ok(records) => {
                        for (queued, record) in calls.into_iter().zip(records) {
                            done.push((queued.answer, Ok(group_commit::Written::Call(record))));
                        }
                        rest
                    }
                    Err(error) => {
                        tracing::warn!(%error, "a batch of calls could not be recorded together; one by one");
                        calls.into_iter().chain(rest).collect()
                    }
                }
            }

            /// One write, under its own `savepoint` when the batch needs one per write: on
            /// failure only it is undone.
            async fn hot_write(
                tx: &mut sqlx::Transaction<'_, $db>,
                write: &group_commit::HotWrite,
                savepoint: bool,
            ) -> StoreResult<group_commit::Written> {
                use sqlx::Connection;
                if !savepoint {
                    return Self::one_write(tx, write).await;
                }
                let mut savepoint = (&mut **tx).begin().await?;
                match Self::one_write(&mut savepoint, write).await {
                    Ok(written) => {
                        savepoint.commit().await?;
                        Ok(written)
                    }
                    Err(error) => {
                        savepoint.rollback().await?;
                        Err(error)
                    }
                }
            }

            async fn one_write(
                tx: &mut sqlx::Transaction<'_, $db>,
                write: &group_commit::HotWrite,
            ) -> StoreResult<group_commit::Written> {
                match write {
                    group_commit::HotWrite::Call(call) => Self::insert_calls(&mut **tx, &[call])
                        .await?
                        .pop()
                        .map(group_commit::Written::Call)
                        .ok_or_else(|| StoreError::Corrupt("a call vanished after it was recorded".into())),
                    group_commit::HotWrite::Message(message) => Self::insert_message(tx, message, None)
                        .await
                        .map(|(message, new)| group_commit::Written::Message(message, new)),
                    group_commit::HotWrite::TextIn(text) => Self::insert_text_in(tx, text)
                        .await
                        .map(|(message, new)| group_commit::Written::Message(message, new)),
                    group_commit::HotWrite::Open(opening) => Self::insert_opening(tx, opening)
                        .await
                        .map(group_commit::Written::Opened),
                    group_commit::HotWrite::Job(job) => Self::insert_job(tx, job)
                        .await
                        .map(group_commit::Written::Job),
                    group_commit::HotWrite::Consent(consent) => consents::insert_consent!(consent, &mut **tx)
                        .map(|_| group_commit::Written::Done)
                        .map_err(StoreError::from),
                    group_commit::HotWrite::CallChoice(call_id, language, service) => {
                        Self::update_call_choice(tx, *call_id, *language, *service)
                            .await
                            .map(|()| group_commit::Written::Done)
                    }
                    group_commit::HotWrite::CallChoiceThen(call_id, language, service, then) => {
                        Self::update_call_choice(tx, *call_id, *language, *service).await?;
                        match then {
                            $crate::store::AfterChoice::Ring(legs, at) => Self::insert_legs(tx, legs, *at).await?,
                            $crate::store::AfterChoice::Stage(stage) => Self::update_call_stage(tx, *call_id, *stage).await?,
                        }
                        Ok(group_commit::Written::Done)
                    }
                    group_commit::HotWrite::CallStage(call_id, stage) => Self::update_call_stage(tx, *call_id, *stage)
                        .await
                        .map(|()| group_commit::Written::Done),
                    group_commit::HotWrite::Legs(legs, at) => Self::insert_legs(tx, legs, *at)
                        .await
                        .map(|()| group_commit::Written::Done),
                }
            }
        }
    };
}

pub(super) use group_commit_sql;
