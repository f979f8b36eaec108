-- 091_jump_log.sql -- the bastion command log (the seed's 跳板机日志,
-- issue 15): lines shipped by bastions (POST /common-utils/jump-server-logs/)
-- and searched by keyword, user, host and time.
--
-- client_id is the shipper's own id of a line (hangarctl jump-log ship
-- derives it from the log file's inode and the line's offset): a retried
-- batch finds its lines already here and they are not stored twice.
-- Lines without one are never deduplicated.
--
-- The keyword index (src/hangard/tools/jump_logs.c): every line's words --
-- maximal runs of ASCII letters, digits and '_', lower-cased, at least two
-- long; a word longer than 64 is stored as 64-character windows every 32
-- characters -- go to jump_log_words once each, and a posting (word, line)
-- to jump_log_postings, and the word's suffixes (two characters or more)
-- to jump_log_suffixes.  A keyword is searched by its longest run of word
-- characters: the words containing it (the suffixes it begins: a range of
-- their index), their postings newest first, each line then checked
-- against the whole keyword with LIKE when the run is not all of it.

CREATE TABLE jump_logs (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  client_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  user          VARCHAR(64) NOT NULL,
  host          VARCHAR(255) NOT NULL,
  text          VARCHAR(4096) NOT NULL,
  created_time  DATETIME NOT NULL,
  UNIQUE KEY jump_logs_client (client_id),
  KEY jump_logs_created (created_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE jump_log_words (
  id    INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  word  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  UNIQUE KEY jump_log_words_word (word)
) ENGINE=InnoDB;

CREATE TABLE jump_log_suffixes (
  suffix   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  word_id  INT UNSIGNED NOT NULL,
  PRIMARY KEY (suffix, word_id)
) ENGINE=InnoDB;

CREATE TABLE jump_log_postings (
  word_id  INT UNSIGNED NOT NULL,
  log_id   BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (word_id, log_id)
) ENGINE=InnoDB;
