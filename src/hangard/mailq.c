/*
 * mailq.c -- mail from hangard goes out through the job path (hangard.h,
 * hg_mail_queue): a mails row and its outbox row are written in the
 * request's transaction, the dispatcher pushes the outbox to Redis after
 * the commit (mail=<id>), and hangar-agent sends it (src/agent/mail.c).  A
 * worker never talks to the mail server, and a request that rolls back
 * sends nothing.
 */
#include <string.h>

#include "hangard.h"
#include "secret.h"

/*
 * The one writer of mails rows: a real mail (status queued) or a decoy
 * (status void) that costs the same, down to sealing a body of the same
 * length and the outbox row and its push after the commit.
 */
static int
mail_insert(struct hg_req *r, const char *to, const char *subject,
    const char *body, int real)
{
	char	*sealed;
	int	 rc;

	/* A caller's bug, not the client's: nothing may reach a header. */
	if ((real && (*to == '\0' || hg_check_email(to) != NULL)) ||
	    strpbrk(subject, "\r\n") != NULL)
		return hg_fail(r, HG_E_INTERNAL, "hg_mail_queue: a recipient "
		    "that is not one plain address, or a subject of more "
		    "than one line");
	if ((rc = hg_seal_input(r, body, &sealed)) != 0)
		return rc;
	if ((rc = hg_sql_exec(r, "INSERT INTO mails (recipient, subject, body, "
	    "status) VALUES (?s, ?s, ?s, ?s)", real ? to : "", subject,
	    sealed, real ? "queued" : "void")) != 0 ||
	    (rc = hg_sql_exec(r, "INSERT INTO outbox (mail_id) VALUES (?i)",
	    hg_sql_insert_id(r))) != 0)
		return rc;
	r->r_outbox = 1;
	return 0;
}

int
hg_mail_queue(struct hg_req *r, const char *to, const char *subject,
    const char *body)
{
	return mail_insert(r, to, subject, body, 1);
}

int
hg_mail_queue_decoy(struct hg_req *r, const char *subject, const char *body)
{
	return mail_insert(r, NULL, subject, body, 0);
}
