/*
 * host_tasks.c -- the seed's host tasks: the Task object, the task lists
 * and reads of every kind, and the power actions (start/stop/restart, one
 * host or a batch).  Init tasks, change-status and change-zabbix-opts are
 * host_status.c; both queue through tasks.c.
 *
 * Long work is never done here: a handler checks what can be checked now
 * (the host exists, the caller may act on it, the action makes sense in the
 * host's state), then queues a task with hg_task_new() in the request's
 * transaction; hangar-agent runs it (kinds.c).  Task objects carry
 * per-host results from task_hosts (API.md sections 5 and 6); their ids
 * are strings.  The task lists and task reads show only the tasks the
 * caller may see (taskvis.h); a host a body names that the caller may not
 * view is refused exactly like one that does not exist.  The seed's 30002
 * is "the host is running" for start (409, a state conflict).
 */
#include <string.h>

#include "conf.h"
#include "hangard.h"
#include "hosttask.h"
#include "queue.h"
#include "taskvis.h"

#define E_RUNNING	30002	/* start: the host is running */

/*
 * A kind of task, the argument of its routes: one handler serves the
 * sibling routes of every kind (lists, reads, batches, single actions).
 */
struct tkind {
	const char	*k_name;	/* tasks.kind: an HG_TASK_* */
	int		 k_boots;	/* start: refused on a running host */
};

static const struct tkind k_init = { HG_TASK_INIT, 0 };
static const struct tkind k_start = { HG_TASK_START, 1 };
static const struct tkind k_stop = { HG_TASK_STOP, 0 };
static const struct tkind k_restart = { HG_TASK_RESTART, 0 };

#define KIND(r)	ARGOF(r, struct tkind)

/* ---- task objects ---------------------------------------------------- */

/*
 * The Task object: {id, hosts: [{id, name}], creator, created_time,
 * finished_time, status}, then results (from TC_RESULTS) and, for init
 * tasks, opts (from TC_OPTS), which are not plain columns.
 */
#define TH_AGG(obj) "(SELECT JSON_ARRAYAGG(JSON_OBJECT(" obj ") ORDER BY " \
	"th.host_id) FROM task_hosts th WHERE th.task_id = t.id)"
#define TASK_COLS(X) \
	X(TC_ID,	"id",		"t.id",			STR)	\
	X(TC_HOSTS,	"hosts",	TH_AGG("'id', th.host_id, "	\
	    "'name', th.hostname"),				JSON)	\
	X(TC_CREATOR,	"creator",	"t.creator",		STR)	\
	X(TC_CREATED,	"created_time",	"t.created_time",	TIME)	\
	X(TC_FINISHED,	"finished_time", "t.finished_time",	TIME)	\
	X(TC_STATUS,	"status",	"t.status",		STR)	\
	X(TC_KIND,	"kind",		"t.kind",		NONE)	\
	X(TC_OPTS,	"opts",		"t.opts",		NONE)	\
	X(TC_RESULTS,	"results",	TH_AGG("'host_id', th.host_id, " \
	    "'hostname', th.hostname, 'status', th.status, 'message', "	\
	    "th.message, 'started_time', th.started_time, "		\
	    "'finished_time', th.finished_time"),		NONE)
enum { TASK_COLS(HG_COL_ENUM) TC__MAX };
static const struct hg_col task_cols[] = { TASK_COLS(HG_COL_DECL) };
#define TASK_SELECT "SELECT " TASK_COLS(HG_COL_SQL)

/* A time inside JSON built by SQL ("YYYY-MM-DD HH:MM:SS") as the API's. */
static void
jtime_in(struct hg_req *r, json_object *o, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		json_object_object_add(o, key,
		    hg_jtime(r, json_object_get_string(v)));
}

static json_object *
jcopy(json_object *o, const char *key)
{
	json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) ?
	    json_object_get(v) : NULL;
}

