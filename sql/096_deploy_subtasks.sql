-- 094_deploy_subtasks.sql -- sub-upgrade and sub-revert tasks of a deploy
-- task (the seed's 子任务, issue 12).
--
-- A sub-task is a tasks row (kind deploy_upgrade or deploy_revert) with
-- one task_hosts row per instance's host (an application has at most one
-- instance per host, app_instances_app_host), queued through the outbox
-- like host tasks.  This row says what the agent is to ship: the version,
-- where its files come from (update_source) and the per-step bound.
-- retry_of names the sub-task whose failed instances this one re-runs;
-- ended is set by the one agent thread that runs the task's end
-- (global_post_exec, the deploy task's finish) after its last host.

CREATE TABLE deploy_subtasks (
  task_id         BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  deploy_task_id  BIGINT UNSIGNED NOT NULL,
  app_id          BIGINT UNSIGNED NOT NULL,
  kind            ENUM('upgrade','revert') NOT NULL,
  version         VARCHAR(128) NOT NULL,
  update_source   VARCHAR(1024) NULL,
  timeout         INT UNSIGNED NOT NULL DEFAULT 120,
  retry_of        BIGINT UNSIGNED NULL,
  ended           TINYINT(1) NOT NULL DEFAULT 0,   -- the agent ran its end once
  KEY deploy_subtasks_dtask (deploy_task_id, task_id),
  CONSTRAINT deploy_subtasks_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT deploy_subtasks_dtask FOREIGN KEY (deploy_task_id) REFERENCES deploy_tasks (id) ON DELETE CASCADE,
  CONSTRAINT deploy_subtasks_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
