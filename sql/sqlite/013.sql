-- SPDX-License-Identifier: MIT
--
-- 13 (issue 15): calendar feeds (feed.h). A feed is a token's hash and what
-- it shows; the token itself is never kept. The target is an agency, person
-- or document id without a foreign key: 0 for "all", and a feed outlives a
-- merged agency (it then shows nothing).
CREATE TABLE feed( id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind = 'agency' OR kind = 'person' OR kind = 'document'  OR kind = 'all'), target INTEGER NOT NULL DEFAULT 0, token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0, created_by INTEGER NOT NULL DEFAULT 0, fetched_at INTEGER NOT NULL DEFAULT 0, client TEXT, fetches INTEGER NOT NULL DEFAULT 0) STRICT;

-- A task's SEQUENCE, the same in every feed, and what it was last bumped
-- for.
CREATE TABLE feed_seq( task_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, sig TEXT NOT NULL, changed_at INTEGER NOT NULL) STRICT;

-- The tasks a feed showed: a task that left is sent cancelled for a while.
CREATE TABLE feed_member( feed_id INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE, task_id INTEGER NOT NULL, left_at INTEGER NOT NULL DEFAULT 0, left_seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (feed_id, task_id)) STRICT, WITHOUT ROWID;

-- The change counter of what feeds show (store_feed_gen): bumped by
-- triggers, so that a change made by any process (the CLI, an import, the
-- daemon's chat) invalidates every cached feed. Only the tables a feed
-- shows: the outbox, notices, chat bookkeeping, addresses and the feed
-- tables leave it, and so do the planner's columns of task (next_notice,
-- planned_through, first_notice), which it rewrites on every pass. A later
-- migration that rebuilds one of these tables must create its triggers
-- again.
CREATE TABLE feed_gen(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL) STRICT;
INSERT INTO feed_gen(id, n) VALUES (1, 0);
CREATE TRIGGER feed_gen_task_INSERT AFTER INSERT ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_task_DELETE AFTER DELETE ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_task_UPDATE AFTER UPDATE OF code, kind, title, document_id, deadline_raw, due, precision, status, progress, breakthrough, obstacle_open, done_at, created_at, updated_at, note, done_due, period ON task BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_task_agency_INSERT AFTER INSERT ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_task_agency_UPDATE AFTER UPDATE ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_task_agency_DELETE AFTER DELETE ON task_agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_agency_INSERT AFTER INSERT ON agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_agency_UPDATE AFTER UPDATE ON agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_agency_DELETE AFTER DELETE ON agency BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_document_INSERT AFTER INSERT ON document BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_document_UPDATE AFTER UPDATE ON document BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_document_DELETE AFTER DELETE ON document BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_person_INSERT AFTER INSERT ON person BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_person_UPDATE AFTER UPDATE ON person BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_person_DELETE AFTER DELETE ON person BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_extension_INSERT AFTER INSERT ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_extension_UPDATE AFTER UPDATE ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER feed_gen_extension_DELETE AFTER DELETE ON extension BEGIN UPDATE feed_gen SET n = n + 1 WHERE id = 1; END;
