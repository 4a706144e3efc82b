//! A voicemail's audio, kept sealed in the database once the recordings job fetched it from the
//! provider (`crate::jobs::recordings`), and read back sealed for the pages that play it. The
//! audio is never kept for a voicemail whose recording was erased: keeping it checks that in
//! the same statement, so an erasure that runs while the audio is on its way wins.

use super::*;

/// A voicemail as the recordings job and the pages see it: which recording it holds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VoicemailRecording {
    pub voicemail_id: i64,
    pub call_id: i64,
    /// The provider's id; empty once erased.
    pub recording_sid: String,
    /// The recording's URL at the provider, sealed; empty once erased.
    pub recording_sealed: Vec<u8>,
    /// Whether its audio is kept here.
    pub has_audio: bool,
}

impl VoicemailRecording {
    /// Erased by retention or at her request: nothing of it may be fetched or played.
    pub fn is_erased(&self) -> bool {
        self.recording_sid.is_empty() || self.recording_sealed.is_empty()
    }
}

/// Audio fetched from the provider, to keep.
#[derive(Debug, Clone)]
pub struct NewVoicemailAudio {
    pub voicemail_id: i64,
    /// `DataKey::seal_bytes` of the audio.
    pub audio_sealed: Vec<u8>,
    /// Of the plain audio.
    pub size_bytes: i64,
    pub content_type: String,
    pub fetched_at: chrono::DateTime<chrono::Utc>,
}

/// Kept audio, still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoicemailAudio {
    pub voicemail_id: i64,
    pub audio_sealed: Vec<u8>,
    pub size_bytes: i64,
    pub content_type: String,
}

#[async_trait::async_trait]
pub trait RecordingStore: Send + Sync {
    /// The voicemail left on call `call_id`, if she left one.
    async fn voicemail_recording(&self, call_id: i64) -> StoreResult<Option<VoicemailRecording>>;
    /// Keeps a voicemail's audio, once, and only while its recording is not erased; false when
    /// it was kept already or the recording was erased meanwhile.
    async fn keep_voicemail_audio(&self, audio: &NewVoicemailAudio) -> StoreResult<bool>;
    /// The audio of the voicemail left on call `call_id`, sealed.
    async fn voicemail_audio(&self, call_id: i64) -> StoreResult<Option<VoicemailAudio>>;
    /// The id of the follow-up call `call_id` opened, if it opened one.
    async fn follow_up_of_call(&self, call_id: i64) -> StoreResult<Option<i64>>;
}

/// The recordings' methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! recording_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::RecordingStore for $store {
            async fn voicemail_recording(
                &self,
                call_id: i64,
            ) -> StoreResult<Option<$crate::store::VoicemailRecording>> {
                Ok(sqlx::query_as(
                    "SELECT v.id AS voicemail_id, v.call_id, v.recording_sid, v.recording_sealed,
                        EXISTS (SELECT 1 FROM voicemail_audio a WHERE a.voicemail_id = v.id) AS has_audio
                     FROM voicemails v WHERE v.call_id = $1",
                )
                .bind(call_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn keep_voicemail_audio(
                &self,
                audio: &$crate::store::NewVoicemailAudio,
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(
                    "INSERT INTO voicemail_audio (voicemail_id, audio_sealed, size_bytes, content_type, fetched_at)
                     SELECT v.id, $2, $3, $4, $5 FROM voicemails v
                     WHERE v.id = $1 AND v.recording_sid <> '' AND length(v.recording_sealed) > 0
                     ON CONFLICT (voicemail_id) DO NOTHING",
                )
                .bind(audio.voicemail_id)
                .bind(&audio.audio_sealed)
                .bind(audio.size_bytes)
                .bind(&audio.content_type)
                .bind(audio.fetched_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn voicemail_audio(
                &self,
                call_id: i64,
            ) -> StoreResult<Option<$crate::store::VoicemailAudio>> {
                Ok(sqlx::query_as(
                    "SELECT a.voicemail_id, a.audio_sealed, a.size_bytes, a.content_type
                     FROM voicemail_audio a JOIN voicemails v ON v.id = a.voicemail_id
                     WHERE v.call_id = $1",
                )
                .bind(call_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn follow_up_of_call(&self, call_id: i64) -> StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT id FROM follow_ups WHERE call_id = $1 ORDER BY id LIMIT 1",
                )
                .bind(call_id)
                .fetch_optional(&self.pool)
                .await?)
            }
        }
    };
}

pub(super) use recording_sql;
