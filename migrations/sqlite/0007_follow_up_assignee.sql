-- A follow-up can belong to one staff member: the coordinator assigns it, or someone on duty
-- takes it. From then on its reminders go to her, and no other staff member may open it. An
-- assignee who has left (deactivated) is as if there were none: the people on duty take over.
ALTER TABLE follow_ups ADD COLUMN assigned_to INTEGER REFERENCES staff (id);
ALTER TABLE follow_ups ADD COLUMN assigned_at TEXT;
CREATE INDEX follow_ups_assigned ON follow_ups (assigned_to, status);
