//! Reminding about a missed contact until someone answers it, as pure functions: when the n-th
//! reminder is due, who it reaches, and what it says. Reminders go to the people on duty every
//! `interval`; after `per_level` unanswered reminders the backup is added, after twice as many
//! the coordinators. A follow-up assigned to a staff member is hers: its reminders go to her
//! instead of the people on duty, and escalate to the backup and the coordinators as often. And what a staff member is told when a follow-up they planned comes due.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hotline_schedules::Service;
use hotline_schedules::model::{OnDuty, Position, Slot};

use crate::prompts::service_russian;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Between two reminders.
    pub interval: Duration,
    /// Reminders at each level before the next is added.
    pub per_level: u32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            interval: Duration::minutes(15),
            per_level: 3,
        }
    }
}

/// How far a reminder reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// The primary on duty (and people added by overrides).
    OnDuty,
    /// And the backup (every scheduled position).
    Backup,
    /// And the coordinators.
    Coordinators,
}

/// How far reminder `n` (1 for the first) reaches.
pub fn reach(settings: &ReminderSettings, n: u32) -> Reach {
    let per_level = settings.per_level.max(1);
    if n <= per_level {
        Reach::OnDuty
    } else if n <= 2 * per_level {
        Reach::Backup
    } else {
        Reach::Coordinators
    }
}

/// When the first reminder is due: at once, or one interval on when the opening itself already
/// reached the people on duty with what to do (her first text, relayed with its code).
pub fn first_due_at(
    settings: &ReminderSettings,
    opened_at: DateTime<Utc>,
    opening_told_them: bool,
) -> DateTime<Utc> {
    if opening_told_them {
        opened_at + settings.interval
    } else {
        opened_at
    }
}

/// When the reminder after one due at `due_at` is due: counted from when this one was due, not
/// when it ran, so a late runner does not make them drift.
pub fn next_due_at(settings: &ReminderSettings, due_at: DateTime<Utc>) -> DateTime<Utc> {
    due_at + settings.interval
}

/// The people reminder at `reach` goes to, of those on duty (in their order), each once. When
/// that is nobody (no one on the rota), the coordinators: a reminder must reach someone.
pub fn recipients(on_duty: &[OnDuty], reach: Reach) -> Vec<i64> {
    let wanted = |slot: Slot, reach: Reach| match slot {
        Slot::Scheduled(Position::PRIMARY) | Slot::Added => true,
        Slot::Scheduled(_) => reach >= Reach::Backup,
        Slot::Coordinator => reach >= Reach::Coordinators,
    };
    let mut ids: Vec<i64> = Vec::new();
    for duty in on_duty.iter().filter(|d| wanted(d.slot, reach)) {
        if !ids.contains(&duty.staff_id) {
            ids.push(duty.staff_id);
        }
    }
    if ids.is_empty() {
        ids = on_duty
            .iter()
            .filter(|d| d.slot == Slot::Coordinator)
            .map(|d| d.staff_id)
            .collect();
    }
    ids
}

/// The people reminder at `reach` goes to when the follow-up belongs to `assignee`: her alone
/// at first, instead of the primary on duty; then, as escalation adds them, the backups on duty
/// and the coordinators, each once, she first.
pub fn assigned_recipients(assignee: i64, on_duty: &[OnDuty], reach: Reach) -> Vec<i64> {
    let wanted = |slot: Slot| match slot {
        Slot::Scheduled(Position::PRIMARY) | Slot::Added => false,
        Slot::Scheduled(_) => reach >= Reach::Backup,
        Slot::Coordinator => reach >= Reach::Coordinators,
    };
    let mut ids = vec![assignee];
    for duty in on_duty.iter().filter(|d| wanted(d.slot)) {
        if !ids.contains(&duty.staff_id) {
            ids.push(duty.staff_id);
        }
    }
    ids
}

/// What was missed, for the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed<'a> {
    /// A conversation by text, closed with `DONE <code>`.
    Conversation { code: &'a str },
    /// A call or voicemail: answered through the API or the coordinator's page.
    Call,
}

/// The text of reminder `n` about follow-up `id`, open for `age`.
pub fn reminder_text(
    id: i64,
    n: u32,
    service: Option<Service>,
    line_number: &str,
    age: Duration,
    missed: Missed<'_>,
) -> String {
    let service = service.map_or("услуга не выбрана", service_russian);
    let minutes = age.num_minutes().max(0);
    match missed {
        Missed::Conversation { code } => format!(
            "Напоминание {n}: обращение {code} (№{id}, {service}, линия {line_number}) ждёт ответа {minutes} мин. \
             Ответьте ей и отправьте «DONE {code}»."
        ),
        Missed::Call => format!(
            "Напоминание {n}: пропущенный звонок №{id} ({service}, линия {line_number}) ждёт ответа {minutes} мин. \
             Перезвоните ей, затем ответьте через API/страницу: обращение №{id} отвечено."
        ),
    }
}

/// What a planned follow-up is about, for its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned<'a> {
    Conversation { code: &'a str },
    Call { id: i64 },
}

