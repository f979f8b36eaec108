/*
 * subtasks.c -- the sub-upgrade and sub-revert tasks of a deploy task (the
 * seed's 子任务, issue 12): POST /application/deploy-tasks/{id}/
 * sub-upgrade-tasks/ and .../sub-revert-tasks/, and the sub_tasks a deploy
 * task's object lists.
 *
 * A sub-task is a task like the host tasks (tasks.c): a tasks row of kind
 * deploy_upgrade or deploy_revert, one task_hosts row per instance's host
 * and an outbox row, all in the request's transaction with the
 * deploy_subtasks row (what to ship) and the audit row; hangar-agent runs
 * it (src/agent/release.c) and records each instance as its host
 * finishes.  The deploy task's row is locked first, so a close racing a
 * sub-task leaves either a closed task with no new sub-task or a running
 * one with it.
 *
 * Refusals, in order: a deploy task the caller may not view (404), no
 * deploy_app on its application (403), a task that is not running
 * (409/10015 naming its state), then the body against the database
 * (10002: instances of another application, a retry_of that is not a
 * failed sub-upgrade of this task).
 */
#include <stdio.h>
#include <string.h>

#include "hangard.h"
#include "conf.h"
#include "queue.h"
#include "release.h"
#include "deploy/deploy.h"
#include "deploy/dtask.h"


/* The route's argument. */
struct skind {
	const char	*s_task_kind;	/* tasks.kind */
	const char	*s_kind;	/* deploy_subtasks.kind */
	const char	*s_op;		/* audit op_type */
	int		 s_upgrade;
};
static const struct skind k_upgrade = { HG_TASK_UPGRADE, "upgrade",
    "sub_upgrade_task", 1 };
static const struct skind k_revert = { HG_TASK_REVERT, "revert",
    "sub_revert_task", 0 };

/* ---- input ------------------------------------------------------------- */

/* health_check: an HTTP URL fetched on the host, or a command run there. */
static const char *
check_health_url(const char *s)
{
	const char *p;

	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return "must be an http:// or https:// URL";
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "may not contain spaces or control characters";
	return NULL;
}

enum { HC_HTTP, HC_COMMAND, HC_TIMEOUT, HC_RETRIES, HC__MAX };
static const struct hg_field health_fields[HC__MAX] = {
	[HC_HTTP] = { "http", HG_V_STR, 0, 1, 2048,
	    .f_check = check_health_url },
	[HC_COMMAND] = { "command", HG_V_STR, 0, 1, 4096,
	    .f_check = hg_check_noctl },
	[HC_TIMEOUT] = { "timeout", HG_V_INT, 0, 1, 300 },
	[HC_RETRIES] = { "retries", HG_V_INT, 0, 0, 100 },
};

enum { F_INST, F_SOURCE, F_VERSION, F_TIMEOUT, F_RETRY, F_BATCH, F_PAUSE,
    F_HEALTH, F_ROLLBACK, F__MAX };
static const struct hg_field up_fields[F__MAX] = {
	[F_INST] = { "instances", HG_V_IDS, HG_V_BAREID, 0, 1000 },
	[F_SOURCE] = { "update_source", HG_V_STR, HG_V_NULLABLE, 1,
	    HG_RELEASE_SOURCE_MAX, .f_check = hg_check_update_source },
	[F_VERSION] = { "version", HG_V_STR, HG_V_REQUIRED | HG_V_NUMTEXT, 1,
	    HG_RELEASE_VERSION_MAX, .f_check = hg_check_release_version },
	[F_TIMEOUT] = { "timeout", HG_V_INT, 0, 1, 86400 },
	[F_RETRY] = { "retry_of", HG_V_STR, HG_V_NUMTEXT, 1, 20 },
	/* canary batches (hangar-api(7)) */
	[F_BATCH] = { "batch_size", HG_V_INT, 0, 1, 1000 },
	[F_PAUSE] = { "pause_seconds", HG_V_INT, 0, 0, 3600 },
	[F_HEALTH] = { "health_check", HG_V_OBJECT, 0, HG_SUB(health_fields) },
	[F_ROLLBACK] = { "auto_rollback", HG_V_BOOL, 0 },
};
static const struct hg_field rev_fields[F_TIMEOUT + 1] = {
	[F_INST] = { "instances", HG_V_IDS, HG_V_REQUIRED | HG_V_BAREID, 1,
	    1000 },
	/* not the revert's: declared for the table's shape, never read */
	[F_SOURCE] = { "update_source", HG_V_STR, HG_V_NULLABLE, 0,
	    HG_RELEASE_SOURCE_MAX },
	[F_VERSION] = { "version", HG_V_STR, HG_V_REQUIRED | HG_V_NUMTEXT, 1,
	    HG_RELEASE_VERSION_MAX, .f_check = hg_check_release_version },
	[F_TIMEOUT] = { "timeout", HG_V_INT, 0, 1, 86400 },
};

