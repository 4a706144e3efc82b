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
    last_id BIGINT NOT NULL,
    hash    TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only, in the database itself: no entry is deleted or rewritten; the one change allowed
-- is retention's, which erases personal words and the entry's salt together.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
        OR NEW.actor IS DISTINCT FROM OLD.actor OR NEW.action IS DISTINCT FROM OLD.action
        OR NEW.subject IS DISTINCT FROM OLD.subject OR NEW.before IS DISTINCT FROM OLD.before
        OR NEW.before_digest IS DISTINCT FROM OLD.before_digest
        OR NEW.after_digest IS DISTINCT FROM OLD.after_digest
        OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash OR NEW.hash IS DISTINCT FROM OLD.hash THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    IF NEW.salt IS NOT NULL THEN
        RAISE EXCEPTION 'an audit entry''s words are only erased, and its salt with them';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
