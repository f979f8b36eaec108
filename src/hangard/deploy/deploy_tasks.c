/*
 * deploy_tasks.c -- /application/deploy-tasks/: the seed's 发布任务 (list,
 * create, approve, reject, start, close, delegate), with GET and PATCH of
 * one task added (API.md sections 5 and 6, issue 11).
 *
 * A task's life is the one table `transitions` below: for every action,
 * the states it may be taken in, the state it leads to, who may take it
 * and what else it does.  Every action route is one handler, task_act,
 * that reads its row of the table (the route's argument); so do the
 * objects' available_actions and hangar-api(7)'s state table.  An action
 * locks the task's row (SELECT ... FOR UPDATE) before it reads the state,
 * so two people acting at once are serialized by InnoDB: the second reads
 * what the first wrote and gets 409/10015 naming the current state.
 *
 * Execution on hosts is subtasks.c's (sub-upgrade and sub-revert tasks,
 * listed in a task's sub_tasks) and the agent's: the agent moves a running
 * task to finished (the finish row, reachable by no route) when every
 * instance of its application runs its version.
 */
#include <string.h>

#include "hangard.h"
#include "cmdb/cmdb.h"
#include "deploy/deploy.h"
#include "deploy/dtask.h"

/* ---- the state machine ------------------------------------------------- */

enum state { S_WAIT_REVIEW, S_APPROVED, S_REJECTED, S_RUNNING, S_FINISHED,
    S_FAILED, S_CLOSED, S__MAX };
static const char *const state_names[S__MAX + 1] = { "wait_review",
    "approved", "rejected", "running", "finished", "failed", "closed", NULL };
#define IN(s)		(1u << (s))
#define STAY		(-1)
#define NOT_FINAL	(IN(S_WAIT_REVIEW) | IN(S_APPROVED) | IN(S_RUNNING))
/*
 * The UPDATE of a transition that changes the state and stamps col; its
 * values: the state, the reviewer twice (0: unchanged), the task.
 */
#define SET(col)	"UPDATE deploy_tasks SET status = ?s, " col \
			" = UTC_TIMESTAMP(), reviewer_id = IF(?i = 0, " \
			"reviewer_id, ?i) WHERE id = ?i"

/*
 * What the caller is to a task.  A transition lists who may take it as
 * alternatives, each a set of these that must all hold; superusers hold
 * every one.
 */
#define W_DEPLOY	0x01	/* deploy_app on the task's application */
#define W_REVIEW	0x02	/* review_app_deploy_task on it */
#define W_CREATOR	0x04	/* created the task */
#define W_OTHER		0x08	/* did not create it */
#define W_ASSIGNEE	0x10	/* the task's assignee */
#define W_ALL		0x1f

struct task;
struct transition {
	const char	*t_name;	/* URL and available_actions key */
	const char	*t_op;		/* audit op_type (kind "app") */
	const char	*t_past;	/* "approved": the audit's verb */
	unsigned	 t_from;	/* IN() of the states it is taken in */
	int		 t_to;		/* the state after, or STAY */
	unsigned	 t_who[2];	/* alternatives (0: none); {0, 0}: agent */
	const char	*t_whotext;	/* t_who for people, in a 403 */
	const char	*t_update;	/* its UPDATE, SET(), or NULL */
	int		 t_mail;	/* DT_MAIL_* (dtask.h), or 0 */
	/* the action's own work before the state changes, or NULL */
	int		(*t_do)(struct hg_req *, struct task *, const char **);
};

static int	edit_do(struct hg_req *, struct task *, const char **);
static int	review_do(struct hg_req *, struct task *, const char **);
static int	start_do(struct hg_req *, struct task *, const char **);
static int	delegate_do(struct hg_req *, struct task *, const char **);

enum action { A_EDIT, A_APPROVE, A_REJECT, A_START, A_CLOSE, A_DELEGATE,
    A_FINISH, A_FAIL, A__MAX };
