-- SPDX-License-Identifier: MIT
--
-- 7: the history hashes exact bytes and true NULLs (rechain_v7), may be
-- keyed, records changes to people and agencies, and carries what replaying
-- it needs (data, JSON). The rows are copied first; the old table goes once
-- the copy is rechained.
CREATE TABLE event_new( id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES task(id), at INTEGER NOT NULL, actor TEXT NOT NULL, person_id INTEGER REFERENCES person(id), channel TEXT NOT NULL CHECK (channel IN ('cli','telegram','zalo','email','http')), kind TEXT NOT NULL CHECK (kind IN ('created','status','progress','note','obstacle',  'deadline','leads','cooperating','extension_request','extension_decision',  'invite','link','kind','agency.add','agency.alias','person.add','person.address',  'audit.rechain','audit.key')), old_value TEXT, new_value TEXT, text TEXT, data TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;
INSERT INTO event_new(id, task_id, at, actor, person_id, channel, kind, old_value, new_value, text, prev_hash, hash) SELECT id, task_id, at, actor, person_id, channel, kind, old_value, new_value, text, prev_hash, hash FROM event;

-- The head names the last event, and is sealed (mac) with the chain's key.
ALTER TABLE event_head ADD COLUMN last_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_head ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_head ADD COLUMN key_from INTEGER;
ALTER TABLE event_head ADD COLUMN mac TEXT;

-- Claims are recovered each tick (ST_MESSAGE_RECOVER): not by a scan of the
-- outbox.
CREATE INDEX message_sending ON message(next_at) WHERE state = 'sending';
