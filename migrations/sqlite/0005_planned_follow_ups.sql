-- A follow-up a staff member planned for a set time ("call her back the day before the court"),
-- on a text conversation or a call: at `due_at` the staff member is texted (the coordinators,
-- if that person has left), and, on a conversation, she may be texted `her_text_sealed` — only
-- if her consent allows it at that moment (the outbox asks it). Its job is written in the same
-- transaction, so a plan is never kept without its reminder. Note and text are sealed.
CREATE TABLE planned_follow_ups (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER REFERENCES conversations (id),
    call_id          INTEGER REFERENCES calls (id),
    staff_id         INTEGER NOT NULL REFERENCES staff (id),
    due_at           TEXT NOT NULL,
    note_sealed      BLOB,
    her_text_sealed  BLOB,
    status           TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'cancelled')),
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    done_at          TEXT,
    CHECK ((conversation_id IS NULL) <> (call_id IS NULL))
);
CREATE INDEX planned_follow_ups_due ON planned_follow_ups (status, due_at);
