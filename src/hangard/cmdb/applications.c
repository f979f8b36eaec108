/*
 * applications.c -- /applications/ (and its alias /application/): the
 * Application object, create, get, PATCH and delete (API.md section 4),
 * and what the other application files share (cmdb.h).  The tree and the
 * dependencies are app_links.c, the lists app_lists.c, response persons
 * and instances app_people.c; the audit trail is listed by
 * audit/operations.c at /audit/app-operations/.
 *
 * Applications form a tree.  full_name is the parent's full_name and the
 * name joined by '.', so a name may not contain '.', and the descendants
 * of an application are exactly the rows whose full_name starts with its
 * full_name and a '.'.  Every change to the tree or to dependencies
 * first takes one lock (hg_app_lock), so two requests cannot together
 * build a cycle that each alone would have been refused.
 *
 * Every change writes an audit row of kind "app" in the same transaction
 * (op_type add, update, delete, attach_host, deatach_host: the seed's
 * spelling), in the one format of audit.c: what was done to which
 * application, then each change as `field: "old" -> "new"`.  An
 * application or a user a change names is written "name (id N)".
 *
 * The route table checks the application of the path.  Objects a body
 * names are checked by the handlers: edit_app on every other application
 * whose row changes (a child moved in or out), view_app on every one
 * merely referenced (a new parent, a required application), view_host on
 * every host an instance goes on, add_business to change a production;
 * what the caller may not view is answered as if it did not exist.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdb/cmdb.h"

/* ---- the object --------------------------------------------------------- */

static const struct hg_col app_cols[] = { HG_APP_COLUMNS(HG_COL_DECL) };

/*
 * A row selected with HG_APP_COLS as an Application object; has_child
 * comes from the child list, available_actions from the caller's grants
 * on it (perms.c).
 */
json_object *
hg_app_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o;

	HG_CELL(rs, i, HG_AC_HASCHILD) =
	    (char *)(HG_CELL(rs, i, HG_AC_CHILDREN) != NULL ? "1" : "0");
	o = HG_ROW(r, app_cols, rs, i);
	json_object_object_add(o, "available_actions",
	    hg_object_actions(r, "application", HG_CELL(rs, i, HG_AC_GRANTS)));
	return o;
}

/* Application id as an object into *out (404 when there is none). */
int
hg_app_object(struct hg_req *r, long long id, json_object **out)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT " HG_APP_COLS " FROM applications a "
	    "WHERE a.id = ?i", r->r_user->u_id, r->r_user->u_id, id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no application with id %lld",
		    id);
	*out = hg_app_json(r, rs, 0);
	return 0;
}

/* ---- shared by the application files ------------------------------------ */

/* Load application id; missing is 404, or 10002 on field when given. */
int
hg_app_load(struct hg_req *r, long long id, struct hg_app *a,
    const char *field)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT id, COALESCE(parent_id, 0), depth, "
	    "name, full_name FROM applications WHERE id = ?i", id)) != 0)
		return rc;
	if (rs->nrows == 0) {
		if (field == NULL)
			return hg_fail(r, HG_E_NOTFOUND,
			    "no application with id %lld", id);
		return hg_invalid(r, field, hg_printf(r->r_arena,
		    "no application with id %lld", id));
	}
	a->a_id = hg_atoll(HG_CELL(rs, 0, 0));
	a->a_parent = hg_atoll(HG_CELL(rs, 0, 1));
	a->a_depth = hg_atoll(HG_CELL(rs, 0, 2));
	a->a_name = HG_CELL(rs, 0, 3);
	a->a_full = HG_CELL(rs, 0, 4);
	return 0;
}

/*
 * The lock every change to the tree or to dependencies holds: the
 * applications row of row_counts, which every insert of an application
 * takes anyway.
 */
int
hg_app_lock(struct hg_req *r)
{
	struct hg_rows *rs;

	return hg_sql(r, &rs, "SELECT n FROM row_counts WHERE "
	    "tbl = 'applications' FOR UPDATE");
}

/* Lock the tree and load the application of the route's {id}. */
int
hg_app_begin(struct hg_req *r, struct hg_app *a)
{
	int rc;

	if ((rc = hg_app_lock(r)) != 0)
		return rc;
	return hg_app_load(r, r->r_ids[0], a, NULL);
}

