-- 040_agent.sql -- what hangar-agent needs beyond 003_jobs.sql: a row per
-- running agent with its heartbeat, and on each task host the agent that
-- holds it and the step it is in, so that a re-delivered job can tell a
-- host whose agent died before touching it (step 'connect': safe to redo)
-- from one whose remote command may have run (step 'exec': never repeated).

CREATE TABLE agents (
  name          VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  started_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  seen_time     DATETIME NOT NULL DEFAULT UTC_TIMESTAMP()
) ENGINE=InnoDB;

ALTER TABLE task_hosts
  ADD COLUMN agent VARCHAR(128) CHARACTER SET ascii NULL,
  ADD COLUMN step VARCHAR(16) CHARACTER SET ascii NULL;
