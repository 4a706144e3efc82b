//! A line's recorded prompts: the coordinator uploads a recording for one language and one
//! prompt (Kazakh above all: Twilio has no Kazakh voice), or removes one (Russian speech again).
//! An upload is a multipart form whose first field is the session's token, checked before the
//! file is read; the file is kept only if its first bytes say WAV or MP3 (what Twilio's
//! `<Play>` takes), whatever its name or claimed type, and only up to `LARGEST_PROMPT`. It is
//! stored under a name we make (never the uploaded one), written whole to a temporary file and
//! then renamed, and served from `/prompts/`; the line's `recordings` change is audited.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hotline_routes::line::Line;
use hotline_routes::prompts::Prompt;
use hotline_schedules::Language;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::csrf::{self, Posted};
use super::layout::{self, Notice, render_with};
use super::line_form::LineProblems;
use super::lines::{address, in_sight, line_page};
use super::prompt_names;
use super::session::{SignedIn, random_token};
use super::words::Text;
use crate::web::AppState;
use crate::web::api::lines::{self as api, SaveProblem};

/// The largest recording kept: minutes of speech as MP3, a long prompt as WAV.
pub const LARGEST_PROMPT: usize = 5 * 1024 * 1024;
/// The upload route's body limit. A file past `LARGEST_PROMPT` but within this is read to its
/// end (and dropped) so her browser hears why it was refused; beyond it the connection may
/// simply close.
pub const LARGEST_UPLOAD: usize = 4 * LARGEST_PROMPT;

/// The kinds of audio Twilio's `<Play>` takes that we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audio {
    Wav,
    Mp3,
}

impl Audio {
    /// What the first bytes say the file is: RIFF…WAVE, an ID3 tag, or an MPEG audio frame's
    /// sync (eleven bits set, and a layer that exists).
    pub fn sniff(bytes: &[u8]) -> Option<Audio> {
        match bytes {
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'A',
                b'V',
                b'E',
                ..,
            ] => Some(Audio::Wav),
            [b'I', b'D', b'3', ..] => Some(Audio::Mp3),
            [0xFF, second, ..] if second & 0xE0 == 0xE0 && second & 0x06 != 0 => Some(Audio::Mp3),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Audio::Wav => "wav",
            Audio::Mp3 => "mp3",
        }
    }
}

/// The name a recording is kept under: the line, language and prompt it is for, and a hash of
/// its content, so a new recording never overwrites one an earlier setting (or the audit log)
/// still names.
pub fn file_name(
    number: &str,
    language: Language,
    prompt: Prompt,
    audio: Audio,
    bytes: &[u8],
) -> String {
    let line: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
    let hash = hex::encode(Sha256::digest(bytes));
    format!(
        "line-{line}-{}-{}-{}.{}",
        language.as_str(),
        prompt_names::name(prompt),
        &hash[..12],
        audio.extension()
    )
}

/// What an upload brought, as far as it was read.
#[derive(Debug, Default)]
struct Upload {
    language: Option<Language>,
    prompt: Option<Prompt>,
    file: Vec<u8>,
    too_big: bool,
}

/// Reads the fields after the token; `Err` when the form cannot be read at all.
async fn read_upload(multipart: &mut Multipart) -> Result<Upload, ()> {
    let mut upload = Upload::default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(upload),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                upload.too_big = true;
                return Ok(upload);
            }
            Err(_) => return Err(()),
        };
        let name = field.name().map(str::to_owned);
        match name.as_deref() {
            Some("language") => {
                upload.language = field.text().await.ok().and_then(|l| l.parse().ok())
            }
            Some("prompt") => {
                upload.prompt = field
                    .text()
                    .await
                    .ok()
                    .and_then(|p| prompt_names::named(&p))
            }
            Some("file") => loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if upload.file.len() + chunk.len() <= LARGEST_PROMPT => {
                        upload.file.extend_from_slice(&chunk);
                    }
                    // Past the limit: read on (to the route's body limit) only so the browser
                    // hears the answer, keeping nothing.
                    Ok(Some(_)) => upload.too_big = true,
                    Ok(None) => break,
                    Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        upload.too_big = true;
                        return Ok(upload);
                    }
                    Err(_) => return Err(()),
                }
            },
            _ => {}
        }
    }
}

/// Writes the recording under `prompts_dir` by way of a temporary file, so `/prompts/` never
/// serves half a file.
async fn store_file(state: &AppState, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = &state.prompts_dir;
    tokio::fs::create_dir_all(dir).await?;
    let temporary = dir.join(format!(".upload-{}.part", &random_token()[..16]));
    if let Err(error) = tokio::fs::write(&temporary, bytes).await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(error);
    }
    tokio::fs::rename(&temporary, dir.join(name)).await
}

fn refused(user: &SignedIn, status: StatusCode) -> Response {
    layout::notice(status, &Notice::for_user(user, Text::FormRefused))
}