static const struct transition transitions[A__MAX] = {
	[A_EDIT] = { "edit", "update_deploy_task", "updated",
	    IN(S_WAIT_REVIEW), STAY,
	    { W_CREATOR }, "the task's creator",
	    NULL, 0, edit_do },
	[A_APPROVE] = { "approve", "approve_deploy_task", "approved",
	    IN(S_WAIT_REVIEW), S_APPROVED,
	    { W_REVIEW | W_OTHER }, "review_app_deploy_task on the "
	    "application, and not to be the task's creator",
	    SET("approved_time"), DT_MAIL_REVIEWED, review_do },
	[A_REJECT] = { "reject", "reject_deploy_task", "rejected",
	    IN(S_WAIT_REVIEW), S_REJECTED,
	    { W_REVIEW }, "review_app_deploy_task on the application",
	    SET("finished_time"), DT_MAIL_REVIEWED, review_do },
	[A_START] = { "start", "start_deploy_task", "started",
	    IN(S_APPROVED), S_RUNNING,
	    { W_ASSIGNEE | W_DEPLOY }, "to be the task's assignee, with "
	    "deploy_app on the application",
	    SET("started_time"), 0, start_do },
	[A_CLOSE] = { "close", "close_deploy_task", "closed",
	    NOT_FINAL, S_CLOSED,
	    { W_DEPLOY, W_CREATOR }, "deploy_app on the application, or to "
	    "be the task's creator",
	    SET("finished_time"), 0, NULL },
	[A_DELEGATE] = { "delegate", "delegate_deploy_task", "delegated",
	    IN(S_WAIT_REVIEW) | IN(S_APPROVED), STAY,
	    { W_ASSIGNEE, W_REVIEW }, "to be the task's assignee, or "
	    "review_app_deploy_task on the application",
	    NULL, DT_MAIL_DELEGATED, delegate_do },
	/* the agent's, when the sub-tasks end (the next issue) */
	[A_FINISH] = { "finish", "finish_deploy_task", "finished",
	    IN(S_RUNNING), S_FINISHED,
	    { 0, 0 }, "the agent",
	    SET("finished_time"), 0, NULL },
	[A_FAIL] = { "fail", "fail_deploy_task", "failed",
	    IN(S_RUNNING), S_FAILED,
	    { 0, 0 }, "the agent",
	    SET("finished_time"), 0, NULL },
};
/* The actions people take, in available_actions' order. */
static const enum action people_actions[] = { A_EDIT, A_APPROVE, A_REJECT,
    A_START, A_CLOSE, A_DELEGATE };

static enum state
state_of(const char *s)
{
	int i;

	for (i = 0; i < S__MAX; i++)
		if (s != NULL && strcmp(s, state_names[i]) == 0)
			return (enum state)i;
	return S__MAX;
}

static int
may(const struct transition *t, unsigned held)
{
	size_t i;

	for (i = 0; i < HG_NELEM(t->t_who); i++)
		if (t->t_who[i] != 0 && (held & t->t_who[i]) == t->t_who[i])
			return 1;
	return 0;
}

/* ---- the object -------------------------------------------------------- */

/*
 * The object's columns.  creator, assignee and reviewer are public User
 * objects (id, username, name) built from the NONE columns of their
 * LEFT JOINs (task_json); the caller's grants on the application are read
 * only for a caller who is not a superuser.
 */
