-- SPDX-License-Identifier: MIT
--
-- 2: notices and the outbox (DESIGN §6; states in notice.h)
ALTER TABLE task ADD COLUMN next_notice TEXT;
ALTER TABLE task ADD COLUMN planned_through TEXT;
CREATE INDEX task_to_plan ON task(ifnull(next_notice, '')) WHERE status NOT IN ('done', 'postponed');
CREATE TABLE message( id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id), channel TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('reminder','catchup','escalation','needs_date',  'alert','reply','test')), subject TEXT NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending','sending','sent','dead','cancelled')), attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER, last_error TEXT, day TEXT NOT NULL) STRICT;
CREATE INDEX message_due ON message(next_at) WHERE state = 'pending';
CREATE INDEX message_by_person_day ON message(person_id, day);
CREATE TABLE notice( id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES task(id), person_id INTEGER NOT NULL REFERENCES person(id), stage TEXT NOT NULL CHECK (stage IN ('before','overdue','escalation','recurring',  'needs_date')), step INTEGER NOT NULL, anchor TEXT NOT NULL, day TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('queued','sent','cancelled','dead')), message_id INTEGER REFERENCES message(id), created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;

-- Invariant 1: one notice per task, stage, anchor day and person.
CREATE UNIQUE INDEX notice_identity ON notice(ifnull(task_id, 0), stage, step, anchor, person_id);
CREATE INDEX notice_unsent ON notice(person_id, channel) WHERE state = 'queued' AND message_id IS NULL;
CREATE INDEX notice_by_message ON notice(message_id) WHERE message_id IS NOT NULL;