/* 404 unless the route's application exists. */
int
hg_app_exists(struct hg_req *r)
{
	return hg_sql_get(r, NULL, "application", r->r_ids[0],
	    "SELECT id FROM applications WHERE id = ?i");
}

/*
 * The route checks the application of the path; this checks the others a
 * body names (API.md section 3).  An application the caller may not view
 * is refused exactly like one that does not exist (hg_app_load's 10002 on
 * field), so that a body cannot probe for ids.  Callers skip the check
 * for an application already linked to the path's one the way the body
 * names it (its parent, a child, a required application): its id is shown
 * in that application's object already, and a client may send an object
 * back unchanged.
 */
int
hg_app_viewable(struct hg_req *r, long long id, const char *field)
{
	if (hg_holds_object(r, "application", id, "view_app"))
		return 0;
	return hg_invalid(r, field, hg_printf(r->r_arena,
	    "no application with id %lld", id));
}

/* 403 unless the caller may edit application c, whose row is changing. */
int
hg_app_editable(struct hg_req *r, const struct hg_app *c, const char *what)
{
	if (hg_holds_object(r, "application", c->a_id, "edit_app"))
		return 0;
	return hg_fail(r, HG_E_PERM, "permission denied: edit_app on "
	    "application %lld needed to %s it", c->a_id, what);
}

/*
 * The audit row of application a: `<what> application "full" (id N)`,
 * then the changes of detail (hg_audit_change) when there are any.
 */
int
hg_app_audit(struct hg_req *r, const struct hg_app *a, const char *op,
    const char *what, const char *detail)
{
	int some = detail != NULL && *detail != '\0';

	return hg_audit(r, "app", a->a_id, a->a_full, op, hg_printf(r->r_arena,
	    "%s application \"%s\" (id %lld)%s%s", what, a->a_full, a->a_id,
	    some ? ": " : "", some ? detail : ""));
}

/* An object a change names, as an audit detail writes it. */
const char *
hg_app_named(struct hg_req *r, const char *name, long long id)
{
	return hg_printf(r->r_arena, "%s (id %lld)", name, id);
}

/* The name of item i of a body array: "[i].id" or "prefix[i]". */
const char *
hg_app_item(struct hg_req *r, const char *prefix, size_t i)
{
	return prefix == NULL ? hg_printf(r->r_arena, "[%zu].id", i) :
	    hg_printf(r->r_arena, "%s[%zu]", prefix, i);
}

int
hg_app_id_in(long long id, const long long *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* ---- the body ------------------------------------------------------------ */

static const char *
check_app_name(const char *s)
{
	if (strchr(s, '.') != NULL)
		return "must not contain '.'";
	return hg_check_noctl(s);
}

/* POST's body; PATCH takes the same fields, each optional. */
enum { AF_NAME, AF_DESC, AF_TYPE, AF_RUNUSER, AF_DIR, AF_START, AF_STOP,
	AF_STDOUT, AF_STDERR, AF_PID, AF_PARENT, AF_PROD, AF_CHILDREN,
	AF_REQUIRED, AF_PERSONS, AF__MAX };

/* A text column of its own name, written by PATCH as it is (f_col). */
#define TEXT(name, max)	{ name, HG_V_STR, 0, 0, max, \
			    .f_check = hg_check_noctl, .f_col = name }

/* The seed takes the id lists' items as N or {"id": N}, even mixed. */
static const struct hg_field app_fields[AF__MAX] = {
	[AF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = check_app_name },
	[AF_DESC] = { "description", HG_V_STR, 0, 0, 1024,
	    .f_col = "description" },
	[AF_TYPE] = TEXT("application_type", 64),
	[AF_RUNUSER] = { "run_user", HG_V_STR, 0, 0, 64,
	    .f_alias = { "run_users" }, .f_check = hg_check_noctl,
	    .f_col = "run_user" },
	[AF_DIR] = TEXT("directory", 1024),
	[AF_START] = TEXT("startup_cmd", 1024),
	[AF_STOP] = TEXT("stop_cmd", 1024),
	[AF_STDOUT] = TEXT("stdout_path", 1024),
	[AF_STDERR] = TEXT("stderr_path", 1024),
	[AF_PID] = TEXT("pid_path", 1024),
	[AF_PARENT] = { "parent_app", HG_V_INT, HG_V_NULLABLE, 1, HG_APP_ID_MAX,
	    .f_alias = { "parent_id" } },
	[AF_PROD] = { "production", HG_V_INT, HG_V_NULLABLE, 1, HG_APP_ID_MAX,
	    .f_alias = { "production_id" } },
	[AF_CHILDREN] = { "child_apps", HG_V_IDS, HG_V_BAREID, 0, 1000 },
	[AF_REQUIRED] = { "required_apps", HG_V_IDS, HG_V_BAREID, 0, 1000 },
	[AF_PERSONS] = { "response_persons", HG_V_IDS, HG_V_BAREID, 0, 1000,
	    .f_alias = { "response_person" } },
};

