//! Two staff exchange two duties in one step, as two replacements, so the rota's rules stay as
//! they were and the exchange can be undone by deleting two overrides. Builds the overrides
//! only; storing them (both or neither) is the store's job.

use chrono::{DateTime, Utc};

use crate::calendar::DutyShift;
use crate::model::{Override, OverrideKind, Slot, Validity};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwapError {
    #[error("both duties belong to the same person; a swap needs two people")]
    SamePerson,
    #[error(
        "{which}: only a scheduled duty can be swapped, not an addition or the coordinator's fallback"
    )]
    NotScheduled { which: &'static str },
    #[error("{which}: that duty is already over")]
    Over { which: &'static str },
}

/// The two overrides that make `first`'s person work `second`'s duty and the other way round:
/// each replaces, over the other's interval, the person the rota scheduled there (for a duty
/// that is already a replacement, the person it stands in for, so the newer replacement wins
/// over the older one). `ids` are the ids the store will give the two overrides; a replacement
/// with a higher id wins, so they must be newer than any override already stored. The overrides
/// are in force from `now`, so what the rota said before the swap stays on record.
pub fn swap(
    first: &DutyShift,
    second: &DutyShift,
    ids: [i64; 2],
    now: DateTime<Utc>,
) -> Result<[Override; 2], SwapError> {
    if first.staff_id == second.staff_id {
        return Err(SwapError::SamePerson);
    }
    for (which, duty) in [("first", first), ("second", second)] {
        if !matches!(duty.slot, Slot::Scheduled(_)) {
            return Err(SwapError::NotScheduled { which });
        }
        if duty.ends_at <= now {
            return Err(SwapError::Over { which });
        }
    }
    let takes_over = |id: i64, duty: &DutyShift, present: i64| Override {
        id,
        service: Some(duty.service),
        kind: OverrideKind::Replace {
            absent: duty.in_place_of.unwrap_or(duty.staff_id),
            present,
        },
        starts_at: duty.starts_at,
        ends_at: duty.ends_at,
        validity: Validity::since(now),
    };
    Ok([
        takes_over(ids[0], first, second.staff_id),
        takes_over(ids[1], second, first.staff_id),
    ])
}
