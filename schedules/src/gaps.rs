//! When nobody is on duty: the spans a coordinator must fill before a caller hears only
//! ringing. Computed from the same pieces as the calendar, so a gap is exactly where `on_duty`
//! has nobody but the coordinators; it never counts the coordinators' fallback as cover.

use chrono::{DateTime, Utc};

use crate::rota::Rota;
use crate::{Language, Service};

impl Rota {
    /// Every maximal span within `[from, to)` in which nobody is on duty for `service` (apart
    /// from the coordinators' fallback), or, with a `language`, nobody on duty who speaks it.
    /// Sorted, disjoint, never touching one another.
    pub fn gaps(
        &self,
        service: Service,
        language: Option<Language>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut gaps: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for piece in self.pieces(service, from, to) {
            let covered = piece
                .entries
                .iter()
                .any(|entry| language.is_none_or(|language| self.speaks(entry.staff_id, language)));
            if covered {
                continue;
            }
            match gaps.last_mut() {
                Some(last) if last.1 == piece.from => last.1 = piece.to,
                _ => gaps.push((piece.from, piece.to)),
            }
        }
        gaps
    }
}
