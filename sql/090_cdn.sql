-- 090_cdn.sql -- CDN cache refresh tasks (the seed's 常用工具 / CDN刷新,
-- issue 15) and the cloud accounts they are carried out with.
--
-- A CDN account is a cloud_accounts row whose provider is one of the CDN
-- providers (the task's own enum spelling): ALI_CDN (Aliyun CDN, endpoint
-- https://cdn.aliyuncs.com), TECENT_CDN (Tencent Cloud CDN,
-- https://cdn.tencentcloudapi.com), WANGSU (ChinaNetCenter,
-- https://open.chinanetcenter.com; access_key is the user name, secret the
-- API key).  Hosts may only name the host providers (host_input.c).
ALTER TABLE cloud_accounts MODIFY provider
  ENUM('ALIYUN','TENCENT','CLOUDSTACK','ALI_CDN','TECENT_CDN','WANGSU') NOT NULL;

-- One refresh task.  task_id is the tasks row (kind 'cdn_refresh') that
-- carries it through the outbox and the job queue; the agent that works on
-- it is in agent (taken over when that agent stops heartbeating), and the
-- vendor task ids of the parts it has already submitted are in parts (JSON
-- array, index = part), so a re-delivered task never submits a part twice.
CREATE TABLE cdn_tasks (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  task_id       BIGINT UNSIGNED NOT NULL,
  provider      ENUM('ALI_CDN','TECENT_CDN','WANGSU') NOT NULL,
  account_id    BIGINT UNSIGNED NOT NULL,
  refresh_mode  ENUM('RECURSIVE','SINGLE_FILE') NOT NULL,
  urls          MEDIUMTEXT NOT NULL,                 -- JSON array of strings
  status        ENUM('RUNNING','FINISHED','FAILED','TIMEOUT') NOT NULL DEFAULT 'RUNNING',
  error         TEXT NULL,
  parts         TEXT NULL,
  agent         VARCHAR(128) CHARACTER SET ascii NULL,
  creator       VARCHAR(64) NOT NULL,
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  finished_time DATETIME NULL,
  UNIQUE KEY cdn_tasks_task (task_id),
  KEY cdn_tasks_provider (provider, id),
  KEY cdn_tasks_created (created_time),
  CONSTRAINT cdn_tasks_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
