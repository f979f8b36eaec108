-- 098_jump_log_names.sql -- the bastion command log's distinct user and
-- host names (issue 15), kept by ingestion in the lines' transaction.  A
-- user or host filter (a case-insensitive substring) first looks for the
-- one name that contains it; 095 read the names by a loose scan of
-- (user, id) and (host, id), but MariaDB 10.11 drops that plan from the
-- third execution of the prepared statement on a connection that has also
-- run one of the log's LIKE queries, and then reads every index entry (150
-- ms at 1.1 million lines, growing with the log).  This table is read
-- whole instead: one row per name ever seen.  Names are never removed (the
-- retention would race with a batch bringing the name back): a name
-- without lines left costs nothing but a look.  kind 0 is a user, 1 a host.
CREATE TABLE jump_log_names (
  kind  TINYINT UNSIGNED NOT NULL,
  name  VARCHAR(255) NOT NULL,
  PRIMARY KEY (kind, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO jump_log_names (kind, name)
  SELECT 0, user FROM jump_logs GROUP BY user;
INSERT IGNORE INTO jump_log_names (kind, name)
  SELECT 1, host FROM jump_logs GROUP BY host;
