-- SPDX-License-Identifier: MIT
--
-- 14: which tasks changed, so that a feed is built again from what changed
-- alone (feed.c): feed_dirty holds each task's last change by the counter's
-- value then, kept by triggers beside the counter's own. A change to a row
-- many tasks show (an agency's name, a document's number, a person's
-- agency, name or language) moves feed_gen.wide instead: every feed is then
-- built whole. Agencies, documents and people added change no feed until a
-- task names them (a task_agency row, a task's document): no trigger. A
-- task's SEQUENCE raised by one feed's build shows in the others:
-- feed_seq's rows mark their task too.
ALTER TABLE feed_gen ADD COLUMN wide INTEGER NOT NULL DEFAULT 0;
CREATE TABLE feed_dirty(task_id INTEGER PRIMARY KEY, gen INTEGER NOT NULL) STRICT;
DROP TRIGGER feed_gen_task_INSERT;
DROP TRIGGER feed_gen_task_UPDATE;
DROP TRIGGER feed_gen_task_DELETE;
DROP TRIGGER feed_gen_task_agency_INSERT;
DROP TRIGGER feed_gen_task_agency_UPDATE;
DROP TRIGGER feed_gen_task_agency_DELETE;
DROP TRIGGER feed_gen_agency_INSERT;
DROP TRIGGER feed_gen_agency_UPDATE;
DROP TRIGGER feed_gen_agency_DELETE;
DROP TRIGGER feed_gen_document_INSERT;
DROP TRIGGER feed_gen_document_UPDATE;
DROP TRIGGER feed_gen_document_DELETE;
DROP TRIGGER feed_gen_person_INSERT;
DROP TRIGGER feed_gen_person_UPDATE;
DROP TRIGGER feed_gen_person_DELETE;
DROP TRIGGER feed_gen_extension_INSERT;
DROP TRIGGER feed_gen_extension_UPDATE;
DROP TRIGGER feed_gen_extension_DELETE;
CREATE TRIGGER feed_gen_task_INSERT AFTER INSERT ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_task_DELETE AFTER DELETE ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT OLD.id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_task_UPDATE AFTER UPDATE OF code, kind, title, document_id, deadline_raw, due, precision, status, progress, breakthrough, obstacle_open, done_at, created_at, updated_at, note, done_due, period ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_task_agency_INSERT AFTER INSERT ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_task_agency_DELETE AFTER DELETE ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT OLD.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_task_agency_UPDATE AFTER UPDATE ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT OLD.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_extension_INSERT AFTER INSERT ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_extension_DELETE AFTER DELETE ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT OLD.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_extension_UPDATE AFTER UPDATE ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT OLD.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_feed_seq_INSERT AFTER INSERT ON feed_seq BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_feed_seq_UPDATE AFTER UPDATE ON feed_seq BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; INSERT INTO feed_dirty(task_id, gen) SELECT NEW.task_id, n FROM feed_gen WHERE id = 1 ON CONFLICT(task_id) DO UPDATE SET gen = excluded.gen; END;
CREATE TRIGGER feed_gen_agency_UPDATE AFTER UPDATE OF name ON agency BEGIN UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_agency_DELETE AFTER DELETE ON agency BEGIN UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_document_UPDATE AFTER UPDATE OF number ON document BEGIN UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_document_DELETE AFTER DELETE ON document BEGIN UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_person_UPDATE AFTER UPDATE OF name, agency_id, lang ON person BEGIN UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_person_DELETE AFTER DELETE ON person BEGIN UPDATE feed_gen SET n = n + 1, wide = n + 1 WHERE id = 1; END;

-- Also (issue 16): the open tasks with no date, which the secretariat's
-- weekly list counts on every planner tick until the list is queued
-- (needs_date_list): a registry with none, or with no secretariat, never
-- queues it, and without this index each tick read every task (100,000
-- rows, while the webhook wrote).
CREATE INDEX task_undated ON task(kind) WHERE due IS NULL AND precision IN ('external', 'unknown') AND status NOT IN ('done', 'postponed');
