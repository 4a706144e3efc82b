//! `/lines`: how each hotline number answers, for the coordinator only. The list shows the
//! default line (every number without its own settings) and each number with its own; a line's
//! page edits every setting in one form and carries its recorded prompts
//! (`line_recordings.rs`). Every change is saved through the JSON API's own `save_line` and
//! `remove_line` (`api::lines`): the same validation and the same audit entries, never a copy.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hotline_routes::line::Line;
use hotline_routes::prompts::{self, Prompt};
use hotline_schedules::Language;
use serde::Deserialize;

use super::csrf::Posted;
use super::layout::{self, Layout, Notice, render, render_with};
use super::line_form::{self, LineFields, LineForm, LineProblems, language_name};
use super::line_hours;
use super::prompt_names;
use super::session::{Coordinator, SignedIn};
use super::words::{Text, Words};
use crate::lines::DEFAULT_LINE;
use crate::web::AppState;
use crate::web::api::lines::{self as api, SaveProblem};

/// One line in the list.
#[derive(Debug)]
pub struct LineSummary {
    /// The key in its address: `default` or the number.
    pub number: String,
    /// The number, or the words for the default line.
    pub title: String,
    pub name: String,
    pub languages: String,
    pub services: String,
    pub hours: String,
    pub ring: &'static str,
}

#[derive(Debug, Template)]
#[template(path = "lines.html")]
pub struct LinesPage {
    pub page: Layout,
    pub lines: Vec<LineSummary>,
    /// The add form's number, as typed.
    pub new_number: String,
    pub number_problem: Option<&'static str>,
}

/// One prompt's recording, or its absence, and its upload form.
#[derive(Debug)]
pub struct PromptRow {
    pub prompt: String,
    /// The Russian words, heard where there is no recording: what to record.
    pub text: &'static str,
    pub current: Option<String>,
    pub problem: Option<&'static str>,
}

/// A language's recordings.
#[derive(Debug)]
pub struct RecordingsFor {
    pub language: &'static str,
    pub label: &'static str,
    /// Open when it has a problem to show.
    pub open: bool,
    pub prompts: Vec<PromptRow>,
}

#[derive(Debug, Template)]
#[template(path = "line.html")]
pub struct LinePage {
    pub page: Layout,
    pub number: String,
    pub title: String,
    pub is_default: bool,
    pub fields: LineFields,
    pub problems: LineProblems,
    pub recordings: Vec<RecordingsFor>,
}

impl LinePage {
    pub fn gender_options(&self) -> [(&'static str, &'static str); 3] {
        LineFields::gender_options(self.page.t)
    }

    pub fn ring_options(&self) -> [(&'static str, &'static str); 2] {
        LineFields::ring_options(self.page.t)
    }

    pub fn language_options(&self) -> Vec<(&'static str, &'static str)> {
        Language::ALL
            .into_iter()
            .map(|l| (l.as_str(), language_name(self.page.t, l)))
            .collect()
    }
}

fn title(t: Words, number: &str) -> String {
    if number == DEFAULT_LINE {
        t.say(Text::LineDefault).to_owned()
    } else {
        number.to_owned()
    }
}

fn summary(t: Words, number: &str, line: &Line) -> LineSummary {
    LineSummary {
        number: number.to_owned(),
        title: title(t, number),
        name: line.name.clone(),
        languages: line
            .languages
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{} {}", i + 1, language_name(t, *l)))
            .collect::<Vec<_>>()
            .join(", "),
        services: line
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{} {}", i + 1, t.service(Some(*s))))
            .collect::<Vec<_>>()
            .join(", "),
        hours: line_hours::describe_hours(t, line.hours.as_ref()),
        ring: match line.ring {
            hotline_routes::line::RingStrategy::Sequential => t.say(Text::RingSequential),
            hotline_routes::line::RingStrategy::Simultaneous => t.say(Text::RingSimultaneous),
        },
    }
}

/// A line's own settings as stored (the default line's built-in ones when it has none yet);
/// `None` for a number without its own. Damaged settings read as the defaults, as calls do.
pub async fn own_line(state: &AppState, number: &str) -> Result<Option<Line>, Response> {
    let body = state
        .store
        .line(number)
        .await
        .map_err(layout::server_error)?;
    Ok(match body {
        Some(body) => Some(serde_json::from_str(&body).unwrap_or_else(|error| {
            tracing::error!(%error, line = number, "a line's settings cannot be read");
            Line::default()
        })),
        None if number == DEFAULT_LINE => Some(Line::default()),
        None => None,
    })
}

/// The line's key from its address, and its own settings; 404 for anything else.
pub async fn in_sight(
    state: &AppState,
    user: &SignedIn,
    number: &str,
) -> Result<(String, Line), Response> {
    let key = api::line_key(number).map_err(|_| layout::not_found(user))?;
    match own_line(state, &key).await? {
        Some(line) => Ok((key, line)),
        None => Err(layout::not_found(user)),
    }
}

async fn list_page(
    state: &AppState,
    user: &SignedIn,
    new_number: String,
    number_problem: Option<&'static str>,
) -> Result<LinesPage, Response> {
    let t = user.words();
    let stored = state.store.lines().await.map_err(layout::server_error)?;
    let mut numbers: Vec<String> = stored.into_iter().map(|(number, _)| number).collect();
    numbers.retain(|n| n != DEFAULT_LINE);
    let mut lines = Vec::new();
    for number in std::iter::once(DEFAULT_LINE.to_owned()).chain(numbers) {
        if let Some(line) = own_line(state, &number).await? {
            lines.push(summary(t, &number, &line));
        }
    }
    Ok(LinesPage {
        page: Layout::new(user, Text::Lines),
        lines,
        new_number,
        number_problem,
    })
}