/* ---- the deploy task ---------------------------------------------------- */

struct dtask {
	long long	 d_id;
	long long	 d_app;
	const char	*d_appname;
	const char	*d_version;
};

/*
 * Lock deploy task id and check the caller may add a sub-task to it now.
 * The lock is taken alone first, then the row read (as deploy_tasks.c's
 * task_load does), so the state read is the one the lock protects.
 */
static int
dtask_take(struct hg_req *r, long long id, struct dtask *d)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT id FROM deploy_tasks WHERE id = ?i "
	    "FOR UPDATE", id)) != 0)
		return rc;
	if ((rc = hg_sql(r, &rs, "SELECT t.app_id, a.full_name, t.status, "
	    "t.version  FROM deploy_tasks t JOIN applications a "
	    "ON a.id = t.app_id WHERE t.id = ?i", id)) != 0)
		return rc;
	if (rs->nrows == 0 || !hg_holds_object(r, "application",
	    hg_atoll(HG_CELL(rs, 0, 0)), "view_app"))
		return hg_fail(r, HG_E_NOTFOUND, "no deploy task with id %lld",
		    id);
	d->d_id = id;
	d->d_app = hg_atoll(HG_CELL(rs, 0, 0));
	d->d_appname = HG_CELL(rs, 0, 1);
	d->d_version = HG_CELL(rs, 0, 3);
	if (!hg_holds_object(r, "application", d->d_app, "deploy_app"))
		return hg_fail(r, HG_E_PERM, "permission denied: deploy_app on "
		    "application \"%s\" needed", d->d_appname);
	if (strcmp(HG_CELL(rs, 0, 2), "running") != 0)
		return hg_fail(r, HG_E_STATE, "deploy task %lld is %s: sub-tasks "
		    "are created only while it is running", id,
		    HG_CELL(rs, 0, 2));
	if ((rc = hg_deploy_configured(r, d->d_app)) < 0)
		return r->r_err;
	if (rc == 0)
		return hg_fail(r, HG_E_STATE, "application \"%s\" has no "
		    "enabled deploy settings any more", d->d_appname);
	return 0;
}

/*
 * The hosts of the body's instances, in the order given, duplicates
 * dropped: each must be an instance of the deploy task's application
 * (10002 on instances[i].id otherwise, the same for one that does not
 * exist, so that a body cannot probe another application's instances).
 */
static int
instance_hosts(struct hg_req *r, const struct dtask *d, const struct hg_val *v,
    long long **hosts, size_t *nhosts)
{
	struct hg_rows	*rs;
	size_t		 i, k;
	long long	 h;
	int		 rc;

	*hosts = hg_alloc(r->r_arena, (v->nitems + 1) * sizeof(**hosts));
	*nhosts = 0;
	for (i = 0; i < v->nitems; i++) {
		if ((rc = hg_sql(r, &rs, "SELECT host_id FROM app_instances "
		    "WHERE id = ?i AND app_id = ?i FOR UPDATE", v->ids[i],
		    d->d_app)) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena,
			    "instances[%zu].id", i), hg_printf(r->r_arena,
			    "no instance %lld of application \"%s\"",
			    v->ids[i], d->d_appname));
		h = hg_atoll(HG_CELL(rs, 0, 0));
		for (k = 0; k < *nhosts && (*hosts)[k] != h; k++)
			continue;
		if (k == *nhosts)
			(*hosts)[(*nhosts)++] = h;
	}
	return 0;
}

/*
 * retry_of: the failed hosts of sub-upgrade task retry (of this deploy
 * task, ended) whose instances are still the application's.
 */