/// The line's page again with `problem` beside the prompt's upload form.
fn upload_refused(
    user: &SignedIn,
    number: &str,
    line: &Line,
    status: StatusCode,
    at: (Language, Prompt),
    problem: Text,
) -> Response {
    let problem = Some((at.0, at.1, user.words().say(problem)));
    let page = line_page(user, number, line, None, LineProblems::default(), problem);
    render_with(status, &page)
}

async fn save(state: &AppState, user: &SignedIn, number: &str, line: &Line) -> Response {
    match api::save_line(state, &user.actor(), number, line).await {
        Ok(()) => Redirect::to(&address(number)).into_response(),
        Err(SaveProblem::Invalid(error)) => layout::server_error(error),
        Err(SaveProblem::Store(error)) => layout::server_error(error),
    }
}

/// `POST /lines/{number}/recordings`: a recording for one language and prompt of the line.
pub async fn upload(
    State(state): State<AppState>,
    Path(number): Path<String>,
    user: SignedIn,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if !user.is_coordinator() {
        return layout::notice(
            StatusCode::FORBIDDEN,
            &Notice::for_user(&user, Text::Forbidden),
        );
    }
    let Ok(mut multipart) = multipart else {
        return refused(&user, StatusCode::FORBIDDEN);
    };
    if let Err(response) = csrf::multipart_token(&user, &mut multipart).await {
        return response;
    }
    let (number, mut line) = match in_sight(&state, &user, &number).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(upload) = read_upload(&mut multipart).await else {
        return refused(&user, StatusCode::BAD_REQUEST);
    };
    let (Some(language), Some(prompt)) = (upload.language, upload.prompt) else {
        return refused(&user, StatusCode::BAD_REQUEST);
    };
    let at = (language, prompt);
    if upload.too_big {
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        return upload_refused(&user, &number, &line, status, at, Text::TooBig);
    }
    if upload.file.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return upload_refused(&user, &number, &line, status, at, Text::NoFile);
    }
    let Some(audio) = Audio::sniff(&upload.file) else {
        let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return upload_refused(&user, &number, &line, status, at, Text::NotAudio);
    };
    let name = file_name(&number, language, prompt, audio, &upload.file);
    if let Err(error) = store_file(&state, &name, &upload.file).await {
        return layout::server_error(error);
    }
    line.recordings
        .entry(language)
        .or_default()
        .insert(prompt, format!("/prompts/{name}"));
    save(&state, &user, &number, &line).await
}

#[derive(Debug, Deserialize)]
pub struct RecordingForm {
    #[serde(default)]
    language: String,
    #[serde(default)]
    prompt: String,
}

/// `POST /lines/{number}/recordings/remove`: the prompt is spoken in Russian again. The file
/// stays, since the audit log's earlier settings name it.
pub async fn remove(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted<RecordingForm>,
) -> Response {
    let user = &posted.user;
    if !user.is_coordinator() {
        return layout::notice(
            StatusCode::FORBIDDEN,
            &Notice::for_user(user, Text::Forbidden),
        );
    }
    let (number, mut line) = match in_sight(&state, user, &number).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (Ok(language), Some(prompt)) = (
        posted.form.language.parse::<Language>(),
        prompt_names::named(&posted.form.prompt),
    ) else {
        return refused(user, StatusCode::BAD_REQUEST);
    };
    if let Some(prompts) = line.recordings.get_mut(&language) {
        prompts.remove(&prompt);
        if prompts.is_empty() {
            line.recordings.remove(&language);
        }
    }
    save(&state, user, &number, &line).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_is_known_by_its_first_bytes_not_its_name() {
        assert_eq!(Audio::sniff(b"RIFF\x24\0\0\0WAVEfmt "), Some(Audio::Wav));
        assert_eq!(Audio::sniff(b"ID3\x04\0\0\0\0\0\0"), Some(Audio::Mp3));
        assert_eq!(Audio::sniff(&[0xFF, 0xFB, 0x90, 0x64]), Some(Audio::Mp3));
        assert_eq!(Audio::sniff(b"RIFF\x24\0\0\0AVI LIST"), None, "a video");
        assert_eq!(Audio::sniff(&[0xFF, 0xE0, 0, 0]), None, "no such layer");
        assert_eq!(Audio::sniff(b"<?php echo 1; ?>"), None);
        assert_eq!(Audio::sniff(b"RIFF"), None, "too short to say");
        assert_eq!(Audio::sniff(b""), None);
    }

    #[test]
    fn a_recording_is_named_by_us_from_its_line_prompt_and_content() {
        let name = file_name(
            "+77010000000",
            Language::Kk,
            Prompt::ChooseLanguage,
            Audio::Wav,
            b"RIFF",
        );
        assert!(
            name.starts_with("line-77010000000-kk-choose_language-") && name.ends_with(".wav"),
            "{name}"
        );
        assert_ne!(
            name,
            file_name(
                "+77010000000",
                Language::Kk,
                Prompt::ChooseLanguage,
                Audio::Wav,
                b"RIFX"
            ),
            "another recording, another name"
        );
        assert!(
            file_name("default", Language::Ru, Prompt::Welcome, Audio::Mp3, b"")
                .starts_with("line-default-ru-welcome-")
        );
    }
}