static json_object *
task_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object	*o = HG_ROW(r, task_cols, rs, i), *res, *opts, *out;
	size_t		 k;

	if (strcmp(HG_CELL(rs, i, TC_KIND), HG_TASK_INIT) == 0) {
		/* only what the API promises of what init stored */
		opts = hg_own(r, json_tokener_parse(HG_CELL(rs, i, TC_OPTS)));
		out = json_object_new_object();
		json_object_object_add(out, "zabbix_groups",
		    jcopy(opts, "zabbix_groups"));
		json_object_object_add(out, "zabbix_templates",
		    jcopy(opts, "zabbix_templates"));
		json_object_object_add(o, "opts", out);
	}
	res = hg_jparse(HG_CELL(rs, i, TC_RESULTS));
	for (k = 0; k < json_object_array_length(res); k++) {
		jtime_in(r, json_object_array_get_idx(res, k), "started_time");
		jtime_in(r, json_object_array_get_idx(res, k), "finished_time");
	}
	json_object_object_add(o, "results", res);
	json_object_object_add(o, "task_output", json_object_new_string(
	    hg_task_output_url(r, hg_atoll(HG_CELL(rs, i, TC_ID)))));
	return o;
}

/* hosttask.h */
int
hg_task_reply(struct hg_req *r, const char *kind, long long id, int status,
    int with_id)
{
	struct hg_rows	*rs;
	json_object	*o;
	long long	 all, sw, uid = r->r_user->u_id;
	int		 rc;

	if ((rc = hg_task_scope(r, &all, &sw)) != 0 ||
	    (rc = hg_sql(r, &rs, TASK_SELECT HG_NOCOUNT " FROM tasks t WHERE "
	    "t.id = ?i AND t.kind = ?s AND " HG_TASK_VISIBLE_SQL("t.id"), id,
	    kind, all, sw, uid, uid)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s task with id %lld",
		    kind, id);
	o = task_json(r, rs, 0);
	if (with_id)
		json_object_object_add(o, "task_id",
		    hg_jstr(HG_CELL(rs, 0, TC_ID)));
	return hg_reply(r, status, o);
}

/* hosttask.h */
int
hg_task_id_reply(struct hg_req *r, long long id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "task_id", json_object_new_string(
	    hg_printf(r->r_arena, "%lld", id)));
	json_object_object_add(o, "task_output",
	    json_object_new_string(hg_task_output_url(r, id)));
	return hg_reply(r, 200, o);
}

/* GET /hosts/{kind}-tasks/{id}/ */
static int
task_get(struct hg_req *r)
{
	return hg_task_reply(r, KIND(r)->k_name, r->r_ids[0], 200, 0);
}

static const char *const task_statuses[] = { "running", "finished", "failed",
    NULL };

enum { TQ_CREATOR, TQ_HOSTNAME, TQ_GT, TQ_LT, TQ_STATUS, TQ__MAX };
static const struct hg_field list_q[TQ__MAX] = {
	[TQ_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },
	[TQ_HOSTNAME] = { "hostname", HG_V_STR, 0, 0, 128 },
	[TQ_GT] = { "time__gt", HG_V_TIME, 0 },
	[TQ_LT] = { "time__lt", HG_V_TIME, HG_V_UPPER },
	[TQ_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, task_statuses },
};

/*
 * GET /hosts/{kind}-tasks/: the seed's filters, plus hostname on every
 * kind; only the tasks the caller may see, and counts only them.
 */
static int
task_list(struct hg_req *r)
{
	const struct hg_val	*q = r->r_qv;
	const char		*host = hg_like(r, &q[TQ_HOSTNAME]);
	long long		 all, sw, uid = r->r_user->u_id;
	int			 rc;

	if ((rc = hg_task_scope(r, &all, &sw)) != 0)
		return rc;
	return hg_list(r, task_json, TASK_SELECT "COUNT(*) OVER () FROM "
	    "tasks t WHERE t.kind = ?s AND t.creator LIKE COALESCE(?s, '%') "
	    "AND t.created_time >= COALESCE(?s, t.created_time) "
	    "AND t.created_time <= COALESCE(?s, t.created_time) "
	    "AND t.status = COALESCE(?s, t.status) AND (?s IS NULL OR EXISTS "
	    "(SELECT 1 FROM task_hosts th WHERE th.task_id = t.id "
	    "AND th.hostname LIKE ?s)) AND " HG_TASK_VISIBLE_SQL("t.id")
	    " ORDER BY t.id DESC LIMIT ?i OFFSET ?i", KIND(r)->k_name,
	    hg_like(r, &q[TQ_CREATOR]), hg_qtime(r, &q[TQ_GT]),
	    hg_qtime(r, &q[TQ_LT]), q[TQ_STATUS].s, host, host, all, sw, uid,
	    uid);
}

