//! The donors' monthly report, gathered: reads the month's facts from the store (bounded by
//! local midnights in the hotline's zone) and hands them to `hotline_routes::report`, which does
//! the counting. Whatever shows the report (the JSON API, the CSV, the charts, a page) starts
//! here, so each shows the same figures.

use chrono_tz::Tz;
use hotline_routes::report::{MonthFacts, MonthlyReport, monthly_report};

pub use hotline_routes::report::Month;

use crate::store::{Store, StoreResult};

/// The report of `month`, a calendar month on the wall clocks of `zone`.
pub async fn monthly(store: &dyn Store, month: Month, zone: Tz) -> StoreResult<MonthlyReport> {
    let (from, to) = month.bounds(zone);
    let facts = MonthFacts {
        calls: store.report_calls(from, to).await?,
        texts: store.report_texts(from, to).await?,
        follow_ups: store.report_follow_ups(from, to).await?,
    };
    Ok(monthly_report(month, &facts))
}
