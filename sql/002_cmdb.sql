-- 002_cmdb.sql -- the CMDB: hosts and their addresses, product lines,
-- applications (a tree, with dependencies, instances and response persons)
-- and external navigators.

CREATE TABLE hosts (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  host_type     ENUM('ALI_ECS','PHY_HOST','TECENT_CVM','TECENT_CPM',
                     'CLOUDSTACK','CLOUDSTACK_OFFICE') NOT NULL,
  status        ENUM('raw','inited','attached','offline') NOT NULL DEFAULT 'raw',
  os_status     ENUM('unknown','running','stopped','restarting') NOT NULL DEFAULT 'unknown',
  os_type       VARCHAR(128) NOT NULL DEFAULT '',
  cpu           INT UNSIGNED NOT NULL DEFAULT 0,
  memory        INT UNSIGNED NOT NULL DEFAULT 0,       -- MB
  location      VARCHAR(255) NOT NULL DEFAULT '',
  description   VARCHAR(1024) NOT NULL DEFAULT '',
  ssh_port      INT UNSIGNED NOT NULL DEFAULT 22,
  ssh_user      VARCHAR(64) NOT NULL DEFAULT 'root',
  credential_id BIGINT UNSIGNED NULL,                   -- SSH key credential (job engine)
  cloud_account_id BIGINT UNSIGNED NULL,                -- cloud account (job engine)
  cloud_region  VARCHAR(64) NOT NULL DEFAULT '',
  cloud_instance_id VARCHAR(128) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY hosts_name (name),
  KEY hosts_status (status, id),
  KEY hosts_type (host_type, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE host_addresses (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  host_id       BIGINT UNSIGNED NOT NULL,
  owner         ENUM('HOST','LB') NULL DEFAULT 'HOST',
  is_virtual    TINYINT(1) NOT NULL DEFAULT 0,
  addr_type     ENUM('PRIVATE','PUBLIC') NOT NULL DEFAULT 'PRIVATE',
  network       VARCHAR(128) NOT NULL DEFAULT '',
  netmask       VARCHAR(45) NOT NULL DEFAULT '',
  address       VARCHAR(45) CHARACTER SET ascii NOT NULL,
  KEY host_addresses_host (host_id),
  KEY host_addresses_address (address),
  CONSTRAINT host_addresses_host FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE productions (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  description   VARCHAR(1024) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY productions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- full_name is the parent's full_name and name joined by '.', kept correct
-- by the application handlers (rename and move rewrite the whole subtree in
-- the request's transaction).  depth is 0 for a root.
CREATE TABLE applications (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  full_name     VARCHAR(1024) NOT NULL,
  parent_id     BIGINT UNSIGNED NULL,
  production_id BIGINT UNSIGNED NULL,
  depth         INT UNSIGNED NOT NULL DEFAULT 0,
  description   VARCHAR(1024) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY applications_full_name (full_name(768)),
  KEY applications_parent (parent_id, id),
  KEY applications_production (production_id, id),
  CONSTRAINT applications_parent FOREIGN KEY (parent_id) REFERENCES applications (id),
  CONSTRAINT applications_production FOREIGN KEY (production_id) REFERENCES productions (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE app_instances (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  app_id        BIGINT UNSIGNED NOT NULL,
  host_id       BIGINT UNSIGNED NOT NULL,
  status        ENUM('stopped','running','restarting','updating','reverting') NOT NULL DEFAULT 'stopped',
  version       VARCHAR(128) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY app_instances_app_host (app_id, host_id),
  KEY app_instances_host (host_id),
  CONSTRAINT app_instances_app FOREIGN KEY (app_id) REFERENCES applications (id),
  CONSTRAINT app_instances_host FOREIGN KEY (host_id) REFERENCES hosts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE app_response_persons (
  app_id        BIGINT UNSIGNED NOT NULL,
  user_id       BIGINT UNSIGNED NOT NULL,
  type          VARCHAR(32) NOT NULL DEFAULT '',
  PRIMARY KEY (app_id, user_id),
  KEY app_response_persons_user (user_id, app_id),
  CONSTRAINT app_response_persons_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE,
  CONSTRAINT app_response_persons_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- app_id requires required_id.
CREATE TABLE app_dependencies (
  app_id        BIGINT UNSIGNED NOT NULL,
  required_id   BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (app_id, required_id),
  KEY app_dependencies_required (required_id, app_id),
  CONSTRAINT app_dependencies_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE,
  CONSTRAINT app_dependencies_required FOREIGN KEY (required_id) REFERENCES applications (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE external_navigators (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  img           VARCHAR(1024) NOT NULL DEFAULT '',
  url           VARCHAR(2048) NOT NULL,
  creator       VARCHAR(64) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP()
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO row_counts (tbl, n) VALUES ('hosts', 0), ('applications', 0),
  ('productions', 0), ('external_navigators', 0);
CREATE TRIGGER hosts_count_ins AFTER INSERT ON hosts FOR EACH ROW
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'hosts';
CREATE TRIGGER hosts_count_del AFTER DELETE ON hosts FOR EACH ROW
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'hosts';
CREATE TRIGGER applications_count_ins AFTER INSERT ON applications FOR EACH ROW
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'applications';
CREATE TRIGGER applications_count_del AFTER DELETE ON applications FOR EACH ROW
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'applications';
CREATE TRIGGER productions_count_ins AFTER INSERT ON productions FOR EACH ROW
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'productions';
CREATE TRIGGER productions_count_del AFTER DELETE ON productions FOR EACH ROW
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'productions';
CREATE TRIGGER navigators_count_ins AFTER INSERT ON external_navigators FOR EACH ROW
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'external_navigators';
CREATE TRIGGER navigators_count_del AFTER DELETE ON external_navigators FOR EACH ROW
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'external_navigators';
