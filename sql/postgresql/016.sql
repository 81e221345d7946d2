-- SPDX-License-Identifier: MIT
--
-- 16 (issue 17): several dondoc instances on one registry.
--
-- A message being sent names who claimed it (owner, "HOST PID START")
-- and until when (lease_until, the program's clock): another instance
-- takes it back only once the lease ended, or once its owner is known
-- gone.  next_at keeps when it was due.
--
-- The planner and the digest are led by one instance at a time: lease
-- holds the leader of each (one row a name), and lease_term every term
-- there was, which is how "never two at once" is checked.

ALTER TABLE message ADD COLUMN owner text COLLATE "C";
ALTER TABLE message ADD COLUMN lease_until bigint;
UPDATE message SET lease_until = next_at WHERE state = 'sending';
DROP INDEX message_sending;
CREATE INDEX message_sending ON message(lease_until) WHERE state = 'sending';

CREATE TABLE lease(
 name text COLLATE "C" PRIMARY KEY,
 owner text COLLATE "C" NOT NULL,
 term bigint NOT NULL,
 until bigint NOT NULL);
CREATE TABLE lease_term(
 name text COLLATE "C" NOT NULL,
 term bigint NOT NULL,
 owner text COLLATE "C" NOT NULL,
 started_at bigint NOT NULL,
 until bigint NOT NULL,
 ended_at bigint,
 PRIMARY KEY (name, term));
