//! `hotline import FILE`: loads staff and shifts from a TOML file. Importing the same file twice
//! changes nothing; every mistake is reported with its line, and nothing is written unless the
//! whole file is valid.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use hotline_schedules::{Gender, Language, PhoneNumber, Service};
use serde::Deserialize;
use toml::Spanned;

use crate::rota::spec::ShiftSpec;
use crate::store::{AuditEntry, NewStaff, RuleKind, Store};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotaFile {
    #[serde(default)]
    staff: Vec<StaffEntry>,
    #[serde(default)]
    shift: Vec<ShiftEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffEntry {
    name: Spanned<String>,
    phone: Spanned<String>,
    services: Spanned<Vec<String>>,
    languages: Spanned<Vec<String>>,
    #[serde(default)]
    coordinator: bool,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    gender: Option<Spanned<String>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftEntry {
    /// The staff member's phone number, as written in their `[[staff]]` entry.
    staff: Spanned<String>,
    service: Spanned<String>,
    /// 0 primary (the default), 1 backup, …
    #[serde(default)]
    position: u8,
    start: Spanned<toml::value::Datetime>,
    end: Spanned<toml::value::Datetime>,
}

/// What a valid file holds, ready to store.
#[derive(Debug, PartialEq, Eq)]
pub struct Roster {
    pub staff: Vec<NewStaff>,
    /// Each shift names its person by phone number; `staff_id` is filled in on import.
    pub shifts: Vec<(PhoneNumber, ShiftSpec)>,
}

/// Reads a rota file. Times without an offset are read in `timezone`.
pub fn parse(text: &str, timezone: Tz) -> Result<Roster, Vec<String>> {
    let file: RotaFile = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut errors = Vec::new();
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut fail =
        |offset: usize, message: String| errors.push(format!("line {}: {message}", line(offset)));

    let mut staff = Vec::new();
    for entry in &file.staff {
        let phone = PhoneNumber::parse(entry.phone.get_ref());
        let services = names::<Service>(&entry.services);
        let languages = names::<Language>(&entry.languages);
        let gender = match &entry.gender {
            Some(gender) => match gender.get_ref().parse::<Gender>() {
                Ok(gender) => Some(gender),
                Err(e) => {
                    fail(gender.span().start, e.to_string());
                    None
                }
            },
            None => None,
        };
        if entry.name.get_ref().trim().is_empty() {
            fail(
                entry.name.span().start,
                "a staff member needs a name".into(),
            );
        }
        match (phone, services, languages) {
            (Ok(phone), Ok(services), Ok(languages)) => {
                if staff.iter().any(|s: &NewStaff| s.phone == phone) {
                    fail(
                        entry.phone.span().start,
                        format!("{} is listed twice", phone.masked()),
                    );
                }
                staff.push(NewStaff {
                    name: entry.name.get_ref().trim().to_owned(),
                    phone,
                    services,
                    languages,
                    gender,
                    is_coordinator: entry.coordinator,
                    active: entry.active,
                });
            }
            (phone, services, languages) => {
                if let Err(e) = phone {
                    fail(entry.phone.span().start, e.to_string());
                }
                for (span, error) in [
                    (entry.services.span(), services.err()),
                    (entry.languages.span(), languages.err()),
                ] {
                    if let Some(error) = error {
                        fail(span.start, error);
                    }
                }
            }
        }
    }

    let mut shifts = Vec::new();
    for entry in &file.shift {
        let phone = PhoneNumber::parse(entry.staff.get_ref()).ok();
        let listed = phone.as_ref().is_some_and(|p| {
            file.staff
                .iter()
                .any(|s| PhoneNumber::parse(s.phone.get_ref()).ok().as_ref() == Some(p))
        });
        if !listed {
            fail(
                entry.staff.span().start,
                "the shift's staff must be the phone number of a [[staff]] entry in this file"
                    .into(),
            );
            continue;
        }
        // A shift of a staff entry that was itself invalid adds no second error.
        let Some(phone) = phone.filter(|p| staff.iter().any(|s| &s.phone == p)) else {
            continue;
        };
        let service = entry.service.get_ref().parse::<Service>();
        let start = instant(entry.start.get_ref(), timezone);
        let end = instant(entry.end.get_ref(), timezone);
        match (service, start, end) {
            (Ok(service), Ok(starts_at), Ok(ends_at)) if starts_at < ends_at => {
                shifts.push((
                    phone,
                    ShiftSpec {
                        staff_id: 0,
                        service,
                        position: entry.position,
                        starts_at,
                        ends_at,
                    },
                ));
            }
            (Ok(_), Ok(_), Ok(_)) => fail(
                entry.end.span().start,
                "a shift must end after it starts".into(),
            ),
            (service, start, end) => {
                if let Err(e) = service {
                    fail(entry.service.span().start, e.to_string());
                }
                for (span, error) in [
                    (entry.start.span(), start.err()),
                    (entry.end.span(), end.err()),
                ] {
                    if let Some(error) = error {
                        fail(span.start, error);
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(Roster { staff, shifts })
    } else {
        Err(errors)
    }
}

fn names<T: std::str::FromStr>(list: &Spanned<Vec<String>>) -> Result<Vec<T>, String>
where
    T::Err: std::fmt::Display,
{
    list.get_ref()
        .iter()
        .map(|name| name.parse::<T>().map_err(|e| e.to_string()))
        .collect()
}

/// A TOML date-time as an instant: with an offset as written, without one in `timezone`.
fn instant(value: &toml::value::Datetime, timezone: Tz) -> Result<DateTime<Utc>, String> {
    let (Some(date), Some(time)) = (value.date, value.time) else {
        return Err(format!("{value} needs both a date and a time"));
    };
    let date = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into());
    let time = NaiveTime::from_hms_nano_opt(
        time.hour.into(),
        time.minute.into(),
        time.second.into(),
        time.nanosecond,
    );
    let (Some(date), Some(time)) = (date, time) else {
        return Err(format!("{value} is not a real date and time"));
    };
    let local = NaiveDateTime::new(date, time);
    match value.offset {
        Some(toml::value::Offset::Z) => Ok(local.and_utc()),
        Some(toml::value::Offset::Custom { minutes }) => {
            Ok(local.and_utc() - chrono::Duration::minutes(minutes.into()))
        }
        None => timezone
            .from_local_datetime(&local)
            // In an autumn clock change the earlier of the two instants is meant.
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("{value} does not exist in {timezone} (the clocks skip it)")),
    }
}

/// What an import changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub staff: usize,
    /// Shifts added; those already in the rota are not counted.
    pub shifts: usize,
    /// Shifts that had already ended, so were not added.
    pub shifts_over: usize,
}

/// Stores what `parse` read. Staff are matched by phone number; a shift already in force is
/// not added twice. Every change is in the audit log, by `import`.
pub async fn apply(
    store: &dyn Store,
    roster: &Roster,
    now: DateTime<Utc>,
) -> crate::store::StoreResult<Imported> {
    let audit = |action: &str| AuditEntry {
        at: now,
        actor: "import".to_owned(),
        action: action.to_owned(),
        subject: String::new(),
        before: None,
        after: None,
    };
    let mut ids = Vec::new();
    for person in &roster.staff {
        ids.push((
            person.phone.clone(),
            store.upsert_staff(person, &audit("upsert")).await?,
        ));
    }
    let (mut added, mut over) = (0, 0);
    for (phone, shift) in &roster.shifts {
        // The rota never changes the past: a shift already over would never be in force.
        if shift.ends_at <= now {
            over += 1;
            continue;
        }
        let staff_id = ids
            .iter()
            .find(|(p, _)| p == phone)
            .map(|(_, id)| *id)
            .unwrap_or_default();
        let shift = ShiftSpec {
            staff_id,
            ..shift.clone()
        };
        let rule = shift.to_rule(now);
        let existing = store
            .rules_between(shift.starts_at.max(now), shift.ends_at)
            .await?;
        let kept = existing
            .iter()
            .any(|r| r.kind == RuleKind::Shift && r.valid_until.is_none() && r.body == rule.body);
        if !kept {
            let entry = AuditEntry {
                after: Some(rule.body.clone()),
                ..audit("create")
            };
            store
                .create_rules(std::slice::from_ref(&rule), &entry)
                .await?;
            added += 1;
        }
    }
    Ok(Imported {
        staff: roster.staff.len(),
        shifts: added,
        shifts_over: over,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALMATY: Tz = chrono_tz::Asia::Almaty;

    #[test]
    fn the_example_file_is_valid() {
        let text = include_str!("../examples/rota.toml");
        let rota = parse(text, ALMATY).expect("the example parses");
        assert!(rota.staff.len() >= 3);
        assert!(rota.staff.iter().any(|s| s.is_coordinator));
        assert!(!rota.shifts.is_empty());
    }

    #[test]
    fn local_times_are_read_in_the_hotlines_time_zone() {
        let text = r#"
[[staff]]
name = "Айгерим"
phone = "+77015550101"
services = ["legal"]
languages = ["kk", "ru"]

[[shift]]
staff = "+77015550101"
service = "legal"
start = 2026-11-24T09:00:00
end = 2026-11-24T18:00:00+05:00
"#;
        let rota = parse(text, ALMATY).expect("valid");
        let (_, shift) = &rota.shifts[0];
        assert_eq!(shift.starts_at.to_rfc3339(), "2026-11-24T04:00:00+00:00");
        assert_eq!(shift.ends_at.to_rfc3339(), "2026-11-24T13:00:00+00:00");
    }

    #[test]
    fn every_mistake_is_reported_with_its_line() {
        let text = r#"[[staff]]
name = "Айгерим"
phone = "87015550101"
services = ["legal", "medical"]
languages = ["ru"]

[[staff]]
name = "Дана"
phone = "+77015550102"
services = ["psychological"]
languages = ["ru"]

[[staff]]
name = "Сауле"
phone = "+77015550103"
services = ["legal"]
languages = ["en"]

[[shift]]
staff = "+77015550199"
service = "legal"
start = 2026-11-24T09:00:00
end = 2026-11-24T18:00:00

[[shift]]
staff = "+77015550102"
service = "legal"
start = 2026-11-24T18:00:00
end = 2026-11-24T09:00:00

[[shift]]
staff = "+77015550103"
service = "legal"
start = 2026-11-24T09:00:00
end = 2026-11-24T18:00:00
"#;
        let errors = parse(text, ALMATY).expect_err("invalid");
        assert_eq!(
            errors,
            vec![
                "line 3: a phone number must start with + and the country code, like +77011234567",
                "line 4: unknown service \"medical\"; expected one of legal, psychological, mens",
                "line 17: unknown language \"en\"; expected one of kk, ru",
                "line 20: the shift's staff must be the phone number of a [[staff]] entry in this file",
                "line 29: a shift must end after it starts",
            ],
            "a shift of an invalid staff entry adds no second error"
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let errors = parse("[[staff]]\nname = \n", ALMATY).expect_err("invalid");
        assert!(errors[0].contains("line 2"), "{errors:?}");
    }
}
