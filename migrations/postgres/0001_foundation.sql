-- The foundation: staff, the rota, calls and their legs, voicemails, the outbox, API tokens.

CREATE TABLE staff (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL UNIQUE,
    services       TEXT NOT NULL,
    languages      TEXT NOT NULL,
    is_coordinator BOOLEAN NOT NULL DEFAULT FALSE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    gender         TEXT,
    -- The secret of the staff member's calendar feed: its hash to find it, sealed to show it.
    calendar_hash   TEXT UNIQUE,
    calendar_sealed BYTEA,
    created_at     TIMESTAMPTZ NOT NULL
);

-- The rota's rules (rotations, shifts, overrides), each kept with the span of real time it is
-- in force: an edit closes a rule and opens another, so the past never changes. The rule itself
-- is JSON; the columns are what queries select by.
CREATE TABLE rota_rules (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('rotation', 'shift', 'override')),
    service      TEXT,
    starts_at    TIMESTAMPTZ,
    ends_at      TIMESTAMPTZ,
    body         TEXT NOT NULL,
    valid_from   TIMESTAMPTZ NOT NULL,
    valid_until  TIMESTAMPTZ,
    replaced_by  BIGINT REFERENCES rota_rules (id)
);
CREATE INDEX rota_rules_in_force ON rota_rules (valid_until, ends_at);

CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    before   TEXT,
    after    TEXT
);

CREATE TABLE calls (
    id             BIGSERIAL PRIMARY KEY,
    call_sid       TEXT NOT NULL UNIQUE,
    line_number    TEXT NOT NULL,
    caller_sealed  BYTEA NOT NULL,
    caller_hash    TEXT NOT NULL,
    status         TEXT NOT NULL,
    stage          TEXT NOT NULL,
    outcome        TEXT,
    answered_by    BIGINT REFERENCES staff (id),
    started_at     TIMESTAMPTZ NOT NULL,
    answered_at    TIMESTAMPTZ,
    ended_at       TIMESTAMPTZ,
    duration_secs  BIGINT,
    last_sequence  BIGINT NOT NULL DEFAULT -1
);
CREATE INDEX calls_by_caller ON calls (caller_hash);
CREATE INDEX calls_by_start ON calls (started_at);

CREATE TABLE call_legs (
    id            BIGSERIAL PRIMARY KEY,
    call_id       BIGINT NOT NULL REFERENCES calls (id),
    attempt       BIGINT NOT NULL,
    staff_id      BIGINT NOT NULL REFERENCES staff (id),
    started_at    TIMESTAMPTZ NOT NULL,
    dial_call_sid TEXT,
    result        TEXT,
    duration_secs BIGINT,
    ended_at      TIMESTAMPTZ,
    UNIQUE (call_id, attempt)
);

CREATE TABLE voicemails (
    id                BIGSERIAL PRIMARY KEY,
    call_id           BIGINT NOT NULL UNIQUE REFERENCES calls (id),
    recording_sid     TEXT NOT NULL,
    recording_sealed  BYTEA NOT NULL,
    duration_secs     BIGINT,
    created_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL,
    to_sealed       BYTEA NOT NULL,
    body_sealed     BYTEA NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    provider_sid    TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (status, id);

CREATE TABLE api_tokens (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