/// `GET /lines`: the default line and every number with its own settings.
pub async fn list(State(state): State<AppState>, Coordinator(user): Coordinator) -> Response {
    match list_page(&state, &user, String::new(), None).await {
        Ok(page) => render(&page),
        Err(response) => response,
    }
}

fn forbidden(user: &SignedIn) -> Response {
    layout::notice(
        StatusCode::FORBIDDEN,
        &Notice::for_user(user, Text::Forbidden),
    )
}

pub fn address(number: &str) -> String {
    format!("/lines/{number}")
}

#[derive(Debug, Deserialize)]
pub struct NewLineForm {
    #[serde(default)]
    number: String,
}

/// `POST /lines`: a number gets its own settings, a copy of the default line's to start from.
pub async fn create(State(state): State<AppState>, posted: Posted<NewLineForm>) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let typed = posted.form.number.trim();
    let Ok(number) = api::line_key(typed) else {
        let problem = Some(user.words().say(Text::PhoneInvalid));
        return match list_page(&state, user, typed.to_owned(), problem).await {
            Ok(page) => render_with(StatusCode::UNPROCESSABLE_ENTITY, &page),
            Err(response) => response,
        };
    };
    let result = async {
        if own_line(&state, &number).await?.is_none() {
            let line = crate::lines::for_number(state.store.as_ref(), DEFAULT_LINE)
                .await
                .map_err(layout::server_error)?;
            save(&state, user, &number, &line).await?;
        }
        Ok::<_, Response>(Redirect::to(&address(&number)).into_response())
    }
    .await;
    result.unwrap_or_else(|response| response)
}

/// Saves through the API's `save_line`; a line the API would refuse is a server error here,
/// because the page read it from its own form and checked it first.
async fn save(
    state: &AppState,
    user: &SignedIn,
    number: &str,
    line: &Line,
) -> Result<(), Response> {
    match api::save_line(state, &user.actor(), number, line).await {
        Ok(()) => Ok(()),
        Err(SaveProblem::Invalid(error)) => Err(layout::server_error(error)),
        Err(SaveProblem::Store(error)) => Err(layout::server_error(error)),
    }
}

/// A line's page: its settings form (as stored, or as typed with problems) and its recordings.
pub fn line_page(
    user: &SignedIn,
    number: &str,
    line: &Line,
    fields: Option<LineFields>,
    problems: LineProblems,
    upload_problem: Option<(Language, Prompt, &'static str)>,
) -> LinePage {
    let t = user.words();
    let recordings = Language::ALL
        .into_iter()
        .map(|language| {
            let prompts = prompt_names::PROMPTS
                .into_iter()
                .map(|prompt| PromptRow {
                    prompt: prompt_names::name(prompt),
                    text: prompts::russian(prompt),
                    current: line.recording(language, prompt).map(str::to_owned),
                    problem: upload_problem
                        .filter(|(l, p, _)| *l == language && *p == prompt)
                        .map(|(_, _, problem)| problem),
                })
                .collect::<Vec<_>>();
            RecordingsFor {
                language: language.as_str(),
                label: language_name(t, language),
                open: prompts.iter().any(|p| p.problem.is_some()),
                prompts,
            }
        })
        .collect();
    LinePage {
        page: Layout::new(user, Text::Lines),
        number: number.to_owned(),
        title: title(t, number),
        is_default: number == DEFAULT_LINE,
        fields: fields.unwrap_or_else(|| LineFields::of(t, line)),
        problems,
        recordings,
    }
}

/// `GET /lines/{number}`: one line's settings and recordings.
pub async fn show(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    Path(number): Path<String>,
) -> Response {
    match in_sight(&state, &user, &number).await {
        Ok((number, line)) => render(&line_page(
            &user,
            &number,
            &line,
            None,
            LineProblems::default(),
            None,
        )),
        Err(response) => response,
    }
}

/// `POST /lines/{number}`: every setting at once; what is wrong is shown beside its field with
/// what was typed, and nothing is kept until all of it is right.
pub async fn update(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted<LineForm>,
) -> Response {
    let (user, form) = (&posted.user, &posted.form);
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let (number, before) = match in_sight(&state, user, &number).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let t = user.words();
    let refused = |problems: LineProblems| {
        let fields = line_form::as_typed(t, form);
        let page = line_page(user, &number, &before, Some(fields), problems, None);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let line = match line_form::read(t, form, &before) {
        Ok(line) => line,
        Err(problems) => return refused(*problems),
    };
    match api::save_line(&state, &user.actor(), &number, &line).await {
        Ok(()) => Redirect::to(&address(&number)).into_response(),
        Err(SaveProblem::Invalid(error)) => refused(LineProblems::from_validation(t, &error)),
        Err(SaveProblem::Store(error)) => layout::server_error(error),
    }
}

/// `POST /lines/{number}/remove`: the number answers with the default line again. The default
/// line itself stays.
pub async fn remove(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted<NewLineForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return forbidden(user);
    }
    let (number, _) = match in_sight(&state, user, &number).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if number == DEFAULT_LINE {
        return layout::notice(
            StatusCode::CONFLICT,
            &Notice::for_user(user, Text::DefaultLineStays),
        );
    }
    match api::remove_line(&state, &user.actor(), &number).await {
        Ok(_) => Redirect::to("/lines").into_response(),
        Err(error) => layout::server_error(error),
    }
}
