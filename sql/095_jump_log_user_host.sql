-- 095_jump_log_user_host.sql -- the bastion command log's user and host
-- filters by index (issue 15).  A filter is a case-insensitive substring,
-- which no index can seek; but a bastion has few users and hosts, so the
-- distinct values that contain it are read first (one index entry each,
-- a loose scan of these keys), and when one value matches, its lines come
-- newest first straight from (user, id) or (host, id).
ALTER TABLE jump_logs ADD KEY jump_logs_user (user, id),
  ADD KEY jump_logs_host (host, id);
