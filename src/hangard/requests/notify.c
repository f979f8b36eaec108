/*
 * notify.c -- mail about resource requests (issue 14): when a request is
 * created, to the approvers of its kind (users holding approve_<kind>_req
 * with the module's switch, directly or through a role, and superusers,
 * who may approve every kind: hg_perm_module); when someone
 * decides it (approve, reject, finish, or a close by someone else), to
 * its creator.  The one who acted is never mailed about it, nor anyone
 * disabled or without an address.
 *
 * Mail is queued in the request's transaction (hg_mail_queue, mailq.c):
 * it leaves, through hangar-agent, only if the change commits.
 */
#include <string.h>

#include "hangard.h"
#include "requests/requests.h"

#define MAX_APPROVERS	100	/* mails one creation may queue */

/* A user u holds module permission (the ?s) directly or by a role. */
#define HOLDS "EXISTS (SELECT 1 FROM module_grants g WHERE g.module = '" \
	RQ_MODULE "' AND g.perm = ?s AND ((g.subject_type = 'user' AND " \
	"g.subject_id = u.id) OR (g.subject_type = 'role' AND g.subject_id " \
	"IN (SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = u.id))))"

/* Queue one mail to addr unless it is NULL, empty or not an address. */
static int
send_to(struct hg_req *r, const char *addr, const char *subject,
    const char *body)
{
	if (addr == NULL || *addr == '\0' || hg_check_email(addr) != NULL)
		return 0;
	return hg_mail_queue(r, addr, subject, body);
}

int
rq_notify(struct hg_req *r, const struct rq_kind *k, long long id,
    enum rq_mail kind)
{
	struct hg_rows	*rs, *to;
	const char	*subject, *body, *who = r->r_user->u_username;
	int		 rc, i;

	if (kind == RQ_MAIL_NONE)
		return 0;
	/* the request, and its creator's address unless the actor's */
	if ((rc = hg_sql(r, &rs, "SELECT q.status, q.purpose, uc.username, "
	    "(SELECT u.email FROM users u WHERE u.id = q.creator_id AND "
	    "u.status = 'enabled' AND u.id <> ?i) FROM resource_requests q "
	    "LEFT JOIN users uc ON uc.id = q.creator_id WHERE q.id = ?i",
	    r->r_user->u_id, id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return 0;
	body = hg_printf(r->r_arena, "%c%s %lld\n\n  requested by: %s\n"
	    "  status:       %s\n  purpose:      %s\n\nGET %s%lld/ shows it.\n",
	    k->k_what[0] - 'a' + 'A', k->k_what + 1, id,
	    HG_CELL(rs, 0, 2) ? HG_CELL(rs, 0, 2) : "(deleted user)",
	    HG_CELL(rs, 0, 0), HG_CELL(rs, 0, 1), k->k_path, id);
	if (kind == RQ_MAIL_DECIDED) {
		subject = hg_printf(r->r_arena, "[Hangar] Your %s %lld is %s",
		    k->k_what, id, HG_CELL(rs, 0, 0));
		body = hg_printf(r->r_arena, "%s %s your %s.\n\n%s", who,
		    HG_CELL(rs, 0, 0), k->k_what, body);
		return send_to(r, HG_CELL(rs, 0, 3), subject, body);
	}
	subject = hg_printf(r->r_arena, "[Hangar] Review %s %lld from %s",
	    k->k_what, id, who);
	body = hg_printf(r->r_arena, "%s asks for your review.\n\n%s", who,
	    body);
	if ((rc = hg_sql(r, &to, "SELECT DISTINCT u.email FROM users u WHERE "
	    "u.status = 'enabled' AND u.email <> '' AND u.id <> ?i AND "
	    "(u.is_superuser = 1 OR (" HOLDS " AND " HOLDS ")) ORDER BY "
	    "u.email LIMIT ?i", r->r_user->u_id,
	    k->k_approve, RQ_SWITCH, (long long)MAX_APPROVERS)) != 0)
		return rc;
	for (i = 0; i < to->nrows; i++)
		if ((rc = send_to(r, HG_CELL(to, i, 0), subject, body)) != 0)
			return rc;
	return 0;
}
