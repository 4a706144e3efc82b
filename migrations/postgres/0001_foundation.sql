-- The foundation: staff, plain shifts, calls and their legs, voicemails, the outbox, API tokens.

CREATE TABLE staff (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL UNIQUE,
    services       TEXT NOT NULL,
    languages      TEXT NOT NULL,
    is_coordinator BOOLEAN NOT NULL DEFAULT FALSE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE shifts (
    id         BIGSERIAL PRIMARY KEY,
    staff_id   BIGINT NOT NULL REFERENCES staff (id),
    service    TEXT NOT NULL,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (staff_id, service, starts_at, ends_at),
    CHECK (starts_at < ends_at)
);
CREATE INDEX shifts_by_end ON shifts (ends_at);

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
