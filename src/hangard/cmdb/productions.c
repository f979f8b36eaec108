/*
 * productions.c -- /productions/: the seed's 产品线 section plus create,
 * get, PATCH and delete (API.md section 4).  The worked example of
 * src/hangard/README: columns, fields and routes declared, handlers that
 * only do what is particular to productions.
 *
 * An application belongs to at most one production (applications.
 * production_id): adding it to another moves it.  A change of an
 * application's production is a change of the application, so it writes
 * an "app" audit row; deleting a production leaves its applications in
 * none (the foreign key's ON DELETE SET NULL) and says so in theirs.
 */
#include "cmdb/cmdb.h"

/* The Production object. */
#define PROD_COLS(X) \
	X(PC_ID,	"id",		"p.id",			INT)	\
	X(PC_NAME,	"name",		"p.name",		STR)	\
	X(PC_DESC,	"description",	"p.description",	STR)	\
	X(PC_CREATED,	"created_time",	"p.created_time",	TIME)
enum { PROD_COLS(HG_COL_ENUM) PC__MAX };
static const struct hg_col prod_cols[] = { PROD_COLS(HG_COL_DECL) };
#define PROD_SELECT "SELECT " PROD_COLS(HG_COL_SQL)

/* POST's body; PATCH takes the same fields, each optional. */
enum { PF_NAME, PF_DESC, PF__MAX };
static const struct hg_field prod_fields[PF__MAX] = {
	[PF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[PF_DESC] = { "description", HG_V_STR, 0, 0, 1024,
	    .f_col = "description" },
};

/* GET /productions/?name= and GET /productions/{id}/applications/?name= */
enum { PQ_NAME, PQ__MAX };
static const struct hg_field name_q[PQ__MAX] = {
	[PQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/*
 * What the caller may do with a production: the module "resource"
 * permissions of API.md section 6 (productions have no per-object grants).
 */
static json_object *
prod_actions(struct hg_req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "view", json_object_new_boolean(
	    hg_perm_module(r, "resource", "view_business") == 1));
	json_object_object_add(o, "edit", json_object_new_boolean(
	    hg_perm_module(r, "resource", "add_business") == 1));
	json_object_object_add(o, "delete", json_object_new_boolean(
	    hg_perm_module(r, "resource", "delete_business") == 1));
	return o;
}

static json_object *
prod_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = HG_ROW(r, prod_cols, rs, i);

	json_object_object_add(o, "available_actions", prod_actions(r));
	return o;
}

/* Lock production id for a change; 404 if there is none. */
static int
prod_lock(struct hg_req *r, long long id, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "production", id, PROD_SELECT HG_NOCOUNT
	    " FROM productions p WHERE p.id = ?i FOR UPDATE");
}

static int
prod_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "production", id, PROD_SELECT HG_NOCOUNT
	    " FROM productions p WHERE p.id = ?i")) != 0)
		return rc;
	return hg_reply(r, status, prod_json(r, rs, 0));
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "production name \"%s\" is taken",
		    r->r_in[PF_NAME].s);
	return rc;
}

/* GET /productions/ */
static int
prod_list(struct hg_req *r)
{
	if (!r->r_qv[PQ_NAME].present)
		return hg_list(r, prod_json, PROD_SELECT "(SELECT n FROM "
		    "row_counts WHERE tbl = 'productions') FROM productions p "
		    "ORDER BY p.id DESC LIMIT ?i OFFSET ?i");
	return hg_list(r, prod_json, PROD_SELECT "COUNT(*) OVER () FROM "
	    "productions p WHERE p.name LIKE ?s ORDER BY p.id DESC "
	    "LIMIT ?i OFFSET ?i", hg_like(r, &r->r_qv[PQ_NAME]));
}

/* POST /productions/ */
static int
prod_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	int			 rc;

	if ((rc = name_taken(r, hg_sql_exec(r, "INSERT INTO productions "
	    "(name, description) VALUES (?s, ?s)", v[PF_NAME].s,
	    v[PF_DESC].s ? v[PF_DESC].s : ""))) != 0)
		return rc;
	return prod_reply(r, hg_sql_insert_id(r), 201);
}

/* GET /productions/{id}/ */
static int
prod_get(struct hg_req *r)
{
	return prod_reply(r, r->r_ids[0], 200);
}

/* PATCH /productions/{id}/ */
static int
prod_patch(struct hg_req *r)
{
	struct hg_rows	*old;
	int		 rc;

	if ((rc = prod_lock(r, r->r_ids[0], &old)) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "productions",
	    r->r_ids[0]))) != 0)
		return rc;
	return prod_reply(r, r->r_ids[0], 200);
}

/* Audit row for application row k of rs (id, full_name) changing production. */
static int
app_moved(struct hg_req *r, struct hg_rows *rs, int k, const char *from,
    const char *to)
{
	const char *d = "";

	hg_audit_change(r, &d, "production", from, to);
	return hg_audit(r, NULL, hg_atoll(HG_CELL(rs, k, 0)), HG_CELL(rs, k, 1),
	    "update", hg_printf(r->r_arena, "updated application \"%s\" (id %s): "
	    "%s", HG_CELL(rs, k, 1), HG_CELL(rs, k, 0), d));
}

/* A production as the audit names it. */
static const char *
prod_named(struct hg_req *r, const char *name, long long id, const char *how)
{
	return hg_printf(r->r_arena, "%s (id %lld%s)", name, id, how);
}

