//! The Lines page's settings form: a line shown as form fields, and the fields as posted read
//! back into a `Line`, each thing wrong named beside its own field with what was typed kept.
//! Menus are chosen by position ("not offered / 1 / 2 / 3"), so the order is the caller's
//! digits; the hours and holidays rows are `line_hours.rs`'s. Never touches the store.

use std::collections::BTreeMap;

use hotline_routes::hours::OpeningHours;
use hotline_routes::line::{Line, LineError, RingStrategy};
use hotline_schedules::model::ActiveWindow;
use hotline_schedules::{Gender, Language, Service};

use super::line_hours::{SPARE_ROWS, WindowRow, holidays, posted_rows, round_the_clock, row};
use super::words::{Text, Words};

/// One language or service of a menu: its select's name, its words, its position ("" if not
/// offered), and the positions it may take.
#[derive(Debug)]
pub struct MenuChoice {
    pub field: String,
    pub label: &'static str,
    pub position: String,
    pub positions: Vec<String>,
}

/// The form's values as shown: from the stored line, or as typed.
#[derive(Debug)]
pub struct LineFields {
    pub name: String,
    pub languages: Vec<MenuChoice>,
    pub default_language: String,
    pub services: Vec<MenuChoice>,
    pub ring: String,
    pub ring_seconds: String,
    pub wait_limit_seconds: String,
    pub prefer_gender: String,
    pub always_open: bool,
    pub windows: Vec<WindowRow>,
    pub holidays: String,
}

/// What is wrong, by field; shown beside each.
#[derive(Debug, Default)]
pub struct LineProblems {
    pub name: Option<&'static str>,
    pub languages: Option<&'static str>,
    pub default_language: Option<&'static str>,
    pub services: Option<&'static str>,
    pub ring_seconds: Option<&'static str>,
    pub wait_limit_seconds: Option<&'static str>,
    pub hours: Option<&'static str>,
    pub holidays: Option<&'static str>,
    /// Something `Line::validate` found that no field above names.
    pub other: Option<&'static str>,
}

impl LineProblems {
    pub fn any(&self) -> bool {
        [
            self.name,
            self.languages,
            self.default_language,
            self.services,
            self.ring_seconds,
            self.wait_limit_seconds,
            self.hours,
            self.holidays,
            self.other,
        ]
        .iter()
        .any(Option::is_some)
    }

    /// Puts what `Line::validate` refused beside its field.
    pub fn from_validation(t: Words, error: &LineError) -> Self {
        let mut problems = LineProblems::default();
        match error.field {
            "languages" => problems.languages = Some(t.say(Text::LanguagesNeeded)),
            "default_language" => {
                problems.default_language = Some(t.say(Text::DefaultLanguageNotOffered))
            }
            "services" => problems.services = Some(t.say(Text::ServicesNeeded)),
            "ring_seconds" => problems.ring_seconds = Some(t.say(Text::RingSecondsInvalid)),
            "wait_limit_seconds" => {
                problems.wait_limit_seconds = Some(t.say(Text::WaitLimitInvalid))
            }
            "hours.windows" => problems.hours = Some(t.say(Text::HoursInvalid)),
            _ => problems.other = Some(t.say(Text::LineInvalid)),
        }
        problems
    }
}

pub fn language_name(t: Words, language: Language) -> &'static str {
    t.say(match language {
        Language::Kk => Text::LanguageKk,
        Language::Ru => Text::LanguageRu,
    })
}

fn language_field(language: Language) -> String {
    format!("language-{}", language.as_str())
}

fn service_field(service: Service) -> String {
    format!("service-{}", service.as_str())
}

fn menu<T: Copy + PartialEq>(
    options: &[T],
    offered: &[T],
    field: impl Fn(T) -> String,
    label: impl Fn(T) -> &'static str,
) -> Vec<MenuChoice> {
    let positions: Vec<String> = (1..=options.len()).map(|n| n.to_string()).collect();
    options
        .iter()
        .map(|&option| MenuChoice {
            field: field(option),
            label: label(option),
            position: offered
                .iter()
                .position(|o| *o == option)
                .map(|i| (i + 1).to_string())
                .unwrap_or_default(),
            positions: positions.clone(),
        })
        .collect()
}

