-- 092_requests.sql -- resource requests (the seed's 资源申请, API.md
-- sections 5 and 6, issue 14): people ask for hosts, domain records and
-- SSL certificates, an approver of that kind decides.
--
-- Every request is one resource_requests row (kind host | domain | ssl) with
-- the state and the people; what is asked sits in the kind's own table,
-- keyed by the request's id.  A request goes wait_review -> approved |
-- rejected | closed, approved -> finished | closed
-- (src/hangard/requests/requests.c holds the one table of transitions).
-- The people are user ids: the creator and the reviewer (who approved or
-- rejected); a deleted user leaves NULL.

CREATE TABLE resource_requests (
  id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind                 ENUM('host','domain','ssl') NOT NULL,
  status               ENUM('wait_review','approved','rejected','closed',
                            'finished') NOT NULL DEFAULT 'wait_review',
  purpose              TEXT NOT NULL,
  -- the seed's String: digits, kept as given ("7")
  expect_delivery_days VARCHAR(16) NOT NULL DEFAULT '7',
  creator_id           BIGINT UNSIGNED NULL,
  reviewer_id          BIGINT UNSIGNED NULL,
  created_time         DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  updated_time         DATETIME NULL,
  decided_time         DATETIME NULL,
  finished_time        DATETIME NULL,
  KEY resource_requests_by_kind (kind, id),
  KEY resource_requests_by_status (kind, status, id),
  KEY resource_requests_by_creator (kind, creator_id, id),
  KEY resource_requests_by_time (kind, created_time),
  CONSTRAINT resource_requests_creator FOREIGN KEY (creator_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT resource_requests_reviewer FOREIGN KEY (reviewer_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exact counts for the approver's unfiltered list and the list by status,
-- kept in the transaction of the change ('resource_requests:<kind>' and
-- 'resource_requests:<kind>:<status>').
INSERT INTO row_counts (tbl, n) VALUES
  ('resource_requests:host', 0), ('resource_requests:domain', 0),
  ('resource_requests:ssl', 0),
  ('resource_requests:host:wait_review', 0), ('resource_requests:host:approved', 0),
  ('resource_requests:host:rejected', 0), ('resource_requests:host:closed', 0),
  ('resource_requests:host:finished', 0),
  ('resource_requests:domain:wait_review', 0), ('resource_requests:domain:approved', 0),
  ('resource_requests:domain:rejected', 0), ('resource_requests:domain:closed', 0),
  ('resource_requests:domain:finished', 0),
  ('resource_requests:ssl:wait_review', 0), ('resource_requests:ssl:approved', 0),
  ('resource_requests:ssl:rejected', 0), ('resource_requests:ssl:closed', 0),
  ('resource_requests:ssl:finished', 0);
CREATE TRIGGER resource_requests_count_ins AFTER INSERT ON resource_requests FOR EACH ROW
  UPDATE row_counts SET n = n + 1
  WHERE tbl IN (CONCAT('resource_requests:', NEW.kind),
                CONCAT('resource_requests:', NEW.kind, ':', NEW.status));
CREATE TRIGGER resource_requests_count_del AFTER DELETE ON resource_requests FOR EACH ROW
  UPDATE row_counts SET n = n - 1
  WHERE tbl IN (CONCAT('resource_requests:', OLD.kind),
                CONCAT('resource_requests:', OLD.kind, ':', OLD.status));
CREATE TRIGGER resource_requests_count_upd AFTER UPDATE ON resource_requests FOR EACH ROW
  UPDATE row_counts
  SET n = n + IF(tbl = CONCAT('resource_requests:', NEW.kind, ':', NEW.status), 1, -1)
  WHERE OLD.status <> NEW.status
    AND tbl IN (CONCAT('resource_requests:', OLD.kind, ':', OLD.status),
                CONCAT('resource_requests:', NEW.kind, ':', NEW.status));

-- The applications a request names (the seed's associated_app /
-- associate_app, domain and SSL requests).
CREATE TABLE resource_request_apps (
  request_id    BIGINT UNSIGNED NOT NULL,
  app_id        BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (request_id, app_id),
  KEY resource_request_apps_app (app_id),
  CONSTRAINT resource_request_apps_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE,
  CONSTRAINT resource_request_apps_app FOREIGN KEY (app_id) REFERENCES applications (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- ---- host requests -------------------------------------------------------
-- shipped_packages is stored inline as given (a JSON array);
-- requested_hosts is the normalized JSON array of
-- {name, cpu_cores, mem, storage, os, type}.
CREATE TABLE host_requests (
  request_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  expiration_type  ENUM('INFINITE','FINITE') NOT NULL DEFAULT 'INFINITE',
  expiration_days  INT UNSIGNED NULL,
  shipped_packages LONGTEXT NOT NULL DEFAULT '[]' CHECK (JSON_VALID(shipped_packages)),
  requested_hosts  LONGTEXT NOT NULL DEFAULT '[]' CHECK (JSON_VALID(requested_hosts)),
  CONSTRAINT host_requests_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- users_with_log_perm (the seed's login_users)
CREATE TABLE host_request_log_users (
  request_id    BIGINT UNSIGNED NOT NULL,
  user_id       BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (request_id, user_id),
  KEY host_request_log_users_user (user_id),
  CONSTRAINT host_request_log_users_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE,
  CONSTRAINT host_request_log_users_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- the hosts delivered, linked by finish (hosts: [ids])
CREATE TABLE host_request_hosts (
  request_id    BIGINT UNSIGNED NOT NULL,
  host_id       BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (request_id, host_id),
  KEY host_request_hosts_host (host_id),
  CONSTRAINT host_request_hosts_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE,
  CONSTRAINT host_request_hosts_host FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- ---- domain requests -----------------------------------------------------
-- Approval leaves a domain request 'approved' with apply_status 'pending';
-- the DNS module's apply job (POST .../actions/apply/ and the agent) puts
-- the records on the DNS server of the domain they fall in, sets
-- apply_status and, when every record is on the server, the request's
-- status to 'finished'.  apply_status:
--   none      not approved yet (or closed/rejected before any apply)
--   pending   approved, waiting for an apply job
--   applying  a job holds it
--   applied   every record is on its server
--   failed    the server refused or no managed domain covers a record;
--             apply_error says why, the approver may retry
CREATE TABLE domain_requests (
  request_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  apply_status  ENUM('none','pending','applying','applied','failed') NOT NULL DEFAULT 'none',
  apply_error   VARCHAR(1024) NOT NULL DEFAULT '',
  applied_time  DATETIME NULL,
  CONSTRAINT domain_requests_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One requested record.  name is absolute, lower case, without the
-- trailing dot ("www.example.com"); type A | AAAA | CNAME | MX | NS | TXT;
-- value as validated for the type (MX: "<priority> <host>", host names
-- without the trailing dot; TXT: the text, unquoted); ttl NULL means the
-- DNS module's configured default.  apply_status/apply_error and
-- record_id (the dns record it became) are the DNS module's to write.
CREATE TABLE domain_request_records (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  request_id    BIGINT UNSIGNED NOT NULL,
  name          VARCHAR(253) NOT NULL,
  type          ENUM('A','AAAA','CNAME','MX','NS','TXT') NOT NULL,
  value         VARCHAR(2048) NOT NULL,
  ttl           INT UNSIGNED NULL,
  apply_status  ENUM('pending','applied','failed') NOT NULL DEFAULT 'pending',
  apply_error   VARCHAR(1024) NOT NULL DEFAULT '',
  record_id     BIGINT UNSIGNED NULL,
  KEY domain_request_records_req (request_id, id),
  KEY domain_request_records_name (name),
  CONSTRAINT domain_request_records_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---- SSL certificate requests ------------------------------------------
-- domain is lower case without a trailing dot; certificate_type 'wizard'
-- (the seed's word for a wildcard certificate: *.domain) or 'normal'.
-- The cert_* columns are filled by finish from the issued chain: the leaf's
-- subject, issuer, subjectAltName DNS names (JSON array), notAfter (UTC),
-- SHA-256 fingerprint (hex) and the PEM chain as given (certificates only;
-- a private key is refused).
CREATE TABLE ssl_requests (
  request_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  domain           VARCHAR(253) NOT NULL,
  certificate_type ENUM('wizard','normal') NOT NULL,
  cert_subject     VARCHAR(1024) NULL,
  cert_issuer      VARCHAR(1024) NULL,
  cert_sans        TEXT NULL CHECK (cert_sans IS NULL OR JSON_VALID(cert_sans)),
  cert_not_after   DATETIME NULL,
  cert_fingerprint CHAR(64) CHARACTER SET ascii NULL,
  cert_pem         MEDIUMTEXT CHARACTER SET ascii NULL,
  KEY ssl_requests_domain (domain),
  CONSTRAINT ssl_requests_req FOREIGN KEY (request_id) REFERENCES resource_requests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
