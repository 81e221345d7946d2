-- SPDX-License-Identifier: MIT
--
-- 5: replies from a phone (DESIGN §7)
ALTER TABLE person ADD COLUMN telegram_broken INTEGER NOT NULL DEFAULT 0 CHECK (telegram_broken IN (0, 1));

-- The last progress note, shown with the task in messages.
ALTER TABLE task ADD COLUMN note TEXT;

-- The chat message a reply answers (Telegram's reply-to), when any.
ALTER TABLE message ADD COLUMN reply_to INTEGER;

-- One-time codes that link a chat to a person: only their SHA-256 is kept.
CREATE TABLE link_code( hash TEXT PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id), created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) STRICT, WITHOUT ROWID;

-- Requests to move a deadline (/giahan), and the secretariat's decision.
CREATE TABLE extension( id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES task(id), person_id INTEGER NOT NULL REFERENCES person(id), due TEXT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('asked','approved','rejected')), decided_by INTEGER REFERENCES person(id), decided_at INTEGER, decision TEXT, created_at INTEGER NOT NULL) STRICT;

-- Updates handled, so that none is handled twice (invariant 4).
CREATE TABLE chat_update( channel TEXT NOT NULL, update_id INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (channel, update_id)) STRICT, WITHOUT ROWID;

-- The chat messages our messages became: replies and buttons point back.
CREATE TABLE chat_sent( channel TEXT NOT NULL, chat_id TEXT NOT NULL, chat_message_id INTEGER NOT NULL, message_id INTEGER NOT NULL REFERENCES message(id), PRIMARY KEY (channel, chat_id, chat_message_id)) STRICT, WITHOUT ROWID;

-- The history also records who linked a chat and who was given a code: a
-- CHECK cannot be altered, so the table is copied whole, rows (and so their
-- hash chain) unchanged.
CREATE TABLE event_new( id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES task(id), at INTEGER NOT NULL, actor TEXT NOT NULL, person_id INTEGER REFERENCES person(id), channel TEXT NOT NULL CHECK (channel IN ('cli','telegram','zalo','email','http')), kind TEXT NOT NULL CHECK (kind IN ('created','status','progress','note','obstacle',  'deadline','leads','cooperating','extension_request','extension_decision',  'invite','link')), old_value TEXT, new_value TEXT, text TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;
INSERT INTO event_new SELECT * FROM event;
DROP TABLE event;
ALTER TABLE event_new RENAME TO event;
CREATE INDEX event_by_task ON event(task_id, id);
CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
