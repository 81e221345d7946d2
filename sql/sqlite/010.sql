-- SPDX-License-Identifier: MIT
--
-- 10 (issue 13): the digest through the outbox (digestq.h). Each digest
-- made is a row, with its workbook, so that every retry and every recipient
-- sends the same bytes; a scheduled one has its key, the RRULE occurrence
-- day, UNIQUE: queued once per period, ever. One asked for (dondoc digest
-- --send, /baocao) has none.
CREATE TABLE digest_run( id INTEGER PRIMARY KEY, key TEXT UNIQUE, period_from TEXT NOT NULL, period_to TEXT NOT NULL, created_at INTEGER NOT NULL, filename TEXT NOT NULL, workbook BLOB NOT NULL) STRICT;

-- The messages of a digest, and the addresses that are no person ([digest]
-- to).
ALTER TABLE message ADD COLUMN digest_id INTEGER REFERENCES digest_run(id);
ALTER TABLE message ADD COLUMN address TEXT CHECK ((person_id IS NULL) <> (address IS NULL));
CREATE INDEX message_by_digest ON message(digest_id) WHERE digest_id IS NOT NULL;

-- When a message was given up (the digest counts the dead of its period by
-- it, not by when they were made); a message dead before has only when it
-- was made.
ALTER TABLE message ADD COLUMN dead_at INTEGER;
UPDATE message SET dead_at = created_at WHERE state = 'dead';

-- A leader's opt-in (person set --digest yes); the secretariat gets it
-- anyway.
ALTER TABLE person ADD COLUMN digest INTEGER NOT NULL DEFAULT 0 CHECK (digest = 0 OR digest = 1);