#define PERSON(X, e, name, alias) \
	X(e,		name,	"NULL",			JSON)	\
	X(e##_ID,	NULL,	alias ".id",		NONE)	\
	X(e##_USER,	NULL,	alias ".username",	NONE)	\
	X(e##_NAME,	NULL,	alias ".name",		NONE)
#define TASK_COLS(X) \
	X(TC_ID,	"id",			"t.id",			INT)  \
	X(TC_APP,	"application_id",	"t.app_id",		INT)  \
	X(TC_APPNAME,	"application_name",	"a.full_name",		STR)  \
	X(TC_VERSION,	"version",		"t.version",		STR)  \
	X(TC_DESC,	"description",		"t.description",	STR)  \
	X(TC_LEVEL,	"level",		"t.level",		STR)  \
	X(TC_SOURCE,	"package_source",	"t.package_source",	STR)  \
	X(TC_PLANNED,	"planned_exec_time",	"t.planned_exec_time",	INT)  \
	X(TC_CHECKLIST,	"upgrade_checklist",	"t.upgrade_checklist",	STR)  \
	X(TC_STEPS,	"upgrade_steps",	"t.upgrade_steps",	STR)  \
	X(TC_ROLLBACK,	"rollback_steps",	"t.rollback_steps",	STR)  \
	X(TC_STATUS,	"status",		"t.status",		STR)  \
	PERSON(X, TC_CREATOR, "creator", "uc")				      \
	PERSON(X, TC_ASSIGNEE, "assignee", "ua")			      \
	PERSON(X, TC_REVIEWER, "reviewer", "ur")			      \
	X(TC_CREATED,	"created_time",		"t.created_time",	TIME) \
	X(TC_APPROVED,	"approved_time",	"t.approved_time",	TIME) \
	X(TC_STARTED,	"started_time",		"t.started_time",	TIME) \
	X(TC_FINISHED,	"finished_time",	"t.finished_time",	TIME) \
	X(TC_GRANTS,	NULL,	"CASE WHEN ?i = 1 THEN NULL ELSE "	      \
	    HG_GRANTS_COL("application", "t.app_id") " END",	NONE)
enum { TASK_COLS(HG_COL_ENUM) TC__MAX };
static const struct hg_col task_cols[] = { TASK_COLS(HG_COL_DECL) };
/*
 * Its values: the caller's superuser flag, then its id twice (the grants
 * column); TASK_ARGS(r) gives them.
 */
#define TASK_SELECT "SELECT " TASK_COLS(HG_COL_SQL)
#define TASK_ARGS(r) (long long)(r)->r_user->u_superuser, (r)->r_user->u_id, \
	(r)->r_user->u_id
#define TASK_PEOPLE "LEFT JOIN users uc ON uc.id = t.creator_id " \
	"LEFT JOIN users ua ON ua.id = t.assignee_id " \
	"LEFT JOIN users ur ON ur.id = t.reviewer_id "
#define TASK_FROM " FROM deploy_tasks t JOIN applications a ON " \
	"a.id = t.app_id " TASK_PEOPLE

/* A task as its action reads it. */
struct task {
	long long	 k_id;
	long long	 k_app;
	const char	*k_appname;
	enum state	 k_state;
	struct hg_rows	*k_rs;		/* its row, TASK_COLS */
	unsigned	 k_held;	/* W_* the caller holds */
	long long	 k_reviewer;	/* set by review_do */
	long long	 k_assignee;	/* set by delegate_do */
};

/* W_* the caller holds on row i of rs. */
static unsigned
held_of(struct hg_req *r, struct hg_rows *rs, int i, int *visible)
{
	json_object	*acts;
	json_object	*b;
	const char	*s;
	unsigned	 held = 0;
	long long	 uid = r->r_user->u_id;

	*visible = 1;
	if (r->r_user->u_superuser)
		return W_ALL;
	acts = hg_own(r, hg_object_actions(r, "application",
	    HG_CELL(rs, i, TC_GRANTS)));
	*visible = json_object_object_get_ex(acts, "view_app", &b) &&
	    json_object_get_boolean(b);
	if (json_object_object_get_ex(acts, "deploy_app", &b) &&
	    json_object_get_boolean(b))
		held |= W_DEPLOY;
	if (json_object_object_get_ex(acts, "review_app_deploy_task", &b) &&
	    json_object_get_boolean(b))
		held |= W_REVIEW;
	s = HG_CELL(rs, i, TC_CREATOR_ID);
	held |= s != NULL && hg_atoll(s) == uid ? W_CREATOR : W_OTHER;
	s = HG_CELL(rs, i, TC_ASSIGNEE_ID);
	if (s != NULL && hg_atoll(s) == uid)
		held |= W_ASSIGNEE;
	return held;
}

/* The Deploy task object of row i, with the caller's available_actions. */
static json_object *
task_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	static const int people[] = { TC_CREATOR, TC_ASSIGNEE, TC_REVIEWER };
	json_object	*o = HG_ROW(r, task_cols, rs, i), *acts;
	enum state	 s = state_of(HG_CELL(rs, i, TC_STATUS));
	unsigned	 held;
	size_t		 k;
	int		 visible;

	/* each person in its declared place (json-c keeps a replaced key's) */
	for (k = 0; k < HG_NELEM(people); k++) {
		const int	 c = people[k];
		json_object	*u = NULL;

		if (HG_CELL(rs, i, c + 1) != NULL) {
			u = json_object_new_object();
			json_object_object_add(u, "id", hg_jint(HG_CELL(rs, i,
			    c + 1)));
			json_object_object_add(u, "username", hg_jstr(HG_CELL(rs,
			    i, c + 2)));
			json_object_object_add(u, "name", hg_jstr(HG_CELL(rs, i,
			    c + 3)));
		}
		json_object_object_add(o, task_cols[c].c_name, u);
	}

	held = held_of(r, rs, i, &visible);
	acts = json_object_new_object();
	for (k = 0; k < HG_NELEM(people_actions); k++) {
		const struct transition *t = &transitions[people_actions[k]];

		json_object_object_add(acts, t->t_name, json_object_new_boolean(
		    s < S__MAX && (t->t_from & IN(s)) && may(t, held)));
	}
	json_object_object_add(o, "available_actions", acts);
	return o;
}

/*
 * The object of one task, with its sub-tasks and their results
 * (subtasks.c); NULL when the database failed (recorded on the request).
 */
static json_object *
task_detail(struct hg_req *r, struct hg_rows *rs)
{
	json_object *o, *sub;

	if ((sub = dt_subtasks(r, hg_atoll(HG_CELL(rs, 0, TC_ID)))) == NULL)
		return NULL;
	o = task_json(r, rs, 0);
	json_object_object_add(o, "sub_tasks", sub);
	return o;
}

/* 200 or 201 with the object of one task. */
static int
detail_reply(struct hg_req *r, struct hg_rows *rs, int status)
{
	json_object *o = task_detail(r, rs);

	return o != NULL ? hg_reply(r, status, o) : r->r_err;
}

/*
 * Load task id (locked when lock is set) for the caller: 404 when there is
 * none or the caller may not view its application.
 */
static int
task_load(struct hg_req *r, long long id, int lock, struct task *k)
{
	int	rc, visible;

	memset(k, 0, sizeof(*k));
	/*
	 * The row lock first, alone (no user or grant rows locked with it);
	 * the read after it is the transaction's first consistent read, so
	 * its snapshot is taken with the lock held and shows what an action
	 * that held the lock before committed.
	 */
	if (lock && (rc = hg_sql(r, &k->k_rs, "SELECT id FROM deploy_tasks "
	    "WHERE id = ?i FOR UPDATE", id)) != 0)
		return rc;
	if ((rc = hg_sql(r, &k->k_rs, TASK_SELECT HG_NOCOUNT TASK_FROM
	    "WHERE t.id = ?i", TASK_ARGS(r), id)) != 0)
		return rc;
	if (k->k_rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no deploy task with id %lld",
		    id);
	k->k_held = held_of(r, k->k_rs, 0, &visible);
	if (!visible)
		return hg_fail(r, HG_E_NOTFOUND, "no deploy task with id %lld",
		    id);
	k->k_id = id;
	k->k_app = hg_atoll(HG_CELL(k->k_rs, 0, TC_APP));
	k->k_appname = HG_CELL(k->k_rs, 0, TC_APPNAME);
	k->k_state = state_of(HG_CELL(k->k_rs, 0, TC_STATUS));
	return 0;
}

/* ---- input ------------------------------------------------------------- */

static const char *const levels[] = { "S", "A", "B", "C", "I", NULL };
static const char *const states_q[] = { "wait_review", "approved",
    "rejected", "running", "finished", "failed", "closed", NULL };

/*
 * POST's body.  package_source is also the example's deploy_source; a
 * version given as a number is its text (API.md section 6).  PATCH takes
 * the same fields but application_id, each optional.
 */
enum { F_VERSION, F_DESC, F_LEVEL, F_SOURCE, F_PLANNED, F_CHECKLIST,
    F_STEPS, F_ROLLBACK, F_APP, F__MAX };
#define TASK_FIELDS \
	[F_VERSION] = { "version", HG_V_STR, HG_V_REQUIRED | HG_V_NUMTEXT,    \
	    1, 128, .f_check = hg_check_noctl, .f_col = "version" },	      \
	[F_DESC] = { "description", HG_V_STR, HG_V_REQUIRED, 0, 4096,	      \
	    .f_col = "description" },					      \
	[F_LEVEL] = { "level", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE, 0, 0,  \
	    levels, .f_col = "level" },					      \
	[F_SOURCE] = { "package_source", HG_V_STR, HG_V_REQUIRED, 1, 1024,    \
	    .f_alias = { "deploy_source" }, .f_check = hg_check_noctl,	      \
	    .f_col = "package_source" },				      \
	[F_PLANNED] = { "planned_exec_time", HG_V_INT, HG_V_REQUIRED, 0,      \
	    253402300799LL, .f_col = "planned_exec_time" },		      \
	[F_CHECKLIST] = { "upgrade_checklist", HG_V_STR, HG_V_NULLABLE, 0,    \
	    16384, .f_col = "upgrade_checklist" },			      \
	[F_STEPS] = { "upgrade_steps", HG_V_STR, HG_V_NULLABLE, 0, 16384,     \
	    .f_col = "upgrade_steps" },					      \
	[F_ROLLBACK] = { "rollback_steps", HG_V_STR, HG_V_NULLABLE, 0, 16384, \
	    .f_col = "rollback_steps" }
static const struct hg_field task_fields[F__MAX] = {
	TASK_FIELDS,
	[F_APP] = { "application_id", HG_V_INT, HG_V_REQUIRED, 1,
	    1LL << 62 },
};
static const struct hg_field patch_fields[F_APP] = { TASK_FIELDS };

enum { DF_USER, DF__MAX };
static const struct hg_field delegate_fields[DF__MAX] = {
	[DF_USER] = { "user_id", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62 },
};

enum { SF_OVERRIDE, SF__MAX };
static const struct hg_field start_fields[SF__MAX] = {
	[SF_OVERRIDE] = { "override_reason", HG_V_STR, 0, 1, 1024 },
};

/* GET /application/deploy-tasks/ (API.md section 5's filters) */
enum { Q_APP, Q_STATUS, Q_LEVEL, Q_CREATOR, Q_GT, Q_LT, Q__MAX };
static const struct hg_field list_q[Q__MAX] = {
	[Q_APP] = { "application_id", HG_V_INT, 0, 1, 1LL << 62 },
	[Q_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, states_q },
	[Q_LEVEL] = { "level", HG_V_ENUM, HG_V_NOCASE, 0, 0, levels },
	[Q_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },
	[Q_GT] = { "time__gt", HG_V_TIME, 0 },
	[Q_LT] = { "time__lt", HG_V_TIME, HG_V_UPPER },
};

/* ---- the actions' own work ------------------------------------------------ */

/* PATCH: the body's fields, audited against the row. */
static int
edit_do(struct hg_req *r, struct task *k, const char **d)
{
	int rc;

	if ((rc = hg_sql_patch(r, "deploy_tasks", k->k_id)) != 0)
		return rc;
	hg_audit_fields(r, d, task_cols, TC__MAX, k->k_rs, 0);
	return 0;
}

/* approve, reject: the caller is the reviewer. */
static int
review_do(struct hg_req *r, struct task *k, const char **d)
{
	(void)d;
	k->k_reviewer = r->r_user->u_id;
	return 0;
}

/*
 * start: refused while a deploy freeze covers the application, unless a
 * superuser gives override_reason (audited with the freeze).
 */
static int
start_do(struct hg_req *r, struct task *k, const char **d)
{
	const struct hg_val	*why = &r->r_in[SF_OVERRIDE];
	struct dt_freeze	 f;
	int			 rc;

	if ((rc = dt_freeze_find(r, k->k_app, &f)) < 0)
		return r->r_err;
	if (rc == 0)
		return 0;
	if (!why->present)
		return hg_fail(r, HG_E_STATE, "deploy freeze \"%s\" is in force "
		    "for application \"%s\" until %s", f.f_name, k->k_appname,
		    f.f_ends);
	if (!r->r_user->u_superuser)
		return hg_fail(r, HG_E_PERM, "only a superuser may override "
		    "deploy freeze \"%s\"", f.f_name);
	*d = hg_printf(r->r_arena, "overriding deploy freeze \"%s\" (until "
	    "%s): %s", f.f_name, f.f_ends, why->s);
	return dt_freeze_overridden(r, &f, k->k_id, k->k_appname, why->s);
}

/*
 * delegate: the new assignee must exist and hold deploy_app on the
 * application (so that it may start the task); 10002 on user_id if not.
 */
static int
delegate_do(struct hg_req *r, struct task *k, const char **d)
{
	struct hg_rows	*rs;
	long long	 to = r->r_in[DF_USER].i;
	const char	*old;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT u.username, u.is_superuser OR ("
	    "EXISTS (SELECT 1 FROM module_grants g WHERE g.module = "
	    "'application' AND g.perm = 'enable_app_mgmt' AND " HG_SUBJECT_SQL
	    ") AND EXISTS (SELECT 1 FROM resource_grants g WHERE "
	    "g.resource_type = 'application' AND g.resource_id = ?i AND "
	    "g.perm = 'deploy_app' AND " HG_SUBJECT_SQL ")), (SELECT "
	    "username FROM users WHERE id = ?s) FROM users u WHERE u.id = ?i "
	    "AND u.status = 'enabled'", to, to, k->k_app, to, to,
	    HG_CELL(k->k_rs, 0, TC_ASSIGNEE_ID), to)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, "user_id", hg_printf(r->r_arena,
		    "no enabled user with id %lld", to));
	if (strcmp(HG_CELL(rs, 0, 1), "1") != 0)
		return hg_invalid(r, "user_id", hg_printf(r->r_arena,
		    "user \"%s\" may not deploy application \"%s\" "
		    "(deploy_app needed)", HG_CELL(rs, 0, 0), k->k_appname));
	old = HG_CELL(rs, 0, 2);
	hg_audit_change(r, d, "assignee", old, HG_CELL(rs, 0, 0));
	k->k_assignee = to;
	return 0;
}

/* ---- handlers ---------------------------------------------------------- */

/*
 * Record a task's change in its transaction: the audit row (kind "app",
 * the application as target) saying what was done to which task, then
 * the details; and the mail (DT_MAIL_*) to whoever must act next, which
 * leaves only if the change commits.
 */
static int
task_record(struct hg_req *r, const struct task *k, const char *op,
    const char *what, const char *d, int mail)
{
	int rc;

	if ((rc = hg_audit(r, NULL, k->k_app, k->k_appname, op, hg_printf(
	    r->r_arena, "%s deploy task %lld (version \"%s\") of application "
	    "\"%s\"%s%s", what, k->k_id, HG_CELL(k->k_rs, 0, TC_VERSION),
	    k->k_appname, *d != '\0' ? ": " : "", d))) != 0)
		return rc;
	return dt_notify(r, mail, k->k_id);
}

/*
 * POST .../deploy-tasks/{id}/actions/<action>/ and PATCH .../{id}/: the
 * route's row of the table, in one transaction with its audit row.  The
 * order of refusals: unknown or invisible (404), not allowed to the
 * caller (403), wrong state (409/10015), then the action's own.
 */
static int
task_act(struct hg_req *r)
{
	const struct transition	*t = ARGOF(r, struct transition);
	struct task		 k;
	const char		*d = "", *ds;
	enum state		 to;
	int			 rc;

	if ((rc = task_load(r, r->r_ids[0], 1, &k)) != 0)
		return rc;
	if (!may(t, k.k_held))
		return hg_fail(r, HG_E_PERM, "permission denied: %s deploy task "
		    "%lld needs %s", t->t_name, k.k_id, t->t_whotext);
	if (k.k_state >= S__MAX || !(t->t_from & IN(k.k_state)))
		return hg_fail(r, HG_E_STATE, "deploy task %lld is %s: %s is "
		    "not allowed in that state", k.k_id, HG_CELL(k.k_rs, 0,
		    TC_STATUS), t->t_name);
	if (t->t_do != NULL && (rc = t->t_do(r, &k, &d)) != 0)
		return rc;
	to = t->t_to == STAY ? k.k_state : (enum state)t->t_to;
	if (t->t_update != NULL && (rc = hg_sql_exec(r, t->t_update,
	    state_names[to], k.k_reviewer, k.k_reviewer, k.k_id)) != 0)
		return rc;
	if (k.k_assignee != 0 && (rc = hg_sql_exec(r, "UPDATE deploy_tasks SET "
	    "assignee_id = ?i WHERE id = ?i", k.k_assignee, k.k_id)) != 0)
		return rc;
	ds = d;
	if (t->t_to != STAY)
		ds = hg_printf(r->r_arena, "status: \"%s\" -> \"%s\"%s%s",
		    state_names[k.k_state], state_names[to], *d ? "; " : "", d);
	if ((rc = task_record(r, &k, t->t_op, t->t_past, *ds != '\0' ? ds :
	    "nothing changed", t->t_mail)) != 0)
		return rc;
	if ((rc = task_load(r, k.k_id, 0, &k)) != 0)
		return rc;
	return detail_reply(r, k.k_rs, 200);
}

/*
 * POST /application/deploy-tasks/: deploy_app on a configured application
 * (400/10002 on application_id when it has no deploy settings).  The
 * creator is the first assignee.
 */
static int
task_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct task		 k;
	struct hg_app		 a;
	long long		 app = v[F_APP].i, uid = r->r_user->u_id;
	int			 rc;

	if ((rc = hg_app_load(r, app, &a, "application_id")) != 0 ||
	    (rc = hg_app_viewable(r, app, "application_id")) != 0)
		return rc;
	if (!hg_holds_object(r, "application", app, "deploy_app"))
		return hg_fail(r, HG_E_PERM, "permission denied: deploy_app on "
		    "application %lld needed", app);
	if ((rc = hg_deploy_configured(r, app)) < 0)
		return r->r_err;
	if (rc == 0)
		return hg_invalid(r, "application_id", hg_printf(r->r_arena,
		    "application %lld has no deploy settings", app));
	if ((rc = hg_sql_exec(r, "INSERT INTO deploy_tasks (app_id, version, "
	    "description, level, package_source, planned_exec_time, "
	    "upgrade_checklist, upgrade_steps, rollback_steps, creator_id, "
	    "assignee_id) VALUES (?i, ?s, ?s, ?s, ?s, ?i, ?s, ?s, ?s, ?i, ?i)",
	    app, v[F_VERSION].s, v[F_DESC].s, v[F_LEVEL].s, v[F_SOURCE].s,
	    v[F_PLANNED].i, v[F_CHECKLIST].s, v[F_STEPS].s, v[F_ROLLBACK].s,
	    uid, uid)) != 0)
		return rc;
	if ((rc = task_load(r, hg_sql_insert_id(r), 0, &k)) != 0 ||
	    (rc = task_record(r, &k, "add_deploy_task", "created", hg_printf(
	    r->r_arena, "level %s, planned_exec_time %lld", v[F_LEVEL].s,
	    v[F_PLANNED].i), DT_MAIL_CREATED)) != 0)
		return rc;
	return detail_reply(r, k.k_rs, 201);
}

