//! `/follow-ups` and `/follow-ups/{id}`: the queue of contacts owed an answer (open first,
//! oldest first, with whom each is assigned to, filtered to mine, unassigned or all), one with
//! its reminders sent so far, and marking it answered with a note — through the same audited
//! store call as `POST /api/v1/follow-ups/{id}/answered`. Assigning is `follow_up_assign.rs`.
//! A staff user sees only what `access::FollowUpSight` puts in her sight — never another staff
//! member's follow-up; anything else is "not found".

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{FollowUpSight, masked_caller};
use super::csrf::Posted;
use super::layout::{self, Layout, Notice, render};
use super::session::SignedIn;
use super::voicemail_audio::{self, Heard};
use super::words::Text;
use crate::store::{AuditEntry, FollowUp};
use crate::web::AppState;
use crate::web::api::follow_ups::may_hold;

/// At most this many follow-ups in the list.
const LONGEST_LIST: i64 = 500;
/// The longest note kept, as the API keeps it.
const LONGEST_NOTE: usize = 1000;

#[derive(Debug)]
pub struct FollowUpLine {
    pub id: i64,
    pub service: &'static str,
    pub kind: String,
    pub open: bool,
    pub opened: String,
    pub age: String,
    pub reminders_sent: i64,
    /// The name of the staff member whose it is; none when it is nobody's.
    pub assignee: Option<String>,
}

/// Which part of the queue the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Assigned to me.
    Mine,
    /// Nobody's: to take or to assign.
    Unassigned,
    /// Everything in my sight.
    All,
}

impl Show {
    fn parse(name: Option<&str>) -> Self {
        match name {
            Some("mine") => Show::Mine,
            Some("unassigned") => Show::Unassigned,
            _ => Show::All,
        }
    }

    fn includes(self, me: Option<i64>, follow_up: &FollowUp) -> bool {
        match self {
            Show::Mine => me.is_some() && follow_up.holder() == me,
            Show::Unassigned => follow_up.holder().is_none(),
            Show::All => true,
        }
    }
}

/// A link to one part of the queue.
#[derive(Debug)]
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    show: Option<String>,
}

/// A staff member the follow-up may be given to, in the coordinator's select.
#[derive(Debug)]
pub struct Choice {
    pub staff_id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Debug, Template)]
#[template(path = "follow_ups.html")]
pub struct FollowUpsPage {
    pub page: Layout,
    pub follow_ups: Vec<FollowUpLine>,
    pub tabs: Vec<Tab>,
}

#[derive(Debug, Template)]
#[template(path = "follow_up.html")]
pub struct FollowUpPage {
    pub page: Layout,
    pub follow_up: FollowUpLine,
    pub caller: String,
    pub answered: Option<String>,
    pub note: Option<String>,
    pub problem: Option<&'static str>,
    /// Whom a coordinator may give it to (she assigns while it is open); empty for anyone else.
    pub choices: Vec<Choice>,
    pub may_assign: bool,
    /// The staff member taking it, when this staff user may take it (it is nobody's).
    pub take_as: Option<i64>,
    /// Each reminder texted so far: which, when, to whom.
    pub reminders: Vec<String>,
    /// Her voicemail, when she left one: its player, or why there is none.
    pub voicemail: Option<Heard>,
}

fn local(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.schedule.zone)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

fn line(state: &AppState, user: &SignedIn, follow_up: &FollowUp) -> FollowUpLine {
    let t = user.words();
    let until = follow_up.answered_at.unwrap_or_else(|| state.clock.now());
    FollowUpLine {
        id: follow_up.id,
        service: t.service(follow_up.service),
        kind: t.follow_up_kind(&follow_up.kind),
        open: follow_up.status == "open",
        opened: local(state, follow_up.created_at),
        age: t.age((until - follow_up.created_at).num_seconds()),
        reminders_sent: follow_up.reminders_sent,
        assignee: follow_up
            .assignee
            .as_ref()
            .filter(|a| a.active)
            .map(|a| format!("{} · {}", a.name, local(state, a.since))),
    }
}

/// `GET /follow-ups?show=mine|unassigned|all`
pub async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<ListQuery>,
) -> Response {
    let sight = match FollowUpSight::of(&state, &user).await {
        Ok(sight) => sight,
        Err(response) => return response,
    };
    let follow_ups = match &sight {
        FollowUpSight::Everything => state.store.follow_ups(LONGEST_LIST).await,
        FollowUpSight::Staff { staff_id, services } => {
            state
                .store
                .follow_ups_for_staff(*staff_id, services, LONGEST_LIST)
                .await
        }
        FollowUpSight::Nothing => Ok(Vec::new()),
    };
    let follow_ups = match follow_ups {
        Ok(follow_ups) => follow_ups,
        Err(error) => return layout::server_error(error),
    };
    let show = Show::parse(query.show.as_deref());
    let me = user.user.staff_id;
    let t = user.words();
    // "Mine" only for someone who can hold a follow-up: a user with a staff record.
    let tabs = [
        (Show::Mine, "/follow-ups?show=mine", Text::ShowMine),
        (
            Show::Unassigned,
            "/follow-ups?show=unassigned",
            Text::ShowUnassigned,
        ),
        (Show::All, "/follow-ups?show=all", Text::ShowAll),
    ]
    .into_iter()
    .filter(|(tab, _, _)| *tab != Show::Mine || me.is_some())
    .map(|(tab, href, label)| Tab {
        href,
        label: t.say(label),
        current: tab == show,
    })
    .collect();
    render(&FollowUpsPage {
        follow_ups: follow_ups
            .iter()
            .filter(|f| sight.sees_follow_up(f) && show.includes(me, f))
            .map(|f| line(&state, &user, f))
            .collect(),
        tabs,
        page: Layout::new(&user, Text::FollowUps),
    })
}

