/*
 * host_status.c -- a host's life past the inventory: init tasks (register
 * it in Zabbix and run init_script), change-status (raw, inited, attached,
 * offline) and change-zabbix-opts.  The task lists and reads, init's
 * among them, are host_tasks.c's.
 *
 * As for the power actions, a handler checks what can be checked now and
 * queues a task with hg_task_new() in the request's transaction;
 * hangar-agent runs it (kinds.c; the Zabbix parts in
 * src/agent/zabbix_step.c).  change-status changes the host now and
 * queues only the side effects; change-zabbix-opts needs no task.
 *
 * Zabbix calls made here (name checks, change-zabbix-opts) are bounded by
 * zabbix_timeout.  The seed's codes: 30001 Zabbix failed (502), 30002 a
 * template does not exist, 30003 a host group does not exist (400).
 */
#include <string.h>

#include "hangard.h"
#include "hosttask.h"
#include "queue.h"
#include "zabbix.h"

/* ---- Zabbix options -------------------------------------------------- */

/*
 * The Zabbix options: init's "opts" object, and the body of
 * change-zabbix-opts.  A null or absent array is an empty one.
 */
enum { IO_GROUPS, IO_TEMPLATES, IO__MAX };
static const struct hg_field opts_fields[IO__MAX] = {
	[IO_GROUPS] = { "zabbix_groups", HG_V_ARRAY, HG_V_NULLABLE, 0, 100 },
	[IO_TEMPLATES] = { "zabbix_templates", HG_V_ARRAY, HG_V_NULLABLE, 0, 100,
	    .f_alias = { "zabbix_temlates" } },
};

/*
 * A JSON array of 1..255-character names, no control characters (an array
 * of strings, which a field declaration cannot say).
 */
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

static const char *
jtext(json_object *j)
{
	return json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
}

/* ---- init tasks ------------------------------------------------------ */

enum { IC_HOSTS, IC_OPTS, IC__MAX };
static const struct hg_field init_fields[IC__MAX] = {
	[IC_HOSTS] = { "hosts", HG_V_IDS, HG_V_REQUIRED, 1, 1000 },
	[IC_OPTS] = { "opts", HG_V_OBJECT, HG_V_REQUIRED, HG_SUB(opts_fields) },
};

/*
 * Check init's opts (declared, in r_in[IC_OPTS].sub) further: *groups and
 * *templates get the name arrays, *text the canonical JSON the task stores.
 */
static int
init_opts(struct hg_req *r, json_object **groups, json_object **templates,
    const char **text)
{
	const struct hg_val	*v = r->r_in[IC_OPTS].sub;
	json_object		*o;
	int			 rc;

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
	*text = hg_strdup(r->r_arena, jtext(o));
	return 0;
}

/*
 * The hosts of init's "hosts": [{"id": N}], *n of them, each locked, one
 * the caller may view and init (hg_task_body_host), and not offline (it must go
 * back to raw first).
 */
static int
init_hosts(struct hg_req *r, long long **ids, struct hg_rows ***h, size_t *n)
{
	const char	*field;
	size_t		 i;
	int		 rc;

	*n = r->r_in[IC_HOSTS].nitems;
	*ids = r->r_in[IC_HOSTS].ids;
	*h = hg_alloc(r->r_arena, *n * sizeof(**h));
	for (i = 0; i < *n; i++) {
		field = hg_printf(r->r_arena, "hosts[%zu].id", i);
		if ((rc = hg_task_body_host(r, (*ids)[i], field, "init_host",
		    &(*h)[i])) != 0)
			return rc;
		if (strcmp(HG_CELL((*h)[i], 0, HC_STATUS), "offline") == 0)
			return hg_fail(r, HG_E_STATE, "host \"%s\" is offline; "
			    "change its status to raw before initialising it",
			    HG_CELL((*h)[i], 0, HC_NAME));
	}
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
 * "zabbix_templates"}} -> 201 with the init task.  Zabbix must know every
 * name before anything runs.
 */
static int
init_create(struct hg_req *r)
{
	struct hg_rows	**h;
	json_object	*groups = NULL, *templates = NULL;
	const char	*opts = NULL;
	long long	*ids, task;
	size_t		 i, n;
	int		 rc;

	if ((rc = init_opts(r, &groups, &templates, &opts)) != 0 ||
	    (rc = init_hosts(r, &ids, &h, &n)) != 0 ||
	    (rc = zbx_names_exist(r, groups, templates)) != 0 ||
	    (rc = hg_task_new(r, HG_TASK_INIT, opts, ids, n, &task)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = hg_audit(r, NULL, ids[i], HG_CELL(h[i], 0, HC_NAME),
		    "init", hg_printf(r->r_arena, "init of host \"%s\" queued as "
		    "task %lld (status %s; Zabbix groups %s, templates %s)",
		    HG_CELL(h[i], 0, HC_NAME), task, HG_CELL(h[i], 0, HC_STATUS),
		    names_text(r, groups), names_text(r, templates)))) != 0)
			return rc;
	return hg_task_reply(r, HG_TASK_INIT, task, 201, 1);
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
	for (i = 0; i < HG_NELEM(legal); i++)
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
	struct hg_rows	*h;
	const char	*from, *to = r->r_in[CS_STATUS].s, *d = "";
	long long	 task;
	int		 rc;

	if ((rc = hg_task_path_host(r, &h)) != 0)
		return rc;
	from = HG_CELL(h, 0, HC_STATUS);
	if (!transition_ok(from, to))
		return hg_invalid(r, "status", hg_printf(r->r_arena, "host "
		    "\"%s\" cannot go from %s to %s (allowed: raw->inited, "
		    "inited->attached, attached->inited, any->offline, "
		    "offline->raw)", HG_CELL(h, 0, HC_NAME), from, to));
	if ((rc = hg_sql_exec(r, "UPDATE hosts SET status = ?s WHERE id = ?i",
	    to, r->r_ids[0])) != 0 ||
	    (rc = hg_task_new(r, HG_TASK_STATUS, hg_printf(r->r_arena,
	    "{\"from\":\"%s\",\"status\":\"%s\"}", from, to), &r->r_ids[0], 1,
	    &task)) != 0)
		return rc;
	hg_audit_change(r, &d, "status", from, to);
	if ((rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(h, 0, HC_NAME),
	    "change_status", hg_printf(r->r_arena, "changed host \"%s\" (side "
	    "effects queued as task %lld): %s", HG_CELL(h, 0, HC_NAME), task,
	    d))) != 0)
		return rc;
	return hg_task_id_reply(r, task);
}

