-- What routes a call (staff, the rota's rules, lines, the blocklist) is kept in each server's
-- memory. This counter moves on with every change to those tables, by trigger, whoever makes
-- it (another instance, `hotline import`, a hand edit), so a server learns with one small read
-- whether what it keeps is still current.
CREATE TABLE settings_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO settings_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER staff_inserted AFTER INSERT ON staff
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER staff_updated AFTER UPDATE ON staff
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER staff_deleted AFTER DELETE ON staff
BEGIN UPDATE settings_revision SET revision = revision + 1; END;

CREATE TRIGGER rota_rules_inserted AFTER INSERT ON rota_rules
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER rota_rules_updated AFTER UPDATE ON rota_rules
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER rota_rules_deleted AFTER DELETE ON rota_rules
BEGIN UPDATE settings_revision SET revision = revision + 1; END;

CREATE TRIGGER lines_inserted AFTER INSERT ON lines
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER lines_updated AFTER UPDATE ON lines
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER lines_deleted AFTER DELETE ON lines
BEGIN UPDATE settings_revision SET revision = revision + 1; END;

CREATE TRIGGER blocklist_inserted AFTER INSERT ON blocklist
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER blocklist_updated AFTER UPDATE ON blocklist
BEGIN UPDATE settings_revision SET revision = revision + 1; END;
CREATE TRIGGER blocklist_deleted AFTER DELETE ON blocklist
BEGIN UPDATE settings_revision SET revision = revision + 1; END;

-- Ringing asks who is ringing or talking now. Legs still ringing and calls answered and not
-- yet ended are few among years of others, so each gets a partial index of its own.
CREATE INDEX call_legs_ringing ON call_legs (call_id) WHERE result IS NULL;
CREATE INDEX calls_talking ON calls (id) WHERE ended_at IS NULL AND answered_by IS NOT NULL;
