-- 083_deploy_tasks.sql -- deploy tasks and their approval (the seed's
-- 发布任务, API.md section 5) and change-freeze windows (issue 11).
--
-- A task belongs to an application and goes wait_review -> approved |
-- rejected, approved -> running -> finished | failed, and closed from any
-- state that is not final (src/hangard/deploy/deploy_tasks.c holds the one
-- table of transitions).  The people are user ids: the creator, the
-- assignee (the creator until a delegation) and the reviewer (who approved
-- or rejected); a deleted user leaves NULL.  planned_exec_time is Unix
-- seconds as the seed gives it.

CREATE TABLE deploy_tasks (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  app_id            BIGINT UNSIGNED NOT NULL,
  version           VARCHAR(128) NOT NULL,
  description       TEXT NOT NULL,
  level             ENUM('S','A','B','C','I') NOT NULL,
  package_source    VARCHAR(1024) NOT NULL,
  planned_exec_time BIGINT NOT NULL,
  upgrade_checklist TEXT NULL,
  upgrade_steps     TEXT NULL,
  rollback_steps    TEXT NULL,
  status            ENUM('wait_review','approved','rejected','running',
                         'finished','failed','closed') NOT NULL DEFAULT 'wait_review',
  creator_id        BIGINT UNSIGNED NULL,
  assignee_id       BIGINT UNSIGNED NULL,
  reviewer_id       BIGINT UNSIGNED NULL,
  created_time      DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  approved_time     DATETIME NULL,
  started_time      DATETIME NULL,
  finished_time     DATETIME NULL,
  KEY deploy_tasks_app (app_id, id),
  KEY deploy_tasks_status (status, id),
  KEY deploy_tasks_level (level, id),
  KEY deploy_tasks_creator (creator_id, id),
  KEY deploy_tasks_created (created_time),
  CONSTRAINT deploy_tasks_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE,
  CONSTRAINT deploy_tasks_creator FOREIGN KEY (creator_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT deploy_tasks_assignee FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT deploy_tasks_reviewer FOREIGN KEY (reviewer_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exact counts for the unfiltered list and the list by status, kept in the
-- transaction of the change ('deploy_tasks' and 'deploy_tasks:<status>').
INSERT INTO row_counts (tbl, n) VALUES ('deploy_tasks', 0),
  ('deploy_tasks:wait_review', 0), ('deploy_tasks:approved', 0),
  ('deploy_tasks:rejected', 0), ('deploy_tasks:running', 0),
  ('deploy_tasks:finished', 0), ('deploy_tasks:failed', 0),
  ('deploy_tasks:closed', 0);
CREATE TRIGGER deploy_tasks_count_ins AFTER INSERT ON deploy_tasks FOR EACH ROW
  UPDATE row_counts SET n = n + 1
  WHERE tbl IN ('deploy_tasks', CONCAT('deploy_tasks:', NEW.status));
CREATE TRIGGER deploy_tasks_count_del AFTER DELETE ON deploy_tasks FOR EACH ROW
  UPDATE row_counts SET n = n - 1
  WHERE tbl IN ('deploy_tasks', CONCAT('deploy_tasks:', OLD.status));
CREATE TRIGGER deploy_tasks_count_upd AFTER UPDATE ON deploy_tasks FOR EACH ROW
  UPDATE row_counts SET n = n + IF(tbl = CONCAT('deploy_tasks:', NEW.status), 1, -1)
  WHERE OLD.status <> NEW.status
    AND tbl IN (CONCAT('deploy_tasks:', OLD.status), CONCAT('deploy_tasks:', NEW.status));

-- A change freeze: while UTC_TIMESTAMP() is in [starts, ends), starting a
-- deploy task of a covered application is refused.  A freeze with neither
-- applications nor productions covers every application; otherwise it
-- covers the listed applications with their descendants and the
-- applications of the listed productions.
CREATE TABLE deploy_freezes (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  starts        DATETIME NOT NULL,
  ends          DATETIME NOT NULL,
  reason        VARCHAR(1024) NOT NULL DEFAULT '',
  creator       VARCHAR(64) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY deploy_freezes_name (name),
  KEY deploy_freezes_ends (ends, starts)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE deploy_freeze_apps (
  freeze_id     BIGINT UNSIGNED NOT NULL,
  app_id        BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (freeze_id, app_id),
  KEY deploy_freeze_apps_app (app_id),
  CONSTRAINT deploy_freeze_apps_freeze FOREIGN KEY (freeze_id) REFERENCES deploy_freezes (id) ON DELETE CASCADE,
  CONSTRAINT deploy_freeze_apps_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE deploy_freeze_productions (
  freeze_id     BIGINT UNSIGNED NOT NULL,
  production_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (freeze_id, production_id),
  KEY deploy_freeze_productions_prod (production_id),
  CONSTRAINT deploy_freeze_productions_freeze FOREIGN KEY (freeze_id) REFERENCES deploy_freezes (id) ON DELETE CASCADE,
  CONSTRAINT deploy_freeze_productions_prod FOREIGN KEY (production_id) REFERENCES productions (id) ON DELETE CASCADE
) ENGINE=InnoDB;
