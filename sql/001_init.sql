-- 001_init.sql -- users, roles, sessions, API tokens, audit, row counters.
-- Times are UTC DATETIMEs; text is utf8mb4 with a case-insensitive collation
-- so that filters match regardless of case and unique names ignore case.

CREATE TABLE users (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username      VARCHAR(64)  NOT NULL,
  name          VARCHAR(128) NOT NULL DEFAULT '',
  email         VARCHAR(254) NOT NULL DEFAULT '',
  phone         VARCHAR(32)  NOT NULL DEFAULT '',
  status        ENUM('enabled','disabled') NOT NULL DEFAULT 'enabled',
  is_superuser  TINYINT(1) NOT NULL DEFAULT 0,
  password_hash VARCHAR(255) NOT NULL,
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  last_login    DATETIME NULL,
  UNIQUE KEY users_username (username),
  KEY users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE roles (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  creator       VARCHAR(64)  NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY roles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
  user_id       BIGINT UNSIGNED NOT NULL,
  role_id       BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, role_id),
  KEY user_roles_role (role_id, user_id),
  CONSTRAINT user_roles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT user_roles_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- A session is found by the hash of its cookie value; the cookie itself is
-- never stored.
CREATE TABLE sessions (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id_hash       CHAR(64) CHARACTER SET ascii NOT NULL,
  user_id       BIGINT UNSIGNED NOT NULL,
  csrf_token    CHAR(64) CHARACTER SET ascii NOT NULL,
  created_time  DATETIME NOT NULL,
  last_seen     DATETIME NOT NULL,
  UNIQUE KEY sessions_hash (id_hash),
  KEY sessions_user (user_id),
  CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- API tokens: only a hash and the first 8 characters are kept.
CREATE TABLE auth_tokens (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  name          VARCHAR(128) NOT NULL,
  description   VARCHAR(1024) NOT NULL DEFAULT '',
  prefix        CHAR(8) CHARACTER SET ascii NOT NULL,
  token_hash    CHAR(64) CHARACTER SET ascii NOT NULL,
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY auth_tokens_hash (token_hash),
  KEY auth_tokens_user (user_id),
  CONSTRAINT auth_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Single-use password reset tokens (hash only), valid 30 minutes.
CREATE TABLE password_resets (
  token_hash    CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  expires       DATETIME NOT NULL,
  used          TINYINT(1) NOT NULL DEFAULT 0,
  KEY password_resets_user (user_id),
  CONSTRAINT password_resets_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- The audit trail of every family: kind says which ('auth_token', 'app',
-- 'host', 'dns', ...).  Rows are never updated or deleted.
CREATE TABLE audit_log (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind          VARCHAR(32) CHARACTER SET ascii NOT NULL,
  op_type       VARCHAR(32) CHARACTER SET ascii NOT NULL,
  target_id     BIGINT UNSIGNED NULL,
  target_name   VARCHAR(512) NOT NULL DEFAULT '',
  op_detail     TEXT NOT NULL,
  operator      VARCHAR(64) NOT NULL,
  op_time       DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  KEY audit_kind (kind, id),
  KEY audit_kind_time (kind, op_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exact row counts for unfiltered lists, kept by triggers in the same
-- transaction as the change: COUNT(*) on a large InnoDB table is a scan.
CREATE TABLE row_counts (
  tbl           VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  n             BIGINT NOT NULL
) ENGINE=InnoDB;

INSERT INTO row_counts (tbl, n) VALUES ('users', 0), ('roles', 0);
CREATE TRIGGER users_count_ins AFTER INSERT ON users FOR EACH ROW
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'users';
CREATE TRIGGER users_count_del AFTER DELETE ON users FOR EACH ROW
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'users';
CREATE TRIGGER roles_count_ins AFTER INSERT ON roles FOR EACH ROW
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'roles';
CREATE TRIGGER roles_count_del AFTER DELETE ON roles FOR EACH ROW
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'roles';
