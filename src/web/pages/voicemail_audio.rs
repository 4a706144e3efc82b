//! A voicemail's audio on its follow-up's page: an `<audio controls>` whose source is
//! `GET /follow-ups/{id}/voicemail` (and in the call log, `GET /log/calls/{id}/voicemail`, by
//! the call's follow-up), or why there is none (still being fetched, could not be
//! fetched, erased). The audio goes to whoever may see the follow-up (`access::FollowUpSight`:
//! a coordinator, or staff of its service whose it may be) and to nobody else ("not found"),
//! opened from its seal, never cached, whole or by byte range, and every answer that carries
//! any of it is audited: who, which call, which bytes.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::follow_ups::in_sight;
use super::layout;
use super::session::SignedIn;
use super::words::{Text, Words};
use crate::store::{AuditEntry, FollowUp, JobStatus, StoreError};
use crate::web::AppState;

/// What the follow-up's page shows of a voicemail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Its audio is kept: the player.
    Playable,
    /// Not kept (yet), and why, in the user's words.
    Said(&'static str),
}

/// The voicemail of the follow-up's call, if she left one.
pub async fn of_follow_up(
    state: &AppState,
    t: Words,
    follow_up: &FollowUp,
) -> Result<Option<Heard>, StoreError> {
    let Some(call_id) = follow_up.call_id else {
        return Ok(None);
    };
    let Some(voicemail) = state.store.voicemail_recording(call_id).await? else {
        return Ok(None);
    };
    if voicemail.has_audio {
        return Ok(Some(Heard::Playable));
    }
    if voicemail.is_erased() {
        return Ok(Some(Heard::Said(t.say(Text::AudioErased))));
    }
    let job = state
        .store
        .job_by_key(&crate::jobs::recordings::job_key(&voicemail.recording_sid))
        .await?;
    let text = match job.map(|job| job.status) {
        Some(JobStatus::Queued | JobStatus::Running) => Text::AudioBeingFetched,
        // Given up after its retries, or done without audio (no provider to fetch from).
        _ => Text::AudioNotFetched,
    };
    Ok(Some(Heard::Said(t.say(text))))
}

/// `GET /follow-ups/{id}/voicemail`: the audio, to a user who may see the follow-up; audited.
pub async fn play(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    play_follow_up(&state, &user, id, range(&headers)).await
}

/// `GET /log/calls/{id}/voicemail`: the call log's player, by the call's follow-up and its
/// sight: a call whose follow-up this user may not see plays as if it had no voicemail.
pub async fn play_call(
    State(state): State<AppState>,
    user: SignedIn,
    Path(call_id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    match state.store.follow_up_of_call(call_id).await {
        Ok(Some(id)) => play_follow_up(&state, &user, id, range(&headers)).await,
        Ok(None) => layout::not_found(&user),
        Err(error) => layout::server_error(error),
    }
}

/// The `Range` header's value, if any.
fn range(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::RANGE).and_then(|v| v.to_str().ok())
}

