/*
 * productions.c -- /productions/: the seed's 产品线 section plus create,
 * get, PATCH and delete (API.md section 4).
 *
 * An application belongs to at most one production (applications.
 * production_id): adding it to another moves it.  A change of an
 * application's production is a change of the application, so it writes
 * an "app" audit row; deleting a production leaves its applications in
 * none (the foreign key's ON DELETE SET NULL) and says so in theirs.
 */
#include <string.h>

#include "hangard.h"

#define PROD_COLS "p.id, p.name, p.description, p.created_time"

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
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "description", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 3)));
	json_object_object_add(o, "available_actions", prod_actions(r));
	return o;
}

static int
prod_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " PROD_COLS
	    " FROM productions p WHERE p.id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no production with id %lld", id);
	return hg_reply(r, status, prod_json(r, rs, 0));
}

/* Lock production {id} and fetch its name; 404 when there is none. */
static int
prod_lock(struct hg_req *r, const char **name)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT name FROM "
	    "productions WHERE id = ? FOR UPDATE", "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no production with id %lld",
		    r->r_ids[0]);
	*name = HG_CELL(rs, 0, 0);
	return 0;
}

enum { PQ_NAME, PQ__MAX };
static const struct hg_field list_q[PQ__MAX] = {
	[PQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/* GET /productions/ */
static int
prod_list(struct hg_req *r)
{
	struct hg_val	v[PQ__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, list_q, PQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	if (!v[PQ_NAME].present)
		return hg_list(r, &pg, prod_json, "SELECT " PROD_COLS ", "
		    "(SELECT n FROM row_counts WHERE tbl = 'productions') FROM "
		    "productions p ORDER BY p.id DESC LIMIT ? OFFSET ?", NULL);
	return hg_list(r, &pg, prod_json, "SELECT " PROD_COLS ", COUNT(*) OVER () "
	    "FROM productions p WHERE p.name LIKE ? ORDER BY p.id DESC "
	    "LIMIT ? OFFSET ?", "s", hg_like(r, &v[PQ_NAME]));
}

enum { PF_NAME, PF_DESC, PF__MAX };
static const struct hg_field create_fields[PF__MAX] = {
	[PF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[PF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};
static const struct hg_field patch_fields[PF__MAX] = {
	[PF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[PF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};

/* POST /productions/ */
static int
prod_create(struct hg_req *r)
{
	struct hg_val	v[PF__MAX];
	int		rc;

	if ((rc = hg_body(r, create_fields, PF__MAX, v)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "INSERT INTO productions (name, description) "
	    "VALUES (?, ?)", "ss", v[PF_NAME].s,
	    v[PF_DESC].s ? v[PF_DESC].s : "");
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "production name \"%s\" is taken",
		    v[PF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	return prod_reply(r, (long long)hg_db_insert_id(r->r_db), 201);
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
	struct hg_val	 v[PF__MAX];
	const char	*name;
	int		 rc;

	if ((rc = prod_lock(r, &name)) != 0 ||
	    (rc = hg_body(r, patch_fields, PF__MAX, v)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "UPDATE productions SET name = COALESCE(?, "
	    "name), description = COALESCE(?, description) WHERE id = ?", "ssi",
	    v[PF_NAME].s, v[PF_DESC].s, r->r_ids[0]);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "production name \"%s\" is taken",
		    v[PF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	return prod_reply(r, r->r_ids[0], 200);
}

/* Audit row for application row k of rs (id, full_name) changing production. */
static int
app_moved(struct hg_req *r, struct hg_rows *rs, int k, const char *from,
    const char *to)
{
	return hg_audit(r, "app", hg_atoll(HG_CELL(rs, k, 0)), HG_CELL(rs, k, 1),
	    "update", hg_printf(r->r_arena, "updated application \"%s\" (id %s): "
	    "production changed from %s to %s", HG_CELL(rs, k, 1),
	    HG_CELL(rs, k, 0), from, to));
}

/* DELETE /productions/{id}/: its applications are left in none. */
static int
prod_delete(struct hg_req *r)
{
	struct hg_rows	*rs;
	const char	*name, *from;
	int		 rc, k;

	if ((rc = prod_lock(r, &name)) != 0)
		return rc;
	from = hg_printf(r->r_arena, "\"%s\" (id %lld, deleted)", name,
	    r->r_ids[0]);
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT id, full_name "
	    "FROM applications WHERE production_id = ? ORDER BY id FOR UPDATE",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	for (k = 0; k < rs->nrows; k++)
		if ((rc = app_moved(r, rs, k, from, "none")) != 0)
			return rc;
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM productions WHERE id = ?",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	return hg_reply_ok(r);
}

enum { AQ_NAME, AQ__MAX };
static const struct hg_field apps_q[AQ__MAX] = {
	[AQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/* GET /productions/{id}/applications/ */
static int
prod_apps(struct hg_req *r)
{
	struct hg_val	v[AQ__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, apps_q, AQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0 ||
	    (rc = hg_exists(r, "SELECT id FROM productions WHERE id = ?",
	    r->r_ids[0], "production")) != 0)
		return rc;
	return hg_list(r, &pg, hg_app_json, "SELECT " HG_APP_COLS ", "
	    "COUNT(*) OVER () FROM applications a WHERE a.production_id = ? "
	    "AND a.name LIKE COALESCE(?, '%') AND " HG_VISIBLE_SQL("application",
	    "view_app", "a.id") " ORDER BY a.id DESC LIMIT ? OFFSET ?", "iiisiii",
	    r->r_user->u_id, r->r_user->u_id, r->r_ids[0],
	    hg_like(r, &v[AQ_NAME]), (long long)hg_visible_all(r, "application"),
	    r->r_user->u_id, r->r_user->u_id);
}

/*
 * POST and DELETE /productions/{id}/applications/ [{"id": app}, ...]:
 * POST moves each application into this production; DELETE takes out
 * those that are in it and ignores the others.  Each application named
 * must be one the caller may view (else it is refused exactly like an id
 * that does not exist), and one that moves needs edit_app: its row
 * changes (API.md section 3).
 */
static int
prod_app_change(struct hg_req *r)
{
	struct hg_rows	*rs;
	long long	*ids;
	const char	*name, *here, *from;
	size_t		 n, i;
	int		 rc, add = strcmp(r->r_method, "POST") == 0;

	if ((rc = prod_lock(r, &name)) != 0 || (rc = hg_id_list(r, &ids, &n)) != 0)
		return rc;
	here = hg_printf(r->r_arena, "\"%s\" (id %lld)", name, r->r_ids[0]);
	for (i = 0; i < n; i++) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT a.id, "
		    "a.full_name, a.production_id, p.name FROM applications a "
		    "LEFT JOIN productions p ON p.id = a.production_id "
		    "WHERE a.id = ? FOR UPDATE", "i", ids[i])) != 0)
			return hg_fail(r, rc, NULL);
		if (rs->nrows == 0 ||
		    !hg_holds_object(r, "application", ids[i], "view_app"))
			return hg_invalid(r, hg_printf(r->r_arena, "[%zu].id", i),
			    hg_printf(r->r_arena, "no application with id %lld",
			    ids[i]));
		if ((HG_CELL(rs, 0, 2) != NULL &&
		    hg_atoll(HG_CELL(rs, 0, 2)) == r->r_ids[0]) == add)
			continue;	/* already where it should be */
		if (!hg_holds_object(r, "application", ids[i], "edit_app"))
			return hg_fail(r, HG_E_PERM, "permission denied: "
			    "edit_app on application %lld needed to move it "
			    "%s production %s", ids[i], add ? "into" : "out of",
			    here);
		from = HG_CELL(rs, 0, 2) == NULL ? "none" : hg_printf(r->r_arena,
		    "\"%s\" (id %s)", HG_CELL(rs, 0, 3), HG_CELL(rs, 0, 2));
		if ((rc = hg_db_exec(r->r_db, "UPDATE applications SET "
		    "production_id = ? WHERE id = ?", "si",
		    add ? hg_printf(r->r_arena, "%lld", r->r_ids[0]) : NULL,
		    ids[i])) != 0)
			return hg_fail(r, rc, NULL);
		if ((rc = app_moved(r, rs, 0, from, add ? here : "none")) != 0)
			return rc;
	}
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_productions[] = {
	{ "GET", "/productions", prod_list,
	    PERM_MODULE("resource", "view_business"), 0 },
	{ "POST", "/productions", prod_create,
	    PERM_MODULE("resource", "add_business"), 0 },
	{ "GET", "/productions/{id}", prod_get,
	    PERM_MODULE("resource", "view_business"), 0 },
	{ "PATCH", "/productions/{id}", prod_patch,
	    PERM_MODULE("resource", "add_business"), 0 },
	{ "DELETE", "/productions/{id}", prod_delete,
	    PERM_MODULE("resource", "delete_business"), 0 },
	{ "GET", "/productions/{id}/applications", prod_apps,
	    PERM_MODULE("resource", "view_business"), 0 },
	{ "POST", "/productions/{id}/applications", prod_app_change,
	    PERM_MODULE("resource", "add_business"), 0 },
	{ "DELETE", "/productions/{id}/applications", prod_app_change,
	    PERM_MODULE("resource", "add_business"), 0 },
	{ NULL, NULL, NULL, PERM_PUBLIC, 0 }
};
