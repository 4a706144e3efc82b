//! How rota values are written in JSON and TOML for people: days as `mon` … `sun`, times as
//! `09:00`. Only shapes text; never decides anything.

use chrono::NaiveTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Weekdays;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn write_days<S: Serializer>(days: &Weekdays, out: S) -> Result<S::Ok, S::Error> {
    let names: Vec<&str> = DAY_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| days.0 & (1 << i) != 0)
        .map(|(_, name)| *name)
        .collect();
    names.serialize(out)
}

pub fn read_days<'de, D: Deserializer<'de>>(input: D) -> Result<Weekdays, D::Error> {
    let names = Vec::<String>::deserialize(input)?;
    let mut days = 0u8;
    for name in names {
        let Some(index) = DAY_NAMES.iter().position(|day| *day == name.to_lowercase()) else {
            return Err(serde::de::Error::custom(format!(
                "unknown day {name:?}; expected mon … sun"
            )));
        };
        days |= 1 << index;
    }
    Ok(Weekdays(days))
}

pub fn write_time<S: Serializer>(time: &NaiveTime, out: S) -> Result<S::Ok, S::Error> {
    time.format("%H:%M").to_string().serialize(out)
}

pub fn read_time<'de, D: Deserializer<'de>>(input: D) -> Result<NaiveTime, D::Error> {
    let text = String::deserialize(input)?;
    NaiveTime::parse_from_str(&text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
        .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a time like 09:00")))
}

#[cfg(test)]
mod tests {
    use crate::model::{ActiveWindow, Weekdays};
    use chrono::NaiveTime;

    #[test]
    fn a_window_reads_and_writes_as_people_write_it() {
        let window: ActiveWindow =
            serde_json::from_str(r#"{"days":["mon","fri","sun"],"from":"18:00","to":"09:00"}"#)
                .expect("valid");
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("a time");
        assert_eq!(
            window,
            ActiveWindow {
                days: Weekdays(0b101_0001),
                from: at(18),
                to: at(9)
            }
        );
        assert_eq!(
            serde_json::to_string(&window).expect("writes"),
            r#"{"days":["mon","fri","sun"],"from":"18:00","to":"09:00"}"#
        );
        let error = serde_json::from_str::<ActiveWindow>(
            r#"{"days":["moon"],"from":"18:00","to":"09:00"}"#,
        )
        .expect_err("no such day");
        assert!(
            error.to_string().contains("unknown day \"moon\""),
            "{error}"
        );
    }
}
