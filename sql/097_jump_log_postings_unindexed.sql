-- 097_jump_log_postings_unindexed.sql -- the bastion command log's postings
-- lose their index by line id (094): keeping it up cost a fifth of
-- MariaDB's time on every ingested line, for the retention's purge alone.
-- The purge now finds an old line's postings from its text (its words,
-- their ids, then the primary key (word_id, log_id): src/agent/retention.c).
ALTER TABLE jump_log_postings DROP KEY jump_log_postings_log;
