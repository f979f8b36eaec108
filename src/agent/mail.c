/*
 * mail.c -- hangar-agent sends the mail hangard queued (hg_mail_queue):
 * a mails row, announced on the job stream as mail=<id> by the outbox.
 *
 * A mail is claimed in MySQL before it is sent (queued -> sending, by one
 * UPDATE, so two agents that both see it send it once), then marked sent,
 * or queued again mail_retry_delay seconds later, or failed after
 * mail_attempts tries; sent or failed, its body is emptied.  The claim
 * holds the mail for LEASE_S seconds (next_attempt): an agent that dies
 * while sending leaves it to the sweep, which queues it again (the attempt
 * is counted: a mail that kills its agent cannot loop forever).
 *
 * The stream only makes delivery prompt.  The sweep (mail_sweep, every
 * second from the main loop) finds in MySQL what is due without it:
 * retries, mails whose outbox relay was lost (queued for longer than
 * claim_timeout), stale claims, and the void decoys to delete.
 *
 * Mail is sent from the main thread, one message at a time: a send is
 * bounded by hg_mail_send's timeout (10 s), well below the
 * claim_timeout/3 at which the loop must keep its jobs alive.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "conf.h"
#include "mail.h"
#include "secret.h"

#define LEASE_S		120	/* a claim outlives any send (10 s) */
#define VOID_BATCH	500	/* decoys deleted per sweep */

/*
 * Send mail id if it is queued and due.  0: done, or nothing to do (sent
 * already, held by another agent, not due); -1: MySQL is unavailable.
 */
int
mail_deliver(struct hg_db *db, struct hg_arena *a, long long id)
{
	struct hg_rows	*rs;
	struct timespec	 t0;
	const char	*body;
	long long	 tries;
	int		 ok;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (hg_db_exec(db, "UPDATE mails SET status = 'sending', agent = ?, "
	    "attempts = attempts + 1, next_attempt = UTC_TIMESTAMP() + "
	    "INTERVAL ? SECOND WHERE id = ? AND status = 'queued' AND "
	    "next_attempt <= UTC_TIMESTAMP()", "sii", agent_name,
	    (long long)LEASE_S, id) != 0)
		return -1;
	if (hg_db_affected(db) == 0)
		return 0;
	if (hg_db_query(db, a, &rs, "SELECT recipient, subject, body, attempts "
	    "FROM mails WHERE id = ?", "i", id) != 0)
		return -1;	/* the lease ends; the sweep queues it again */
	if (rs->nrows == 0)
		return 0;
	tries = hg_atoll(HG_CELL(rs, 0, 3));
	if ((body = hg_unseal(a, HG_CELL(rs, 0, 2))) == NULL) {
		ev(HG_WARN, 0, NULL, "mail", -1, "nokey", "mail %lld: the body "
		    "cannot be opened (secret_key_file)", id);
		ok = 0;
	} else
		ok = hg_mail_send(HG_CELL(rs, 0, 0), HG_CELL(rs, 0, 1),
		    body) == 0;
	if (ok) {
		if (hg_db_exec(db, "UPDATE mails SET status = 'sent', body = '', "
		    "last_error = '', sent_time = UTC_TIMESTAMP() WHERE id = ?",
		    "i", id) != 0)
			return -1;
		ev(HG_INFO, 0, NULL, "mail", ms_since(&t0), "sent",
		    "mail %lld sent (attempt %lld)", id, tries);
		return 0;
	}
	if (tries >= hg_conf.mail_attempts) {
		if (hg_db_exec(db, "UPDATE mails SET status = 'failed', "
		    "body = '', last_error = ? WHERE id = ?", "si",
		    body == NULL ? "cannot open the body" :
		    "not accepted by smtp_url", id) != 0)
			return -1;
		ev(HG_WARN, 0, NULL, "mail", ms_since(&t0), "failed",
		    "mail %lld not sent after %lld attempts: given up", id,
		    tries);
		return 0;
	}
	if (hg_db_exec(db, "UPDATE mails SET status = 'queued', agent = NULL, "
	    "next_attempt = UTC_TIMESTAMP() + INTERVAL ? SECOND, "
	    "last_error = ? WHERE id = ?", "isi", (long long)
	    hg_conf.mail_retry_delay, body == NULL ? "cannot open the body" :
	    "not accepted by smtp_url", id) != 0)
		return -1;
	ev(HG_WARN, 0, NULL, "mail", ms_since(&t0), "retry", "mail %lld not "
	    "sent (attempt %lld of %ld): again in %ld s", id, tries,
	    hg_conf.mail_attempts, hg_conf.mail_retry_delay);
	return 0;
}

/*
 * What the stream does not bring: claims whose agent died (their lease
 * is over) go back to the queue, or fail when they used the last attempt;
 * decoys are deleted (their outbox rows go with them); and one due mail
 * is sent: a retry, or one queued for longer than claim_timeout (its
 * stream entry was lost with Redis, or is held by an agent that died).
 */
void
mail_sweep(struct hg_db *db, struct hg_arena *a)
{
	struct hg_rows		*rs;
	unsigned long long	 n = 0;
	int			 i;

	/*
	 * Rows are found by a plain read and changed by primary key: a
	 * locking scan of mails_due would wait on a row a worker inserted
	 * and has not committed, while holding gap locks on the outbox that
	 * the worker's next insert needs (a deadlock the worker answers 500).
	 */
	if (hg_db_query(db, a, &rs, "SELECT id FROM mails WHERE status = "
	    "'sending' AND next_attempt < UTC_TIMESTAMP() LIMIT ?", "i",
	    (long long)VOID_BATCH) == 0)
		for (i = 0; i < rs->nrows; i++)
			if (hg_db_exec(db, "UPDATE mails SET status = "
			    "IF(attempts >= ?, 'failed', 'queued'), body = "
			    "IF(attempts >= ?, '', body), last_error = 'the "
			    "agent sending it stopped', agent = NULL WHERE id = ? "
			    "AND status = 'sending' AND next_attempt < "
			    "UTC_TIMESTAMP()", "iii",
			    (long long)hg_conf.mail_attempts,
			    (long long)hg_conf.mail_attempts,
			    hg_atoll(HG_CELL(rs, i, 0))) == 0)
				n += hg_db_affected(db);
	if (n > 0)
		ev(HG_WARN, 0, NULL, "mail", -1, "reclaimed", "%llu mails held "
		    "by a stopped agent taken back", n);
	if (hg_db_query(db, a, &rs, "SELECT id FROM mails WHERE status = "
	    "'void' LIMIT ?", "i", (long long)VOID_BATCH) == 0)
		for (i = 0; i < rs->nrows; i++)
			(void)hg_db_exec(db, "DELETE FROM mails WHERE id = ? AND "
			    "status = 'void'", "i", hg_atoll(HG_CELL(rs, i, 0)));
	if (hg_db_query(db, a, &rs, "SELECT id FROM mails WHERE status = "
	    "'queued' AND next_attempt <= UTC_TIMESTAMP() AND (attempts > 0 "
	    "OR created_time < UTC_TIMESTAMP() - INTERVAL ? SECOND) "
	    "ORDER BY next_attempt, id LIMIT 1", "i",
	    (long long)hg_conf.claim_timeout) != 0 || rs->nrows == 0)
		return;
	(void)mail_deliver(db, a, hg_atoll(HG_CELL(rs, 0, 0)));
}
