//! The metrics read from the records at each scrape (see the module above for why): calls by
//! outcome, the wait for a person, the outbox, reminders due and late, the rota's gaps ahead.
//! Each group is one or two indexed queries; a group that cannot be read is left out of the
//! page and counted in `hotline_metrics_errors_total`, and the rest of the page is still served.

use chrono::{DateTime, Duration, Utc};
use hotline_routes::call::CallOutcome;

use super::histogram::{Snapshot, TIME_TO_A_PERSON_SECONDS};
use super::rota_gaps::{self, GapsAhead};
use super::{Exposition, Kind, Metrics};
use crate::store::{PLANNED_JOB, Store, StoreResult};

/// A reminder still waiting this long after it was due is late: the job runner looks every few
/// seconds, so by then something is stuck.
pub const LATE_AFTER: Duration = Duration::minutes(5);

/// A call's wait for a person is known within minutes of its start (menus and ringing): once
/// its start is this far behind, it is settled, and each process reads it only once (see
/// `SettledWaits`). Generous: an answer is never this late, and instances' clocks never differ
/// by this much.
pub const SETTLED_AFTER: Duration = Duration::hours(1);

/// The waits of every call that started before `until`, as this process last read them: a
/// scrape reads only the calls that started since, and the last hour's, so it stays cheap
/// however many calls the records hold. Rebuilt from the start after a restart.
#[derive(Debug, Clone)]
pub struct SettledWaits {
    until: DateTime<Utc>,
    snapshot: Snapshot,
}

/// Every outcome a call may end with, as the records name them.
const OUTCOMES: [CallOutcome; 6] = [
    CallOutcome::Answered,
    CallOutcome::Voicemail,
    CallOutcome::Missed,
    CallOutcome::Abandoned,
    CallOutcome::Blocked,
    CallOutcome::Closed,
];

/// The outbox's channels, as its table names them.
const CHANNELS: [&str; 3] = ["sms", "whatsapp", "callback"];

/// The groups, as `hotline_metrics_errors_total` names them.
const GROUPS: [&str; 5] = ["calls", "waits", "outbox", "reminders", "rota"];

/// The reminders' kinds of job, and the word each is shown by.
const REMINDERS: [(&str, &str); 2] = [
    (crate::jobs::reminders::KIND, "follow_up"),
    (PLANNED_JOB, "planned"),
];

/// Writes every group that can be read at `now` to `page`.
pub async fn write_records(
    store: &dyn Store,
    metrics: &Metrics,
    now: DateTime<Utc>,
    page: &mut Exposition,
) {
    for group in GROUPS {
        metrics.declare("hotline_metrics_errors_total", "group", group);
    }
    // One query after another: a scrape holds one of the pool's connections at a time, never
    // several that a caller's webhook may be waiting for.
    if let Some(calls) = kept(metrics, "calls", store.calls_by_outcome().await) {
        write_calls(page, &calls);
    }
    if let Some(waits) = kept(
        metrics,
        "waits",
        waits_for_a_person(store, metrics, now).await,
    ) {
        write_waits(page, &waits);
    }
    let outbox = async {
        let pending = store.outbox_pending().await?;
        let failed = store.outbox_failed_since(now - Duration::days(1)).await?;
        Ok::<_, crate::store::StoreError>((pending, failed))
    };
    if let Some((pending, failed)) = kept(metrics, "outbox", outbox.await) {
        write_outbox(page, &pending, &failed, now);
    }
    let jobs = store.jobs_due(now, now - LATE_AFTER).await;
    if let Some(jobs) = kept(metrics, "reminders", jobs) {
        write_reminders(page, &jobs);
    }
    if let Some(gaps) = kept(metrics, "rota", rota_gaps::gaps_ahead(store, now).await) {
        write_gaps(page, &gaps);
    }
}

/// The value, or `None` with the error logged (causes only: no personal value is ever read
/// here) and counted.
fn kept<T, E: std::fmt::Display>(
    metrics: &Metrics,
    group: &'static str,
    read: Result<T, E>,
) -> Option<T> {
    match read {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::warn!(%error, group, "a group of metrics could not be read and is left out");
            metrics.count("hotline_metrics_errors_total", "group", group);
            None
        }
    }
}

fn write_calls(page: &mut Exposition, calls: &[(String, i64)]) {
    let name = "hotline_calls_total";
    page.family(
        name,
        Kind::Counter,
        "Calls that ended, by outcome, from the records (every instance shows the same; do not \
         sum over instances). Calls still under way are not counted yet.",
    );
    for outcome in OUTCOMES {
        let count: i64 = calls
            .iter()
            .filter(|(stored, _)| CallOutcome::from_name(stored) == Some(outcome))
            .map(|(_, count)| count)
            .sum();
        page.sample(name, &[("outcome", outcome.as_str())], count as f64);
    }
}

/// Every answered call's wait: the settled ones this process has not read yet added to what it
/// kept, then the last hour's read afresh.
async fn waits_for_a_person(
    store: &dyn Store,
    metrics: &Metrics,
    now: DateTime<Utc>,
) -> StoreResult<Snapshot> {
    let settled_until = now - SETTLED_AFTER;
    let mut settled = metrics.settled_waits.lock().await;
    let (from, mut snapshot) = match settled.as_ref() {
        Some(kept) if kept.until <= settled_until => (kept.until, kept.snapshot.clone()),
        // Never read, or the clock went back: from the first call.
        _ => (
            DateTime::UNIX_EPOCH,
            Snapshot::empty(TIME_TO_A_PERSON_SECONDS),
        ),
    };
    let newly_settled = store
        .waits_for_a_person(TIME_TO_A_PERSON_SECONDS, from, settled_until)
        .await?;
    add_waits(&mut snapshot, &newly_settled);
    *settled = Some(SettledWaits {
        until: settled_until,
        snapshot: snapshot.clone(),
    });
    drop(settled);
    // Any call started since (a century on is as good as "ever", and SQLite's instants are text
    // that must still sort as times).
    let far_ahead = now + Duration::days(36_500);
    let recent = store
        .waits_for_a_person(TIME_TO_A_PERSON_SECONDS, settled_until, far_ahead)
        .await?;
    add_waits(&mut snapshot, &recent);
    Ok(snapshot)
}

