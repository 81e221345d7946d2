-- SPDX-License-Identifier: MIT
--
-- 9 (issue 12): people and agencies are corrected, merged and removed, each
-- change an event (widen_checks_v9, after this SQL). And an answer that
-- asked its reader for a figure (Telegram ForceReply: "📈 Tiến độ" asks for
-- the progress of a task): the reply, or the next message of that person,
-- is read as that figure. Transport state like chat_sent, not the
-- registry's: no event, nothing to replay.
-- NULL when the answer was not queued ("dondoc chat" prints it).
CREATE TABLE chat_ask( id INTEGER PRIMARY KEY, message_id INTEGER UNIQUE REFERENCES message(id), person_id INTEGER NOT NULL REFERENCES person(id), task_id INTEGER NOT NULL REFERENCES task(id), what TEXT NOT NULL CHECK (what = 'progress'), open INTEGER NOT NULL DEFAULT 1, at INTEGER NOT NULL) STRICT;
CREATE INDEX chat_ask_by_person ON chat_ask(person_id, open, at);
