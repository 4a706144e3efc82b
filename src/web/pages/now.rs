//! `/` — Now: per service, who is on duty now and who is next; the calls ringing or in
//! progress; the follow-ups still open, oldest first, with how long each has waited; and for a
//! coordinator, the texts of the last week that did not get through.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use hotline_schedules::Service;
use hotline_schedules::model::Slot;

use super::access::{FollowUpSight, Sight, masked_caller};
use super::layout::{self, Layout, render};
use super::session::SignedIn;
use super::words::Text;
use crate::log::{self, Number};
use crate::store::OutboxStatus;
use crate::web::AppState;

/// How far ahead "next on duty" is looked for.
const NEXT_WITHIN: Duration = Duration::days(7);
/// How far back texts that did not get through are shown, and at most how many.
const UNDELIVERED_WITHIN: Duration = Duration::days(7);
const UNDELIVERED_SHOWN: i64 = 20;

#[derive(Debug)]
pub struct ServiceNow {
    pub service: &'static str,
    pub on_duty: Vec<String>,
    /// Who comes on next, and when (in the hotline's zone).
    pub next: Option<String>,
}

#[derive(Debug)]
pub struct CallNow {
    pub caller: String,
    pub service: &'static str,
    pub status: String,
    pub age: String,
}

#[derive(Debug)]
pub struct FollowUpLine {
    pub id: i64,
    pub service: &'static str,
    pub kind: String,
    pub age: String,
    pub reminders_sent: i64,
}

/// A text that ended without reaching anyone: who it was for, why, and when. Never its words.
#[derive(Debug)]
pub struct Undelivered {
    pub when: String,
    pub to: String,
    pub status: &'static str,
    pub error: String,
}

#[derive(Debug, Template)]
#[template(path = "now.html")]
pub struct NowPage {
    pub page: Layout,
    pub services: Vec<ServiceNow>,
    pub calls: Vec<CallNow>,
    pub follow_ups: Vec<FollowUpLine>,
    /// For a coordinator: the texts of the last week that did not get through.
    pub undelivered: Vec<Undelivered>,
}

pub async fn page(State(state): State<AppState>, user: SignedIn) -> Response {
    match build(&state, &user).await {
        Ok(page) => render(&page),
        Err(response) => response,
    }
}

fn local(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.schedule.zone)
        .format("%d.%m %H:%M")
        .to_string()
}

async fn build(state: &AppState, user: &SignedIn) -> Result<NowPage, Response> {
    let t = user.words();
    let now = state.clock.now();
    let sight = Sight::of(state, user).await?;
    let (staff, rota) = crate::rota::load(state.store.as_ref(), now, now + NEXT_WITHIN)
        .await
        .map_err(layout::server_error)?;
    let name = |id: i64| {
        rota.staff_member(id)
            .map_or_else(|| format!("#{id}"), |member| member.name.clone())
    };
    let ahead = rota.duties_between(now, now + NEXT_WITHIN);
    let services = Service::ALL
        .into_iter()
        .map(|service| ServiceNow {
            service: t.service(Some(service)),
            on_duty: rota
                .on_duty(service, None, now)
                .iter()
                .filter(|duty| duty.slot != Slot::Coordinator)
                .map(|duty| name(duty.staff_id))
                .collect(),
            next: ahead
                .iter()
                .filter(|duty| duty.service == service && duty.starts_at > now)
                .min_by_key(|duty| duty.starts_at)
                .map(|duty| format!("{} — {}", name(duty.staff_id), local(state, duty.starts_at))),
        })
        .collect();
    let calls = state
        .store
        .unfinished_calls(now + Duration::seconds(1))
        .await
        .map_err(layout::server_error)?
        .into_iter()
        .filter(|call| sight.sees(call.service))
        .map(|call| CallNow {
            caller: masked_caller(state, &call.caller_sealed),
            service: t.service(call.service),
            status: call.status,
            age: t.age((now - call.started_at).num_seconds()),
        })
        .collect();
    // Another staff member's follow-up is not hers to see here either.
    let follow_up_sight = FollowUpSight::of(state, user).await?;
    let follow_ups = state
        .store
        .open_follow_ups()
        .await
        .map_err(layout::server_error)?
        .into_iter()
        .filter(|follow_up| follow_up_sight.sees_follow_up(follow_up))
        .map(|follow_up| FollowUpLine {
            id: follow_up.id,
            service: t.service(follow_up.service),
            kind: t.follow_up_kind(&follow_up.kind),
            age: t.age((now - follow_up.created_at).num_seconds()),
            reminders_sent: follow_up.reminders_sent,
        })
        .collect();
    let undelivered = if user.is_coordinator() {
        undelivered(state, user, &staff).await?
    } else {
        Vec::new()
    };
    Ok(NowPage {
        page: Layout::new(user, Text::Now),
        services,
        calls,
        follow_ups,
        undelivered,
    })
}

/// The last week's texts that failed, could not be delivered, or were held back for want of her
/// consent: a reminder a lawyer never got is a contact nobody will answer unless someone sees it.
async fn undelivered(
    state: &AppState,
    user: &SignedIn,
    staff: &[hotline_schedules::StaffMember],
) -> Result<Vec<Undelivered>, Response> {
    let t = user.words();
    let since = state.clock.now() - UNDELIVERED_WITHIN;
    let texts = state
        .store
        .failed_outbox(UNDELIVERED_SHOWN)
        .await
        .map_err(layout::server_error)?;
    Ok(texts
        .into_iter()
        .filter(|text| text.finished_at.unwrap_or(text.created_at) >= since)
        .map(|text| {
            let to = if text.contact_hash.is_some() {
                format!(
                    "{} {}",
                    t.say(Text::ToHer),
                    masked_caller(state, &text.to_sealed)
                )
            } else {
                match log::number(&state.secrets.data_key, &text.to_sealed) {
                    Number::Known(number) => staff
                        .iter()
                        .find(|member| member.phone == number)
                        .map_or_else(|| number.masked_grouped(), |member| member.name.clone()),
                    _ => "—".to_owned(),
                }
            };
            Undelivered {
                when: local(state, text.finished_at.unwrap_or(text.created_at)),
                to,
                status: t.say(match text.status {
                    OutboxStatus::Withheld => Text::TextWithheld,
                    OutboxStatus::Undeliverable => Text::TextUndeliverable,
                    _ => Text::TextFailed,
                }),
                error: match (text.error_code, text.error_message) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (Some(code), None) => code.to_string(),
                    (None, Some(message)) => message,
                    (None, None) => String::new(),
                },
            }
        })
        .collect())
}
