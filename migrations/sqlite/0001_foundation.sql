-- The foundation: staff, the rota, calls and their legs, voicemails, the outbox, API tokens,
-- lines, the blocklist, follow-ups, and text conversations with their messages and consents.
-- Instants are RFC 3339 text in UTC (as sqlx writes chrono's DateTime<Utc>), so they sort as text.

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL UNIQUE,
    services       TEXT NOT NULL,
    languages      TEXT NOT NULL,
    is_coordinator BOOLEAN NOT NULL DEFAULT FALSE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    gender         TEXT,
    -- The secret of the staff member's calendar feed: its hash to find it, sealed to show it.
    calendar_hash   TEXT UNIQUE,
    calendar_sealed BLOB,
    created_at     TEXT NOT NULL
);

-- The rota's rules (rotations, shifts, overrides), each kept with the span of real time it is
-- in force: an edit closes a rule and opens another, so the past never changes. The rule itself
-- is JSON; the columns are what queries select by.
CREATE TABLE rota_rules (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('rotation', 'shift', 'override')),
    service      TEXT,
    starts_at    TEXT,
    ends_at      TEXT,
    body         TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_until  TEXT,
    replaced_by  INTEGER REFERENCES rota_rules (id)
);
CREATE INDEX rota_rules_in_force ON rota_rules (valid_until, ends_at);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    before   TEXT,
    after    TEXT
);

CREATE TABLE calls (
    id             INTEGER PRIMARY KEY,
    call_sid       TEXT NOT NULL UNIQUE,
    line_number    TEXT NOT NULL,
    caller_sealed  BLOB NOT NULL,
    caller_hash    TEXT NOT NULL,
    status         TEXT NOT NULL,
    stage          TEXT NOT NULL,
    language       TEXT,
    service        TEXT,
    -- When the first person was rung: the line's wait limit counts from here.
    ringing_since  TEXT,
    outcome        TEXT,
    answered_by    INTEGER REFERENCES staff (id),
    started_at     TEXT NOT NULL,
    answered_at    TEXT,
    ended_at       TEXT,
    duration_secs  INTEGER,
    last_sequence  INTEGER NOT NULL DEFAULT -1
);
CREATE INDEX calls_by_caller ON calls (caller_hash);
CREATE INDEX calls_by_start ON calls (started_at);

CREATE TABLE call_legs (
    id            INTEGER PRIMARY KEY,
    call_id       INTEGER NOT NULL REFERENCES calls (id),
    attempt       INTEGER NOT NULL,
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    started_at    TEXT NOT NULL,
    dial_call_sid TEXT,
    result        TEXT,
    duration_secs INTEGER,
    ended_at      TEXT,
    UNIQUE (call_id, attempt, staff_id)
);
CREATE INDEX call_legs_open ON call_legs (staff_id, result);

CREATE TABLE voicemails (
    id                INTEGER PRIMARY KEY,
    call_id           INTEGER NOT NULL UNIQUE REFERENCES calls (id),
    recording_sid     TEXT NOT NULL,
    recording_sealed  BLOB NOT NULL,
    duration_secs     INTEGER,
    created_at        TEXT NOT NULL
);

-- Every text the hotline sends is a row first, then sent (see src/outbox/mod.rs for the states);
-- a 'callback' row is a call to a staff member that `CALL K7Q` asked for.
-- A worker claims a row into 'sending' until `lease_until`; a row whose lease ran out is claimed
-- again, and `uncertain_since` then says an earlier attempt may have reached the provider, so it
-- is looked up there before it is sent again.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'callback')),
    to_sealed       BLOB NOT NULL,
    body_sealed     BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                        ('queued', 'sending', 'sent', 'delivered', 'failed', 'undeliverable')),
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
    finished_at     TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Each hotline number's settings (menus, languages, hours, ring strategy) as JSON; the number
-- 'default' serves every number without its own row.
CREATE TABLE lines (
    number      TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Numbers that may not call, matched by keyed hash; the number itself is never kept.
CREATE TABLE blocklist (
    id           INTEGER PRIMARY KEY,
    number_hash  TEXT NOT NULL,
    until        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX blocklist_by_hash ON blocklist (number_hash);

-- An answer owed to someone who reached out: a voicemail, a missed or an abandoned call.
CREATE TABLE follow_ups (
    id           INTEGER PRIMARY KEY,
    call_id      INTEGER UNIQUE REFERENCES calls (id),
    kind         TEXT NOT NULL,
    service      TEXT,
    line_number  TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open',
    created_at   TEXT NOT NULL,
    answered_at  TEXT,
    answered_by  INTEGER REFERENCES staff (id),
    -- Reminders sent about it so far, and the word of whoever marked it answered.
    reminders_sent  INTEGER NOT NULL DEFAULT 0,
    answer_note     TEXT
);
CREATE INDEX follow_ups_open ON follow_ups (status, created_at);

-- A thread of texts with one person who wrote to a line on one channel, known to staff by its
-- short code. A code is taken while its conversation is open and for 30 days after it closes
-- (the store checks this when it gives a code), so a late reply never reaches someone else.
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL,
    line_number      TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
    contact_sealed   BLOB NOT NULL,
    contact_hash     TEXT NOT NULL,
    service          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    follow_up_id     INTEGER REFERENCES follow_ups (id),
    opened_at        TEXT NOT NULL,
    last_inbound_at  TEXT NOT NULL,
    closed_at        TEXT,
    closed_by        INTEGER REFERENCES staff (id)
);
CREATE UNIQUE INDEX conversations_open_code ON conversations (code) WHERE status = 'open';
CREATE UNIQUE INDEX conversations_open_contact
    ON conversations (line_number, contact_hash, channel) WHERE status = 'open';
CREATE INDEX conversations_by_code ON conversations (code, closed_at);

-- Every text that came in, once per MessageSid: hers (`staff_id` empty) and staff's replies
-- and commands. The body is sealed; the sender is the conversation's or the staff member.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    message_sid      TEXT NOT NULL UNIQUE,
    line_number      TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
    staff_id         INTEGER REFERENCES staff (id),
    conversation_id  INTEGER REFERENCES conversations (id),
    body_sealed      BLOB NOT NULL,
    received_at      TEXT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, received_at);

-- Who has had a conversation relayed to them or answered it, and when last: a reply without a
-- code goes to that person's latest.
CREATE TABLE conversation_staff (
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    staff_id         INTEGER NOT NULL REFERENCES staff (id),
    last_at          TEXT NOT NULL,
    PRIMARY KEY (conversation_id, staff_id)
);

-- Her consent to be written to on a channel, as a history: the latest row for a number and
-- channel decides. Writing to us first grants it; STOP withdraws it; START grants it again.
-- 'voice' is her consent to be called back, granted only when she asks for a call.
CREATE TABLE consents (
    id               INTEGER PRIMARY KEY,
    contact_hash     TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'voice')),
    granted          BOOLEAN NOT NULL,
    reason           TEXT NOT NULL,
    conversation_id  INTEGER REFERENCES conversations (id),
    at               TEXT NOT NULL
);
CREATE INDEX consents_by_contact ON consents (contact_hash, channel, id);

-- Work the server does later, kept so a restart neither loses nor repeats it: one row per
-- occurrence (its idempotency key), claimed by one runner at a time until its lease ends, tried
-- again with backoff, and 'dead' after too many tries, for the coordinator to see.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    due_at           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    lease_until      TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    finished_at      TEXT
);
CREATE INDEX jobs_due ON jobs (status, due_at);
