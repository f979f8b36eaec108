/*
 * deploy_notify.c -- mail to the people who must act next on a deploy
 * task (issue 11): on creation the application's reviewers (users
 * granted review_app_deploy_task on it, directly or through a role), on
 * approval or rejection the creator, on delegation the new assignee.  The
 * one who acted is never mailed about it, nor anyone without an address.
 *
 * Mail is queued in the request's transaction (hg_mail_queue, mailq.c):
 * it leaves, through hangar-agent, only if the change commits, and the
 * request never waits on the mail server.
 */
#include <string.h>

#include "hangard.h"
#include "deploy/dtask.h"

#define MAX_REVIEWERS	100	/* mails one creation may queue */

/*
 * What the mail says of the task, and the creator's and the assignee's
 * addresses unless they are the actor: one row; values: the actor twice,
 * the task.
 */
#define NOTE_SQL "SELECT t.id, a.full_name, t.version, t.level, t.status, " \
	"t.package_source, t.planned_exec_time, " \
	"(SELECT u.email FROM users u WHERE u.id = t.creator_id AND " \
	"u.status = 'enabled' AND u.id <> ?i), " \
	"(SELECT u.email FROM users u WHERE u.id = t.assignee_id AND " \
	"u.status = 'enabled' AND u.id <> ?i), t.app_id, t.description " \
	"FROM deploy_tasks t JOIN applications a ON a.id = t.app_id " \
	"WHERE t.id = ?i"
enum { N_ID, N_APP, N_VERSION, N_LEVEL, N_STATUS, N_SOURCE, N_PLANNED,
    N_CREATOR, N_ASSIGNEE, N_APPID, N_DESC };

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
dt_notify(struct hg_req *r, int kind, long long task)
{
	struct hg_rows	*rs, *to;
	const char	*subject, *body, *who = r->r_user->u_username;
	int		 rc, i;

	if (kind == DT_MAIL_NONE)
		return 0;
	if ((rc = hg_sql(r, &rs, NOTE_SQL, r->r_user->u_id, r->r_user->u_id,
	    task)) != 0)
		return rc;
	if (rs->nrows == 0)
		return 0;
	body = hg_printf(r->r_arena, "Deploy task %s of application %s\n\n"
	    "  version:        %s\n  level:          %s\n  status:         %s\n"
	    "  package:        %s\n  planned (Unix): %s\n  description:    %s\n\n"
	    "GET /application/deploy-tasks/%s/ shows it.\n",
	    HG_CELL(rs, 0, N_ID), HG_CELL(rs, 0, N_APP),
	    HG_CELL(rs, 0, N_VERSION), HG_CELL(rs, 0, N_LEVEL),
	    HG_CELL(rs, 0, N_STATUS), HG_CELL(rs, 0, N_SOURCE),
	    HG_CELL(rs, 0, N_PLANNED), HG_CELL(rs, 0, N_DESC),
	    HG_CELL(rs, 0, N_ID));
	switch (kind) {
	case DT_MAIL_CREATED:
		subject = hg_printf(r->r_arena, "[Hangar] Review deploy task %s "
		    "of %s (version %s)", HG_CELL(rs, 0, N_ID),
		    HG_CELL(rs, 0, N_APP), HG_CELL(rs, 0, N_VERSION));
		body = hg_printf(r->r_arena, "%s asks for your review.\n\n%s",
		    who, body);
		if ((rc = hg_sql(r, &to, "SELECT DISTINCT u.email FROM users u "
		    "JOIN resource_grants g ON g.resource_type = 'application' "
		    "AND g.resource_id = ?i AND g.perm = "
		    "'review_app_deploy_task' AND ((g.subject_type = 'user' AND "
		    "g.subject_id = u.id) OR (g.subject_type = 'role' AND "
		    "g.subject_id IN (SELECT ur.role_id FROM user_roles ur WHERE "
		    "ur.user_id = u.id))) WHERE u.status = 'enabled' AND "
		    "u.email <> '' AND u.id <> ?i ORDER BY u.email LIMIT ?i",
		    hg_atoll(HG_CELL(rs, 0, N_APPID)), r->r_user->u_id,
		    (long long)MAX_REVIEWERS)) != 0)
			return rc;
		for (i = 0; i < to->nrows; i++)
			if ((rc = send_to(r, HG_CELL(to, i, 0), subject,
			    body)) != 0)
				return rc;
		return 0;
	case DT_MAIL_REVIEWED:
		subject = hg_printf(r->r_arena, "[Hangar] Deploy task %s of %s "
		    "%s", HG_CELL(rs, 0, N_ID), HG_CELL(rs, 0, N_APP),
		    HG_CELL(rs, 0, N_STATUS));
		body = hg_printf(r->r_arena, "%s %s your deploy task.\n\n%s",
		    who, HG_CELL(rs, 0, N_STATUS), body);
		return send_to(r, HG_CELL(rs, 0, N_CREATOR), subject, body);
	case DT_MAIL_DELEGATED:
		subject = hg_printf(r->r_arena, "[Hangar] Deploy task %s of %s "
		    "is yours", HG_CELL(rs, 0, N_ID), HG_CELL(rs, 0, N_APP));
		body = hg_printf(r->r_arena, "%s delegated this deploy task to "
		    "you; you may start it once it is approved.\n\n%s", who,
		    body);
		return send_to(r, HG_CELL(rs, 0, N_ASSIGNEE), subject, body);
	}
	return 0;
}
