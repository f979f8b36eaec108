-- 003_jobs.sql -- stored secrets (credentials, cloud accounts) and the job
-- engine's tables: tasks, their per-host results and output, and the outbox
-- that carries a committed task to the Redis queue.

-- Login credentials for hosts and repositories.  secret is sealed with the
-- server key (lib/secret.c) and never leaves the server: reads show "******".
CREATE TABLE credentials (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind          ENUM('password','ssh_key') NOT NULL,
  name          VARCHAR(128) NOT NULL,
  username      VARCHAR(128) NOT NULL DEFAULT '',
  secret        TEXT NOT NULL,
  description   VARCHAR(1024) NOT NULL DEFAULT '',
  creator       VARCHAR(64) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY credentials_kind_name (kind, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Cloud API accounts; secret sealed as above.
CREATE TABLE cloud_accounts (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  provider      ENUM('ALIYUN','TENCENT','CLOUDSTACK') NOT NULL,
  endpoint      VARCHAR(1024) NOT NULL,
  access_key    VARCHAR(256) NOT NULL,
  secret        TEXT NOT NULL,
  description   VARCHAR(1024) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY cloud_accounts_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A task is a unit of long work the agent runs: host init/start/stop/
-- restart, status side effects, deploys.  The API shows id as a string.
CREATE TABLE tasks (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind          VARCHAR(32) CHARACTER SET ascii NOT NULL,
  status        ENUM('running','finished','failed') NOT NULL DEFAULT 'running',
  creator       VARCHAR(64) NOT NULL,
  opts          TEXT NOT NULL,                 -- JSON: the task's options
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  finished_time DATETIME NULL,
  KEY tasks_kind (kind, id),
  KEY tasks_kind_time (kind, created_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per host of a task: the agent records each as it finishes and
-- never repeats a host whose row is done.
CREATE TABLE task_hosts (
  task_id       BIGINT UNSIGNED NOT NULL,
  host_id       BIGINT UNSIGNED NOT NULL,
  hostname      VARCHAR(128) NOT NULL,
  status        ENUM('pending','running','succeeded','failed') NOT NULL DEFAULT 'pending',
  message       TEXT NOT NULL,
  started_time  DATETIME NULL,
  finished_time DATETIME NULL,
  PRIMARY KEY (task_id, host_id),
  KEY task_hosts_host (host_id),
  CONSTRAINT task_hosts_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Output lines, written when a host finishes (live lines go to Redis).
CREATE TABLE task_output (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  task_id       BIGINT UNSIGNED NOT NULL,
  host_id       BIGINT UNSIGNED NOT NULL,
  hostname      VARCHAR(128) NOT NULL,
  stream        ENUM('stdout','stderr') NOT NULL,
  text          TEXT NOT NULL,
  time          DATETIME(3) NOT NULL,
  KEY task_output_task (task_id, id),
  CONSTRAINT task_output_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Written in the same transaction as the task; pushed to Redis after
-- commit; a sweeper re-pushes rows still undelivered.
CREATE TABLE outbox (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  task_id       BIGINT UNSIGNED NOT NULL,
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  delivered_time DATETIME NULL,
  KEY outbox_pending (delivered_time, id),
  CONSTRAINT outbox_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
) ENGINE=InnoDB;