impl LineFields {
    /// A line as its form shows it.
    pub fn of(t: Words, line: &Line) -> Self {
        let (always_open, windows, holidays) = match &line.hours {
            None => (true, Vec::new(), Vec::new()),
            Some(hours) if hours.windows == [round_the_clock()] => {
                (true, Vec::new(), hours.holidays.clone())
            }
            Some(hours) => (false, hours.windows.clone(), hours.holidays.clone()),
        };
        let rows = windows
            .iter()
            .map(Some)
            .chain(std::iter::repeat_n(None, SPARE_ROWS))
            .enumerate()
            .map(|(i, w)| row(t, i, w))
            .collect();
        LineFields {
            name: line.name.clone(),
            languages: menu(&Language::ALL, &line.languages, language_field, |l| {
                language_name(t, l)
            }),
            default_language: line.default_language.as_str().to_owned(),
            services: menu(&Service::ALL, &line.services, service_field, |s| {
                t.service(Some(s))
            }),
            ring: ring_value(line.ring).to_owned(),
            ring_seconds: line.ring_seconds.to_string(),
            wait_limit_seconds: line.wait_limit_seconds.to_string(),
            prefer_gender: line
                .prefer_gender
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default(),
            always_open,
            windows: rows,
            holidays: holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn gender_options(t: Words) -> [(&'static str, &'static str); 3] {
        [
            ("", t.say(Text::NoPreference)),
            (Gender::Female.as_str(), t.say(Text::Women)),
            (Gender::Male.as_str(), t.say(Text::Men)),
        ]
    }

    pub fn ring_options(t: Words) -> [(&'static str, &'static str); 2] {
        [
            (
                ring_value(RingStrategy::Sequential),
                t.say(Text::RingSequential),
            ),
            (
                ring_value(RingStrategy::Simultaneous),
                t.say(Text::RingSimultaneous),
            ),
        ]
    }
}

pub fn ring_value(ring: RingStrategy) -> &'static str {
    match ring {
        RingStrategy::Sequential => "sequential",
        RingStrategy::Simultaneous => "simultaneous",
    }
}

/// The settings form as posted: every field by its name (checkboxes present when ticked).
pub type LineForm = BTreeMap<String, String>;

pub(super) fn field<'a>(form: &'a LineForm, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

/// The menu a form's position selects make, in the order of their positions; `None` when a
/// position is not a number.
fn chosen<T: Copy>(form: &LineForm, options: &[T], name: impl Fn(T) -> String) -> Option<Vec<T>> {
    let mut placed = Vec::new();
    for (i, &option) in options.iter().enumerate() {
        match field(form, &name(option)) {
            "" => {}
            position => placed.push((position.parse::<u32>().ok()?, i, option)),
        }
    }
    placed.sort_by_key(|&(position, i, _)| (position, i));
    Some(placed.into_iter().map(|(_, _, option)| option).collect())
}

/// The fields again as typed, to show with what is wrong.
pub fn as_typed(t: Words, form: &LineForm) -> LineFields {
    let mut fields = LineFields::of(t, &Line::default());
    fields.name = form.get("name").cloned().unwrap_or_default();
    for choice in fields.languages.iter_mut().chain(&mut fields.services) {
        choice.position = field(form, &choice.field).to_owned();
    }
    fields.default_language = field(form, "default_language").to_owned();
    fields.ring = field(form, "ring").to_owned();
    fields.ring_seconds = form.get("ring_seconds").cloned().unwrap_or_default();
    fields.wait_limit_seconds = form.get("wait_limit_seconds").cloned().unwrap_or_default();
    fields.prefer_gender = field(form, "prefer_gender").to_owned();
    fields.always_open = field(form, "hours") != "windows";
    let rows = posted_rows(form).len().max(1);
    fields.windows = (0..rows)
        .map(|i| {
            let mut shown = row(t, i, None);
            for day in &mut shown.days {
                day.checked = form.contains_key(&day.field);
            }
            shown.from = field(form, &format!("w{i}-from")).to_owned();
            shown.to = field(form, &format!("w{i}-to")).to_owned();
            shown
        })
        .collect();
    fields.holidays = form.get("holidays").cloned().unwrap_or_default();
    fields
}

/// Reads the posted form into the line it describes, keeping what the form does not show (the
/// hours' zone and the recordings) from `kept`; or what is wrong with it, by field. The line is
/// not yet validated as a whole: `Line::validate` (through the shared save) does that.
pub fn read(t: Words, form: &LineForm, kept: &Line) -> Result<Line, Box<LineProblems>> {
    let mut problems = LineProblems::default();
    let name = field(form, "name").to_owned();
    if name.is_empty() {
        problems.name = Some(t.say(Text::NameNeeded));
    }
    let languages = chosen(form, &Language::ALL, language_field).unwrap_or_default();
    if languages.is_empty() {
        problems.languages = Some(t.say(Text::LanguagesNeeded));
    }
    let default_language = field(form, "default_language").parse::<Language>();
    if default_language.is_err() {
        problems.default_language = Some(t.say(Text::DefaultLanguageNotOffered));
    }
    let services = chosen(form, &Service::ALL, service_field).unwrap_or_default();
    if services.is_empty() {
        problems.services = Some(t.say(Text::ServicesNeeded));
    }
    let ring = if field(form, "ring") == ring_value(RingStrategy::Simultaneous) {
        RingStrategy::Simultaneous
    } else {
        RingStrategy::Sequential
    };
    let ring_seconds = field(form, "ring_seconds").parse::<u32>();
    if ring_seconds.is_err() {
        problems.ring_seconds = Some(t.say(Text::RingSecondsInvalid));
    }
    let wait_limit_seconds = field(form, "wait_limit_seconds").parse::<u32>();
    if wait_limit_seconds.is_err() {
        problems.wait_limit_seconds = Some(t.say(Text::WaitLimitInvalid));
    }
    let prefer_gender = field(form, "prefer_gender").parse::<Gender>().ok();
    let holidays = holidays(field(form, "holidays"));
    if holidays.is_none() {
        problems.holidays = Some(t.say(Text::HolidaysInvalid));
    }
    let windows = if field(form, "hours") == "windows" {
        let rows = posted_rows(form);
        let typed: Vec<_> = rows.into_iter().filter(|(_, _, empty)| !empty).collect();
        let windows: Option<Vec<ActiveWindow>> = typed.iter().map(|(_, w, _)| *w).collect();
        match windows {
            Some(windows) if !windows.is_empty() => Some(windows),
            _ => {
                problems.hours = Some(t.say(Text::HoursInvalid));
                None
            }
        }
    } else {
        None
    };
    if problems.any() {
        return Err(Box::new(problems));
    }
    let holidays = holidays.unwrap_or_default();
    let zone = kept
        .hours
        .as_ref()
        .map_or(hotline_schedules::HOTLINE_ZONE, |h| h.zone);
    let hours = match (windows, holidays.is_empty()) {
        (Some(windows), _) => Some(OpeningHours {
            zone,
            windows,
            holidays,
        }),
        (None, true) => None,
        (None, false) => Some(OpeningHours {
            zone,
            windows: vec![round_the_clock()],
            holidays,
        }),
    };
    Ok(Line {
        name,
        languages,
        default_language: default_language.unwrap_or(Language::Ru),
        services,
        ring,
        ring_seconds: ring_seconds.unwrap_or_default(),
        wait_limit_seconds: wait_limit_seconds.unwrap_or_default(),
        hours,
        prefer_gender,
        recordings: kept.recordings.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PageLanguage;
    use crate::web::pages::line_hours::describe_hours;
    use chrono::NaiveDate;
    use hotline_schedules::model::Weekdays;

    const EN: Words = Words(PageLanguage::En);

    fn form(pairs: &[(&str, &str)]) -> LineForm {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("name", "Линия доверия"),
            ("language-kk", "2"),
            ("language-ru", "1"),
            ("default_language", "ru"),
            ("service-legal", ""),
            ("service-psychological", "1"),
            ("service-mens", "2"),
            ("ring", "simultaneous"),
            ("ring_seconds", "25"),
            ("wait_limit_seconds", "120"),
            ("prefer_gender", "female"),
            ("hours", "always"),
            ("holidays", ""),
        ]
    }

    #[test]
    fn positions_order_the_menus_and_what_is_not_offered_is_left_out() {
        let line = read(EN, &form(&base()), &Line::default()).expect("a good form");
        assert_eq!(line.languages, vec![Language::Ru, Language::Kk]);
        assert_eq!(line.services, vec![Service::Psychological, Service::Mens]);
        assert_eq!(line.ring, RingStrategy::Simultaneous);
        assert_eq!((line.ring_seconds, line.wait_limit_seconds), (25, 120));
        assert_eq!(line.prefer_gender, Some(Gender::Female));
        assert_eq!(line.hours, None, "always open");
        assert_eq!(line.validate(), Ok(()));
    }

    #[test]
    fn a_night_row_runs_past_midnight_and_holidays_close_whole_days() {
        let mut pairs = base();
        pairs.extend([
            ("hours", "windows"),
            ("w0-4", "on"),
            ("w0-5", "on"),
            ("w0-from", "20:00"),
            ("w0-to", "08:00"),
            ("w1-from", ""),
            ("w1-to", ""),
            ("holidays", "2027-03-22\r\n2027-01-01, 2027-03-22"),
        ]);
        let line = read(EN, &form(&pairs), &Line::default()).expect("a good form");
        let hours = line.hours.clone().expect("hours");
        assert_eq!(hours.windows.len(), 1, "the empty row is ignored");
        assert_eq!(hours.windows[0].days, Weekdays(0b011_0000));
        assert_eq!(
            hours.holidays,
            vec![
                NaiveDate::from_ymd_opt(2027, 1, 1).expect("a date"),
                NaiveDate::from_ymd_opt(2027, 3, 22).expect("a date")
            ]
        );
        assert_eq!(
            describe_hours(EN, line.hours.as_ref()),
            "Fri Sat 20:00–08:00; closed: 2027-01-01, 2027-03-22"
        );
        let shown = LineFields::of(EN, &line);
        assert!(!shown.always_open);
        assert_eq!(shown.windows.len(), 1 + SPARE_ROWS);
        assert_eq!(
            (shown.windows[0].from.as_str(), shown.windows[0].to.as_str()),
            ("20:00", "08:00")
        );
        assert_eq!(shown.holidays, "2027-01-01\n2027-03-22");
    }

    #[test]
    fn always_open_with_holidays_is_kept_as_round_the_clock_and_shown_as_always_open() {
        let mut pairs = base();
        pairs.push(("holidays", "2027-03-22"));
        let line = read(EN, &form(&pairs), &Line::default()).expect("a good form");
        let hours = line.hours.clone().expect("hours, for the holiday");
        assert_eq!(hours.windows, vec![round_the_clock()]);
        let shown = LineFields::of(EN, &line);
        assert!(shown.always_open);
        assert_eq!(shown.holidays, "2027-03-22");
    }

    #[test]
    fn what_cannot_be_read_is_named_by_its_field() {
        let mut pairs = base();
        pairs.extend([
            ("name", " "),
            ("language-kk", ""),
            ("language-ru", ""),
            ("ring_seconds", "twenty"),
            ("hours", "windows"),
            ("w0-1", "on"),
            ("w0-from", "25:00"),
            ("w0-to", "08:00"),
            ("holidays", "22.03.2027"),
        ]);
        let problems = read(EN, &form(&pairs), &Line::default()).expect_err("refused");
        assert!(problems.name.is_some());
        assert!(problems.languages.is_some());
        assert!(problems.ring_seconds.is_some());
        assert!(problems.hours.is_some());
        assert!(problems.holidays.is_some());
        assert!(problems.services.is_none() && problems.wait_limit_seconds.is_none());
        let typed = as_typed(EN, &form(&pairs));
        assert_eq!(typed.ring_seconds, "twenty", "what she typed is kept");
        assert_eq!(typed.windows[0].from, "25:00");
        assert!(typed.windows[0].days[1].checked);
    }

    #[test]
    fn what_validate_refuses_lands_beside_its_field() {
        let error = LineError {
            field: "ring_seconds",
            problem: String::new(),
        };
        let problems = LineProblems::from_validation(EN, &error);
        assert_eq!(
            problems.ring_seconds,
            Some(EN.say(Text::RingSecondsInvalid))
        );
        assert!(problems.any());
    }
}
