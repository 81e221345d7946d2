-- SPDX-License-Identifier: MIT
--
-- 11 (issue 14): a person's addresses in one table, one row per channel,
-- each with when it was refused for good (0: it works) and when the person
-- last wrote through it (0: never; Zalo's window). An address is one
-- person's (DESIGN §4). addresses_v11, after this SQL, moves the person's
-- columns into it and drops them.
CREATE TABLE address( person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE, channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'telegram'  OR channel = 'zalo' OR channel = 'phone'), value TEXT NOT NULL CHECK (value != ''), broken_at INTEGER NOT NULL DEFAULT 0, last_in INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (person_id, channel), UNIQUE (channel, value)) STRICT, WITHOUT ROWID;