/* The Application column each text field (f_col) writes, for its audit. */
static const int text_col[AF__MAX] = {
	[AF_DESC] = HG_AC_DESC, [AF_TYPE] = HG_AC_TYPE,
	[AF_RUNUSER] = HG_AC_RUNUSER, [AF_DIR] = HG_AC_DIR,
	[AF_START] = HG_AC_START, [AF_STOP] = HG_AC_STOP,
	[AF_STDOUT] = HG_AC_STDOUT, [AF_STDERR] = HG_AC_STDERR,
	[AF_PID] = HG_AC_PID,
};

/* A text field's value for INSERT: "" when not given. */
static const char *
text(const struct hg_val *v, int k)
{
	return v[k].s != NULL ? v[k].s : "";
}

/*
 * The "type" of each response person of a body (the ids are declared,
 * HG_V_IDS): an object's type, "" when it is not a string (refused later,
 * naming the item), NULL for a bare id or an object without one.
 */
static const char **
person_types(struct hg_req *r, const struct hg_val *v)
{
	const char	**types;
	json_object	 *item, *t;
	size_t		  i;

	types = hg_alloc(r->r_arena, sizeof(*types) * (v->nitems + 1));
	for (i = 0; i < v->nitems; i++) {
		item = json_object_array_get_idx(v->j, i);
		if (json_object_is_type(item, json_type_object) &&
		    json_object_object_get_ex(item, "type", &t))
			types[i] = json_object_is_type(t, json_type_string) ?
			    json_object_get_string(t) : "";
	}
	return types;
}

/* The array fields of a create or PATCH body, replacing what a had. */
static int
apply_arrays(struct hg_req *r, struct hg_app *a, const char **detail)
{
	const struct hg_val	*v = r->r_in;
	int			 rc;

	if (v[AF_CHILDREN].present && (rc = hg_app_children_set(r, a,
	    v[AF_CHILDREN].ids, v[AF_CHILDREN].nitems, 1, "child_apps",
	    detail)) != 0)
		return rc;
	if (v[AF_REQUIRED].present && (rc = hg_app_deps_set(r, a,
	    v[AF_REQUIRED].ids, v[AF_REQUIRED].nitems, 1, "required_apps",
	    detail)) != 0)
		return rc;
	if (v[AF_PERSONS].present && (rc = hg_app_persons_set(r, a,
	    v[AF_PERSONS].ids, person_types(r, &v[AF_PERSONS]),
	    v[AF_PERSONS].nitems, 1, "response_persons", detail)) != 0)
		return rc;
	return 0;
}

/* ---- productions ----------------------------------------------------- */

/*
 * Production id (text, NULL: none) as an audit detail names it, into
 * *out (NULL for none); 10002 on production when there is no such one.
 */
static int
production_named(struct hg_req *r, const char *id, const char **out)
{
	struct hg_rows	*rs;
	int		 rc;

	*out = NULL;
	if (id == NULL)
		return 0;
	if ((rc = hg_sql(r, &rs, "SELECT name FROM productions WHERE id = ?i",
	    hg_atoll(id))) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, "production", hg_printf(r->r_arena,
		    "no production with id %s", id));
	*out = hg_printf(r->r_arena, "%s (id %s)", HG_CELL(rs, 0, 0), id);
	return 0;
}

/*
 * Putting an application into a production or taking it out is adding
 * applications to a production (API.md section 6): it needs add_business,
 * whichever path asks for it, on top of the application's own permission.
 */
