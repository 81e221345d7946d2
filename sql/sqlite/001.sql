-- SPDX-License-Identifier: MIT
--
-- 1: the registry
CREATE TABLE agency( id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('department','commune','party','group','other')), head_person_id INTEGER REFERENCES person(id) ON DELETE SET NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE agency_alias( alias_key TEXT PRIMARY KEY, alias TEXT NOT NULL, agency_id INTEGER NOT NULL REFERENCES agency(id) ON DELETE CASCADE) STRICT;
CREATE TABLE person( id INTEGER PRIMARY KEY, name TEXT NOT NULL, agency_id INTEGER NOT NULL REFERENCES agency(id), role TEXT NOT NULL CHECK (role IN ('focal','head','leader','secretariat','viewer')), email TEXT, telegram_chat_id TEXT UNIQUE, zalo_user_id TEXT UNIQUE, lang TEXT NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi','en')), active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)), created_at INTEGER NOT NULL) STRICT;
CREATE INDEX person_by_agency ON person(agency_id);
CREATE TABLE document( id INTEGER PRIMARY KEY, number TEXT NOT NULL, number_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT '', date TEXT, title TEXT NOT NULL DEFAULT '') STRICT;
CREATE TABLE task( id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('task','indicator')), title TEXT NOT NULL, title_key TEXT NOT NULL, title_hash INTEGER NOT NULL, document_id INTEGER REFERENCES document(id), deadline_raw TEXT NOT NULL DEFAULT '', due TEXT, precision TEXT NOT NULL CHECK (precision IN ('day','month','quarter','half','year',  'recurring','external','unknown')), status TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started',  'in_progress','done','postponed','not_achieved','cannot_assess')), progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100), breakthrough INTEGER NOT NULL DEFAULT 0 CHECK (breakthrough IN (0,1)), obstacle_open INTEGER NOT NULL DEFAULT 0 CHECK (obstacle_open IN (0,1)), done_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;

-- A task is its document and normalised title. The index holds 64 bits of
-- SHA-256 of the title rather than the title itself: titles run to hundreds
-- of bytes, and a narrow index keeps imports fast.
CREATE UNIQUE INDEX task_identity ON task(ifnull(document_id, 0), title_hash);
CREATE TABLE task_agency( task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE, agency_id INTEGER NOT NULL REFERENCES agency(id), role TEXT NOT NULL CHECK (role IN ('lead','coop')), position INTEGER NOT NULL, PRIMARY KEY (task_id, role, agency_id)) STRICT, WITHOUT ROWID;
CREATE INDEX task_agency_by_agency ON task_agency(agency_id, role);
CREATE TABLE event( id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES task(id), at INTEGER NOT NULL, actor TEXT NOT NULL, person_id INTEGER REFERENCES person(id), channel TEXT NOT NULL CHECK (channel IN ('cli','telegram','zalo','email','http')), kind TEXT NOT NULL CHECK (kind IN ('created','status','progress','note','obstacle',  'deadline','leads','cooperating','extension_request','extension_decision')), old_value TEXT, new_value TEXT, text TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;
CREATE INDEX event_by_task ON event(task_id, id);

-- The chain's head: deleting the newest events must show too.
CREATE TABLE event_head( id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, hash TEXT NOT NULL) STRICT;
INSERT INTO event_head(id, count, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