async fn play_follow_up(
    state: &AppState,
    user: &SignedIn,
    id: i64,
    range: Option<&str>,
) -> Response {
    let follow_up = match in_sight(state, user, id).await {
        Ok((follow_up, _)) => follow_up,
        Err(response) => return response,
    };
    let Some(call_id) = follow_up.call_id else {
        return layout::not_found(user);
    };
    let audio = match state.store.voicemail_audio(call_id).await {
        Ok(Some(audio)) => audio,
        Ok(None) => return layout::not_found(user),
        Err(error) => return layout::server_error(error),
    };
    let Ok(bytes) = state.secrets.data_key.open_bytes(&audio.audio_sealed) else {
        return layout::server_error(format!(
            "the audio of call {call_id}'s voicemail will not open"
        ));
    };
    // A player asks for parts (Safari will not play without them): each part is served and
    // audited like the whole, so no part of her voice leaves unaudited.
    let total = bytes.len();
    let part = match range.map(|range| part_of(range, total)) {
        Some(Part::Unsatisfiable) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{total}"))],
            )
                .into_response();
        }
        Some(Part::Bytes(start, end)) => Some((start, end)),
        Some(Part::Whole) | None => None,
    };
    // Audited before a byte of her voice leaves: a play that cannot be audited is not played.
    let audited = state
        .store
        .record_audit(&AuditEntry {
            at: state.clock.now(),
            actor: user.actor(),
            action: "play-voicemail".to_owned(),
            subject: format!("call/{call_id}"),
            before: None,
            after: Some(
                match part {
                    Some((start, end)) => {
                        serde_json::json!({ "follow_up": id, "bytes": format!("{start}-{end}") })
                    }
                    None => serde_json::json!({ "follow_up": id }),
                }
                .to_string(),
            ),
        })
        .await;
    if let Err(error) = audited {
        return layout::server_error(error);
    }
    let content_type = HeaderValue::from_str(&audio.content_type)
        .ok()
        .filter(|_| audio.content_type.starts_with("audio/"))
        .unwrap_or(HeaderValue::from_static("audio/mpeg"));
    let name = format!(
        "inline; filename=\"voicemail-{id}.{}\"",
        extension(&audio.content_type)
    );
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&name)
                .unwrap_or(HeaderValue::from_static("inline; filename=\"voicemail\"")),
        ),
        (header::ACCEPT_RANGES, HeaderValue::from_static("bytes")),
    ];
    match part {
        Some((start, end)) => (
            StatusCode::PARTIAL_CONTENT,
            headers,
            [(
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{total}"),
            )],
            bytes[start..=end].to_vec(),
        )
            .into_response(),
        None => (headers, bytes).into_response(),
    }
}

/// What a `Range` header asks of `total` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Not one range this server reads (several, or another unit): the whole, as HTTP allows.
    Whole,
    /// From the first to the last byte, both included.
    Bytes(usize, usize),
    Unsatisfiable,
}

/// Reads `bytes=FIRST-LAST`, `bytes=FIRST-` and `bytes=-SUFFIX`.
fn part_of(range: &str, total: usize) -> Part {
    let Some((first, last)) = range
        .trim()
        .strip_prefix("bytes=")
        .filter(|spec| !spec.contains(','))
        .and_then(|spec| spec.split_once('-'))
    else {
        return Part::Whole;
    };
    let number = |text: &str| text.trim().parse::<usize>().ok();
    let (start, end) = match (first.trim().is_empty(), last.trim().is_empty()) {
        (false, true) => match number(first) {
            Some(start) => (start, total.saturating_sub(1)),
            None => return Part::Whole,
        },
        (false, false) => match (number(first), number(last)) {
            (Some(start), Some(end)) if start <= end => (start, end.min(total.saturating_sub(1))),
            _ => return Part::Whole,
        },
        (true, false) => match number(last) {
            Some(0) => return Part::Unsatisfiable,
            Some(suffix) => (total.saturating_sub(suffix), total.saturating_sub(1)),
            None => return Part::Whole,
        },
        (true, true) => return Part::Whole,
    };
    if total == 0 || start >= total {
        return Part::Unsatisfiable;
    }
    Part::Bytes(start, end)
}

/// A file name's ending for the audio's type.
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/ogg" => "ogg",
        _ => "mp3",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_read_as_a_player_asks_for_it() {
        assert_eq!(part_of("bytes=0-1", 100), Part::Bytes(0, 1));
        assert_eq!(part_of("bytes=10-", 100), Part::Bytes(10, 99));
        assert_eq!(part_of("bytes=90-500", 100), Part::Bytes(90, 99));
        assert_eq!(part_of("bytes=-30", 100), Part::Bytes(70, 99));
        assert_eq!(part_of("bytes=-300", 100), Part::Bytes(0, 99));
        assert_eq!(part_of("bytes=100-", 100), Part::Unsatisfiable);
        assert_eq!(part_of("bytes=-0", 100), Part::Unsatisfiable);
        for whole in [
            "bytes=0-1,5-9",
            "items=0-1",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=-",
            "",
        ] {
            assert_eq!(part_of(whole, 100), Part::Whole, "{whole}");
        }
    }
}
