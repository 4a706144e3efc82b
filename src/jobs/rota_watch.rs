//! Watching the rota ahead: a gap (nobody on duty for a service while a line that offers it is
//! open) in the next hours is texted to the coordinators, once per gap, while there is time to
//! fill it.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use hotline_routes::line::Line;
use hotline_routes::rota_watch::{RotaGap, gap_alert_text, while_open};

use super::recurring::Work;
use super::runner::JobError;
use crate::store::StoreError;
use crate::web::AppState;

/// The kind of the watch's jobs, and how often it looks.
pub const KIND: &str = "rota-gap-watch";
pub const EVERY: Duration = Duration::minutes(15);

/// Past the horizon the rota is read this much further, to tell how long a gap lasts.
const BEYOND: Duration = Duration::days(7);

pub struct GapWatch {
    state: AppState,
}

impl GapWatch {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl Work for GapWatch {
    async fn run(&self, _at: DateTime<Utc>) -> Result<(), JobError> {
        let state = &self.state;
        let now = state.clock.now();
        for gap in gaps_ahead(state, now, state.schedule.gap_alert_ahead).await? {
            let event = format!("rota-gap:{:?}:{}", gap.service, gap.from.to_rfc3339());
            let body = gap_alert_text(&gap, state.schedule.zone);
            crate::notify::coordinators(state, &event, &body, now).await?;
            tracing::warn!(service = ?gap.service, from = %gap.from, "a gap in the rota was told to the coordinators");
        }
        Ok(())
    }
}

/// The gaps that begin within `ahead` of `now` and have not ended by `now`.
///
/// Each is known by where it truly begins, so the same gap keeps its name from one look to the
/// next: the rota is read from the start of yesterday (local), and a gap older than that is
/// named by that start, which moves once a day: a service nobody covers at all is told once a
/// day.
pub async fn gaps_ahead(
    state: &AppState,
    now: DateTime<Utc>,
    ahead: Duration,
) -> Result<Vec<RotaGap>, StoreError> {
    let zone = state.schedule.zone;
    let yesterday = now.with_timezone(&zone).date_naive() - Duration::days(1);
    let from = hotline_schedules::day_start(zone, yesterday);
    let horizon = now + ahead;
    let until = horizon + BEYOND;
    let (_, rota) = crate::rota::load(state.store.as_ref(), from, until).await?;
    let mut found = BTreeSet::new();
    for line in lines(state).await? {
        for service in &line.services {
            let gaps = rota.gaps(*service, None, from, until);
            for (start, end) in while_open(&gaps, line.hours.as_ref()) {
                if start >= horizon || end <= now || end - start < Duration::minutes(1) {
                    continue;
                }
                found.insert(RotaGap {
                    service: *service,
                    from: start,
                    to: (end < until).then_some(end),
                });
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Every line's settings, and the defaults' when no default line is kept.
async fn lines(state: &AppState) -> Result<Vec<Line>, StoreError> {
    let mut lines = Vec::new();
    let mut has_default = false;
    for (number, body) in state.store.lines().await? {
        has_default |= number == crate::lines::DEFAULT_LINE;
        match serde_json::from_str::<Line>(&body) {
            Ok(line) => lines.push(line),
            Err(error) => {
                tracing::error!(%error, line = %number, "a line's settings cannot be read; watching the defaults")
            }
        }
    }
    if !has_default {
        lines.push(Line::default());
    }
    Ok(lines)
}
