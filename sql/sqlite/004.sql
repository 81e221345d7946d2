-- SPDX-License-Identifier: MIT
--
-- 4: an address a server refused for good is not used again
ALTER TABLE person ADD COLUMN email_broken INTEGER NOT NULL DEFAULT 0 CHECK (email_broken IN (0, 1));