/* ---- change-zabbix-opts ---------------------------------------------- */

/*
 * The host's stored Zabbix names (empty arrays when none) and the hostid
 * Hangar registered it as (NULL when none).
 */
static int
zbx_stored(struct hg_req *r, json_object **groups, json_object **templates,
    const char **hostid)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT zabbix_groups, zabbix_templates, "
	    "zabbix_hostid FROM host_zabbix WHERE host_id = ?i FOR UPDATE",
	    r->r_ids[0])) != 0)
		return rc;
	*groups = hg_own(r, hg_jparse(rs->nrows ? HG_CELL(rs, 0, 0) : NULL));
	*templates = hg_own(r, hg_jparse(rs->nrows ? HG_CELL(rs, 0, 1) : NULL));
	*hostid = rs->nrows ? HG_CELL(rs, 0, 2) : NULL;
	return 0;
}

/*
 * Apply groups/templates to host h in Zabbix (registered hosts only), on
 * the Zabbix host of *hostid (see hg_zbx_host_save: never one found by
 * name); *hostid becomes the one registered.
 */
static int
zbx_apply(struct hg_req *r, struct hg_rows *h, json_object *groups,
    json_object *templates, const char **hostid)
{
	struct hg_zbx	 z;
	struct hg_rows	*a;
	int		 rc, registered;

	registered = strcmp(HG_CELL(h, 0, HC_STATUS), "inited") == 0 ||
	    strcmp(HG_CELL(h, 0, HC_STATUS), "attached") == 0;
	if (!registered)
		return zbx_names_exist(r, groups, templates);
	if ((rc = hg_sql(r, &a, "SELECT address FROM host_addresses WHERE "
	    "host_id = ?i ORDER BY addr_type = 'PRIVATE' DESC, is_virtual, id "
	    "LIMIT 1", r->r_ids[0])) != 0)
		return rc;
	if ((rc = hg_zbx_open(&z, r->r_arena)) == 0)
		rc = hg_zbx_host_save(&z, *hostid, HG_CELL(h, 0, HC_NAME),
		    a->nrows ? HG_CELL(a, 0, 0) : NULL, groups, templates,
		    hostid);
	hg_zbx_close(&z);
	return rc != 0 ? zbx_fail(r, rc, &z) : 0;
}

/*
 * POST /hosts/{id}/actions/change-zabbix-opts/ {"zabbix_groups",
 * "zabbix_templates"}: a field left out keeps its value.  An inited or
 * attached host is updated in Zabbix now (created there if missing, unless
 * the name belongs to a Zabbix host Hangar did not register: 30001); for
 * the others the names are checked and kept for their init.  The audit
 * row gives each list as JSON text.
 */
static int
change_zabbix_opts(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*h;
	json_object		*og, *ot, *g, *t;
	const char		*d = "", *hostid;
	int			 rc;

	if (!v[IO_GROUPS].present && !v[IO_TEMPLATES].present)
		return hg_invalid(r, "zabbix_groups",
		    "give zabbix_groups, zabbix_templates or both");
	if ((rc = hg_task_path_host(r, &h)) != 0 ||
	    (rc = zbx_stored(r, &og, &ot, &hostid)) != 0)
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
	if ((rc = zbx_apply(r, h, g, t, &hostid)) != 0 ||
	    (rc = hg_sql_exec(r, "INSERT INTO host_zabbix (host_id, "
	    "zabbix_hostid, zabbix_groups, zabbix_templates) VALUES (?i, ?s, "
	    "?s, ?s) ON DUPLICATE KEY UPDATE zabbix_hostid = "
	    "VALUES(zabbix_hostid), zabbix_groups = VALUES(zabbix_groups), "
	    "zabbix_templates = VALUES(zabbix_templates), updated_time = "
	    "UTC_TIMESTAMP()", r->r_ids[0], hostid, jtext(g), jtext(t))) != 0)
		return rc;
	hg_audit_change(r, &d, "zabbix_groups", jtext(og), jtext(g));
	hg_audit_change(r, &d, "zabbix_templates", jtext(ot), jtext(t));
	if ((rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(h, 0, HC_NAME),
	    "change_zabbix_opts", hg_printf(r->r_arena, "updated the Zabbix "
	    "options of host \"%s\": %s", HG_CELL(h, 0, HC_NAME),
	    *d != '\0' ? d : "no change"))) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* ---- routes ---------------------------------------------------------- */

const struct hg_route hg_routes_host_status[] = {
	ROUTE("POST", "/hosts/init-tasks", init_create,
	    PERM_MODULE("resource", "enable_host_mgmt"), BODY(init_fields),
	    AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/change-status", change_status,
	    PERM_HOST("deactivate_host"), BODY(status_fields), AUDIT("host")),
	ROUTE("POST", "/hosts/{id}/actions/change-zabbix-opts",
	    change_zabbix_opts, PERM_HOST("edit_host"), BODY(opts_fields),
	    AUDIT("host")),
	ROUTES_END
};
