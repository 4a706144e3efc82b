//! A voicemail's audio on its follow-up's page: an `<audio controls>` whose source is
//! `GET /follow-ups/{id}/voicemail` (and in the call log, `GET /log/calls/{id}/voicemail`, by
//! the call's follow-up), or why there is none (still being fetched, could not be
//! fetched, erased). The audio goes to whoever may see the follow-up (`access::FollowUpSight`:
//! a coordinator, or staff of its service whose it may be) and to nobody else ("not found"),
//! opened from its seal, never cached, and every play is audited: who, which call.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
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
pub async fn play(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    play_follow_up(&state, &user, id).await
}

/// `GET /log/calls/{id}/voicemail`: the call log's player, by the call's follow-up and its
/// sight: a call whose follow-up this user may not see plays as if it had no voicemail.
pub async fn play_call(
    State(state): State<AppState>,
    user: SignedIn,
    Path(call_id): Path<i64>,
) -> Response {
    match state.store.follow_up_of_call(call_id).await {
        Ok(Some(id)) => play_follow_up(&state, &user, id).await,
        Ok(None) => layout::not_found(&user),
        Err(error) => layout::server_error(error),
    }
}

async fn play_follow_up(state: &AppState, user: &SignedIn, id: i64) -> Response {
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
    // Audited before a byte of her voice leaves: a play that cannot be audited is not played.
    let audited = state
        .store
        .record_audit(&AuditEntry {
            at: state.clock.now(),
            actor: user.actor(),
            action: "play-voicemail".to_owned(),
            subject: format!("call/{call_id}"),
            before: None,
            after: Some(serde_json::json!({ "follow_up": id }).to_string()),
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
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name)
                    .unwrap_or(HeaderValue::from_static("inline; filename=\"voicemail\"")),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A file name's ending for the audio's type.
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/ogg" => "ogg",
        _ => "mp3",
    }
}
