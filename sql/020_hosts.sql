-- 020_hosts.sql -- what the host inventory's lists need at 100,000 hosts
-- (t/bench/cmdb.sh measures them).
--
-- name_fold is the name in lower case with a binary collation: the name
-- filter (a case-insensitive substring) matches it with LIKE about twice
-- as fast as the unicode collation of name.  hosts_filter covers every
-- column the list's filters read (id rides along in every secondary index),
-- so a filtered page is a scan of this narrow index, never of the rows.
-- hosts_order is a narrow copy of the primary key's order: the page
-- subquery (SELECT id ... ORDER BY id LIMIT ? OFFSET ?) walks it instead
-- of the clustered rows.
ALTER TABLE hosts
  ADD COLUMN name_fold VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    AS (LOWER(name)) STORED,
  ADD KEY hosts_filter (name_fold, host_type, status, os_status),
  ADD KEY hosts_os_status (os_status, id),
  ADD KEY hosts_order (id);
