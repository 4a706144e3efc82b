-- Her consent gains its terms: the local hours when contact is safe (wall-clock HH:MM in the
-- hotline's zone; a window whose end is before its start runs past midnight), when it ends, and
-- a code word, sealed like every personal value. The outbox learns which rows go to her (the
-- keyed hash of her number, NULL for texts to staff), so the sender can ask her consent at the
-- moment of sending, and a row she no longer consents to ends 'withheld', never sent.
ALTER TABLE consents ADD COLUMN safe_from TEXT;
ALTER TABLE consents ADD COLUMN safe_until TEXT;
ALTER TABLE consents ADD COLUMN expires_at TEXT;
ALTER TABLE consents ADD COLUMN code_word_sealed BLOB;

-- SQLite cannot change a CHECK in place: the outbox is rebuilt as SQLite's documentation
-- describes (new table, copy, drop, rename), its index made again. Nothing references the
-- outbox, so foreign keys are untouched.
CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'callback')),
    to_sealed       BLOB NOT NULL,
    body_sealed     BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                        ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable',
                         'withheld')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at      TEXT,
    lease_until     TEXT,
    uncertain_since TEXT,
    provider_sid    TEXT UNIQUE,
    error_code      INTEGER,
    error_message   TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    finished_at     TEXT,
    contact_hash    TEXT
);
INSERT INTO outbox_rebuilt (id, idempotency_key, channel, to_sealed, body_sealed, status, attempts,
                            next_attempt_at, claimed_at, lease_until, uncertain_since, provider_sid,
                            error_code, error_message, created_at, sent_at, finished_at)
SELECT id, idempotency_key, channel, to_sealed, body_sealed, status, attempts,
       next_attempt_at, claimed_at, lease_until, uncertain_since, provider_sid,
       error_code, error_message, created_at, sent_at, finished_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