/// The text a staff member gets when a follow-up they planned comes due at `due_at` (local time
/// in `zone`), with their note.
pub fn planned_text(
    about: Planned<'_>,
    due_at: DateTime<Utc>,
    zone: Tz,
    note: Option<&str>,
) -> String {
    let when = due_at.with_timezone(&zone).format("%d.%m %H:%M");
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or(String::new(), |n| format!(" Заметка: {n}."));
    match about {
        Planned::Conversation { code } => format!(
            "Запланировано на {when}: связаться с ней по обращению {code}.{note} \
             Ответ: «{code} текст», звонок ей: «CALL {code}»."
        ),
        Planned::Call { id } => {
            format!("Запланировано на {when}: перезвонить по звонку №{id}.{note}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn duty(staff_id: i64, slot: Slot) -> OnDuty {
        OnDuty { staff_id, slot }
    }

    #[test]
    fn a_planned_follow_up_says_when_what_and_the_note() {
        let due = Utc
            .with_ymd_and_hms(2026, 11, 26, 5, 0, 0)
            .single()
            .expect("valid");
        let zone = chrono_tz::Asia::Almaty;
        assert_eq!(
            planned_text(
                Planned::Conversation { code: "K7Q" },
                due,
                zone,
                Some(" суд в 14:00 ")
            ),
            "Запланировано на 26.11 10:00: связаться с ней по обращению K7Q. Заметка: суд в 14:00. \
             Ответ: «K7Q текст», звонок ей: «CALL K7Q»."
        );
        assert_eq!(
            planned_text(Planned::Call { id: 12 }, due, zone, Some("  ")),
            "Запланировано на 26.11 10:00: перезвонить по звонку №12."
        );
    }

    #[test]
    fn reminders_escalate_after_each_three() {
        let settings = ReminderSettings::default();
        let reaches: Vec<Reach> = (1..=8).map(|n| reach(&settings, n)).collect();
        assert_eq!(
            reaches,
            vec![
                Reach::OnDuty,
                Reach::OnDuty,
                Reach::OnDuty,
                Reach::Backup,
                Reach::Backup,
                Reach::Backup,
                Reach::Coordinators,
                Reach::Coordinators,
            ]
        );
        let zero = ReminderSettings {
            per_level: 0,
            ..settings
        };
        assert_eq!(reach(&zero, 2), Reach::Backup, "at least one per level");
    }

    #[test]
    fn reminders_are_due_every_interval_from_the_first() {
        let settings = ReminderSettings::default();
        let opened = Utc
            .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
            .single()
            .expect("a real time");
        assert_eq!(first_due_at(&settings, opened, false), opened);
        assert_eq!(
            first_due_at(&settings, opened, true),
            opened + Duration::minutes(15)
        );
        assert_eq!(
            next_due_at(&settings, opened + Duration::minutes(15)),
            opened + Duration::minutes(30)
        );
    }

    #[test]
    fn each_level_adds_people_and_nobody_is_reminded_twice() {
        let on_duty = [
            duty(1, Slot::Scheduled(Position::PRIMARY)),
            duty(2, Slot::Scheduled(Position::BACKUP)),
            duty(3, Slot::Added),
            duty(9, Slot::Coordinator),
        ];
        assert_eq!(recipients(&on_duty, Reach::OnDuty), vec![1, 3]);
        assert_eq!(recipients(&on_duty, Reach::Backup), vec![1, 2, 3]);
        assert_eq!(recipients(&on_duty, Reach::Coordinators), vec![1, 2, 3, 9]);
    }

    #[test]
    fn an_assigned_follow_up_reminds_its_assignee_then_escalates_as_before() {
        let on_duty = [
            duty(1, Slot::Scheduled(Position::PRIMARY)),
            duty(2, Slot::Scheduled(Position::BACKUP)),
            duty(3, Slot::Added),
            duty(9, Slot::Coordinator),
        ];
        assert_eq!(assigned_recipients(5, &on_duty, Reach::OnDuty), vec![5]);
        assert_eq!(assigned_recipients(5, &on_duty, Reach::Backup), vec![5, 2]);
        assert_eq!(
            assigned_recipients(5, &on_duty, Reach::Coordinators),
            vec![5, 2, 9]
        );
        assert_eq!(
            assigned_recipients(2, &on_duty, Reach::Backup),
            vec![2],
            "the backup herself is reminded once"
        );
        assert_eq!(assigned_recipients(5, &[], Reach::Coordinators), vec![5]);
    }

    #[test]
    fn with_nobody_on_duty_the_coordinators_are_reminded() {
        let on_duty = [duty(9, Slot::Coordinator)];
        assert_eq!(recipients(&on_duty, Reach::OnDuty), vec![9]);
        assert!(recipients(&[], Reach::OnDuty).is_empty());
    }

    #[test]
    fn the_text_says_what_to_do() {
        let conversation = reminder_text(
            7,
            2,
            Some(Service::Legal),
            "+77010000000",
            Duration::minutes(15),
            Missed::Conversation { code: "K7Q" },
        );
        assert_eq!(
            conversation,
            "Напоминание 2: обращение K7Q (№7, юридическая помощь, линия +77010000000) ждёт ответа 15 мин. \
             Ответьте ей и отправьте «DONE K7Q»."
        );
        let call = reminder_text(8, 1, None, "+77010000000", Duration::zero(), Missed::Call);
        assert_eq!(
            call,
            "Напоминание 1: пропущенный звонок №8 (услуга не выбрана, линия +77010000000) ждёт ответа 0 мин. \
             Перезвоните ей, затем ответьте через API/страницу: обращение №8 отвечено."
        );
    }
}
