//! How long a recurrence takes to say when it next fires, for the expressions a reminder
//! schedule uses, in a zone with clock changes and in the hotline's own. Prints figures; asserts
//! nothing. Run with `cargo bench -p hotline-schedules --bench recurrence`.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use hotline_schedules::{HOTLINE_ZONE, Recurrence};

const ANSWERS: usize = 100_000;

fn main() {
    let origin = DateTime::from_timestamp(1_704_067_200, 0).expect("2024-01-01T00:00Z");
    // Spread over two years, so clock changes and month ends are among them.
    let instants: Vec<DateTime<Utc>> = (0..ANSWERS as i64)
        .map(|i| origin + TimeDelta::seconds(i * 631))
        .collect();
    println!("next_after ({ANSWERS} answers each)");
    for expression in ["*/15 * * * *", "0 9 * * *", "0 8 * * 1-5", "0 0 1 * 1"] {
        let recurrence = Recurrence::parse(expression).expect("a valid recurrence");
        for zone in [HOTLINE_ZONE, chrono_tz::Europe::Berlin] {
            let timer = Instant::now();
            for at in &instants {
                black_box(recurrence.next_after(*at, zone));
            }
            let per_answer = timer.elapsed().as_nanos() as f64 / ANSWERS as f64;
            println!(
                "  {expression:<14} in {:<13}: {per_answer:>6.0} ns per answer",
                zone.name()
            );
        }
    }
}