/* ---- hosts (hosttask.h) --------------------------------------------- */

int
hg_task_path_host(struct hg_req *r, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "host", r->r_ids[0], HOST_LOCK);
}

int
hg_task_body_host(struct hg_req *r, long long id, const char *field,
    const char *perm, struct hg_rows **rs)
{
	int rc;

	if ((rc = hg_sql(r, rs, HOST_LOCK, id)) != 0)
		return rc;
	if ((*rs)->nrows == 0 || !hg_holds_object(r, "host", id, "view_host"))
		return hg_invalid(r, field, hg_printf(r->r_arena,
		    "no host with id %lld", id));
	return hg_perm_object(r, "host", id, perm);
}

/* ---- power actions --------------------------------------------------- */

/*
 * Can the route's kind be asked of host h now?  Starting a running host is
 * 30002; a PHY_HOST starts only through the configured out-of-band command
 * (it has no sshd while it is off).  Stop and restart are always accepted:
 * the agent reports a host it cannot act on.
 */
static int
power_check(struct hg_req *r, struct hg_rows *h, const char *field)
{
	if (!KIND(r)->k_boots)
		return 0;
	if (strcmp(HG_CELL(h, 0, HC_OS), "running") == 0)
		return hg_fail_http(r, 409, E_RUNNING, "host \"%s\" is running",
		    HG_CELL(h, 0, HC_NAME));
	if (strcmp(HG_CELL(h, 0, HC_TYPE), "PHY_HOST") == 0 &&
	    *hg_conf.power_start_cmd == '\0')
		return hg_invalid(r, field, hg_printf(r->r_arena, "host \"%s\" "
		    "is a PHY_HOST and no out-of-band start command is "
		    "configured (power_start_cmd in hangar.conf)",
		    HG_CELL(h, 0, HC_NAME)));
	return 0;
}

/* Queue the route's power task: opts {"force": [host ids asked to force]}. */
static int
power_queue(struct hg_req *r, json_object *forced, const long long *ids,
    size_t n, long long *task)
{
	json_object *o = hg_own(r, json_object_new_object());

	json_object_object_add(o, "force", json_object_get(forced));
	return hg_task_new(r, KIND(r)->k_name, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), ids, n, task);
}

/* The audit row of host h in power task task. */
static int
power_audit(struct hg_req *r, long long task, struct hg_rows *h, int force)
{
	const char *kind = KIND(r)->k_name;

	return hg_audit(r, NULL, hg_atoll(HG_CELL(h, 0, HC_ID)),
	    HG_CELL(h, 0, HC_NAME), kind, hg_printf(r->r_arena, "%s%s of host "
	    "\"%s\" queued as task %lld (os_status was %s)", kind,
	    force ? " (forced)" : "", HG_CELL(h, 0, HC_NAME), task,
	    HG_CELL(h, 0, HC_OS)));
}

enum { PF_FORCE, PF__MAX };
static const struct hg_field force_fields[PF__MAX] = {
	[PF_FORCE] = { "force", HG_V_BOOL, 0 },
};

/* POST /hosts/{id}/actions/{start,stop,restart}/ -> {"task_id"} */
static int
power_one(struct hg_req *r)
{
	struct hg_rows	*h;
	json_object	*forced = hg_own(r, json_object_new_array());
	long long	 task;
	int		 rc, force = r->r_in[PF_FORCE].i != 0;

	if ((rc = hg_task_path_host(r, &h)) != 0 ||
	    (rc = power_check(r, h, "id")) != 0)
		return rc;
	if (force)
		json_object_array_add(forced,
		    json_object_new_int64(r->r_ids[0]));
	if ((rc = power_queue(r, forced, &r->r_ids[0], 1, &task)) != 0 ||
	    (rc = power_audit(r, task, h, force)) != 0)
		return rc;
	return hg_task_id_reply(r, task);
}

enum { PB_HOST, PB_FORCE, PB__MAX };
static const struct hg_field batch_fields[PB__MAX] = {
	[PB_HOST] = { "host_id", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62,
	    .f_alias = { "id" } },
	[PB_FORCE] = { "force", HG_V_BOOL, 0 },
};

/* Index of the first of ids[0..n) equal to id, or n. */
static size_t
first_of(const long long *ids, size_t n, long long id)
{
	size_t i;

	for (i = 0; i < n && ids[i] != id; i++)
		continue;
	return i;
}

