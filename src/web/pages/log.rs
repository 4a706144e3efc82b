//! `/log` — the call and message log: calls (or, with `?kind=texts`, text conversations) in a
//! range of local dates, filtered as `/api/v1/calls` and `/api/v1/conversations` filter them
//! (through `crate::log`, the same code), newest first. Numbers are masked; a coordinator may
//! reveal one call's number with `POST /log/calls/{id}/reveal`, audited by the same call as the
//! API's reveal, then shown on `GET /log/calls/{id}/reveal` to that session only, for a few
//! minutes, without a second audit entry. Staff see their services' contacts and never a reveal.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use hotline_routes::call::CallOutcome;
use hotline_schedules::{Language, PhoneNumber, Service};
use serde::Deserialize;

use super::access::Sight;
use super::csrf::Posted;
use super::groups;
use super::layout::{self, Layout, Notice, render_with};
use super::session::{Coordinator, SignedIn};
use super::words::{Text, Words};
use crate::log::{self, CallFilter, Number, RevealRefused, TextFilter};
use crate::store::{CallRecord, Conversation};
use crate::web::AppState;

/// At most this many contacts on the page, the newest.
const LONGEST_LIST: usize = 500;
/// With no dates chosen: the last week, today included.
const DEFAULT_DAYS: i64 = 7;

/// What the log's form asks; every field as typed, so a bad one is a message and not an error.
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    line: Option<String>,
    service: Option<String>,
    outcome: Option<String>,
    language: Option<String>,
    channel: Option<String>,
    status: Option<String>,
}

/// A choice in one of the form's lists.
#[derive(Debug)]
pub struct Choice {
    pub value: &'static str,
    pub name: &'static str,
}

#[derive(Debug)]
pub struct CallLine {
    pub id: i64,
    pub started: String,
    pub line: String,
    pub caller: String,
    pub service: &'static str,
    pub language: &'static str,
    pub outcome: &'static str,
    pub waited: Option<String>,
    pub answered_by: Option<String>,
    /// She left a voicemail: its player (`voicemail_audio::play_call`).
    pub voicemail: bool,
}

#[derive(Debug)]
pub struct TextLine {
    pub code: String,
    pub opened: String,
    pub line: String,
    pub channel: &'static str,
    pub service: &'static str,
    pub contact: String,
    pub open: bool,
}

#[derive(Debug, Template)]
#[template(path = "log.html")]
pub struct LogPage {
    pub page: Layout,
    pub texts: bool,
    /// The form as filled in, to show it again.
    pub from: String,
    pub to: String,
    pub line: String,
    pub service: String,
    pub outcome: String,
    pub language: String,
    pub channel: String,
    pub status: String,
    pub lines: Vec<String>,
    pub services: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    pub languages: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub problems: Vec<&'static str>,
    pub calls: Vec<CallLine>,
    pub conversations: Vec<TextLine>,
    /// More matched than the page shows.
    pub cut: bool,
}

#[derive(Debug, Template)]
#[template(path = "log_reveal.html")]
pub struct RevealPage {
    pub page: Layout,
    pub id: i64,
    pub started: String,
    pub service: &'static str,
    /// While this session's grant lasts; otherwise the page offers the form again.
    pub number: Option<String>,
}

/// An empty field is no filter.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn local(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.schedule.zone)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// The first instant of local day `date` in the hotline's zone.
fn midnight(state: &AppState, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    hotline_schedules::instant_of(state.schedule.zone, midnight)
        .unwrap_or_else(|| midnight.and_utc())
}

/// A number as the log's pages show it: masked in groups, `+7 7•• ••• •• 69`.
fn masked(state: &AppState, sealed: &[u8]) -> String {
    match log::number(&state.secrets.data_key, sealed) {
        Number::Known(number) => number.masked_grouped(),
        Number::Erased | Number::Withheld | Number::Unreadable => "—".to_owned(),
    }
}

fn choices<T: Copy>(t: Words, all: &[T], key: fn(T) -> &'static str) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: key(item),
            name: groups::name(t, key(item)),
        })
        .collect()
}

const OUTCOMES: [CallOutcome; 6] = [
    CallOutcome::Answered,
    CallOutcome::Voicemail,
    CallOutcome::Missed,
    CallOutcome::Abandoned,
    CallOutcome::Blocked,
    CallOutcome::Closed,
];

