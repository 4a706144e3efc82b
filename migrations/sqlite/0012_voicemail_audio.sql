-- A voicemail's audio, fetched from the provider by a job once its recording callback came,
-- sealed with the data key (key id, nonce, ciphertext) and then deleted at the provider. In the
-- database, not a local file: several instances share one database. Erasure and retention
-- delete the row (the voicemail row stays, to be counted).
CREATE TABLE voicemail_audio (
    id            INTEGER PRIMARY KEY,
    voicemail_id  INTEGER NOT NULL UNIQUE REFERENCES voicemails (id),
    audio_sealed  BLOB NOT NULL,
    -- Of the plain audio, in bytes.
    size_bytes    INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
    fetched_at    TEXT NOT NULL
);
