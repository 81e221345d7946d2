-- SPDX-License-Identifier: MIT
--
-- 3: the HTML and chat forms of a message, rendered from templates
ALTER TABLE message ADD COLUMN html TEXT;
ALTER TABLE message ADD COLUMN chat TEXT;

-- What the daemon remembers between runs: key -> value.
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