static int
production_allowed(struct hg_req *r)
{
	int rc;

	if ((rc = hg_perm_module(r, "resource", "add_business")) < 0)
		return r->r_err;
	if (rc == 0)
		return hg_fail(r, HG_E_PERM, "permission denied: "
		    "resource.add_business needed to change the production of "
		    "an application");
	return 0;
}

static const char *
idstr(struct hg_req *r, long long id)
{
	return id > 0 ? hg_printf(r->r_arena, "%lld", id) : NULL;
}

/* ---- create, get, update, delete -------------------------------------- */

/* POST /applications/ */
static int
app_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_app		 a, p;
	json_object		*out;
	const char		*d = "", *prod = NULL, *pname;
	size_t			 k;
	int			 rc;

	if ((rc = hg_app_lock(r)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.a_name = a.a_full = v[AF_NAME].s;
	if (v[AF_PARENT].present && !v[AF_PARENT].null) {
		if ((rc = hg_app_load(r, v[AF_PARENT].i, &p,
		    "parent_app")) != 0 ||
		    (rc = hg_app_viewable(r, p.a_id, "parent_app")) != 0)
			return rc;
		a.a_parent = p.a_id;
		a.a_depth = p.a_depth + 1;
		a.a_full = hg_printf(r->r_arena, "%s.%s", p.a_full, a.a_name);
		hg_audit_change(r, &d, "parent_app", NULL,
		    hg_app_named(r, p.a_full, p.a_id));
	}
	if (hg_utf8_len(a.a_full) > HG_APP_FULL_MAX)
		return hg_invalid(r, "name", hg_printf(r->r_arena, "would make "
		    "a full name longer than %d characters", HG_APP_FULL_MAX));
	if (v[AF_PROD].present && !v[AF_PROD].null) {
		prod = idstr(r, v[AF_PROD].i);
		if ((rc = production_allowed(r)) != 0 ||
		    (rc = production_named(r, prod, &pname)) != 0)
			return rc;
		hg_audit_change(r, &d, "production", NULL, pname);
	}
	for (k = 0; k < AF__MAX; k++)
		if (app_fields[k].f_col != NULL && *text(v, (int)k) != '\0')
			hg_audit_change(r, &d, app_fields[k].f_name, NULL,
			    v[k].s);
	if ((rc = hg_sql_exec(r, "INSERT INTO applications (name, full_name, "
	    "parent_id, production_id, depth, description, application_type, "
	    "run_user, directory, startup_cmd, stop_cmd, stdout_path, "
	    "stderr_path, pid_path) VALUES (?s, ?s, NULLIF(?i, 0), ?s, ?i, ?s, "
	    "?s, ?s, ?s, ?s, ?s, ?s, ?s, ?s)", a.a_name, a.a_full, a.a_parent,
	    prod, a.a_depth, text(v, AF_DESC),
	    text(v, AF_TYPE), text(v, AF_RUNUSER), text(v, AF_DIR),
	    text(v, AF_START), text(v, AF_STOP), text(v, AF_STDOUT),
	    text(v, AF_STDERR), text(v, AF_PID))) != 0) {
		if (rc == HG_E_CONFLICT)
			return hg_fail(r, rc, "an application named \"%s\" "
			    "already exists", a.a_full);
		return rc;
	}
	a.a_id = hg_sql_insert_id(r);
	if ((rc = apply_arrays(r, &a, &d)) != 0 ||
	    (rc = hg_app_audit(r, &a, "add", "created", d)) != 0 ||
	    (rc = hg_app_object(r, a.a_id, &out)) != 0)
		return rc;
	return hg_reply(r, 201, out);
}

/* GET /applications/{id}/ */
static int
app_get(struct hg_req *r)
{
	json_object	*out;
	int		 rc;

	if ((rc = hg_app_object(r, r->r_ids[0], &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

/*
 * PATCH /applications/{id}/: the body's fields; name and parent_app move
 * the subtree (hg_app_place), the arrays replace.  The text fields are
 * written by hg_sql_patch (their f_col).
 */
static int
app_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	struct hg_app		 a;
	json_object		*out;
	const char		*d = "", *name, *was, *now, *oldp, *newp;
	long long		 parent;
	size_t			 k;
	int			 rc;

	if ((rc = hg_app_begin(r, &a)) != 0 ||
	    (rc = hg_sql(r, &old, "SELECT " HG_APP_COLS_WITH("NULL") " FROM "
	    "applications a WHERE a.id = ?i", a.a_id)) != 0)
		return rc;
	name = v[AF_NAME].present ? v[AF_NAME].s : a.a_name;
	parent = !v[AF_PARENT].present ? a.a_parent :
	    v[AF_PARENT].null ? 0 : v[AF_PARENT].i;
	if (parent != 0 && parent != a.a_parent &&
	    (rc = hg_app_viewable(r, parent, "parent_app")) != 0)
		return rc;
	if ((rc = hg_app_place(r, &a, parent, name, v[AF_PARENT].present ?
	    "parent_app" : "name", &d)) != 0)
		return rc;
	if (v[AF_PROD].present) {
		now = v[AF_PROD].null ? NULL : idstr(r, v[AF_PROD].i);
		was = HG_CELL(old, 0, HG_AC_PROD);
		if ((now == NULL ? was != NULL : was == NULL ||
		    strcmp(now, was) != 0) && (rc = production_allowed(r)) != 0)
			return rc;
		if ((rc = production_named(r, was, &oldp)) != 0 ||
		    (rc = production_named(r, now, &newp)) != 0)
			return rc;
		hg_audit_change(r, &d, "production", oldp, newp);
		if ((rc = hg_sql_exec(r, "UPDATE applications SET production_id "
		    "= ?s WHERE id = ?i", now, a.a_id)) != 0)
			return rc;
	}
	for (k = 0; k < AF__MAX; k++)
		if (app_fields[k].f_col != NULL)
			hg_audit_changed(r, &d, app_fields[k].f_name,
			    HG_CELL(old, 0, text_col[k]), &v[k]);
	if ((rc = hg_sql_patch(r, "applications", a.a_id)) != 0 ||
	    (rc = apply_arrays(r, &a, &d)) != 0)
		return rc;
	if (*d != '\0' &&
	    (rc = hg_app_audit(r, &a, "update", "updated", d)) != 0)
		return rc;
	if ((rc = hg_app_object(r, a.a_id, &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

/*
 * DELETE /applications/{id}/: refused (409) while it has children or
 * instances.
 */
static int
app_delete(struct hg_req *r)
{
	struct hg_rows	*rs;
	struct hg_app	 a;
	long long	 nchild, ninst;
	int		 rc;

	if ((rc = hg_app_begin(r, &a)) != 0 ||
	    (rc = hg_sql(r, &rs, "SELECT (SELECT COUNT(*) FROM applications "
	    "WHERE parent_id = ?i), (SELECT COUNT(*) FROM app_instances WHERE "
	    "app_id = ?i)", a.a_id, a.a_id)) != 0)
		return rc;
	nchild = hg_atoll(HG_CELL(rs, 0, 0));
	ninst = hg_atoll(HG_CELL(rs, 0, 1));
	if (nchild > 0)
		return hg_fail(r, HG_E_CONFLICT, "application \"%s\" still has "
		    "%lld child applications", a.a_full, nchild);
	if (ninst > 0)
		return hg_fail(r, HG_E_CONFLICT, "application \"%s\" still has "
		    "%lld instances", a.a_full, ninst);
	if ((rc = hg_sql_exec(r, "DELETE FROM applications WHERE id = ?i",
	    a.a_id)) != 0)
		return rc == HG_E_CONFLICT ? hg_fail(r, rc,
		    "application is still referenced") : rc;
	if ((rc = hg_app_audit(r, &a, "delete", "deleted", NULL)) != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_applications[] = {
	ROUTE("POST", "/applications", app_create,
	    PERM_MODULE("application", "create_app"), BODY(app_fields),
	    AUDIT("app")),
	ROUTE("GET", "/applications/{id}", app_get, PERM_APP("view_app")),
	ROUTE("PATCH", "/applications/{id}", app_patch, PERM_APP("edit_app"),
	    PATCH(app_fields), AUDIT("app"), SUCCESS),
	ROUTE("DELETE", "/applications/{id}", app_delete,
	    PERM_APP("delete_app"), AUDIT("app")),
	ROUTES_END
};
