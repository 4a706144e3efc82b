-- What the server's watches last saw, by watch: the stretches of duty each person was last told
-- of, and how far the shift reminders have looked. A watch compares what it sees now with
-- this, so a restart neither repeats a notice nor skips one.
CREATE TABLE watches (
    name        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
