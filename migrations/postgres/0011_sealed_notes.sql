-- A follow-up's answer note is personal (what was said, where she is): it is kept sealed with
-- the data key, like her number and her words. `answer_note` holds only notes written before
-- this migration, until the server seals them at start (`legacy_notes.rs`).
ALTER TABLE follow_ups ADD COLUMN answer_note_sealed BYTEA;
