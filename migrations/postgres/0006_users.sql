-- The people who sign in to the coordinator's pages. A password is kept only as an argon2id
-- hash; a session only as the SHA-256 of its token (the cookie holds the token), beside the
-- secret its forms carry against forgery. Failed sign-ins are kept a short while, to throttle
-- guessing; a one-time sign-in link only as the hash of its token, used once.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('coordinator', 'staff')),
    staff_id      BIGINT REFERENCES staff (id),
    language      TEXT NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'kk', 'en')),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    csrf_secret  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE failed_sign_ins (
    id    BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL,
    ip    TEXT NOT NULL,
    at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX failed_sign_ins_login ON failed_sign_ins (login, at);
CREATE INDEX failed_sign_ins_ip ON failed_sign_ins (ip, at);

CREATE TABLE sign_in_links (
    token_hash TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
