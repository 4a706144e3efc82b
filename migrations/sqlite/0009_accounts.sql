-- Accounts the coordinator manages. A one-time link may now set the password of a user already
-- added (`user_id`), besides the first coordinator's link that adds one (`user_id` NULL); only
-- the hash of its token is kept, as before. A reveal grant lets one session see one caller's
-- number again for a few minutes after an audited reveal, so a reload neither audits twice nor
-- needs her number in a URL; it is keyed by the session token's hash, never the token.
ALTER TABLE sign_in_links ADD COLUMN user_id INTEGER REFERENCES users (id);

CREATE TABLE reveal_grants (
    token_hash TEXT NOT NULL,
    call_id    INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (token_hash, call_id)
);
CREATE INDEX reveal_grants_expiry ON reveal_grants (expires_at);
