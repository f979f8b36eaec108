-- 004_authz.sql -- module and resource permissions granted to users and
-- roles (API.md section 3), and the audit of every grant and revoke.
-- A row means "granted"; revoking deletes it.

CREATE TABLE module_grants (
  subject_type  ENUM('user','role') NOT NULL,
  subject_id    BIGINT UNSIGNED NOT NULL,
  module        VARCHAR(32) CHARACTER SET ascii NOT NULL,
  perm          VARCHAR(64) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (subject_type, subject_id, module, perm)
) ENGINE=InnoDB;

CREATE TABLE resource_grants (
  subject_type  ENUM('user','role') NOT NULL,
  subject_id    BIGINT UNSIGNED NOT NULL,
  resource_type ENUM('application','host') NOT NULL,
  resource_id   BIGINT UNSIGNED NOT NULL,
  perm          VARCHAR(64) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (subject_type, subject_id, resource_type, resource_id, perm),
  KEY resource_grants_resource (resource_type, resource_id, subject_type, subject_id),
  KEY resource_grants_perm (resource_type, perm, subject_type, subject_id, resource_id)
) ENGINE=InnoDB;

CREATE TABLE authz_audit (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  scope         ENUM('module','resource') NOT NULL,
  operator      VARCHAR(64) NOT NULL,
  module_name   VARCHAR(32) NOT NULL DEFAULT '',
  resource_type VARCHAR(16) NOT NULL DEFAULT '',
  resource_id   BIGINT UNSIGNED NULL,
  resource_name VARCHAR(1024) NOT NULL DEFAULT '',
  perm_name     VARCHAR(64) NOT NULL,
  action        ENUM('enable','disable') NOT NULL,
  target_type   ENUM('user','role') NOT NULL,
  target_name   VARCHAR(128) NOT NULL,
  op_time       DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  KEY authz_audit_scope (scope, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Grants follow their subject and resource out of existence.
CREATE TRIGGER users_grants_del AFTER DELETE ON users FOR EACH ROW
  DELETE FROM module_grants WHERE subject_type = 'user' AND subject_id = OLD.id;
CREATE TRIGGER users_rgrants_del BEFORE DELETE ON users FOR EACH ROW
  DELETE FROM resource_grants WHERE subject_type = 'user' AND subject_id = OLD.id;
CREATE TRIGGER roles_grants_del AFTER DELETE ON roles FOR EACH ROW
  DELETE FROM module_grants WHERE subject_type = 'role' AND subject_id = OLD.id;
CREATE TRIGGER roles_rgrants_del BEFORE DELETE ON roles FOR EACH ROW
  DELETE FROM resource_grants WHERE subject_type = 'role' AND subject_id = OLD.id;
CREATE TRIGGER applications_grants_del AFTER DELETE ON applications FOR EACH ROW
  DELETE FROM resource_grants WHERE resource_type = 'application' AND resource_id = OLD.id;
CREATE TRIGGER hosts_grants_del AFTER DELETE ON hosts FOR EACH ROW
  DELETE FROM resource_grants WHERE resource_type = 'host' AND resource_id = OLD.id;