/* DELETE /productions/{id}/: its applications are left in none. */
static int
prod_delete(struct hg_req *r)
{
	struct hg_rows	*old, *rs;
	const char	*from;
	int		 rc, k;

	if ((rc = prod_lock(r, r->r_ids[0], &old)) != 0)
		return rc;
	from = prod_named(r, HG_CELL(old, 0, PC_NAME), r->r_ids[0], ", deleted");
	if ((rc = hg_sql(r, &rs, "SELECT id, full_name FROM applications WHERE "
	    "production_id = ?i ORDER BY id FOR UPDATE", r->r_ids[0])) != 0)
		return rc;
	for (k = 0; k < rs->nrows; k++)
		if ((rc = app_moved(r, rs, k, from, NULL)) != 0)
			return rc;
	if ((rc = hg_sql_exec(r, "DELETE FROM productions WHERE id = ?i",
	    r->r_ids[0])) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* GET /productions/{id}/applications/ */
static int
prod_apps(struct hg_req *r)
{
	int rc;

	if ((rc = hg_sql_get(r, NULL, "production", r->r_ids[0],
	    "SELECT id FROM productions WHERE id = ?i")) != 0)
		return rc;
	return hg_list(r, hg_app_json, "SELECT " HG_APP_COLS ", "
	    "COUNT(*) OVER () FROM applications a WHERE a.production_id = ?i "
	    "AND a.name LIKE COALESCE(?s, '%') AND "
	    HG_VISIBLE_SQL("application", "view_app", "a.id")
	    " ORDER BY a.id DESC LIMIT ?i OFFSET ?i",
	    r->r_user->u_id, r->r_user->u_id, r->r_ids[0],
	    hg_like(r, &r->r_qv[PQ_NAME]),
	    (long long)hg_visible_all(r, "application"), r->r_user->u_id,
	    r->r_user->u_id);
}

/*
 * POST and DELETE /productions/{id}/applications/ [{"id": app}, ...]:
 * POST (route argument "in") moves each application into this
 * production; DELETE takes out those that are in it and ignores the
 * others.  Each application named must be one the caller may view (else
 * it is refused exactly like an id that does not exist), and one that
 * moves needs edit_app: its row changes (API.md section 3).
 */
static int
prod_app_change(struct hg_req *r)
{
	struct hg_rows	*old, *rs;
	const char	*here, *where, *from;
	long long	 id;
	size_t		 i;
	int		 rc, add = ARGOF(r, char) != NULL;

	if ((rc = prod_lock(r, r->r_ids[0], &old)) != 0)
		return rc;
	here = prod_named(r, HG_CELL(old, 0, PC_NAME), r->r_ids[0], "");
	where = hg_printf(r->r_arena, "\"%s\" (id %lld)", HG_CELL(old, 0,
	    PC_NAME), r->r_ids[0]);
	for (i = 0; i < r->r_nidv; i++) {
		id = r->r_idv[i];
		if ((rc = hg_sql(r, &rs, "SELECT a.id, a.full_name, "
		    "a.production_id, p.name FROM applications a LEFT JOIN "
		    "productions p ON p.id = a.production_id WHERE a.id = ?i "
		    "FOR UPDATE", id)) != 0)
			return rc;
		if (rs->nrows == 0 ||
		    !hg_holds_object(r, "application", id, "view_app"))
			return hg_invalid(r, hg_printf(r->r_arena, "[%zu].id", i),
			    hg_printf(r->r_arena, "no application with id %lld",
			    id));
		if ((HG_CELL(rs, 0, 2) != NULL &&
		    hg_atoll(HG_CELL(rs, 0, 2)) == r->r_ids[0]) == add)
			continue;	/* already where it should be */
		if (!hg_holds_object(r, "application", id, "edit_app"))
			return hg_fail(r, HG_E_PERM, "permission denied: "
			    "edit_app on application %lld needed to move it "
			    "%s production %s", id, add ? "into" : "out of", where);
		from = HG_CELL(rs, 0, 2) == NULL ? NULL : prod_named(r,
		    HG_CELL(rs, 0, 3), hg_atoll(HG_CELL(rs, 0, 2)), "");
		if ((rc = hg_sql_exec(r, "UPDATE applications SET production_id "
		    "= ?s WHERE id = ?i", add ? HG_CELL(old, 0, PC_ID) : NULL,
		    id)) != 0 ||
		    (rc = app_moved(r, rs, 0, from, add ? here : NULL)) != 0)
			return rc;
	}
	return hg_reply_ok(r);
}

#define VIEW	PERM_MODULE("resource", "view_business")
#define EDIT	PERM_MODULE("resource", "add_business")

const struct hg_route hg_routes_productions[] = {
	ROUTE("GET", "/productions", prod_list, VIEW, QUERY(name_q), PAGED),
	ROUTE("POST", "/productions", prod_create, EDIT, BODY(prod_fields)),
	ROUTE("GET", "/productions/{id}", prod_get, VIEW),
	ROUTE("PATCH", "/productions/{id}", prod_patch, EDIT,
	    PATCH(prod_fields)),
	ROUTE("DELETE", "/productions/{id}", prod_delete,
	    PERM_MODULE("resource", "delete_business"), AUDIT("app")),
	ROUTE("GET", "/productions/{id}/applications", prod_apps, VIEW,
	    QUERY(name_q), PAGED),
	ROUTE("POST", "/productions/{id}/applications", prod_app_change, EDIT,
	    ARG("in"), IDS, AUDIT("app")),
	ROUTE("DELETE", "/productions/{id}/applications", prod_app_change,
	    EDIT, IDS, AUDIT("app")),
	ROUTES_END
};
