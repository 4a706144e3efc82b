//! A rotation as its form is typed, and back: the people in turn order (one select per place,
//! blanks skipped), the first handoff as a local date and time, how often it hands over, and up
//! to two weekly windows of working hours (days ticked, from, to; none ticked means around the
//! clock). Reading a form never guesses: anything it cannot read is refused with its field.

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use hotline_schedules::Service;
use hotline_schedules::model::{ActiveWindow, Handoff, HandoffUnit, Weekdays};

use crate::rota::edit::{EditError, invalid};
use crate::rota::refusal::Problem;
use crate::rota::spec::RotationSpec;

/// How many windows of working hours the form offers.
pub const WINDOWS: usize = 2;

pub const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

pub const UNITS: [(HandoffUnit, &str); 4] = [
    (HandoffUnit::Hours, "hours"),
    (HandoffUnit::Days, "days"),
    (HandoffUnit::Weeks, "weeks"),
    (HandoffUnit::ActiveShifts, "active_shifts"),
];

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WindowForm {
    /// `mon` … `sun`, as ticked.
    pub days: Vec<String>,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RotationForm {
    pub name: String,
    pub service: String,
    pub position: String,
    /// Staff ids in turn order, blanks dropped.
    pub members: Vec<String>,
    pub start_date: String,
    pub start_time: String,
    pub every: String,
    pub unit: String,
    pub windows: [WindowForm; WINDOWS],
}

impl RotationForm {
    /// A new rotation's form: a week each, handing over on Monday morning.
    pub fn new_for(service: Service, monday: NaiveDate) -> Self {
        RotationForm {
            service: service.as_str().to_owned(),
            position: "0".to_owned(),
            start_date: monday.format("%Y-%m-%d").to_string(),
            start_time: "09:00".to_owned(),
            every: "1".to_owned(),
            unit: "weeks".to_owned(),
            ..RotationForm::default()
        }
    }

    /// The form as posted: repeated `member` and `wN_day` fields keep their order.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = RotationForm::default();
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "name" => form.name = value,
                "service" => form.service = value,
                "position" => form.position = value,
                "member" if !value.is_empty() => form.members.push(value),
                "start_date" => form.start_date = value,
                "start_time" => form.start_time = value,
                "every" => form.every = value,
                "unit" => form.unit = value,
                _ => {
                    if let Some((index, field)) = window_field(key) {
                        let window = &mut form.windows[index];
                        match field {
                            "day" => window.days.push(value),
                            "from" => window.from = value,
                            _ => window.to = value,
                        }
                    }
                }
            }
        }
        form
    }

    pub fn from_spec(spec: &RotationSpec) -> Self {
        let mut windows: [WindowForm; WINDOWS] = Default::default();
        for (form, window) in windows.iter_mut().zip(&spec.windows) {
            *form = WindowForm {
                days: DAYS
                    .iter()
                    .filter(|(day, _)| window.days.contains(*day))
                    .map(|(_, name)| (*name).to_owned())
                    .collect(),
                from: window.from.format("%H:%M").to_string(),
                to: window.to.format("%H:%M").to_string(),
            };
        }
        RotationForm {
            name: spec.name.clone(),
            service: spec.service.as_str().to_owned(),
            position: spec.position.to_string(),
            members: spec.members.iter().map(i64::to_string).collect(),
            start_date: spec.start.format("%Y-%m-%d").to_string(),
            start_time: spec.start.format("%H:%M").to_string(),
            every: spec.handoff.every.to_string(),
            unit: UNITS
                .iter()
                .find(|(unit, _)| *unit == spec.handoff.unit)
                .map_or("weeks", |(_, name)| name)
                .to_owned(),
            windows,
        }
    }

    /// The rotation the form describes, in `zone`; the editor checks the rest.
    pub fn to_spec(&self, zone: Tz) -> Result<RotationSpec, EditError> {
        let unreadable = |field: &str| invalid(field, Problem::Unreadable);
        let service = Service::ALL
            .into_iter()
            .find(|service| service.as_str() == self.service)
            .ok_or_else(|| unreadable("service"))?;
        let members = self
            .members
            .iter()
            .map(|id| id.parse().map_err(|_| unreadable("members")))
            .collect::<Result<Vec<i64>, _>>()?;
        let date = NaiveDate::parse_from_str(&self.start_date, "%Y-%m-%d")
            .map_err(|_| unreadable("start"))?;
        let time = time(&self.start_time).ok_or_else(|| unreadable("start"))?;
        let unit = UNITS
            .iter()
            .find(|(_, name)| *name == self.unit)
            .map(|(unit, _)| *unit)
            .ok_or_else(|| unreadable("handoff.unit"))?;
        let every = self
            .every
            .parse()
            .map_err(|_| unreadable("handoff.every"))?;
        let mut windows = Vec::new();
        for (index, window) in self.windows.iter().enumerate() {
            if let Some(window) = window.to_window(index)? {
                windows.push(window);
            }
        }
        Ok(RotationSpec {
            name: self.name.trim().to_owned(),
            service,
            position: self.position.parse().map_err(|_| unreadable("position"))?,
            members,
            zone,
            start: date.and_time(time),
            handoff: Handoff { every, unit },
            windows,
        })
    }
}

