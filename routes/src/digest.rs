//! The coordinator's morning digest: yesterday's contacts by service and outcome, the
//! follow-ups still owed and how long they have waited, and the rota's gaps in the week ahead.
//! Counts only: never a caller's number or words.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use hotline_schedules::Service;

use crate::call::CallOutcome;
use crate::prompts::service_russian;
use crate::rota_watch::{RotaGap, local};

/// What the digest tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestFacts {
    /// The local day it covers.
    pub day: NaiveDate,
    /// Calls that began that day, by the service chosen (`None`: she chose none) and how they
    /// ended (`None`: not ended yet).
    pub calls: BTreeMap<(Option<Service>, Option<CallOutcome>), u32>,
    /// Text conversations opened that day, by service.
    pub conversations: BTreeMap<Service, u32>,
    /// How long each follow-up still open has waited.
    pub open_follow_ups: Vec<Duration>,
    /// Gaps in the rota in the days ahead.
    pub gaps: Vec<RotaGap>,
    /// The audit log's newest entry and its hash, as `ENTRY:HASH`: kept in the coordinators'
    /// phones, outside the database, so a log rewritten later no longer matches it.
    pub audit_anchor: Option<String>,
}

fn outcome_russian(outcome: Option<CallOutcome>) -> &'static str {
    match outcome {
        Some(CallOutcome::Answered) => "отвечено",
        Some(CallOutcome::Voicemail) => "голосовое",
        Some(CallOutcome::Missed) => "пропущено",
        Some(CallOutcome::Abandoned) => "сброшено",
        Some(CallOutcome::Blocked) => "заблокировано",
        Some(CallOutcome::Closed) => "без итога",
        None => "идёт",
    }
}

/// "3 ч 05 мин", "45 мин", "2 дн 4 ч".
pub fn age_russian(age: Duration) -> String {
    let minutes = age.num_minutes().max(0);
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{minutes} мин"),
        (0, _) => format!("{hours} ч {minutes:02} мин"),
        _ => format!("{days} дн {hours} ч"),
    }
}

/// The digest, in Russian, with times in `zone`.
pub fn digest_text(facts: &DigestFacts, zone: Tz) -> String {
    let mut lines = vec![format!("Сводка за {}.", facts.day.format("%d.%m.%Y"))];
    let total: u32 = facts.calls.values().sum();
    if total == 0 {
        lines.push("Звонков не было.".to_owned());
    } else {
        lines.push(format!("Звонков: {total}."));
        let mut by_service: BTreeMap<Option<Service>, Vec<String>> = BTreeMap::new();
        for ((service, outcome), count) in &facts.calls {
            by_service
                .entry(*service)
                .or_default()
                .push(format!("{} {count}", outcome_russian(*outcome)));
        }
        for (service, counts) in by_service {
            let name = service.map_or("услуга не выбрана", service_russian);
            lines.push(format!("— {name}: {}.", counts.join(", ")));
        }
    }
    let written: u32 = facts.conversations.values().sum();
    if written == 0 {
        lines.push("Переписок не было.".to_owned());
    } else {
        let parts: Vec<String> = facts
            .conversations
            .iter()
            .map(|(service, count)| format!("{} {count}", service_russian(*service)))
            .collect();
        lines.push(format!("Переписок: {written} ({}).", parts.join(", ")));
    }
    match facts.open_follow_ups.iter().max() {
        None => lines.push("Открытых обращений нет.".to_owned()),
        Some(oldest) => lines.push(format!(
            "Ждут ответа: {}, самое давнее — {}.",
            facts.open_follow_ups.len(),
            age_russian(*oldest)
        )),
    }
    if facts.gaps.is_empty() {
        lines.push("Пробелов в графике на 7 дней нет.".to_owned());
    } else {
        let gaps: Vec<String> = facts
            .gaps
            .iter()
            .map(|gap| {
                let until = gap.to.map_or("…".to_owned(), |to| local(to, zone));
                format!(
                    "{} {}–{until}",
                    service_russian(gap.service),
                    local(gap.from, zone)
                )
            })
            .collect();
        lines.push(format!("Пробелы в графике: {}.", gaps.join("; ")));
    }
    if let Some(anchor) = &facts.audit_anchor {
        lines.push(format!("Отпечаток журнала: {anchor}."));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    const ALMATY: Tz = chrono_tz::Asia::Almaty;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid")
    }

    #[test]
    fn a_quiet_day_says_so() {
        let facts = DigestFacts {
            day: day(),
            ..DigestFacts::default()
        };
        assert_eq!(
            digest_text(&facts, ALMATY),
            "Сводка за 24.11.2026.\nЗвонков не было.\nПереписок не было.\n\
             Открытых обращений нет.\nПробелов в графике на 7 дней нет."
        );
    }

    #[test]
    fn the_audit_logs_anchor_ends_the_digest() {
        let facts = DigestFacts {
            day: day(),
            audit_anchor: Some("1042:3fa9c2d1e0b47a65".to_owned()),
            ..DigestFacts::default()
        };
        assert!(
            digest_text(&facts, ALMATY).ends_with("\nОтпечаток журнала: 1042:3fa9c2d1e0b47a65."),
            "{}",
            digest_text(&facts, ALMATY)
        );
    }

    #[test]
    fn a_busy_day_is_counted_by_service_and_outcome() {
        let mut calls = BTreeMap::new();
        calls.insert((Some(Service::Legal), Some(CallOutcome::Answered)), 3);
        calls.insert((Some(Service::Legal), Some(CallOutcome::Missed)), 1);
        calls.insert(
            (Some(Service::Psychological), Some(CallOutcome::Voicemail)),
            1,
        );
        calls.insert((None, Some(CallOutcome::Abandoned)), 2);
        let mut conversations = BTreeMap::new();
        conversations.insert(Service::Legal, 2);
        conversations.insert(Service::Psychological, 1);
        let facts = DigestFacts {
            day: day(),
            calls,
            conversations,
            open_follow_ups: vec![Duration::minutes(40), Duration::minutes(185)],
            gaps: vec![RotaGap {
                service: Service::Legal,
                from: Utc
                    .with_ymd_and_hms(2026, 11, 26, 17, 0, 0)
                    .single()
                    .expect("valid"),
                to: Some(
                    Utc.with_ymd_and_hms(2026, 11, 27, 3, 0, 0)
                        .single()
                        .expect("valid"),
                ),
            }],
            audit_anchor: None,
        };
        assert_eq!(
            digest_text(&facts, ALMATY),
            "Сводка за 24.11.2026.\nЗвонков: 7.\n\
             — услуга не выбрана: сброшено 2.\n\
             — юридическая помощь: отвечено 3, пропущено 1.\n\
             — психологическая помощь: голосовое 1.\n\
             Переписок: 3 (юридическая помощь 2, психологическая помощь 1).\n\
             Ждут ответа: 2, самое давнее — 3 ч 05 мин.\n\
             Пробелы в графике: юридическая помощь 26.11 22:00–27.11 08:00."
        );
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age_russian(Duration::minutes(45)), "45 мин");
        assert_eq!(age_russian(Duration::minutes(125)), "2 ч 05 мин");
        assert_eq!(age_russian(Duration::hours(52)), "2 дн 4 ч");
    }
}