/* GET /application/deploy-tasks/{id}/ */
static int
task_get(struct hg_req *r)
{
	struct task	k;
	int		rc;

	if ((rc = task_load(r, r->r_ids[0], 0, &k)) != 0)
		return rc;
	return detail_reply(r, k.k_rs, 200);
}

/*
 * GET /application/deploy-tasks/: newest first, the tasks of applications
 * the caller may view.  The page's ids come from a derived table over the
 * narrow indexes of sql/083_deploy_tasks.sql and only they are joined to
 * their rows.  The index that leads is chosen by the filters given: the
 * application's (app_id, id), else the status's (status, id), else the
 * primary key; the other filters apply to what it finds.  A caller who
 * sees every application and filters nothing, or only the status, is
 * counted by row_counts (kept by triggers) instead of a count of every
 * row, and its first pages (offset below NEAR_ROWS) are read by walking
 * the index with the joins in that order (STRAIGHT_JOIN): no derived
 * table and no sort, where skipping a few hundred joined rows costs less.
 */
#define NEAR_ROWS	1000
#define NEAR_FROM " FROM deploy_tasks t STRAIGHT_JOIN applications a ON " \
	"a.id = t.app_id " TASK_PEOPLE
#define PAGE_JOIN ") k JOIN deploy_tasks t ON t.id = k.id JOIN " \
	"applications a ON a.id = t.app_id " TASK_PEOPLE "ORDER BY t.id DESC"
