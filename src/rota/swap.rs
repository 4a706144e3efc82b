//! Two staff exchange two duties in one step: each duty is found whole as the rota lays it out,
//! turned into the pair of overrides `hotline_schedules::swap` makes, and kept together by the
//! editor (checked and audited), for the JSON API and the rota page alike.

use chrono::{DateTime, Duration, Utc};
use hotline_schedules::{DutyShift, Rota, Service};

use super::edit::{EditError, Editor, invalid};
use super::refusal::Problem;
use super::spec::OverrideSpec;

/// How far past its start a duty is laid out to see where it ends.
pub const LONGEST_DUTY: Duration = Duration::days(400);

/// A duty as the rota lists it: whose, for which service, from when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyKey {
    pub staff_id: i64,
    pub service: Service,
    pub starts_at: DateTime<Utc>,
}

fn find_duty(rota: &Rota, wanted: &DutyKey, field: &str) -> Result<DutyShift, EditError> {
    rota.duties_between(wanted.starts_at, wanted.starts_at + LONGEST_DUTY)
        .into_iter()
        .find(|d| {
            d.staff_id == wanted.staff_id
                && d.service == wanted.service
                && d.starts_at == wanted.starts_at
        })
        .ok_or_else(|| invalid(field, Problem::NoSuchDuty))
}

/// Swaps `first` and `second`; returns the ids of the two overrides kept.
pub async fn swap_duties(
    editor: &Editor<'_>,
    first: DutyKey,
    second: DutyKey,
) -> Result<Vec<i64>, EditError> {
    let from = first.starts_at.min(second.starts_at);
    let to = first.starts_at.max(second.starts_at) + LONGEST_DUTY;
    let (_, rota) = super::load(editor.store, from, to).await?;
    let first = find_duty(&rota, &first, "first")?;
    let second = find_duty(&rota, &second, "second")?;
    // The store gives the overrides their ids, newer than every override already kept.
    let overrides = hotline_schedules::swap(&first, &second, [0, 0], editor.now)
        .map_err(|e| invalid("", Problem::Other(e.to_string())))?;
    let specs: Vec<OverrideSpec> = overrides.iter().map(OverrideSpec::from).collect();
    editor.create_together(&specs).await
}