static int
retry_hosts(struct hg_req *r, const struct dtask *d, const char *retry,
    long long **hosts, size_t *nhosts, const char **source)
{
	struct hg_rows	*rs;
	long long	 id = hg_atoll(retry);
	int		 i, rc;

	if ((rc = hg_sql(r, &rs, "SELECT s.update_source, t.status "
	    "FROM deploy_subtasks s JOIN tasks t ON t.id = "
	    "s.task_id WHERE s.task_id = ?i AND s.deploy_task_id = ?i AND "
	    "s.kind = 'upgrade'", id, d->d_id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, "retry_of", hg_printf(r->r_arena, "no "
		    "sub-upgrade task %s of deploy task %lld", retry, d->d_id));
	if (strcmp(HG_CELL(rs, 0, 1), "running") == 0)
		return hg_invalid(r, "retry_of", hg_printf(r->r_arena,
		    "sub-upgrade task %s is still running", retry));
	*source = HG_CELL(rs, 0, 0);
	if ((rc = hg_sql(r, &rs, "SELECT th.host_id FROM task_hosts th JOIN "
	    "app_instances i ON i.host_id = th.host_id AND i.app_id = ?i "
	    "WHERE th.task_id = ?i AND th.status = 'failed' ORDER BY "
	    "th.host_id", d->d_app, id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, "retry_of", hg_printf(r->r_arena,
		    "sub-upgrade task %s has no failed instance to retry",
		    retry));
	*hosts = hg_alloc(r->r_arena, (size_t)rs->nrows * sizeof(**hosts));
	for (i = 0; i < rs->nrows; i++)
		(*hosts)[i] = hg_atoll(HG_CELL(rs, i, 0));
	*nhosts = (size_t)rs->nrows;
	return 0;
}

/*
 * An FTP repository has no tree to ship whole: a sub-upgrade of an
 * application whose settings name one must say which file
 * (update_source).
 */
static int
need_source(struct hg_req *r, const struct dtask *d)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT c.repo_type  FROM "
	    "deploy_configs c WHERE c.app_id = ?i OR c.template_id = (SELECT "
	    "template_id FROM deploy_template_apps WHERE app_id = ?i)",
	    d->d_app, d->d_app)) != 0)
		return rc;
	if (rs->nrows > 0 && strcmp(HG_CELL(rs, 0, 0), "FTP") == 0)
		return hg_invalid(r, "update_source", hg_printf(r->r_arena,
		    "is required: application \"%s\" deploys from an FTP "
		    "repository", d->d_appname));
	return 0;
}

/* A health check names exactly one of http and command. */
static int
canary(struct hg_req *r, const struct hg_val *v)
{
	const struct hg_val *hc = v[F_HEALTH].sub;

	if (!v[F_HEALTH].present || v[F_HEALTH].null)
		return 0;
	if (hc[HC_HTTP].present == hc[HC_COMMAND].present)
		return hg_invalid(r, "health_check", "give exactly one of http "
		    "and command");
	return 0;
}

/* The canary options into the task's opts (absent: one batch, no check). */
static void
canary_opts(const struct hg_val *v, json_object *opts)
{
	const struct hg_val	*hc = v[F_HEALTH].sub;
	json_object		*o;

	if (v[F_BATCH].present)
		json_object_object_add(opts, "batch_size",
		    json_object_new_int64(v[F_BATCH].i));
	if (v[F_PAUSE].present)
		json_object_object_add(opts, "pause_seconds",
		    json_object_new_int64(v[F_PAUSE].i));
	if (v[F_ROLLBACK].present)
		json_object_object_add(opts, "auto_rollback",
		    json_object_new_boolean(v[F_ROLLBACK].i != 0));
	if (!v[F_HEALTH].present || v[F_HEALTH].null)
		return;
	o = json_object_new_object();
	if (hc[HC_HTTP].present)
		json_object_object_add(o, "http",
		    json_object_new_string(hc[HC_HTTP].s));
	else
		json_object_object_add(o, "command",
		    json_object_new_string(hc[HC_COMMAND].s));
	json_object_object_add(o, "timeout", json_object_new_int64(
	    hc[HC_TIMEOUT].present ? hc[HC_TIMEOUT].i : 5));
	json_object_object_add(o, "retries", json_object_new_int64(
	    hc[HC_RETRIES].present ? hc[HC_RETRIES].i : 3));
	json_object_object_add(opts, "health_check", o);
}