/// A filter's value read from the form: `Ok(None)` when left empty, `Err` for a value that
/// is none of the choices.
fn pick<T>(field: &Option<String>, read: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ()> {
    given(field).map(|v| read(v).ok_or(())).transpose()
}

/// `GET /log`
pub async fn page(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<LogQuery>,
) -> Response {
    match build(&state, &user, &query).await {
        Ok((status, page)) => render_with(status, &page),
        Err(response) => response,
    }
}

async fn build(
    state: &AppState,
    user: &SignedIn,
    query: &LogQuery,
) -> Result<(StatusCode, LogPage), Response> {
    let t = user.words();
    let texts = given(&query.kind) == Some("texts");
    let today = state
        .clock
        .now()
        .with_timezone(&state.schedule.zone)
        .date_naive();
    let date = |field: &Option<String>, default: NaiveDate| match given(field) {
        None => Ok(default),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ()),
    };
    let mut problems = Vec::new();
    let from = date(&query.from, today - Duration::days(DEFAULT_DAYS - 1));
    let to = date(&query.to, today);
    let range = match (from, to) {
        (Ok(from), Ok(to)) => {
            let (start, end) = (
                midnight(state, from),
                midnight(state, to + Duration::days(1)),
            );
            log::range_is_readable(start, end).then_some((from, to, start, end))
        }
        _ => None,
    };
    if range.is_none() {
        problems.push(t.say(Text::BadDates));
    }
    let line = pick(&query.line, |v| {
        PhoneNumber::parse(v).ok().map(|n| n.as_e164().to_owned())
    });
    let service = pick(&query.service, |v| {
        Service::ALL.into_iter().find(|s| s.as_str() == v)
    });
    let outcome = pick(&query.outcome, CallOutcome::from_name);
    let language = pick(&query.language, |v| {
        Language::ALL.into_iter().find(|l| l.as_str() == v)
    });
    let channel = pick(&query.channel, log::text_channel);
    let open = pick(&query.status, |v| match v {
        "open" => Some(true),
        "closed" => Some(false),
        _ => None,
    });
    let filters_read = line.is_ok()
        && service.is_ok()
        && outcome.is_ok()
        && language.is_ok()
        && channel.is_ok()
        && open.is_ok();
    if !filters_read {
        problems.push(t.say(Text::BadFilter));
    }
    let shown = |field: &Option<String>| given(field).unwrap_or_default().to_owned();
    let mut page = LogPage {
        page: Layout::new(user, Text::Log),
        texts,
        from: range.map_or_else(|| shown(&query.from), |r| r.0.to_string()),
        to: range.map_or_else(|| shown(&query.to), |r| r.1.to_string()),
        line: shown(&query.line),
        service: shown(&query.service),
        outcome: shown(&query.outcome),
        language: shown(&query.language),
        channel: shown(&query.channel),
        status: shown(&query.status),
        lines: state
            .store
            .lines()
            .await
            .map_err(layout::server_error)?
            .into_iter()
            .map(|(number, _)| number)
            .collect(),
        services: choices(t, &Service::ALL, Service::as_str),
        outcomes: choices(t, &OUTCOMES, CallOutcome::as_str),
        languages: choices(t, &Language::ALL, Language::as_str),
        channels: vec![
            Choice {
                value: "sms",
                name: "SMS",
            },
            Choice {
                value: "whatsapp",
                name: "WhatsApp",
            },
        ],
        statuses: vec![
            Choice {
                value: "open",
                name: t.say(Text::ConversationOpen),
            },
            Choice {
                value: "closed",
                name: t.say(Text::ConversationClosed),
            },
        ],
        problems,
        calls: Vec::new(),
        conversations: Vec::new(),
        cut: false,
    };
    let (Some((_, _, from, to)), true) = (range, filters_read) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    let (line, service) = (line.unwrap_or_default(), service.unwrap_or_default());
    let sight = Sight::of(state, user).await?;
    if texts {
        let filter = TextFilter {
            from,
            to,
            line,
            service,
            channel: channel.unwrap_or_default(),
            open: open.unwrap_or_default(),
        };
        let found: Vec<Conversation> = log::conversations(state.store.as_ref(), &filter)
            .await
            .map_err(layout::server_error)?
            .into_iter()
            .filter(|c| sight.sees(Some(c.service)))
            .collect();
        page.cut = found.len() > LONGEST_LIST;
        page.conversations = found
            .iter()
            .rev()
            .take(LONGEST_LIST)
            .map(|c| text_line(state, t, c))
            .collect();
    } else {
        let filter = CallFilter {
            from,
            to,
            line,
            service,
            outcome: outcome.unwrap_or_default(),
            language: language.unwrap_or_default(),
        };
        let found: Vec<CallRecord> = log::calls(state.store.as_ref(), &filter)
            .await
            .map_err(layout::server_error)?
            .into_iter()
            .filter(|c| sight.sees(c.service))
            .collect();
        let names: HashMap<i64, String> = state
            .store
            .staff()
            .await
            .map_err(layout::server_error)?
            .into_iter()
            .map(|member| (member.id, member.name))
            .collect();
        page.cut = found.len() > LONGEST_LIST;
        page.calls = found
            .iter()
            .rev()
            .take(LONGEST_LIST)
            .map(|c| call_line(state, t, c, &names))
            .collect();
    }
    Ok((StatusCode::OK, page))
}