/* The filters but the leading one; values: the LIST_VALUES after it. */
#define LIST_FILTERS "AND status = COALESCE(?s, status) " \
	"AND level = COALESCE(?s, level) " \
	"AND (?s IS NULL OR creator_id IN (SELECT id FROM users WHERE " \
	"username LIKE ?s)) " \
	"AND created_time >= COALESCE(?s, created_time) " \
	"AND created_time <= COALESCE(?s, created_time) AND " \
	HG_VISIBLE_SQL("application", "view_app", "app_id") \
	" ORDER BY id DESC LIMIT ?i OFFSET ?i"
#define LIST_VALUES v[Q_STATUS].s, v[Q_LEVEL].s, creator, creator, \
	hg_qtime(r, &v[Q_GT]), hg_qtime(r, &v[Q_LT]), all, uid, uid
static int
task_list(struct hg_req *r)
{
	const struct hg_val	*v = r->r_qv;
	long long		 uid = r->r_user->u_id, all;
	const char		*creator = NULL;
	int			 i, others = 0;

	all = hg_visible_all(r, "application");
	for (i = 0; i < Q__MAX; i++)
		others |= i != Q_STATUS && v[i].present;
	if (all && !others && r->r_page->pg_offset < NEAR_ROWS)
		return v[Q_STATUS].present ? hg_list(r, task_json, TASK_SELECT
		    "(SELECT n FROM row_counts WHERE tbl = CONCAT('deploy_tasks:',"
		    " ?s))" NEAR_FROM "WHERE t.status = ?s ORDER BY t.id DESC "
		    "LIMIT ?i OFFSET ?i", TASK_ARGS(r), v[Q_STATUS].s,
		    v[Q_STATUS].s) : hg_list(r, task_json, TASK_SELECT "(SELECT n "
		    "FROM row_counts WHERE tbl = 'deploy_tasks')" NEAR_FROM
		    "ORDER BY t.id DESC LIMIT ?i OFFSET ?i", TASK_ARGS(r));
	if (all && !others && !v[Q_STATUS].present)
		return hg_list(r, task_json, TASK_SELECT "(SELECT n FROM "
		    "row_counts WHERE tbl = 'deploy_tasks') FROM (SELECT id "
		    "FROM deploy_tasks ORDER BY id DESC LIMIT ?i OFFSET ?i"
		    PAGE_JOIN, TASK_ARGS(r));
	if (all && !others)
		return hg_list(r, task_json, TASK_SELECT "(SELECT n FROM "
		    "row_counts WHERE tbl = CONCAT('deploy_tasks:', ?s)) FROM "
		    "(SELECT id FROM deploy_tasks WHERE status = ?s ORDER BY id "
		    "DESC LIMIT ?i OFFSET ?i" PAGE_JOIN, TASK_ARGS(r),
		    v[Q_STATUS].s, v[Q_STATUS].s);
	if (v[Q_CREATOR].present)
		creator = hg_like(r, &v[Q_CREATOR]);
	if (v[Q_APP].present)
		return hg_list(r, task_json, TASK_SELECT "k.total FROM (SELECT "
		    "id, COUNT(*) OVER () AS total FROM deploy_tasks FORCE INDEX "
		    "(deploy_tasks_app) WHERE app_id = ?i " LIST_FILTERS
		    PAGE_JOIN, TASK_ARGS(r), v[Q_APP].i, LIST_VALUES);
	if (v[Q_STATUS].present)
		return hg_list(r, task_json, TASK_SELECT "k.total FROM (SELECT "
		    "id, COUNT(*) OVER () AS total FROM deploy_tasks FORCE INDEX "
		    "(deploy_tasks_status) WHERE status = ?s " LIST_FILTERS
		    PAGE_JOIN, TASK_ARGS(r), v[Q_STATUS].s, LIST_VALUES);
	return hg_list(r, task_json, TASK_SELECT "k.total FROM (SELECT id, "
	    "COUNT(*) OVER () AS total FROM deploy_tasks WHERE 1 = 1 "
	    LIST_FILTERS PAGE_JOIN, TASK_ARGS(r), LIST_VALUES);
}

