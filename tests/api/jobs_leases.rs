//! A batch claimed at once is run in turn: a job whose lease wore thin while the ones before
//! it ran is held again before it starts, so a rival runner cannot take it mid-run; one whose
//! lease ran out and that a rival took meanwhile is not started at all. Every job runs once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hotline::clock::ManualClock;
use hotline::jobs::runner::{JobError, JobHandler, JobSettings, Pass, Runner};
use hotline::store::{Job, JobStatus, NewJob};

use crate::databases::TestDatabase;

/// Takes `STEP` of the runner's clock per job, and in the middle of each lets a rival runner
/// have a pass over the same database.
struct Slow {
    clock: Arc<ManualClock>,
    runs: Arc<Mutex<HashMap<String, usize>>>,
    rival: OnceLock<Arc<Runner>>,
    rival_passes: Mutex<Vec<Pass>>,
}

/// Most of a lease: after one job the next has less than half of its lease left.
const LEASE: Duration = Duration::from_secs(120);
const STEP: chrono::Duration = chrono::Duration::seconds(100);

#[async_trait::async_trait]
impl JobHandler for Slow {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        *self
            .runs
            .lock()
            .expect("not poisoned")
            .entry(job.idempotency_key.clone())
            .or_default() += 1;
        self.clock.advance(STEP);
        if let Some(rival) = self.rival.get() {
            let pass = rival.run_due().await.map_err(JobError::from)?;
            self.rival_passes.lock().expect("not poisoned").push(pass);
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_job_started_late_in_a_batch_is_held_again_and_none_runs_twice() {
    for database in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        let store = database.open().await;
        // Whole seconds: PostgreSQL keeps microseconds.
        let start = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
        let clock = Arc::new(ManualClock::new(start));
        for key in ["first", "second", "third"] {
            store
                .enqueue_job(&NewJob {
                    kind: "slow".into(),
                    payload: "{}".into(),
                    idempotency_key: key.into(),
                    due_at: start,
                    created_at: start,
                })
                .await
                .expect("queued");
        }
        let runs = Arc::new(Mutex::new(HashMap::new()));
        let settings = JobSettings {
            lease: LEASE,
            ..JobSettings::default()
        };
        let slow = |rival: Option<Arc<Runner>>| {
            let handler = Slow {
                clock: clock.clone(),
                runs: runs.clone(),
                rival: OnceLock::new(),
                rival_passes: Mutex::new(Vec::new()),
            };
            if let Some(rival) = rival {
                let _ = handler.rival.set(rival);
            }
            Arc::new(handler)
        };
        let rival =
            Arc::new(Runner::new(store.clone(), clock.clone(), settings).with("slow", slow(None)));
        let handler = slow(Some(rival));
        let runner =
            Runner::new(store.clone(), clock.clone(), settings).with("slow", handler.clone());

        // Claimed together at `start`, each until start + 120 s. The first runs to +100 s; the
        // second, with 20 s of its lease left, is held to +220 s before it runs to +200 s, when
        // the rival finds only the third lapsed, and runs it.
        let pass = runner.run_due().await.expect("ran");
        let rival_passes = handler.rival_passes.lock().expect("not poisoned").clone();
        assert_eq!(
            rival_passes,
            vec![
                Pass::default(),
                Pass {
                    done: 1,
                    ..Pass::default()
                }
            ],
            "{}: the rival took only the job whose lease had run out",
            store.backend()
        );
        assert_eq!(
            pass,
            Pass {
                done: 2,
                lost: 1,
                ..Pass::default()
            },
            "{}: the job the rival took was not started again",
            store.backend()
        );
        let runs = runs.lock().expect("not poisoned").clone();
        let expected: HashMap<String, usize> = [("first", 1), ("second", 1), ("third", 1)]
            .into_iter()
            .map(|(key, n)| (key.to_owned(), n))
            .collect();
        assert_eq!(runs, expected, "{}: every job ran once", store.backend());
        for (key, attempts) in [("first", 1), ("second", 1), ("third", 2)] {
            let job = store.job_by_key(key).await.expect("read").expect("kept");
            assert_eq!(
                (job.status, job.attempts),
                (JobStatus::Done, attempts),
                "{}: {key}",
                store.backend()
            );
        }
    }
}
