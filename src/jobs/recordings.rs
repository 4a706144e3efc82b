//! Bringing a voicemail home: the recording callback schedules one job per recording (keyed on
//! its RecordingSid, so a repeated callback schedules nothing new); the job fetches the audio
//! from the provider, keeps it sealed with the data key in the database, and only once that is
//! committed deletes the recording at the provider. A failed fetch is tried again by the
//! runner's retries; once they are used up the job is dead and the follow-up's page says the
//! audio could not be fetched (the recording then stays at the provider).
//!
//! Erased first: when retention or her erasure blanked the voicemail before its audio came,
//! nothing is fetched or kept, and the recording is still deleted at the provider, by the sid
//! the job's payload holds — erasure must not leave her voice there. The payload (the call's id
//! and the provider's sid, nothing personal) goes with the done job (`forget_done_jobs`).
//!
//! Every step is idempotent (the audio is kept once; a recording already gone is a 404, fine),
//! so a job run twice — its lease ran out during two slow requests under a very short lease,
//! and another runner took it — fetches twice at worst and loses nothing.
//!
//! Without a provider account (the console mode), there is nowhere to fetch from: the job ends
//! with nothing done and the voicemail shows without audio.

use serde::{Deserialize, Serialize};

use super::runner::{JobError, JobHandler};
use crate::store::{Job, NewJob, NewVoicemailAudio, StoreError};
use crate::telephony::client::{Deleted, FetchError, TwilioClient};
use crate::web::AppState;

/// The kind of a recording's job.
pub const KIND: &str = "voicemail-recording";

/// The metric counting what became of recordings, by fixed words: `fetched`, `fetch-failed`,
/// `refused`, `deleted`, `already-gone`, `delete-failed`.
const METRIC: &str = "hotline_recordings_total";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Payload {
    call_id: i64,
    recording_sid: String,
}

/// The job's key: one per recording, however often its callback comes.
pub fn job_key(recording_sid: &str) -> String {
    format!("recording:{recording_sid}")
}

/// Schedules fetching the recording `recording_sid` of the voicemail on call `call_id`, due
/// now; once however often it is asked.
pub async fn schedule(
    state: &AppState,
    call_id: i64,
    recording_sid: &str,
) -> Result<bool, StoreError> {
    let now = state.clock.now();
    let payload = Payload {
        call_id,
        recording_sid: recording_sid.to_owned(),
    };
    state
        .store
        .enqueue_job(&NewJob {
            kind: KIND.to_owned(),
            payload: serde_json::to_string(&payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            idempotency_key: job_key(recording_sid),
            due_at: now,
            created_at: now,
        })
        .await
}

/// Runs recordings' jobs, with the provider's client when an account is configured.
pub struct Recordings {
    state: AppState,
    client: Option<TwilioClient>,
}

impl Recordings {
    pub fn new(state: AppState, client: Option<TwilioClient>) -> Self {
        Self { state, client }
    }

    fn count(&self, outcome: &'static str) {
        self.state.metrics.count(METRIC, "outcome", outcome);
    }

    /// Fetches and keeps the audio, unless it is kept already or was erased; then it is the
    /// provider's to delete.
    async fn bring_home(&self, client: &TwilioClient, payload: &Payload) -> Result<(), JobError> {
        let state = &self.state;
        let Some(voicemail) = state.store.voicemail_recording(payload.call_id).await? else {
            return Err(JobError::Fatal(format!(
                "call {} has no voicemail",
                payload.call_id
            )));
        };
        if voicemail.has_audio || voicemail.is_erased() {
            return Ok(());
        }
        if voicemail.recording_sid != payload.recording_sid {
            // A second recording on one call: the voicemail kept the first.
            return Err(JobError::Fatal(format!(
                "call {}'s voicemail holds another recording",
                payload.call_id
            )));
        }
        let url = state
            .secrets
            .data_key
            .open(&voicemail.recording_sealed)
            .map_err(|e| JobError::Fatal(format!("the recording's URL will not open: {e}")))?;
        let audio = match client.fetch_recording(&url).await {
            Ok(audio) => audio,
            Err(FetchError::Provider(error)) => {
                self.count("fetch-failed");
                return Err(JobError::Retry(format!(
                    "the recording was not fetched: {error}"
                )));
            }
            Err(refused) => {
                self.count("refused");
                return Err(JobError::Fatal(refused.to_string()));
            }
        };
        let kept = state
            .store
            .keep_voicemail_audio(&NewVoicemailAudio {
                voicemail_id: voicemail.voicemail_id,
                audio_sealed: state.secrets.data_key.seal_bytes(&audio.bytes),
                size_bytes: i64::try_from(audio.bytes.len()).unwrap_or(i64::MAX),
                content_type: audio.content_type,
                fetched_at: state.clock.now(),
            })
            .await?;
        if kept {
            self.count("fetched");
            tracing::info!(
                call_id = payload.call_id,
                bytes = audio.bytes.len(),
                "a voicemail's audio is kept"
            );
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl JobHandler for Recordings {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let payload: Payload = serde_json::from_str(&job.payload).map_err(|e| {
            JobError::Fatal(format!("a recording job's payload is not readable: {e}"))
        })?;
        let Some(client) = &self.client else {
            tracing::info!(
                call_id = payload.call_id,
                "no provider account: a voicemail's audio stays where it is"
            );
            return Ok(());
        };
        self.bring_home(client, &payload).await?;
        // Kept (now, or by an earlier attempt), or erased: the provider's copy goes.
        match client.delete_recording(&payload.recording_sid).await {
            Ok(Deleted::Deleted) => {
                self.count("deleted");
                Ok(())
            }
            Ok(Deleted::AlreadyGone) => {
                self.count("already-gone");
                Ok(())
            }
            Err(error) => {
                self.count("delete-failed");
                let retry = error.is_retryable();
                let message = format!("the recording was not deleted at the provider: {error}");
                Err(if retry {
                    JobError::Retry(message)
                } else {
                    JobError::Fatal(message)
                })
            }
        }
    }
}
