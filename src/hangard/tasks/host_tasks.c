/*
 * host_tasks.c -- the seed's 主机 section beyond plain inventory: power
 * actions (start/stop/restart, one host or a batch) and their task lists,
 * init tasks, change-status and change-zabbix-opts.
 *
 * Long work is never done here: a handler checks what can be checked now
 * (the host exists, the caller may act on it, the action makes sense in the
 * host's state, Zabbix knows the named groups and templates), then queues a
 * task with hg_task_new() in the request's transaction; hangar-agent runs
 * it (kinds.c; the Zabbix parts in src/agent/zabbix_step.c).  Task objects
 * carry per-host results from task_hosts (API.md sections 5 and 6); their
 * ids are strings.  The task lists and task reads show only the tasks the
 * caller may see (taskvis.h); a host a body names that the caller may not
 * view is refused exactly like one that does not exist.
 *
 * Zabbix calls made here (name checks, change-zabbix-opts) are bounded by
 * zabbix_timeout.  The seed's codes: 30001 Zabbix failed (502), 30002 a
 * template does not exist, 30003 a host group does not exist (400); 30002
 * is also "the host is running" for start (409, a state conflict).
 */
#include <string.h>

#include "conf.h"
#include "hangard.h"
#include "queue.h"
#include "taskvis.h"
#include "zabbix.h"

#define HG_TASK_STATUS	"change_status"	/* side effects of change-status */

#define E_RUNNING	30002	/* start: the host is running */

/* ---- task objects ---------------------------------------------------- */

#define TASK_COLS "t.id, t.kind, t.status, t.creator, t.created_time, " \
	"t.finished_time, t.opts, (SELECT JSON_ARRAYAGG(JSON_OBJECT(" \
	"'host_id', th.host_id, 'hostname', th.hostname, 'status', th.status, " \
	"'message', th.message, 'started_time', th.started_time, " \
	"'finished_time', th.finished_time) ORDER BY th.host_id) " \
	"FROM task_hosts th WHERE th.task_id = t.id)"

/* A time inside JSON built by SQL: "YYYY-MM-DD HH:MM:SS" or null. */
static json_object *
jtime_of(struct hg_req *r, json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return hg_jtime(r, json_object_get_string(v));
}

static json_object *
jcopy(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get(v) : NULL;
}

/*
 * The task object: {id, hosts: [{id, name}], creator, created_time,
 * finished_time, status, results: [...]}, and for init tasks opts.
 */
static json_object *
task_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object	*o = json_object_new_object(), *agg, *hosts, *results;
	json_object	*th, *h, *res, *opts, *outopts;
	size_t		 k;

	agg = hg_own(r, hg_jparse(HG_CELL(rs, i, 7)));
	hosts = json_object_new_array();
	results = json_object_new_array();
	for (k = 0; k < json_object_array_length(agg); k++) {
		th = json_object_array_get_idx(agg, k);
		h = json_object_new_object();
		json_object_object_add(h, "id", jcopy(th, "host_id"));
		json_object_object_add(h, "name", jcopy(th, "hostname"));
		json_object_array_add(hosts, h);
		res = json_object_new_object();
		json_object_object_add(res, "host_id", jcopy(th, "host_id"));
		json_object_object_add(res, "hostname", jcopy(th, "hostname"));
		json_object_object_add(res, "status", jcopy(th, "status"));
		json_object_object_add(res, "message", jcopy(th, "message"));
		json_object_object_add(res, "started_time",
		    jtime_of(r, th, "started_time"));
		json_object_object_add(res, "finished_time",
		    jtime_of(r, th, "finished_time"));
		json_object_array_add(results, res);
	}
	json_object_object_add(o, "id", hg_jstr(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "hosts", hosts);
	if (strcmp(HG_CELL(rs, i, 1), HG_TASK_INIT) == 0) {
		opts = hg_own(r, json_tokener_parse(HG_CELL(rs, i, 6)));
		outopts = json_object_new_object();
		json_object_object_add(outopts, "zabbix_groups",
		    opts != NULL ? jcopy(opts, "zabbix_groups") : NULL);
		json_object_object_add(outopts, "zabbix_templates",
		    opts != NULL ? jcopy(opts, "zabbix_templates") : NULL);
		json_object_object_add(o, "opts", outopts);
	}
	json_object_object_add(o, "creator", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 4)));
	json_object_object_add(o, "finished_time",
	    hg_jtime(r, HG_CELL(rs, i, 5)));
	json_object_object_add(o, "status", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "results", results);
	return o;
}

