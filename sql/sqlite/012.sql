-- SPDX-License-Identifier: MIT
--
-- 12 (issue 14): a chat message's id is the channel's text, not a number:
-- Zalo's are hex. Telegram's numbers are kept as their decimal text, which
-- is what a lookup now binds.
CREATE TABLE chat_sent_new( channel TEXT NOT NULL, chat_id TEXT NOT NULL, chat_message_id TEXT NOT NULL, message_id INTEGER NOT NULL REFERENCES message(id), PRIMARY KEY (channel, chat_id, chat_message_id)) STRICT, WITHOUT ROWID;
INSERT INTO chat_sent_new SELECT channel, chat_id, CAST(chat_message_id AS TEXT), message_id FROM chat_sent;
DROP TABLE chat_sent;
ALTER TABLE chat_sent_new RENAME TO chat_sent;