/* ---- answers ------------------------------------------------------------ */

/* dtask.h */
json_object *
dt_subtasks(struct hg_req *r, long long dtask)
{
	struct hg_rows	*st, *hs;
	json_object	*arr = json_object_new_array(), *o, *res, *x;
	int		 i, k;

	hg_own(r, arr);
	if (hg_sql(r, &st, "SELECT s.task_id, s.kind, s.version, "
	    "s.update_source, s.timeout, s.retry_of, t.status, t.creator, "
	    "t.created_time, t.finished_time  FROM "
	    "deploy_subtasks s JOIN tasks t ON t.id = s.task_id WHERE "
	    "s.deploy_task_id = ?i ORDER BY s.task_id", dtask) != 0 ||
	    hg_sql(r, &hs, "SELECT th.task_id, i.id, th.host_id, th.hostname, "
	    "th.status, th.message, th.started_time, th.finished_time "
	    "FROM deploy_subtasks s JOIN task_hosts th ON "
	    "th.task_id = s.task_id LEFT JOIN app_instances i ON i.app_id = "
	    "s.app_id AND i.host_id = th.host_id WHERE s.deploy_task_id = ?i "
	    "ORDER BY th.task_id, th.host_id", dtask) != 0)
		return NULL;
	for (i = 0; i < st->nrows; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "task_id",
		    hg_jstr(HG_CELL(st, i, 0)));
		json_object_object_add(o, "kind", hg_jstr(HG_CELL(st, i, 1)));
		json_object_object_add(o, "version", hg_jstr(HG_CELL(st, i, 2)));
		json_object_object_add(o, "update_source",
		    hg_jstr(HG_CELL(st, i, 3)));
		json_object_object_add(o, "timeout", hg_jint(HG_CELL(st, i, 4)));
		json_object_object_add(o, "retry_of", hg_jstr(HG_CELL(st, i, 5)));
		json_object_object_add(o, "status", hg_jstr(HG_CELL(st, i, 6)));
		json_object_object_add(o, "creator", hg_jstr(HG_CELL(st, i, 7)));
		json_object_object_add(o, "created_time",
		    hg_jtime(r, HG_CELL(st, i, 8)));
		json_object_object_add(o, "finished_time",
		    hg_jtime(r, HG_CELL(st, i, 9)));
		json_object_object_add(o, "task_output",
		    json_object_new_string(
		    hg_task_output_url(r, hg_atoll(HG_CELL(st, i, 0)))));
		res = json_object_new_array();
		for (k = 0; k < hs->nrows; k++) {
			if (strcmp(HG_CELL(hs, k, 0), HG_CELL(st, i, 0)) != 0)
				continue;
			x = json_object_new_object();
			json_object_object_add(x, "instance_id",
			    hg_jint(HG_CELL(hs, k, 1)));
			json_object_object_add(x, "host_id",
			    hg_jint(HG_CELL(hs, k, 2)));
			json_object_object_add(x, "hostname",
			    hg_jstr(HG_CELL(hs, k, 3)));
			json_object_object_add(x, "status",
			    hg_jstr(HG_CELL(hs, k, 4)));
			json_object_object_add(x, "message",
			    hg_jstr(HG_CELL(hs, k, 5)));
			json_object_object_add(x, "started_time",
			    hg_jtime(r, HG_CELL(hs, k, 6)));
			json_object_object_add(x, "finished_time",
			    hg_jtime(r, HG_CELL(hs, k, 7)));
			json_object_array_add(res, x);
		}
		json_object_object_add(o, "results", res);
		json_object_array_add(arr, o);
	}
	return json_object_get(arr);
}

/* ---- the handler -------------------------------------------------------- */

/*
 * POST .../deploy-tasks/{id}/sub-{upgrade,revert}-tasks/ -> 201
 * {"task_id", "task_output"}.  opts carries what the agent needs beyond
 * the deploy_subtasks row: nothing secret (the agent reads the settings
 * and the credential itself when it runs).
 */
