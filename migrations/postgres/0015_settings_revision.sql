-- What routes a call (staff, the rota's rules, lines, the blocklist) is kept in each server's
-- memory. This counter moves on with every change to those tables, by trigger, whoever makes
-- it (another instance, `hotline import`, a hand edit), so a server learns with one small read
-- whether what it keeps is still current.
CREATE TABLE settings_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO settings_revision (id, revision) VALUES (1, 0);

CREATE FUNCTION settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE settings_revision SET revision = revision + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER staff_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();
CREATE TRIGGER rota_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rota_rules
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();
CREATE TRIGGER lines_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lines
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();
CREATE TRIGGER blocklist_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON blocklist
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();

-- Ringing asks who is ringing or talking now. Legs still ringing and calls answered and not
-- yet ended are few among years of others, so each gets a partial index of its own.
CREATE INDEX call_legs_ringing ON call_legs (call_id) WHERE result IS NULL;
CREATE INDEX calls_talking ON calls (id) WHERE ended_at IS NULL AND answered_by IS NOT NULL;