/* Reply with task id of kind; with_id adds the seed's "task_id". */
static int
task_reply(struct hg_req *r, const char *kind, long long id, int status,
    int with_id)
{
	struct hg_rows	*rs;
	json_object	*o;
	long long	 all, sw, uid = r->r_user->u_id;
	int		 rc;

	if ((rc = hg_task_scope(r, &all, &sw)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " TASK_COLS
	    " FROM tasks t WHERE t.id = ? AND t.kind = ? AND "
	    HG_TASK_VISIBLE_SQL("t.id"), "isiiii", id, kind, all, sw, uid,
	    uid)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s task with id %lld", kind,
		    id);
	o = task_json(r, rs, 0);
	if (with_id)
		json_object_object_add(o, "task_id",
		    hg_jstr(HG_CELL(rs, 0, 0)));
	return hg_reply(r, status, o);
}

static int
task_id_reply(struct hg_req *r, long long id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "task_id", json_object_new_string(
	    hg_printf(r->r_arena, "%lld", id)));
	return hg_reply(r, 200, o);
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
task_list(struct hg_req *r, const char *kind)
{
	struct hg_val	 v[TQ__MAX];
	struct hg_page	 pg;
	const char	*host;
	long long	 all, sw, uid = r->r_user->u_id;
	int		 rc;

	if ((rc = hg_query(r, list_q, TQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0 ||
	    (rc = hg_task_scope(r, &all, &sw)) != 0)
		return rc;
	host = hg_like(r, &v[TQ_HOSTNAME]);
	return hg_list_v0(r, &pg, task_json, "SELECT " TASK_COLS ", COUNT(*) OVER () "
	    "FROM tasks t WHERE t.kind = ? AND t.creator LIKE COALESCE(?, '%') "
	    "AND t.created_time >= COALESCE(?, t.created_time) "
	    "AND t.created_time <= COALESCE(?, t.created_time) "
	    "AND t.status = COALESCE(?, t.status) AND (? IS NULL OR EXISTS "
	    "(SELECT 1 FROM task_hosts th WHERE th.task_id = t.id "
	    "AND th.hostname LIKE ?)) AND " HG_TASK_VISIBLE_SQL("t.id")
	    " ORDER BY t.id DESC LIMIT ? OFFSET ?", "sssssssiiii", kind,
	    hg_like(r, &v[TQ_CREATOR]), hg_qtime(r, &v[TQ_GT]),
	    hg_qtime(r, &v[TQ_LT]), v[TQ_STATUS].s, host, host, all, sw, uid,
	    uid);
}

/* ---- hosts ----------------------------------------------------------- */

enum { HC_ID, HC_NAME, HC_TYPE, HC_STATUS, HC_OS, HC__MAX };

/* Lock host id; 0 and *rs, or 0 with (*rs)->nrows == 0 when there is none. */
static int
host_lock(struct hg_req *r, long long id, struct hg_rows **rs)
{
	int rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, rs, "SELECT id, name, "
	    "host_type, status, os_status FROM hosts WHERE id = ? FOR UPDATE",
	    "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}

/* The host of the route's {id}, locked; 404 if none. */
static int
path_host(struct hg_req *r, struct hg_rows **rs)
{
	int rc;

	if ((rc = host_lock(r, r->r_ids[0], rs)) != 0)
		return rc;
	if ((*rs)->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no host with id %lld",
		    r->r_ids[0]);
	return 0;
}

/*
 * Host id named by a body's field (batch, init): exists and the caller may
 * view it (10002 naming the field otherwise, the same for both, so that a
 * body cannot probe for hosts), and the caller holds perm on it (403).
 */
static int
body_host(struct hg_req *r, long long id, const char *field, const char *perm,
    struct hg_rows **rs)
{
	int rc;

	if ((rc = host_lock(r, id, rs)) != 0)
		return rc;
	if ((*rs)->nrows == 0 || !hg_holds_object(r, "host", id, "view_host"))
		return hg_invalid(r, field, hg_printf(r->r_arena,
		    "no host with id %lld", id));
	return hg_perm_object(r, "host", id, perm);
}

/* ---- power actions --------------------------------------------------- */

/*
 * Can kind (start/stop/restart) be asked of host h now?  Starting a
 * running host is 30002; a PHY_HOST starts only through the configured
 * out-of-band command (it has no sshd while it is off).  Stop and restart
 * are always accepted: the agent reports a host it cannot act on.
 */
static int
power_check(struct hg_req *r, const char *kind, struct hg_rows *h,
    const char *field)
{
	if (strcmp(kind, HG_TASK_START) != 0)
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

/* opts of a power task: {"force": [host ids asked to force]}. */
static const char *
power_opts(struct hg_req *r, json_object *forced)
{
	json_object *o = hg_own(r, json_object_new_object());

	json_object_object_add(o, "force", forced);
	return hg_strdup(r->r_arena, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
}

static int
power_audit(struct hg_req *r, const char *kind, long long task,
    struct hg_rows *h, int force)
{
	return hg_audit(r, "host", hg_atoll(HG_CELL(h, 0, HC_ID)),
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
power_one(struct hg_req *r, const char *kind)
{
	struct hg_val	 v[PF__MAX];
	struct hg_rows	*h;
	json_object	*forced;
	long long	 task;
	int		 rc;

	if ((rc = hg_body(r, force_fields, PF__MAX, v)) != 0 ||
	    (rc = path_host(r, &h)) != 0 ||
	    (rc = power_check(r, kind, h, "id")) != 0)
		return rc;
	forced = hg_own(r, json_object_new_array());
	if (v[PF_FORCE].i)
		json_object_array_add(forced, json_object_new_int64(r->r_ids[0]));
	if ((rc = hg_task_new(r, kind, power_opts(r, json_object_get(forced)),
	    &r->r_ids[0], 1, &task)) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = power_audit(r, kind, task, h, (int)v[PF_FORCE].i)) != 0)
		return rc;
	return task_id_reply(r, task);
}

enum { PB_HOST, PB_FORCE, PB__MAX };
static const struct hg_field batch_fields[PB__MAX] = {
	[PB_HOST] = { "host_id", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62,
	    .f_alias = { "id" } },
	[PB_FORCE] = { "force", HG_V_BOOL, 0 },
};

/* Refuse item i of a batch body with its first field error. */
static int
item_invalid(struct hg_req *r, size_t i, json_object *errors)
{
	struct json_object_iter it;

	json_object_object_foreachC(errors, it)
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu].%s", i, it.key),
		    json_object_get_string(it.val));
	return hg_invalid(r, hg_printf(r->r_arena, "[%zu]", i), "is invalid");
}

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
power_batch(struct hg_req *r, const char *kind)
{
	struct hg_val	 v[PB__MAX];
	struct hg_rows	**h;
	json_object	*arr, *errors, *forced;
	long long	*ids, task;
	const char	*field;
	size_t		 i, n, f;
	int		 rc, *force;

	if ((rc = hg_body_array(r, &arr)) != 0)
		return rc;
	if ((n = json_object_array_length(arr)) == 0)
		return hg_invalid(r, "host_id",
		    "at least one {\"host_id\": N} is required");
	ids = hg_alloc(r->r_arena, n * sizeof(*ids));
	h = hg_alloc(r->r_arena, n * sizeof(*h));
	force = hg_alloc(r->r_arena, n * sizeof(*force));
	forced = hg_own(r, json_object_new_array());
	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(item, json_type_object))
			return hg_invalid(r, hg_printf(r->r_arena, "[%zu]", i),
			    "must be an object {\"host_id\": N}");
		if (hg_valid_body(r->r_arena, item, batch_fields, PB__MAX, v,
		    &errors) != 0)
			return item_invalid(r, i, errors);
		field = hg_printf(r->r_arena, "[%zu].host_id", i);
		ids[i] = v[PB_HOST].i;
		if ((rc = body_host(r, ids[i], field, "restart_host",
		    &h[i])) != 0 || (rc = power_check(r, kind, h[i], field)) != 0)
			return rc;
		force[i] = 0;
		f = first_of(ids, i, ids[i]);
		if (v[PB_FORCE].i && (f == i || !force[f])) {
			force[f] = 1;
			json_object_array_add(forced,
			    json_object_new_int64(ids[i]));
		}
	}
	if ((rc = hg_task_new(r, kind, power_opts(r, json_object_get(forced)),
	    ids, n, &task)) != 0)
		return hg_fail(r, rc, NULL);
	for (i = 0; i < n; i++)
		if (first_of(ids, i, ids[i]) == i &&
		    (rc = power_audit(r, kind, task, h[i], force[i])) != 0)
			return rc;
	return task_reply(r, kind, task, 201, 1);
}

/* ---- Zabbix options -------------------------------------------------- */

/* A JSON array of 1..255-character names, no control characters. */
static int
names_check(struct hg_req *r, const char *field, json_object *a)
{
	json_object	*s;
	const char	*why;
	size_t		 i, len;

	for (i = 0; i < json_object_array_length(a); i++) {
		s = json_object_array_get_idx(a, i);
		if (!json_object_is_type(s, json_type_string))
			return hg_invalid(r, field, "must be an array of names");
		len = hg_utf8_len(json_object_get_string(s));
		if (len == 0 || len > 255)
			return hg_invalid(r, field, "names are 1 to 255 characters");
		if ((why = hg_check_noctl(json_object_get_string(s))) != NULL)
			return hg_invalid(r, field, why);
	}
	return 0;
}

/* Render a Zabbix error with the seed's code and API.md's status. */
static int
zbx_fail(struct hg_req *r, int code, const struct hg_zbx *z)
{
	return hg_fail_http(r, code == HG_ZBX_EFAIL ? 502 : 400, code, "%s",
	    z->z_err);
}

/*
 * Check that Zabbix knows every group and template named.  Nothing named:
 * no call.  Something named but no Zabbix configured is 30001.
 */
static int
zbx_names_exist(struct hg_req *r, json_object *groups, json_object *templates)
{
	struct hg_zbx	 z;
	json_object	*refs;
	int		 rc;

	if (json_object_array_length(groups) == 0 &&
	    json_object_array_length(templates) == 0)
		return 0;
	if ((rc = hg_zbx_open(&z, r->r_arena)) == 0 &&
	    (rc = hg_zbx_groups(&z, groups, &refs)) == 0)
		rc = hg_zbx_templates(&z, templates, &refs);
	hg_zbx_close(&z);
	return rc != 0 ? zbx_fail(r, rc, &z) : 0;
}

static json_object *
jarray_or_empty(struct hg_req *r, const struct hg_val *v)
{
	return v->present && !v->null ? v->j :
	    hg_own(r, json_object_new_array());
}

/* ---- init tasks ------------------------------------------------------ */

enum { IO_GROUPS, IO_TEMPLATES, IO__MAX };
static const struct hg_field opts_fields[IO__MAX] = {
	[IO_GROUPS] = { "zabbix_groups", HG_V_ARRAY, HG_V_NULLABLE, 0, 100 },
	[IO_TEMPLATES] = { "zabbix_templates", HG_V_ARRAY, HG_V_NULLABLE, 0, 100,
	    .f_alias = { "zabbix_temlates" } },
};

enum { IC_HOSTS, IC_OPTS, IC__MAX };
static const struct hg_field init_fields[IC__MAX] = {
	[IC_HOSTS] = { "hosts", HG_V_ARRAY, HG_V_REQUIRED, 1, 1000 },
	[IC_OPTS] = { "opts", HG_V_OBJECT, HG_V_REQUIRED },
};

/*
 * Validate an init task's opts: *groups and *templates get the name
 * arrays, *text the canonical JSON the task stores.
 */
static int
init_opts(struct hg_req *r, json_object *in, json_object **groups,
    json_object **templates, const char **text)
{
	struct hg_val		 v[IO__MAX];
	struct json_object_iter	 it;
	json_object		*errors, *o;
	int			 rc;

	if (hg_valid_body(r->r_arena, in, opts_fields, IO__MAX, v, &errors) != 0) {
		json_object_object_foreachC(errors, it)
			return hg_invalid(r, hg_printf(r->r_arena, "opts.%s",
			    it.key), json_object_get_string(it.val));
	}
	*groups = jarray_or_empty(r, &v[IO_GROUPS]);
	*templates = jarray_or_empty(r, &v[IO_TEMPLATES]);
	if ((rc = names_check(r, "opts.zabbix_groups", *groups)) != 0 ||
	    (rc = names_check(r, "opts.zabbix_templates", *templates)) != 0)
		return rc;
	if (json_object_array_length(*groups) == 0 &&
	    json_object_array_length(*templates) > 0)
		return hg_invalid(r, "opts.zabbix_groups", "a Zabbix host needs "
		    "at least one host group when templates are given");
	o = hg_own(r, json_object_new_object());
	json_object_object_add(o, "zabbix_groups", json_object_get(*groups));
	json_object_object_add(o, "zabbix_templates",
	    json_object_get(*templates));
	*text = hg_strdup(r->r_arena, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	return 0;
}

/* The names of a JSON array, for audit text: "a", "b" or (none). */
static const char *
names_text(struct hg_req *r, json_object *a)
{
	const char	*s = "";
	size_t		 i, n = json_object_array_length(a);

	for (i = 0; i < n; i++)
		s = hg_printf(r->r_arena, "%s%s\"%s\"", s, i ? ", " : "",
		    json_object_get_string(json_object_array_get_idx(a, i)));
	return n > 0 ? s : "(none)";
}

/*
 * POST /hosts/init-tasks/ {"hosts": [{"id"}], "opts": {"zabbix_groups",
 * "zabbix_templates"}} -> 201 with the init task.  Offline hosts must go
 * back to raw first; Zabbix must know every name before anything runs.
 */
static int
init_create(struct hg_req *r)
{
	struct hg_val	 v[IC__MAX];
	struct hg_rows	**h;
	json_object	*item, *id, *groups = NULL, *templates = NULL;
	const char	*opts = NULL, *field;
	long long	*ids, task;
	size_t		 i, n;
	int		 rc;

	if ((rc = hg_body(r, init_fields, IC__MAX, v)) != 0 ||
	    (rc = init_opts(r, v[IC_OPTS].j, &groups, &templates, &opts)) != 0)
		return rc;
	n = json_object_array_length(v[IC_HOSTS].j);
	ids = hg_alloc(r->r_arena, n * sizeof(*ids));
	h = hg_alloc(r->r_arena, n * sizeof(*h));
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(v[IC_HOSTS].j, i);
		field = hg_printf(r->r_arena, "hosts[%zu].id", i);
		if (!json_object_is_type(item, json_type_object) ||
		    !json_object_object_get_ex(item, "id", &id) ||
		    !json_object_is_type(id, json_type_int) ||
		    json_object_get_int64(id) <= 0)
			return hg_invalid(r, field, "must be a positive integer id");
		ids[i] = json_object_get_int64(id);
		if ((rc = body_host(r, ids[i], field, "init_host", &h[i])) != 0)
			return rc;
		if (strcmp(HG_CELL(h[i], 0, HC_STATUS), "offline") == 0)
			return hg_fail(r, HG_E_STATE, "host \"%s\" is offline; "
			    "change its status to raw before initialising it",
			    HG_CELL(h[i], 0, HC_NAME));
	}
	if ((rc = zbx_names_exist(r, groups, templates)) != 0)
		return rc;
	if ((rc = hg_task_new(r, HG_TASK_INIT, opts, ids, n, &task)) != 0)
		return hg_fail(r, rc, NULL);
	for (i = 0; i < n; i++)
		if ((rc = hg_audit(r, "host", ids[i], HG_CELL(h[i], 0, HC_NAME),
		    "init", hg_printf(r->r_arena, "init of host \"%s\" queued as "
		    "task %lld (status %s; Zabbix groups %s, templates %s)",
		    HG_CELL(h[i], 0, HC_NAME), task, HG_CELL(h[i], 0, HC_STATUS),
		    names_text(r, groups), names_text(r, templates)))) != 0)
			return rc;
	return task_reply(r, HG_TASK_INIT, task, 201, 1);
}

/* ---- change-status --------------------------------------------------- */

static const char *const host_statuses[] = { "raw", "inited", "attached",
    "offline", NULL };

/* API.md 6: raw->inited, inited->attached, attached->inited, any->offline,
 * offline->raw. */
static int
transition_ok(const char *from, const char *to)
{
	static const char *const legal[][2] = {
		{ "raw", "inited" }, { "inited", "attached" },
		{ "attached", "inited" }, { "offline", "raw" },
	};
	size_t i;

	if (strcmp(from, to) == 0)
		return 0;
	if (strcmp(to, "offline") == 0)
		return 1;
	for (i = 0; i < sizeof(legal) / sizeof(legal[0]); i++)
		if (strcmp(legal[i][0], from) == 0 && strcmp(legal[i][1], to) == 0)
			return 1;
	return 0;
}

enum { CS_STATUS, CS__MAX };
static const struct hg_field status_fields[CS__MAX] = {
	[CS_STATUS] = { "status", HG_V_ENUM, HG_V_REQUIRED, 0, 0,
	    host_statuses },
};

/*
 * POST /hosts/{id}/actions/change-status/ {"status"} -> {"task_id"}: the
 * status changes now; the task carries the side effects (going offline
 * stops the host's instances and removes it from Zabbix).
 */
static int
change_status(struct hg_req *r)
{
	struct hg_val	 v[CS__MAX];
	struct hg_rows	*h;
	const char	*from, *opts;
	long long	 task;
	int		 rc;

	if ((rc = hg_body(r, status_fields, CS__MAX, v)) != 0 ||
	    (rc = path_host(r, &h)) != 0)
		return rc;
	from = HG_CELL(h, 0, HC_STATUS);
	if (!transition_ok(from, v[CS_STATUS].s))
		return hg_invalid(r, "status", hg_printf(r->r_arena, "host "
		    "\"%s\" cannot go from %s to %s (allowed: raw->inited, "
		    "inited->attached, attached->inited, any->offline, "
		    "offline->raw)", HG_CELL(h, 0, HC_NAME), from,
		    v[CS_STATUS].s));
	if ((rc = hg_db_exec(r->r_db, "UPDATE hosts SET status = ? WHERE id = ?",
	    "si", v[CS_STATUS].s, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	opts = hg_printf(r->r_arena, "{\"from\":\"%s\",\"status\":\"%s\"}",
	    from, v[CS_STATUS].s);
	if ((rc = hg_task_new(r, HG_TASK_STATUS, opts, &r->r_ids[0], 1,
	    &task)) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "host", r->r_ids[0], HG_CELL(h, 0, HC_NAME),
	    "change_status", hg_printf(r->r_arena, "status of host \"%s\": "
	    "%s -> %s; side effects queued as task %lld", HG_CELL(h, 0, HC_NAME),
	    from, v[CS_STATUS].s, task))) != 0)
		return rc;
	return task_id_reply(r, task);
}

/* ---- change-zabbix-opts ---------------------------------------------- */

/* The host's stored Zabbix names (empty arrays when none). */
static int
zbx_stored(struct hg_req *r, json_object **groups, json_object **templates)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT zabbix_groups, "
	    "zabbix_templates FROM host_zabbix WHERE host_id = ? FOR UPDATE",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	*groups = hg_own(r, hg_jparse(rs->nrows ? HG_CELL(rs, 0, 0) : NULL));
	*templates = hg_own(r, hg_jparse(rs->nrows ? HG_CELL(rs, 0, 1) : NULL));
	return 0;
}

/* Apply groups/templates to host h in Zabbix (registered hosts only). */
static int
zbx_apply(struct hg_req *r, struct hg_rows *h, json_object *groups,
    json_object *templates)
{
	struct hg_zbx	 z;
	struct hg_rows	*a;
	int		 rc, registered;

	registered = strcmp(HG_CELL(h, 0, HC_STATUS), "inited") == 0 ||
	    strcmp(HG_CELL(h, 0, HC_STATUS), "attached") == 0;
	if (!registered)
		return zbx_names_exist(r, groups, templates);
	if ((rc = hg_db_query(r->r_db, r->r_arena, &a, "SELECT address FROM "
	    "host_addresses WHERE host_id = ? ORDER BY addr_type = 'PRIVATE' "
	    "DESC, is_virtual, id LIMIT 1", "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_zbx_open(&z, r->r_arena)) == 0)
		rc = hg_zbx_host_save(&z, HG_CELL(h, 0, HC_NAME),
		    a->nrows ? HG_CELL(a, 0, 0) : NULL, groups, templates);
	hg_zbx_close(&z);
	return rc != 0 ? zbx_fail(r, rc, &z) : 0;
}

/*
 * POST /hosts/{id}/actions/change-zabbix-opts/ {"zabbix_groups",
 * "zabbix_templates"}: a field left out keeps its value.  An inited or
 * attached host is updated in Zabbix now (created there if missing); for
 * the others the names are checked and kept for their init.
 */
static int
change_zabbix_opts(struct hg_req *r)
{
	struct hg_val	 v[IO__MAX];
	struct hg_rows	*h;
	json_object	*og = NULL, *ot = NULL, *g, *t;
	int		 rc;

	if ((rc = hg_body(r, opts_fields, IO__MAX, v)) != 0)
		return rc;
	if (!v[IO_GROUPS].present && !v[IO_TEMPLATES].present)
		return hg_invalid(r, "zabbix_groups",
		    "give zabbix_groups, zabbix_templates or both");
	if ((rc = path_host(r, &h)) != 0 || (rc = zbx_stored(r, &og, &ot)) != 0)
		return rc;
	g = v[IO_GROUPS].present ? jarray_or_empty(r, &v[IO_GROUPS]) : og;
	t = v[IO_TEMPLATES].present ? jarray_or_empty(r, &v[IO_TEMPLATES]) : ot;
	if ((rc = names_check(r, "zabbix_groups", g)) != 0 ||
	    (rc = names_check(r, "zabbix_templates", t)) != 0)
		return rc;
	if (json_object_array_length(g) == 0 &&
	    (json_object_array_length(t) > 0 ||
	    strcmp(HG_CELL(h, 0, HC_STATUS), "inited") == 0 ||
	    strcmp(HG_CELL(h, 0, HC_STATUS), "attached") == 0))
		return hg_invalid(r, "zabbix_groups",
		    "a Zabbix host needs at least one host group");
	if ((rc = zbx_apply(r, h, g, t)) != 0)
		return rc;
	if ((rc = hg_db_exec(r->r_db, "INSERT INTO host_zabbix (host_id, "
	    "zabbix_groups, zabbix_templates) VALUES (?, ?, ?) ON DUPLICATE KEY "
	    "UPDATE zabbix_groups = VALUES(zabbix_groups), zabbix_templates = "
	    "VALUES(zabbix_templates), updated_time = UTC_TIMESTAMP()", "iss",
	    r->r_ids[0], json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN),
	    json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN))) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "host", r->r_ids[0], HG_CELL(h, 0, HC_NAME),
	    "change_zabbix_opts", hg_printf(r->r_arena, "Zabbix options of host "
	    "\"%s\": groups %s -> %s; templates %s -> %s",
	    HG_CELL(h, 0, HC_NAME), names_text(r, og), names_text(r, g),
	    names_text(r, ot), names_text(r, t)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* ---- routes ---------------------------------------------------------- */

/* The route table's handlers: one family function, one kind each. */
static int
init_list(struct hg_req *r)
{
	return task_list(r, HG_TASK_INIT);
}

static int
start_list(struct hg_req *r)
{
	return task_list(r, HG_TASK_START);
}

static int
stop_list(struct hg_req *r)
{
	return task_list(r, HG_TASK_STOP);
}

static int
restart_list(struct hg_req *r)
{
	return task_list(r, HG_TASK_RESTART);
}

static int
init_get(struct hg_req *r)
{
	return task_reply(r, HG_TASK_INIT, r->r_ids[0], 200, 0);
}

static int
start_get(struct hg_req *r)
{
	return task_reply(r, HG_TASK_START, r->r_ids[0], 200, 0);
}

static int
stop_get(struct hg_req *r)
{
	return task_reply(r, HG_TASK_STOP, r->r_ids[0], 200, 0);
}

static int
restart_get(struct hg_req *r)
{
	return task_reply(r, HG_TASK_RESTART, r->r_ids[0], 200, 0);
}

static int
start_batch(struct hg_req *r)
{
	return power_batch(r, HG_TASK_START);
}

static int
stop_batch(struct hg_req *r)
{
	return power_batch(r, HG_TASK_STOP);
}

static int
restart_batch(struct hg_req *r)
{
	return power_batch(r, HG_TASK_RESTART);
}

static int
start_one(struct hg_req *r)
{
	return power_one(r, HG_TASK_START);
}

static int
stop_one(struct hg_req *r)
{
	return power_one(r, HG_TASK_STOP);
}

static int
restart_one(struct hg_req *r)
{
	return power_one(r, HG_TASK_RESTART);
}

/*
 * Lists and batches name no host in the path: they need the host module's
 * switch, and a batch then checks the per-host permission on each host.
 */
#define HOSTMOD	PERM_MODULE("resource", "enable_host_mgmt")

const struct hg_route hg_routes_host_tasks[] = {
	ROUTE("GET", "/hosts/init-tasks", init_list, HOSTMOD),
	ROUTE("POST", "/hosts/init-tasks", init_create, HOSTMOD, AUDIT("host")),
	ROUTE("GET", "/hosts/init-tasks/{id}", init_get, HOSTMOD),
	ROUTE("GET", "/hosts/start-tasks", start_list, HOSTMOD),
	ROUTE("POST", "/hosts/start-tasks", start_batch, HOSTMOD, AUDIT("host")),
	ROUTE("GET", "/hosts/start-tasks/{id}", start_get, HOSTMOD),
	ROUTE("GET", "/hosts/stop-tasks", stop_list, HOSTMOD),
	ROUTE("POST", "/hosts/stop-tasks", stop_batch, HOSTMOD, AUDIT("host")),
	ROUTE("GET", "/hosts/stop-tasks/{id}", stop_get, HOSTMOD),
	ROUTE("GET", "/hosts/restart-tasks", restart_list, HOSTMOD),
	ROUTE("POST", "/hosts/restart-tasks", restart_batch, HOSTMOD, AUDIT("host")),
	ROUTE("GET", "/hosts/restart-tasks/{id}", restart_get, HOSTMOD),
	ROUTE("POST", "/hosts/{id}/actions/start", start_one, PERM_HOST("restart_host"), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/stop", stop_one, PERM_HOST("restart_host"), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/restart", restart_one, PERM_HOST("restart_host"), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/change-status", change_status, PERM_HOST("deactivate_host"), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/change-zabbix-opts", change_zabbix_opts, PERM_HOST("edit_host"), AUDIT("host")),
	ROUTES_END
};