impl WindowForm {
    fn to_window(&self, index: usize) -> Result<Option<ActiveWindow>, EditError> {
        let field = |name: &str| format!("windows[{index}].{name}");
        if self.days.is_empty() && self.from.is_empty() && self.to.is_empty() {
            return Ok(None);
        }
        let mut days = Weekdays::default();
        for name in &self.days {
            let (day, _) = DAYS
                .iter()
                .find(|(_, known)| known == name)
                .ok_or_else(|| invalid(&field("days"), Problem::Unreadable))?;
            days.0 |= 1 << day.num_days_from_monday();
        }
        if days.0 == 0 {
            return Err(invalid(&field("days"), Problem::NoDays));
        }
        // Days ticked with no times: the whole of each day.
        let from = optional_time(&self.from)
            .ok_or_else(|| invalid(&field("from"), Problem::Unreadable))?;
        let to =
            optional_time(&self.to).ok_or_else(|| invalid(&field("to"), Problem::Unreadable))?;
        Ok(Some(ActiveWindow { days, from, to }))
    }
}

fn time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

fn optional_time(text: &str) -> Option<NaiveTime> {
    if text.is_empty() {
        Some(NaiveTime::MIN)
    } else {
        time(text)
    }
}

/// `w0_day` → (0, "day"); `w1_from` → (1, "from").
fn window_field(key: &str) -> Option<(usize, &str)> {
    let (index, field) = key.strip_prefix('w')?.split_once('_')?;
    let index: usize = index.parse().ok()?;
    (index < WINDOWS && matches!(field, "day" | "from" | "to")).then_some((index, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_typed_rotation_keeps_its_turn_order_and_reads_back_as_typed() {
        let form = RotationForm::from_pairs(&pairs(&[
            ("name", " Юристы, будни "),
            ("service", "legal"),
            ("position", "0"),
            ("member", "7"),
            ("member", ""),
            ("member", "3"),
            ("start_date", "2026-11-30"),
            ("start_time", "09:00"),
            ("every", "1"),
            ("unit", "active_shifts"),
            ("w0_day", "mon"),
            ("w0_day", "fri"),
            ("w0_from", "09:00"),
            ("w0_to", "18:00"),
            ("w1_from", ""),
        ]));
        let spec = form.to_spec(chrono_tz::Asia::Almaty).expect("readable");
        assert_eq!(spec.members, vec![7, 3]);
        assert_eq!(spec.name, "Юристы, будни");
        assert_eq!(spec.handoff.unit, HandoffUnit::ActiveShifts);
        assert_eq!(spec.windows.len(), 1);
        assert!(spec.windows[0].days.contains(Weekday::Fri));
        assert!(!spec.windows[0].days.contains(Weekday::Tue));
        let back = RotationForm::from_spec(&spec);
        assert_eq!(back.members, vec!["7", "3"]);
        assert_eq!(back.windows[0].days, vec!["mon", "fri"]);
        assert_eq!(back.to_spec(chrono_tz::Asia::Almaty).expect("again"), spec);
    }

    #[test]
    fn days_ticked_without_times_are_whole_days_and_times_without_days_are_refused() {
        let whole = WindowForm {
            days: vec!["sat".to_owned()],
            ..WindowForm::default()
        };
        let window = whole.to_window(0).expect("readable").expect("a window");
        assert_eq!(window.length(), chrono::TimeDelta::days(1));
        let dayless = WindowForm {
            from: "20:00".to_owned(),
            to: "08:00".to_owned(),
            ..WindowForm::default()
        };
        assert!(matches!(
            dayless.to_window(1),
            Err(EditError::Invalid { field, problem: Problem::NoDays }) if field == "windows[1].days"
        ));
    }

    #[test]
    fn a_garbled_field_is_refused_by_name() {
        let mut form = RotationForm::new_for(Service::Legal, NaiveDate::MIN);
        form.unit = "fortnights".to_owned();
        assert!(matches!(
            form.to_spec(chrono_tz::Asia::Almaty),
            Err(EditError::Invalid { field, .. }) if field == "handoff.unit"
        ));
        assert_eq!(window_field("w2_day"), None);
        assert_eq!(window_field("w1_to"), Some((1, "to")));
    }
}
