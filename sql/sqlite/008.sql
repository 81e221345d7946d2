-- SPDX-License-Identifier: MIT
--
-- 8: follow-up that tells only what happened (issue 11). New values of the
-- CHECK lists are added by widen_checks_v8, after this SQL.
-- The due day in force when a task was done: on time or late (task.h).
ALTER TABLE task ADD COLUMN done_due TEXT;

-- A recurring task's period (deadline_every_format), NULL for the others.
ALTER TABLE task ADD COLUMN period TEXT;

-- The day a reminder or nag about the task was first sent (the escalation
-- clock).
ALTER TABLE task ADD COLUMN first_notice TEXT;

-- A recurring task's report for the period that ends on reporting day
-- period.
CREATE TABLE period_report( task_id INTEGER NOT NULL REFERENCES task(id), period TEXT NOT NULL, reported_at INTEGER NOT NULL, person_id INTEGER REFERENCES person(id), PRIMARY KEY (task_id, period)) STRICT, WITHOUT ROWID;

-- Obstacles and proposals (vướng mắc, kiến nghị) and how they were handled.
CREATE TABLE obstacle( id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES task(id), person_id INTEGER REFERENCES person(id), actor TEXT NOT NULL, text TEXT NOT NULL, state TEXT NOT NULL CHECK (state = 'open' OR state = 'handled'), handled_by INTEGER REFERENCES person(id), handler TEXT, note TEXT, created_at INTEGER NOT NULL, handled_at INTEGER) STRICT;
CREATE INDEX obstacle_by_task ON obstacle(task_id, state);

-- What an extension request asked for, as typed ("Quý I/2026"), and its
-- precision.
ALTER TABLE extension ADD COLUMN raw TEXT;
ALTER TABLE extension ADD COLUMN precision TEXT;

-- Tasks done before schema 8 did not keep the deadline in force that day:
-- the one they have now is the best the registry knows.
UPDATE task SET done_due = due WHERE status = 'done';

-- Obstacles reported before schema 8 were only a flag: each becomes an open
-- row, in the order of its event (verify replays them so).
INSERT INTO obstacle(task_id, person_id, actor, text, state, created_at) SELECT task_id, person_id, actor, ifnull(text, ''), 'open', at FROM event WHERE kind = 'obstacle' AND task_id IS NOT NULL ORDER BY id;

-- A registry already in use starts its escalation clock at the first
-- reminder or nag its outbox shows sent (the local day: UTC+7, as
-- CLOCK_VN_OFFSET), not afresh at the next one.
UPDATE task SET first_notice = (SELECT date(min(m.sent_at) + 25200, 'unixepoch') FROM notice n JOIN message m ON m.id = n.message_id WHERE n.task_id = task.id AND n.state = 'sent' AND m.state = 'sent' AND n.stage IN ('before', 'overdue'));
