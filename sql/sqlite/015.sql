-- SPDX-License-Identifier: MIT
--
-- 15 (issue 16): fewer pages written at random by an update from chat,
-- which on a registry of 100,000 tasks cost more than the update's own work
-- (each a read, a WAL frame and a checkpoint's copy). - The feeds' change
-- log is appended (FEED_CHANGE), not kept per task; every feed is built
-- whole once after. - message_by_person_day holds only the kinds a day's
-- count asks about (the noise budget, the daily list): an answer in chat,
-- most of the outbox, is in no count. Who counts the rest of a person's
-- messages (store_person_refs, the foreign key when a person is deleted)
-- reads the table, for an operator's command.
DROP TABLE feed_dirty;
CREATE TABLE feed_change(id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL) STRICT;
DROP TRIGGER feed_gen_task_INSERT;
CREATE TRIGGER feed_gen_task_INSERT AFTER INSERT ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_task_DELETE;
CREATE TRIGGER feed_gen_task_DELETE AFTER DELETE ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, OLD.id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_task_UPDATE;
CREATE TRIGGER feed_gen_task_UPDATE AFTER UPDATE OF code, kind, title, document_id, deadline_raw, due, precision, status, progress, breakthrough, obstacle_open, done_at, created_at, updated_at, note, done_due, period ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_task_agency_INSERT;
CREATE TRIGGER feed_gen_task_agency_INSERT AFTER INSERT ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_task_agency_DELETE;
CREATE TRIGGER feed_gen_task_agency_DELETE AFTER DELETE ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, OLD.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_task_agency_UPDATE;
CREATE TRIGGER feed_gen_task_agency_UPDATE AFTER UPDATE ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, OLD.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_extension_INSERT;
CREATE TRIGGER feed_gen_extension_INSERT AFTER INSERT ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_extension_DELETE;
CREATE TRIGGER feed_gen_extension_DELETE AFTER DELETE ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, OLD.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_extension_UPDATE;
CREATE TRIGGER feed_gen_extension_UPDATE AFTER UPDATE ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, OLD.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_feed_seq_INSERT;
CREATE TRIGGER feed_gen_feed_seq_INSERT AFTER INSERT ON feed_seq BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
DROP TRIGGER feed_gen_feed_seq_UPDATE;
CREATE TRIGGER feed_gen_feed_seq_UPDATE AFTER UPDATE ON feed_seq BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_change(id, task_id) SELECT n, NEW.task_id FROM feed_gen WHERE id = 1; DELETE FROM feed_change WHERE id <= (SELECT n FROM feed_gen WHERE id = 1) - 100000; END;
UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1;
DROP INDEX message_by_person_day;
CREATE INDEX message_by_person_day ON message(person_id, day) WHERE (kind = 'reminder' OR kind = 'catchup' OR kind = 'daily');
