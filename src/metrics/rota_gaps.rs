//! The rota's gaps over the week ahead, per service, for `/metrics`: how long nobody is on duty
//! while a line that offers the service is open, in how many stretches, and how soon the next
//! one begins. The same gaps the rota page draws and the gap watch texts about
//! (`Rota::gaps`, cut to the lines' hours by `while_open`); this only adds them up.

use chrono::{DateTime, Duration, Utc};
use hotline_routes::line::Line;
use hotline_routes::rota_watch::while_open;
use hotline_schedules::Service;

use crate::store::{Store, StoreError};

/// How far ahead the gaps are read.
pub const AHEAD: Duration = Duration::days(7);

/// One service's gaps in `[now, now + AHEAD)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapsAhead {
    pub service: Service,
    /// Seconds in all with nobody on duty.
    pub seconds: i64,
    /// Separate stretches with nobody on duty.
    pub gaps: usize,
    /// Seconds until the first begins (0 when one has begun); `None` without any.
    pub next_in: Option<i64>,
}

/// Every service's gaps ahead of `now`.
pub async fn gaps_ahead(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Vec<GapsAhead>, StoreError> {
    let until = now + AHEAD;
    let (_, rota) = crate::rota::load(store, now, until).await?;
    let lines = lines(store).await?;
    Ok(Service::ALL
        .into_iter()
        .map(|service| {
            let gaps = rota.gaps(service, None, now, until);
            let spans = lines
                .iter()
                .filter(|line| line.services.contains(&service))
                .flat_map(|line| while_open(&gaps, line.hours.as_ref()))
                .collect();
            add_up(service, spans, now)
        })
        .collect())
}

/// The gaps of several lines offering one service, put together: a stretch two lines share
/// (or that touches another) is one.
pub fn add_up(
    service: Service,
    mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> GapsAhead {
    spans.retain(|(from, to)| to > from);
    spans.sort();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    GapsAhead {
        service,
        seconds: merged
            .iter()
            .map(|(from, to)| (*to - *from).num_seconds())
            .sum(),
        gaps: merged.len(),
        next_in: merged
            .first()
            .map(|(from, _)| (*from - now).num_seconds().max(0)),
    }
}

/// Every line's settings, and the defaults' when no default line is kept, as the gap watch
/// reads them; a line whose settings cannot be read is left out (the gap watch logs it).
async fn lines(store: &dyn Store) -> Result<Vec<Line>, StoreError> {
    let mut lines = Vec::new();
    let mut has_default = false;
    for (number, body) in store.lines().await? {
        has_default |= number == crate::lines::DEFAULT_LINE;
        if let Ok(line) = serde_json::from_str::<Line>(&body) {
            lines.push(line);
        }
    }
    if !has_default {
        lines.push(Line::default());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0)
            .single()
            .expect("an instant")
    }

    #[test]
    fn overlapping_and_touching_gaps_of_two_lines_are_one() {
        let spans = vec![
            (at(10), at(12)),
            (at(3), at(5)),
            (at(11), at(13)),
            (at(13), at(14)),
        ];
        assert_eq!(
            add_up(Service::Legal, spans, at(1)),
            GapsAhead {
                service: Service::Legal,
                seconds: (2 + 4) * 3600,
                gaps: 2,
                next_in: Some(2 * 3600),
            }
        );
    }

    #[test]
    fn a_gap_under_way_begins_now_and_no_gap_has_no_next() {
        let now = at(4);
        assert_eq!(
            add_up(Service::Mens, vec![(now, at(6))], now).next_in,
            Some(0)
        );
        let none = add_up(Service::Mens, vec![], now);
        assert_eq!((none.seconds, none.gaps, none.next_in), (0, 0, None));
    }
}
