//! The texts that tell a staff member about their own duty: a reminder before a stretch starts
//! and a notice when a rota edit adds, removes or changes one. In Russian, times on the wall
//! clock of the given zone, short enough for a text; about the rota only, never any caller.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hotline_schedules::{Service, ShiftChange, ShiftReminder, Stretch};

/// Who the person is on this duty, as the staff say it.
fn duty_role(service: Service) -> &'static str {
    match service {
        Service::Legal => "юрист",
        Service::Psychological => "психолог",
        Service::Mens => "линия для мужчин",
    }
}

/// «Напоминание: ваше дежурство (юрист) начинается завтра 25.11 в 09:00 и идёт до 21:00.»
/// "Сегодня" and "завтра" count from when the reminder is due, which is when it is sent.
pub fn reminder_text(reminder: &ShiftReminder, zone: Tz) -> String {
    let role = duty_role(reminder.service);
    let due = reminder.due_at.with_timezone(&zone).date_naive();
    let starts = reminder.starts_at.with_timezone(&zone);
    let day = match (starts.date_naive() - due).num_days() {
        0 => "сегодня ",
        1 => "завтра ",
        _ => "",
    };
    let until = reminder.ends_at.map_or(String::new(), |ends_at| {
        let ends = ends_at.with_timezone(&zone);
        if ends.date_naive() == starts.date_naive() {
            format!(" и идёт до {}", ends.format("%H:%M"))
        } else {
            format!(" и идёт до {}", ends.format("%d.%m %H:%M"))
        }
    });
    format!(
        "Напоминание: ваше дежурство ({role}) начинается {day}{} в {}{until}.",
        starts.format("%d.%m"),
        starts.format("%H:%M"),
    )
}

/// «Вам назначено дежурство (юрист): 25.11 09:00–21:00.» and the like for a removed or changed
/// stretch.
pub fn change_text(change: &ShiftChange, zone: Tz) -> String {
    let role = duty_role(change.service());
    match change {
        ShiftChange::Added { shift } => {
            format!("Вам назначено дежурство ({role}): {}.", span(shift, zone))
        }
        ShiftChange::Removed { shift } => {
            format!("Ваше дежурство ({role}) {} отменено.", span(shift, zone))
        }
        ShiftChange::Moved { from, to } => format!(
            "Ваше дежурство ({role}) изменено: было {}, теперь {}.",
            span(from, zone),
            span(to, zone)
        ),
    }
}

/// "25.11 09:00–21:00", or "25.11 21:00 – 26.11 09:00" across midnight.
fn span(stretch: &Stretch, zone: Tz) -> String {
    let local = |at: DateTime<Utc>| at.with_timezone(&zone);
    let (starts, ends) = (local(stretch.starts_at), local(stretch.ends_at));
    if starts.date_naive() == ends.date_naive() {
        format!("{}–{}", starts.format("%d.%m %H:%M"), ends.format("%H:%M"))
    } else {
        format!(
            "{} – {}",
            starts.format("%d.%m %H:%M"),
            ends.format("%d.%m %H:%M")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hotline_schedules::HOTLINE_ZONE;

    fn utc(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 11, d, h, min, 0)
            .single()
            .expect("a real time")
    }

    fn stretch(service: Service, from: DateTime<Utc>, to: DateTime<Utc>) -> Stretch {
        Stretch {
            staff_id: 7,
            service,
            starts_at: from,
            ends_at: to,
        }
    }

    fn reminder(
        service: Service,
        due_at: DateTime<Utc>,
        starts_at: DateTime<Utc>,
        ends_at: Option<DateTime<Utc>>,
    ) -> ShiftReminder {
        ShiftReminder {
            staff_id: 7,
            service,
            starts_at,
            ends_at,
            due_at,
        }
    }

    #[test]
    fn a_reminder_says_when_the_duty_starts_and_ends_on_the_local_clock() {
        // 09:00–21:00 in Almaty (UTC+5) on 25 November, reminded at 19:00 the evening before.
        let tomorrow = reminder(
            Service::Legal,
            utc(24, 14, 0),
            utc(25, 4, 0),
            Some(utc(25, 16, 0)),
        );
        assert_eq!(
            reminder_text(&tomorrow, HOTLINE_ZONE),
            "Напоминание: ваше дежурство (юрист) начинается завтра 25.11 в 09:00 и идёт до 21:00."
        );
        // A night into the next day, reminded an hour before.
        let tonight = reminder(
            Service::Psychological,
            utc(25, 15, 0),
            utc(25, 16, 0),
            Some(utc(26, 4, 0)),
        );
        assert_eq!(
            reminder_text(&tonight, HOTLINE_ZONE),
            "Напоминание: ваше дежурство (психолог) начинается сегодня 25.11 в 21:00 и идёт до 26.11 09:00."
        );
        // Days ahead, with no end in sight.
        let later = reminder(Service::Mens, utc(24, 4, 0), utc(27, 4, 0), None);
        assert_eq!(
            reminder_text(&later, HOTLINE_ZONE),
            "Напоминание: ваше дежурство (линия для мужчин) начинается 27.11 в 09:00."
        );
    }

    #[test]
    fn today_and_tomorrow_are_counted_on_the_local_calendar() {
        // 20:00Z on 24 November is already 01:00 on the 25th in Almaty: 09:00 that day is today.
        let early = reminder(Service::Legal, utc(24, 20, 0), utc(25, 4, 0), None);
        assert_eq!(
            reminder_text(&early, HOTLINE_ZONE),
            "Напоминание: ваше дежурство (юрист) начинается сегодня 25.11 в 09:00."
        );
        // The same duty in Berlin (UTC+1): 05:00 on the 25th, reminded at 21:00 on the 24th.
        assert_eq!(
            reminder_text(&early, chrono_tz::Europe::Berlin),
            "Напоминание: ваше дежурство (юрист) начинается завтра 25.11 в 05:00."
        );
    }

    #[test]
    fn a_change_names_the_old_and_new_times() {
        let day = stretch(Service::Legal, utc(25, 4, 0), utc(25, 16, 0));
        let night = stretch(Service::Legal, utc(25, 16, 0), utc(26, 4, 0));
        assert_eq!(
            change_text(&ShiftChange::Added { shift: day }, HOTLINE_ZONE),
            "Вам назначено дежурство (юрист): 25.11 09:00–21:00."
        );
        assert_eq!(
            change_text(&ShiftChange::Removed { shift: night }, HOTLINE_ZONE),
            "Ваше дежурство (юрист) 25.11 21:00 – 26.11 09:00 отменено."
        );
        assert_eq!(
            change_text(
                &ShiftChange::Moved {
                    from: day,
                    to: night
                },
                HOTLINE_ZONE
            ),
            "Ваше дежурство (юрист) изменено: было 25.11 09:00–21:00, теперь 25.11 21:00 – 26.11 09:00."
        );
    }
}