fn call_line(
    state: &AppState,
    t: Words,
    call: &CallRecord,
    names: &HashMap<i64, String>,
) -> CallLine {
    CallLine {
        id: call.id,
        started: local(state, call.started_at),
        line: call.line_number.clone(),
        caller: masked(state, &call.caller_sealed),
        service: t.service(call.service),
        language: groups::name(t, call.language.map_or("none", Language::as_str)),
        outcome: groups::name(t, call.outcome.map_or("in_progress", CallOutcome::as_str)),
        waited: call
            .answered_at
            .map(|at| groups::span(t, (at - call.started_at).num_seconds())),
        answered_by: call
            .answered_by
            .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))),
        voicemail: call.outcome == Some(CallOutcome::Voicemail),
    }
}

fn text_line(state: &AppState, t: Words, conversation: &Conversation) -> TextLine {
    TextLine {
        code: conversation.code.clone(),
        opened: local(state, conversation.opened_at),
        line: conversation.line_number.clone(),
        channel: groups::name(t, conversation.channel.as_str()),
        service: t.service(Some(conversation.service)),
        contact: masked(state, &conversation.contact_sealed),
        open: conversation.open,
    }
}

/// The reveal form carries nothing but its token.
#[derive(Debug, Deserialize)]
pub struct RevealForm {}

/// How long after a reveal its session may see the number again by reloading the page.
pub const REVEAL_LASTS: Duration = Duration::minutes(5);

fn reveal_page(state: &AppState, user: &SignedIn, call: &CallRecord) -> RevealPage {
    RevealPage {
        page: Layout::new(user, Text::CallersNumber),
        id: call.id,
        started: local(state, call.started_at),
        service: user.words().service(call.service),
        number: None,
    }
}

/// `POST /log/calls/{id}/reveal`: her whole number, for a coordinator who must call her back.
/// Audited once, here; then this session may see it on `GET /log/calls/{id}/reveal` for
/// `REVEAL_LASTS` (post, redirect, get: a reload neither posts nor audits again, and her number
/// is in no URL).
pub async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<RevealForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return layout::notice(
            StatusCode::FORBIDDEN,
            &Notice::for_user(user, Text::Forbidden),
        );
    }
    let now = state.clock.now();
    let revealed = log::reveal(
        state.store.as_ref(),
        &state.secrets.data_key,
        id,
        user.actor(),
        now,
    )
    .await;
    let refused = |message| layout::notice(StatusCode::CONFLICT, &Notice::for_user(user, message));
    match revealed {
        Ok(_) => {}
        Err(RevealRefused::NoSuchCall) => return layout::not_found(user),
        Err(RevealRefused::Erased) => return refused(Text::NumberErased),
        Err(RevealRefused::Unreadable) => return refused(Text::NumberUnreadable),
        Err(RevealRefused::Store(error)) => return layout::server_error(error),
    }
    if let Err(error) = state
        .store
        .grant_reveal(user.token_hash(), id, now, now + REVEAL_LASTS)
        .await
    {
        return layout::server_error(error);
    }
    Redirect::to(&format!("/log/calls/{id}/reveal")).into_response()
}

/// `GET /log/calls/{id}/reveal`: her number, to the session that revealed it within the last
/// `REVEAL_LASTS`, not audited again; otherwise the form to reveal it (audited) once more.
pub async fn revealed(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Path(id): Path<i64>,
) -> Response {
    let call = match state.store.call_by_id(id).await {
        Ok(Some(call)) => call,
        Ok(None) => return layout::not_found(&user),
        Err(error) => return layout::server_error(error),
    };
    let mut page = reveal_page(&state, &user, &call);
    let granted = match state
        .store
        .reveal_granted(user.token_hash(), id, state.clock.now())
        .await
    {
        Ok(granted) => granted,
        Err(error) => return layout::server_error(error),
    };
    if granted {
        page.number = match log::shown_again(&state.secrets.data_key, &call) {
            Ok(number) => Some(number),
            Err(RevealRefused::Erased) => None,
            Err(RevealRefused::Unreadable) => None,
            Err(RevealRefused::NoSuchCall) => return layout::not_found(&user),
            Err(RevealRefused::Store(error)) => return layout::server_error(error),
        };
    }
    render_with(StatusCode::OK, &page)
}
