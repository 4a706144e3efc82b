-- Her consent gains its terms: the local hours when contact is safe (wall-clock HH:MM in the
-- hotline's zone; a window whose end is before its start runs past midnight), when it ends, and
-- a code word, sealed like every personal value. The outbox learns which rows go to her (the
-- keyed hash of her number, NULL for texts to staff), so the sender can ask her consent at the
-- moment of sending, and a row she no longer consents to ends 'withheld', never sent.
ALTER TABLE consents
    ADD COLUMN safe_from TEXT,
    ADD COLUMN safe_until TEXT,
    ADD COLUMN expires_at TIMESTAMPTZ,
    ADD COLUMN code_word_sealed BYTEA;

ALTER TABLE outbox ADD COLUMN contact_hash TEXT;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN
    ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable', 'withheld'));