static int
sub_create(struct hg_req *r)
{
	const struct skind	*sk = ARGOF(r, struct skind);
	const struct hg_val	*v = r->r_in;
	struct dtask		 d;
	json_object		*o, *opts;
	long long		*hosts = NULL, task, timeout;
	const char		*source = NULL, *retry = NULL, *tid, *rsrc = NULL;
	size_t			 n = 0;
	int			 rc;

	memset(&d, 0, sizeof(d));
	if ((rc = dtask_take(r, r->r_ids[0], &d)) != 0)
		return rc;
	if (sk->s_upgrade && v[F_RETRY].present && !v[F_RETRY].null)
		retry = v[F_RETRY].s;
	if (retry != NULL && v[F_INST].present && v[F_INST].nitems > 0)
		return hg_invalid(r, "instances", "give instances or retry_of, "
		    "not both");
	if (retry == NULL && v[F_INST].nitems == 0)
		return hg_invalid(r, "instances", "at least one {\"id\": N} is "
		    "required");
	if (sk->s_upgrade && v[F_SOURCE].present && !v[F_SOURCE].null)
		source = v[F_SOURCE].s;
	if (retry != NULL) {
		if (strspn(retry, "0123456789") != strlen(retry))
			return hg_invalid(r, "retry_of", "must be a task id");
		if ((rc = retry_hosts(r, &d, retry, &hosts, &n, &rsrc)) != 0)
			return rc;
		if (source == NULL)
			source = rsrc;
	} else if ((rc = instance_hosts(r, &d, &v[F_INST], &hosts, &n)) != 0)
		return rc;
	if (sk->s_upgrade && source == NULL &&
	    (rc = need_source(r, &d)) != 0)
		return rc;
	if (sk->s_upgrade && (rc = canary(r, v)) != 0)
		return rc;
	timeout = v[F_TIMEOUT].present ? v[F_TIMEOUT].i : 120;
	opts = hg_own(r, json_object_new_object());
	json_object_object_add(opts, "deploy_task", json_object_new_int64(d.d_id));
	json_object_object_add(opts, "app", json_object_new_int64(d.d_app));
	json_object_object_add(opts, "version",
	    json_object_new_string(v[F_VERSION].s));
	json_object_object_add(opts, "update_source", source != NULL ?
	    json_object_new_string(source) : NULL);
	json_object_object_add(opts, "timeout", json_object_new_int64(timeout));
	if (sk->s_upgrade)
		canary_opts(v, opts);
	if ((rc = hg_task_new(r, sk->s_task_kind, json_object_to_json_string_ext(
	    opts, JSON_C_TO_STRING_PLAIN), hosts, n, &task)) != 0)
		return rc;
	if ((rc = hg_sql_exec(r, "INSERT INTO deploy_subtasks (task_id, "
	    "deploy_task_id, app_id, kind, version, update_source, timeout, "
	    "retry_of) VALUES (?i, ?i, ?i, ?s, ?s, ?s, ?i, ?s)", task, d.d_id,
	    d.d_app, sk->s_kind, v[F_VERSION].s, source, timeout, retry)) != 0)
		return rc;
	tid = hg_printf(r->r_arena, "%lld", task);
	if ((rc = hg_audit(r, NULL, d.d_app, d.d_appname, sk->s_op, hg_printf(
	    r->r_arena, "sub-%s task %s of deploy task %lld of application "
	    "\"%s\" queued: version \"%s\" on %zu instance%s%s%s", sk->s_kind,
	    tid, d.d_id, d.d_appname, v[F_VERSION].s, n, n == 1 ? "" : "s",
	    retry != NULL ? ", retrying the failed ones of task " : "",
	    retry != NULL ? retry : ""))) != 0)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "task_id", json_object_new_string(tid));
	json_object_object_add(o, "task_output",
	    json_object_new_string(hg_task_output_url(r, task)));
	return hg_reply(r, 201, o);
}

#define VIEW	PERM_MODULE("application", "enable_app_mgmt")

/*
 * The module switch here; view_app, deploy_app and the task's state are
 * the handler's (they depend on the deploy task).
 */
const struct hg_route hg_routes_deploy_subtasks[] = {
	ROUTE("POST", "/applications/deploy-tasks/{id}/sub-upgrade-tasks",
	    sub_create, VIEW, ARG(&k_upgrade), BODY(up_fields), AUDIT("app")),
	ROUTE("POST", "/applications/deploy-tasks/{id}/sub-revert-tasks",
	    sub_create, VIEW, ARG(&k_revert), BODY(rev_fields), AUDIT("app")),
	ROUTES_END
};
