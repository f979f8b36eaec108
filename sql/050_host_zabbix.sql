-- 050_host_zabbix.sql -- each host's Zabbix options: the host groups and
-- templates (names, JSON arrays of strings) it is registered with.  Written
-- by a successful init task (hangar-agent) and by change-zabbix-opts;
-- change-zabbix-opts merges into it (a field left out keeps its value).
CREATE TABLE host_zabbix (
  host_id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  zabbix_groups    TEXT NOT NULL,
  zabbix_templates TEXT NOT NULL,
  updated_time     DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  CONSTRAINT host_zabbix_host FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
