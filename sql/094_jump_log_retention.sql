-- 094_jump_log_retention.sql -- the bastion command log's retention
-- (jump_log_retention_days, issue 15).
--
-- hangar-agent drops lines older than the retention in small batches
-- (src/agent/retention.c): a batch's lines are found by created_time
-- (jump_logs_created) and their postings by the line id, which needs an
-- index of its own: the primary key (word_id, log_id) cannot find a line's
-- postings without reading all of them.  Postings arrive with ascending
-- log ids, so this index grows at its right edge only.
ALTER TABLE jump_log_postings ADD KEY jump_log_postings_log (log_id);
