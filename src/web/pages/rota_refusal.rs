//! A refused rota change in the reader's language: the editor's reason (`rota::refusal`) made
//! into a sentence, and for a clash, which rule already holds the place and from when, named as
//! the coordinator knows it (a rotation by its name, a shift by its person and times).

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hotline_schedules::{Rule, RuleError};

use axum::response::Response;

use super::layout;
use super::session::SignedIn;
use super::words::{Text, Words};
use crate::rota::edit::EditError;
use crate::rota::refusal::{Conflict, Problem};
use crate::rota::spec::{RotationSpec, ShiftSpec};
use crate::store::RuleKind;
use crate::web::AppState;

/// A refused change as its page shows it: the answer's status and the reason in her language;
/// a store failure is no refusal, and answers the apology page instead.
pub async fn refusal(
    state: &AppState,
    user: &SignedIn,
    error: EditError,
) -> Result<(StatusCode, String), Response> {
    if let EditError::Store(error) = error {
        return Err(layout::server_error(error));
    }
    tracing::info!(%error, "a rota change from the page was refused");
    Ok((status(&error), explain(state, &user.words(), &error).await))
}

/// Why `error` refused the change, said to a coordinator in her language.
pub async fn explain(state: &AppState, t: &Words, error: &EditError) -> String {
    match error {
        EditError::Invalid { problem, .. } => problem_text(t, problem),
        EditError::Conflict(Conflict::Stale { .. }) | EditError::NotFound(_) => {
            t.say(Text::RefusedStale).to_owned()
        }
        EditError::Conflict(Conflict::Overlap(RuleError::Conflict { other, at, .. })) => {
            let holder = rule_label(state, t, *other).await;
            t.say(Text::RefusedOverlap)
                .replace("{at}", &local(state, *at))
                .replace("{other}", &holder)
        }
        EditError::Conflict(Conflict::Overlap(other)) => other.to_string(),
        EditError::Store(_) => t.say(Text::SomethingWrong).to_owned(),
    }
}

fn problem_text(t: &Words, problem: &Problem) -> String {
    let key = match problem {
        Problem::EndsBeforeStart => Text::RefusedEndsBeforeStart,
        Problem::ReplacesSelf => Text::RefusedReplacesSelf,
        Problem::Deactivated(_) => Text::RefusedDeactivated,
        Problem::NoSuchStaff(_) => Text::RefusedNoSuchStaff,
        Problem::NoName => Text::RefusedNoName,
        Problem::NoMembers => Text::RefusedNoMembers,
        Problem::NoHandoff => Text::RefusedNoHandoff,
        Problem::NoWindows => Text::RefusedNoWindows,
        Problem::NoDays => Text::RefusedNoDays,
        Problem::WindowsOverlap => Text::RefusedWindowsOverlap,
        Problem::NoSuchDuty => Text::RefusedNoSuchDuty,
        Problem::Unreadable => Text::RefusedUnreadable,
        // The pure rota's rarer objections have no translation; the English beats silence.
        Problem::Other(text) => return text.clone(),
    };
    t.say(key).to_owned()
}

fn local(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.schedule.zone)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// «ротация «Юристы, ночи»» or «смена: Айгерим 26.11.2026 20:00–08:00», else the rule's number.
async fn rule_label(state: &AppState, t: &Words, rule: Rule) -> String {
    let (id, kind) = match rule {
        Rule::Rotation(id) => (id, RuleKind::Rotation),
        Rule::Shift(id) => (id, RuleKind::Shift),
    };
    let stored = state.store.rule(id).await.ok().flatten();
    let body = stored.filter(|r| r.kind == kind).map(|r| r.body);
    match (kind, body) {
        (RuleKind::Rotation, Some(body)) => match serde_json::from_str::<RotationSpec>(&body) {
            Ok(spec) => format!("{} «{}»", t.say(Text::RuleRotation), spec.name),
            Err(_) => format!("{} №{id}", t.say(Text::RuleRotation)),
        },
        (RuleKind::Shift, Some(body)) => match serde_json::from_str::<ShiftSpec>(&body) {
            Ok(spec) => {
                let who = state
                    .store
                    .staff_member(spec.staff_id)
                    .await
                    .ok()
                    .flatten()
                    .map_or_else(|| format!("#{}", spec.staff_id), |m| m.name);
                let (starts, ends) = (local(state, spec.starts_at), local(state, spec.ends_at));
                // One day's shift reads 25.11.2026 09:00–18:00.
                let ends = match (starts.split_once(' '), ends.split_once(' ')) {
                    (Some((day, _)), Some((end_day, time))) if day == end_day => time.to_owned(),
                    _ => ends,
                };
                format!("{}: {who} {starts}–{ends}", t.say(Text::RuleShift))
            }
            Err(_) => format!("{} №{id}", t.say(Text::RuleShift)),
        },
        (RuleKind::Rotation, None) => format!("{} №{id}", t.say(Text::RuleRotation)),
        _ => format!("{} №{id}", t.say(Text::RuleShift)),
    }
}

/// The answer's status for a refused change.
pub fn status(error: &EditError) -> StatusCode {
    match error {
        EditError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        EditError::Conflict(_) => StatusCode::CONFLICT,
        EditError::NotFound(_) => StatusCode::NOT_FOUND,
        EditError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