/*
 * POST /hosts/{start,stop,restart}-tasks/ with [{"host_id", "force"}]:
 * one task for every host -> 201 with the task object and "task_id".  A
 * host named twice is one host of the task, forced when any of its items
 * asks for it (it is then once in opts' force list); each host gets one
 * audit row saying whether it was forced.
 */
static int
power_batch(struct hg_req *r)
{
	struct hg_rows	**h;
	json_object	*forced = hg_own(r, json_object_new_array());
	long long	*ids, task;
	const char	*field;
	size_t		 i, f, n = r->r_nitems;
	int		 rc, *force;

	if (n == 0)
		return hg_invalid(r, "host_id",
		    "at least one {\"host_id\": N} is required");
	ids = hg_alloc(r->r_arena, n * sizeof(*ids));
	h = hg_alloc(r->r_arena, n * sizeof(*h));
	force = hg_alloc(r->r_arena, n * sizeof(*force));
	for (i = 0; i < n; i++) {
		field = hg_printf(r->r_arena, "[%zu].host_id", i);
		ids[i] = r->r_items[i][PB_HOST].i;
		if ((rc = hg_task_body_host(r, ids[i], field, "restart_host",
		    &h[i])) != 0 || (rc = power_check(r, h[i], field)) != 0)
			return rc;
		force[i] = 0;
		f = first_of(ids, i, ids[i]);
		if (r->r_items[i][PB_FORCE].i && (f == i || !force[f])) {
			force[f] = 1;
			json_object_array_add(forced,
			    json_object_new_int64(ids[i]));
		}
	}
	if ((rc = power_queue(r, forced, ids, n, &task)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (first_of(ids, i, ids[i]) == i &&
		    (rc = power_audit(r, task, h[i], force[i])) != 0)
			return rc;
	return hg_task_reply(r, KIND(r)->k_name, task, 201, 1);
}

/* ---- routes ---------------------------------------------------------- */

/*
 * Lists and batches name no host in the path: they need the host module's
 * switch, and a batch then checks the per-host permission on each host.
 */
#define HOSTMOD	PERM_MODULE("resource", "enable_host_mgmt")
#define POWER	PERM_HOST("restart_host")

/* POST /hosts/init-tasks/ is host_status.c's. */
const struct hg_route hg_routes_host_tasks[] = {
	ROUTE("GET", "/hosts/init-tasks", task_list, HOSTMOD, ARG(&k_init),
	    QUERY(list_q), PAGED),
	ROUTE("GET", "/hosts/init-tasks/{id}", task_get, HOSTMOD, ARG(&k_init)),
	ROUTE("GET", "/hosts/start-tasks", task_list, HOSTMOD, ARG(&k_start),
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/hosts/start-tasks", power_batch, HOSTMOD,
	    ARG(&k_start), ITEMS(batch_fields), AUDIT("host")),
	ROUTE("GET", "/hosts/start-tasks/{id}", task_get, HOSTMOD,
	    ARG(&k_start)),
	ROUTE("GET", "/hosts/stop-tasks", task_list, HOSTMOD, ARG(&k_stop),
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/hosts/stop-tasks", power_batch, HOSTMOD, ARG(&k_stop),
	    ITEMS(batch_fields), AUDIT("host")),
	ROUTE("GET", "/hosts/stop-tasks/{id}", task_get, HOSTMOD, ARG(&k_stop)),
	ROUTE("GET", "/hosts/restart-tasks", task_list, HOSTMOD,
	    ARG(&k_restart), QUERY(list_q), PAGED),
	ROUTE("POST", "/hosts/restart-tasks", power_batch, HOSTMOD,
	    ARG(&k_restart), ITEMS(batch_fields), AUDIT("host")),
	ROUTE("GET", "/hosts/restart-tasks/{id}", task_get, HOSTMOD,
	    ARG(&k_restart)),
	ROUTE("POST", "/hosts/{id}/actions/start", power_one, POWER,
	    ARG(&k_start), BODY(force_fields), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/stop", power_one, POWER,
	    ARG(&k_stop), BODY(force_fields), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/restart", power_one, POWER,
	    ARG(&k_restart), BODY(force_fields), AUDIT("host")),
	ROUTES_END
};