/// The follow-up if it exists and is in this user's sight; otherwise the 404 page — the same
/// for one that is another staff member's as for one that does not exist.
pub(super) async fn in_sight(
    state: &AppState,
    user: &SignedIn,
    id: i64,
) -> Result<(FollowUp, FollowUpSight), Response> {
    let sight = FollowUpSight::of(state, user).await?;
    let follow_up = state
        .store
        .follow_up(id)
        .await
        .map_err(layout::server_error)?;
    follow_up
        .filter(|f| sight.sees_follow_up(f))
        .map(|f| (f, sight))
        .ok_or_else(|| layout::not_found(user))
}

pub(super) async fn detail(
    state: &AppState,
    user: &SignedIn,
    sight: &FollowUpSight,
    follow_up: FollowUp,
    problem: Option<&'static str>,
) -> Result<FollowUpPage, Response> {
    let caller = match follow_up.call_id {
        Some(call_id) => state
            .store
            .call_by_id(call_id)
            .await
            .map_err(layout::server_error)?
            .map_or_else(
                || "—".to_owned(),
                |call| masked_caller(state, &call.caller_sealed),
            ),
        None => follow_up.code.clone().unwrap_or_else(|| "—".to_owned()),
    };
    let answered_by = match follow_up.answered_by {
        Some(staff_id) => state
            .store
            .staff_member(staff_id)
            .await
            .map_err(layout::server_error)?
            .map(|member| member.name),
        None => None,
    };
    let answered = follow_up.answered_at.map(|at| match &answered_by {
        Some(name) => format!("{} — {name}", local(state, at)),
        None => local(state, at),
    });
    let open = follow_up.status == "open";
    let may_assign = open && user.is_coordinator();
    let staff = state.store.staff().await.map_err(layout::server_error)?;
    let choices = if may_assign {
        let holder = follow_up.holder();
        staff
            .iter()
            .filter(|member| may_hold(member, follow_up.service))
            .map(|member| Choice {
                selected: holder == Some(member.id),
                staff_id: member.id,
                name: member.name.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let take_as = sight.may_take(&follow_up);
    let reminders = state
        .store
        .sent_reminders(follow_up.id)
        .await
        .map_err(layout::server_error)?
        .into_iter()
        .map(|sent| {
            let to = staff
                .iter()
                .find(|member| member.id == sent.staff_id)
                .map_or_else(|| format!("#{}", sent.staff_id), |m| m.name.clone());
            format!("{} · {} · {to}", sent.n, local(state, sent.at))
        })
        .collect();
    let voicemail = voicemail_audio::of_follow_up(state, user.words(), &follow_up)
        .await
        .map_err(layout::server_error)?;
    Ok(FollowUpPage {
        voicemail,
        page: Layout::new(user, Text::FollowUps),
        follow_up: line(state, user, &follow_up),
        caller,
        answered,
        note: crate::log::follow_up_note(&state.secrets.data_key, &follow_up),
        problem,
        choices,
        may_assign,
        take_as,
        reminders,
    })
}

/// `GET /follow-ups/{id}`
pub async fn show(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    let result = async {
        let (follow_up, sight) = in_sight(&state, &user, id).await?;
        detail(&state, &user, &sight, follow_up, None).await
    }
    .await;
    match result {
        Ok(page) => render(&page),
        Err(response) => response,
    }
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    note: String,
}

/// `POST /follow-ups/{id}/answered`: she has been answered; her reminders stop. Audited.
pub async fn answered(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<AnswerForm>,
) -> Response {
    let user = &posted.user;
    let (before, sight) = match in_sight(&state, user, id).await {
        Ok(seen) => seen,
        Err(response) => return response,
    };
    let note = posted.form.note.trim();
    if note.chars().count() > LONGEST_NOTE {
        return layout::notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Notice::for_user(user, Text::FormRefused),
        );
    }
    let note = (!note.is_empty()).then_some(note);
    let now = state.clock.now();
    let audit = AuditEntry {
        at: now,
        actor: user.actor(),
        action: "answer-follow-up".to_owned(),
        subject: format!("follow-up/{id}"),
        before: Some(serde_json::json!({ "status": before.status }).to_string()),
        after: Some(
            // Whether a note was left, never its words: the note is kept sealed.
            serde_json::json!({ "status": "answered", "staff_id": user.user.staff_id, "note": note.is_some() })
                .to_string(),
        ),
    };
    match state
        .store
        .answer_follow_up(
            id,
            user.user.staff_id,
            note.map(|n| state.secrets.data_key.seal(n)).as_deref(),
            &audit,
        )
        .await
    {
        Ok(true) => Redirect::to(&format!("/follow-ups/{id}")).into_response(),
        Ok(false) => {
            let problem = Some(user.words().say(Text::AlreadyAnswered));
            match detail(&state, user, &sight, before, problem).await {
                Ok(page) => layout::render_with(StatusCode::CONFLICT, &page),
                Err(response) => response,
            }
        }
        Err(error) => layout::server_error(error),
    }
}
