-- 081_mail_outbox.sql -- mail goes out through the job path: a request
-- writes a mails row and an outbox row in its own transaction (so nothing
-- is sent when it rolls back), the outbox carries mail=<id> to the Redis
-- stream, and hangar-agent sends it (src/agent/mail.c).  An outbox row now
-- names either a task or a mail, never both.

-- body is sealed with the server key, as credentials' secrets are, and
-- emptied once the mail is sent or has failed for good.  status:
--   queued   waiting for an agent (next_attempt: not before then)
--   sending  an agent holds it until next_attempt (its lease)
--   sent     delivered to smtp_url; failed: mail_attempts all failed
--   void     a decoy written where a real mail would have been (a reply
--            that must not tell whether a mail went out); never sent,
--            deleted by the agent
CREATE TABLE mails (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  recipient     VARCHAR(254) NOT NULL,
  subject       VARCHAR(255) NOT NULL,
  body          MEDIUMTEXT NOT NULL,
  status        ENUM('queued','sending','sent','failed','void') NOT NULL DEFAULT 'queued',
  attempts      INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  agent         VARCHAR(128) CHARACTER SET ascii NULL,
  last_error    VARCHAR(255) NOT NULL DEFAULT '',
  created_time  DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  sent_time     DATETIME NULL,
  KEY mails_due (status, next_attempt)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE outbox
  MODIFY task_id BIGINT UNSIGNED NULL,
  ADD COLUMN mail_id BIGINT UNSIGNED NULL AFTER task_id,
  ADD CONSTRAINT outbox_mail FOREIGN KEY (mail_id) REFERENCES mails (id) ON DELETE CASCADE,
  ADD CONSTRAINT outbox_one_job CHECK ((task_id IS NULL) <> (mail_id IS NULL));
