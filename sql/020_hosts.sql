-- 020_hosts.sql -- indexes the host inventory's lists need at 100,000 hosts
-- (t/bench/cmdb.sh measures them).
--
-- hosts_filter covers every column the list's filters read (name, type,
-- status, os_status; id rides along in every secondary index), so a
-- filtered page is a scan of this narrow index instead of the rows, and a
-- name substring needs no other access.  hosts_order is a narrow copy of
-- the primary key's order: the deep-page subquery (SELECT id ... ORDER BY
-- id DESC LIMIT ? OFFSET ?) walks it instead of the clustered rows.
ALTER TABLE hosts
  ADD KEY hosts_filter (name, host_type, status, os_status),
  ADD KEY hosts_os_status (os_status, id),
  ADD KEY hosts_order (id);