#define VIEW	PERM_MODULE("application", "enable_app_mgmt")
#define ACTION(name)	"/applications/deploy-tasks/{id}/actions/" name
#define ACT(name, a)	ROUTE("POST", ACTION(name), task_act, VIEW, \
	ARG(&transitions[a]), AUDIT("app"), SUCCESS)

/*
 * Every route needs the application module's switch; the rest (view_app,
 * deploy_app, review_app_deploy_task, creator, assignee) depends on the
 * task and is the transition table's.
 */
const struct hg_route hg_routes_deploy_tasks[] = {
	ROUTE("GET", "/applications/deploy-tasks", task_list, VIEW,
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/applications/deploy-tasks", task_create, VIEW,
	    BODY(task_fields), AUDIT("app")),
	ROUTE("GET", "/applications/deploy-tasks/{id}", task_get, VIEW),
	ROUTE("PATCH", "/applications/deploy-tasks/{id}", task_act, VIEW,
	    ARG(&transitions[A_EDIT]), PATCH(patch_fields), AUDIT("app"),
	    SUCCESS),
	ACT("approve", A_APPROVE),
	ACT("reject", A_REJECT),
	ROUTE("POST", ACTION("start"), task_act, VIEW,
	    ARG(&transitions[A_START]), BODY(start_fields), AUDIT("app"),
	    SUCCESS),
	ACT("close", A_CLOSE),
	ROUTE("POST", ACTION("delegate"), task_act, VIEW,
	    ARG(&transitions[A_DELEGATE]), BODY(delegate_fields),
	    AUDIT("app"), SUCCESS),
	ROUTES_END
};
