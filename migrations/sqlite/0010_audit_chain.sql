-- The audit log becomes a chain: each entry carries the SHA-256 of its content and of the entry
-- before it, and `audit_head` the newest link, so an entry changed, removed or slipped in shows
-- in `hotline audit verify`. The personal fields (before, after) enter the chain only through a
-- digest salted per entry: the retention job erases a note inside an entry together with its
-- salt, the chain still verifies, and the digest left behind cannot be used to guess the words.
-- Entries written before this migration stay outside the chain (no hash), and verify says so.
ALTER TABLE audit_log ADD COLUMN salt TEXT;
ALTER TABLE audit_log ADD COLUMN before_digest TEXT;
ALTER TABLE audit_log ADD COLUMN after_digest TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    hash    TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only, in the database itself: no entry is deleted or rewritten; the one change allowed
-- is retention's, which erases personal words and the entry's salt together.
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_rewrite
BEFORE UPDATE OF id, at, actor, action, subject, before, before_digest, after_digest, prev_hash, hash
ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_erase_only BEFORE UPDATE OF after, salt ON audit_log
WHEN NEW.salt IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an audit entry''s words are only erased, and its salt with them');
END;