fn add_waits(snapshot: &mut Snapshot, waits: &[(i64, i64, f64)]) {
    for &(bucket, count, sum) in waits {
        let count = u64::try_from(count).unwrap_or(0);
        match usize::try_from(bucket)
            .ok()
            .and_then(|bucket| snapshot.counts.get_mut(bucket))
        {
            Some(counted) => *counted += count,
            None => snapshot.over += count,
        }
        snapshot.sum += sum;
    }
}

fn write_waits(page: &mut Exposition, snapshot: &Snapshot) {
    let name = "hotline_time_to_a_person_seconds";
    page.family(
        name,
        Kind::Histogram,
        "Seconds from a call's start (menus included) to a person accepting it, over every call \
         a person answered, from the records (do not sum over instances).",
    );
    page.histogram(name, &[], snapshot);
}

fn write_outbox(
    page: &mut Exposition,
    pending: &[(String, i64, DateTime<Utc>)],
    failed: &[(String, i64)],
    now: DateTime<Utc>,
) {
    let pending_of = |channel: &str| pending.iter().find(|(c, _, _)| c == channel);
    let depth = "hotline_outbox_pending";
    page.family(
        depth,
        Kind::Gauge,
        "Texts and callbacks written but not yet handed to the provider, by channel, from the \
         records.",
    );
    for channel in CHANNELS {
        let count = pending_of(channel).map_or(0, |(_, count, _)| *count);
        page.sample(depth, &[("channel", channel)], count as f64);
    }
    let age = "hotline_outbox_oldest_pending_age_seconds";
    page.family(
        age,
        Kind::Gauge,
        "Seconds since the oldest text still waiting in the outbox was written, by channel \
         (0 when none waits), from the records.",
    );
    for channel in CHANNELS {
        let seconds = pending_of(channel).map_or(0.0, |(_, _, oldest)| {
            ((now - *oldest).num_milliseconds().max(0) as f64) / 1000.0
        });
        page.sample(age, &[("channel", channel)], seconds);
    }
    let failures = "hotline_outbox_failed_last_day";
    page.family(
        failures,
        Kind::Gauge,
        "Texts that finally failed or could not be delivered in the last 24 hours, by channel, \
         from the records.",
    );
    for channel in CHANNELS {
        let count: i64 = failed
            .iter()
            .filter(|(c, _)| c == channel)
            .map(|(_, count)| count)
            .sum();
        page.sample(failures, &[("channel", channel)], count as f64);
    }
}

fn write_reminders(page: &mut Exposition, jobs: &[(String, i64, i64)]) {
    let of = |kind: &str| {
        jobs.iter()
            .filter(|(k, _, _)| k == kind)
            .fold((0, 0), |(due, late), (_, d, l)| (due + d, late + l))
    };
    let due = "hotline_reminders_due";
    page.family(
        due,
        Kind::Gauge,
        "Reminders due now and not yet sent, by kind (follow_up: a missed contact's reminder; \
         planned: a follow-up someone planned), from the records.",
    );
    for (job, word) in REMINDERS {
        page.sample(due, &[("kind", word)], of(job).0 as f64);
    }
    let late = "hotline_reminders_late";
    page.family(
        late,
        Kind::Gauge,
        "Reminders due more than 5 minutes ago and still not sent, by kind, from the records.",
    );
    for (job, word) in REMINDERS {
        page.sample(late, &[("kind", word)], of(job).1 as f64);
    }
}

fn write_gaps(page: &mut Exposition, gaps: &[GapsAhead]) {
    let seconds = "hotline_rota_gap_seconds_ahead";
    page.family(
        seconds,
        Kind::Gauge,
        "Seconds in the next 7 days with nobody on duty for the service while a line offering it \
         is open, from the rota.",
    );
    for gap in gaps {
        page.sample(
            seconds,
            &[("service", gap.service.as_str())],
            gap.seconds as f64,
        );
    }
    let count = "hotline_rota_gaps_ahead";
    page.family(
        count,
        Kind::Gauge,
        "Separate stretches in the next 7 days with nobody on duty for the service, from the rota.",
    );
    for gap in gaps {
        page.sample(count, &[("service", gap.service.as_str())], gap.gaps as f64);
    }
    let next = "hotline_rota_next_gap_seconds";
    page.family(
        next,
        Kind::Gauge,
        "Seconds until the next stretch with nobody on duty for the service begins (0: one is \
         under way); absent when there is none in the next 7 days.",
    );
    for gap in gaps {
        if let Some(next_in) = gap.next_in {
            page.sample(next, &[("service", gap.service.as_str())], next_in as f64);
        }
    }
}

/// Fails to compile when an outcome is added: then add it to `OUTCOMES` too.
#[allow(dead_code)]
fn every_outcome_is_listed(outcome: CallOutcome) {
    match outcome {
        CallOutcome::Answered
        | CallOutcome::Voicemail
        | CallOutcome::Missed
        | CallOutcome::Abandoned
        | CallOutcome::Blocked
        | CallOutcome::Closed => {}
    }
}
