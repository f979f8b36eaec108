/*
 * dtask.h -- what deploy_tasks.c needs of its neighbours: the deploy
 * freeze in force for an application (deploy_freezes.c) and the mail to
 * the people who must act next (deploy_notify.c).
 */
#ifndef HG_DTASK_H
#define HG_DTASK_H

#include "hangard.h"

/* deploy_freezes.c */
struct dt_freeze {
	long long	 f_id;
	const char	*f_name;
	const char	*f_ends;	/* RFC 3339 */
};
/*
 * The freeze in force now for application app (the one that ends last):
 * 1 with *f set, 0 when none, -1 when the database failed (recorded on
 * the request).
 */
int	dt_freeze_find(struct hg_req *, long long app, struct dt_freeze *f);
/* Audit, in the freeze's trail, that task (of app) started through it. */
int	dt_freeze_overridden(struct hg_req *, const struct dt_freeze *,
	    long long task, const char *app, const char *reason);

/*
 * deploy_notify.c: mail the people who must act next on task, queued in
 * the request's transaction: on DT_MAIL_CREATED the application's
 * reviewers, on DT_MAIL_REVIEWED (approved or rejected) the creator, on
 * DT_MAIL_DELEGATED the new assignee.  0, or an error recorded on the
 * request.
 */
enum { DT_MAIL_NONE, DT_MAIL_CREATED, DT_MAIL_REVIEWED, DT_MAIL_DELEGATED };
int	dt_notify(struct hg_req *, int kind, long long task);

/*
 * subtasks.c: the sub_tasks of deploy task dtask, oldest first, each with
 * its per-instance results (a new reference), or NULL when the database
 * failed (recorded on the request).
 */
json_object	*dt_subtasks(struct hg_req *, long long dtask);

#endif
