/*
 * deploy_freezes.c -- /application/deploy-freezes/: change-freeze windows
 * (issue 11, beyond the seed).  While UTC now is in [starts, ends), a
 * freeze refuses to start the deploy tasks of the applications it covers
 * (deploy_tasks.c's start), unless a superuser starts one with
 * override_reason, which is audited in the freeze's trail and the
 * application's.
 *
 * A freeze with neither applications nor productions covers every
 * application; otherwise it covers each listed application with its
 * descendants (full_name below it) and every application of a listed
 * production.  Superusers create, change and delete freezes; anyone with
 * the application module may read them, so that a deployer can see why a
 * start is refused.  Changes are audited as kind "deploy_freeze"
 * (/audit/deploy-freeze-operations/).
 */
#include <string.h>

#include "hangard.h"
#include "timefmt.h"
#include "deploy/dtask.h"

#define FREEZE_COLS(X) \
	X(FC_ID,	"id",		"f.id",		INT)	\
	X(FC_NAME,	"name",		"f.name",	STR)	\
	X(FC_STARTS,	"starts",	"f.starts",	TIME)	\
	X(FC_ENDS,	"ends",		"f.ends",	TIME)	\
	X(FC_REASON,	"reason",	"f.reason",	STR)	\
	X(FC_APPS,	"applications",	"(SELECT JSON_ARRAYAGG(JSON_OBJECT(" \
	    "'id', a.id, 'full_name', a.full_name) ORDER BY a.id) FROM "     \
	    "deploy_freeze_apps x JOIN applications a ON a.id = x.app_id "   \
	    "WHERE x.freeze_id = f.id)", JSON)				\
	X(FC_PRODS,	"productions",	"(SELECT JSON_ARRAYAGG(JSON_OBJECT(" \
	    "'id', p.id, 'name', p.name) ORDER BY p.id) FROM "		\
	    "deploy_freeze_productions y JOIN productions p ON "	\
	    "p.id = y.production_id WHERE y.freeze_id = f.id)", JSON)	\
	X(FC_ACTIVE,	"active",	"(f.starts <= UTC_TIMESTAMP() AND " \
	    "f.ends > UTC_TIMESTAMP())", BOOL)				\
	X(FC_CREATOR,	"creator",	"f.creator",	STR)	\
	X(FC_CREATED,	"created_time",	"f.created_time", TIME)
enum { FREEZE_COLS(HG_COL_ENUM) FC__MAX };
static const struct hg_col freeze_cols[] = { FREEZE_COLS(HG_COL_DECL) };
#define FREEZE_SELECT "SELECT " FREEZE_COLS(HG_COL_SQL)

/*
 * The body of POST; PATCH takes the same, each optional.  applications
 * and productions are id lists ([{"id": N}] or [N]); given, they replace
 * the freeze's.
 */
enum { FF_NAME, FF_STARTS, FF_ENDS, FF_REASON, FF_APPS, FF_PRODS, FF__MAX };
static const struct hg_field freeze_fields[FF__MAX] = {
	[FF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[FF_STARTS] = { "starts", HG_V_TIME, HG_V_REQUIRED },
	[FF_ENDS] = { "ends", HG_V_TIME, HG_V_REQUIRED },
	[FF_REASON] = { "reason", HG_V_STR, 0, 0, 1024, .f_col = "reason" },
	[FF_APPS] = { "applications", HG_V_IDS, HG_V_BAREID, 0, 1000 },
	[FF_PRODS] = { "productions", HG_V_IDS, HG_V_BAREID, 0, 1000 },
};

enum { FQ_NAME, FQ_ACTIVE, FQ__MAX };
static const struct hg_field list_q[FQ__MAX] = {
	[FQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[FQ_ACTIVE] = { "active", HG_V_BOOL, 0 },
};

static json_object *
freeze_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, freeze_cols, rs, i);
}

static int
freeze_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "deploy freeze", id, lock ? FREEZE_SELECT
	    HG_NOCOUNT " FROM deploy_freezes f WHERE f.id = ?i FOR UPDATE" :
	    FREEZE_SELECT HG_NOCOUNT " FROM deploy_freezes f WHERE f.id = ?i");
}

/* ---- for deploy_tasks.c (dtask.h) ------------------------------------- */

int
dt_freeze_find(struct hg_req *r, long long app, struct dt_freeze *f)
{
	struct hg_rows	*rs;

	if (hg_sql(r, &rs, "SELECT f.id, f.name, f.ends FROM deploy_freezes f "
	    "JOIN applications a ON a.id = ?i WHERE f.starts <= "
	    "UTC_TIMESTAMP() AND f.ends > UTC_TIMESTAMP() AND ("
	    "(NOT EXISTS (SELECT 1 FROM deploy_freeze_apps x WHERE "
	    "x.freeze_id = f.id) AND NOT EXISTS (SELECT 1 FROM "
	    "deploy_freeze_productions y WHERE y.freeze_id = f.id)) OR "
	    "EXISTS (SELECT 1 FROM deploy_freeze_apps x JOIN applications fa "
	    "ON fa.id = x.app_id WHERE x.freeze_id = f.id AND (fa.id = a.id OR "
	    "LEFT(a.full_name, CHAR_LENGTH(fa.full_name) + 1) = "
	    "CONCAT(fa.full_name, '.'))) OR "
	    "EXISTS (SELECT 1 FROM deploy_freeze_productions y WHERE "
	    "y.freeze_id = f.id AND y.production_id = a.production_id)) "
	    "ORDER BY f.ends DESC, f.id LIMIT 1", app) != 0)
		return -1;
	if (rs->nrows == 0)
		return 0;
	f->f_id = hg_atoll(HG_CELL(rs, 0, 0));
	f->f_name = HG_CELL(rs, 0, 1);
	f->f_ends = json_object_get_string(hg_own(r,
	    hg_jtime(r, HG_CELL(rs, 0, 2))));
	return 1;
}

int
dt_freeze_overridden(struct hg_req *r, const struct dt_freeze *f,
    long long task, const char *app, const char *reason)
{
	return hg_audit(r, "deploy_freeze", f->f_id, f->f_name, "override",
	    hg_printf(r->r_arena, "overridden by deploy task %lld of "
	    "application \"%s\": %s", task, app, reason));
}

/* ---- handlers ---------------------------------------------------------- */

/*
 * Replace the freeze's applications (apps) or productions by v's ids;
 * 10002 naming the first id that is no such object.
 */
static int
ids_store(struct hg_req *r, long long id, const struct hg_val *v, int apps)
{
	const char	*list = apps ? "applications" : "productions";
	size_t		 i;
	int		 rc;

	for (i = 0; i < v->nitems; i++)
		if ((rc = hg_sql_get(r, NULL, list, v->ids[i], apps ?
		    "SELECT id FROM applications WHERE id = ?i" :
		    "SELECT id FROM productions WHERE id = ?i")) != 0)
			return rc != HG_E_NOTFOUND ? rc : hg_invalid(r,
			    hg_printf(r->r_arena, "%s[%zu]", list, i),
			    hg_printf(r->r_arena, "no %s with id %lld", apps ?
			    "application" : "production", v->ids[i]));
	if ((rc = hg_sql_exec(r, apps ? "DELETE FROM deploy_freeze_apps WHERE "
	    "freeze_id = ?i" : "DELETE FROM deploy_freeze_productions WHERE "
	    "freeze_id = ?i", id)) != 0)
		return rc;
	for (i = 0; i < v->nitems; i++)
		if ((rc = hg_sql_exec(r, apps ? "INSERT IGNORE INTO "
		    "deploy_freeze_apps (freeze_id, app_id) VALUES (?i, ?i)" :
		    "INSERT IGNORE INTO deploy_freeze_productions (freeze_id, "
		    "production_id) VALUES (?i, ?i)", id, v->ids[i])) != 0)
			return rc;
	return 0;
}

/* The lists as the audit reads them: "applications: [1, 2]". */
static void
lists_changes(struct hg_req *r, const char **d, struct hg_rows *old,
    struct hg_rows *new)
{
	static const int cols[] = { FC_APPS, FC_PRODS };
	size_t i;

	for (i = 0; i < HG_NELEM(cols); i++)
		hg_audit_change(r, d, freeze_cols[cols[i]].c_name,
		    old ? HG_CELL(old, 0, cols[i]) : NULL,
		    new ? HG_CELL(new, 0, cols[i]) : NULL);
}

/* Reply with freeze id as it is now, audited as created or updated. */
static int
freeze_reply(struct hg_req *r, long long id, int status, struct hg_rows *old)
{
	struct hg_rows	*rs;
	const char	*d = "";
	int		 rc, c;

	if ((rc = freeze_load(r, id, 0, &rs)) != 0)
		return rc;
	if (HG_CELL(rs, 0, FC_ENDS) != NULL &&
	    strcmp(HG_CELL(rs, 0, FC_ENDS), HG_CELL(rs, 0, FC_STARTS)) <= 0)
		return hg_invalid(r, "ends", "must be after starts");
	for (c = FC_NAME; c <= FC_REASON; c++)
		hg_audit_change(r, &d, freeze_cols[c].c_name,
		    old ? HG_CELL(old, 0, c) : NULL, HG_CELL(rs, 0, c));
	lists_changes(r, &d, old, rs);
	if ((rc = hg_audit(r, NULL, id, HG_CELL(rs, 0, FC_NAME), old == NULL ?
	    "add" : "update", hg_printf(r->r_arena, "%s deploy freeze \"%s\": "
	    "%s", old == NULL ? "created" : "updated", HG_CELL(old ? old : rs,
	    0, FC_NAME), *d != '\0' ? d : "nothing changed"))) != 0)
		return rc;
	return hg_reply(r, status, freeze_json(r, rs, 0));
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "deploy freeze name \"%s\" is taken",
		    r->r_in[FF_NAME].s);
	return rc;
}

/* The body's time field as a DATETIME, or NULL when absent. */
static const char *
when(struct hg_req *r, int field)
{
	char buf[20];

	if (!r->r_in[field].present)
		return NULL;
	hg_time_db((time_t)r->r_in[field].i, buf);
	return hg_strdup(r->r_arena, buf);
}

/* POST /application/deploy-freezes/ */
static int
freeze_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	long long		 id;
	int			 rc;

	if ((rc = name_taken(r, hg_sql_exec(r, "INSERT INTO deploy_freezes "
	    "(name, starts, ends, reason, creator) VALUES (?s, ?s, ?s, ?s, ?s)",
	    v[FF_NAME].s, when(r, FF_STARTS), when(r, FF_ENDS),
	    v[FF_REASON].present ? v[FF_REASON].s : "",
	    r->r_user->u_username))) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	if ((rc = ids_store(r, id, &v[FF_APPS], 1)) != 0 ||
	    (rc = ids_store(r, id, &v[FF_PRODS], 0)) != 0)
		return rc;
	return freeze_reply(r, id, 201, NULL);
}

/* GET /application/deploy-freezes/{id}/ */
static int
freeze_get(struct hg_req *r)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = freeze_load(r, r->r_ids[0], 0, &rs)) != 0)
		return rc;
	return hg_reply(r, 200, freeze_json(r, rs, 0));
}

/* PATCH /application/deploy-freezes/{id}/ */
static int
freeze_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	long long		 id = r->r_ids[0];
	int			 rc;

	if ((rc = freeze_load(r, id, 1, &old)) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "deploy_freezes", id))) != 0)
		return rc;
	if (v[FF_STARTS].present && (rc = hg_sql_exec(r, "UPDATE "
	    "deploy_freezes SET starts = ?s WHERE id = ?i", when(r, FF_STARTS),
	    id)) != 0)
		return rc;
	if (v[FF_ENDS].present && (rc = hg_sql_exec(r, "UPDATE "
	    "deploy_freezes SET ends = ?s WHERE id = ?i", when(r, FF_ENDS),
	    id)) != 0)
		return rc;
	if (v[FF_APPS].present && (rc = ids_store(r, id, &v[FF_APPS], 1)) != 0)
		return rc;
	if (v[FF_PRODS].present && (rc = ids_store(r, id, &v[FF_PRODS],
	    0)) != 0)
		return rc;
	return freeze_reply(r, id, 200, old);
}

/* DELETE /application/deploy-freezes/{id}/ */
static int
freeze_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	const char	*d = "";
	int		 rc, c;

	if ((rc = freeze_load(r, r->r_ids[0], 1, &old)) != 0)
		return rc;
	for (c = FC_NAME; c <= FC_REASON; c++)
		hg_audit_change(r, &d, freeze_cols[c].c_name,
		    HG_CELL(old, 0, c), NULL);
	lists_changes(r, &d, old, NULL);
	if ((rc = hg_sql_exec(r, "DELETE FROM deploy_freezes WHERE id = ?i",
	    r->r_ids[0])) != 0 ||
	    (rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(old, 0, FC_NAME),
	    "delete", hg_printf(r->r_arena, "deleted deploy freeze \"%s\": %s",
	    HG_CELL(old, 0, FC_NAME), d))) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* GET /application/deploy-freezes/?name=&active= */
static int
freeze_list(struct hg_req *r)
{
	const struct hg_val	*v = r->r_qv;
	const char		*active = NULL;

	if (v[FQ_ACTIVE].present)
		active = v[FQ_ACTIVE].i ? "1" : "0";
	return hg_list(r, freeze_json, FREEZE_SELECT "COUNT(*) OVER () FROM "
	    "deploy_freezes f WHERE f.name LIKE COALESCE(?s, '%') AND "
	    "(?s IS NULL OR (f.starts <= UTC_TIMESTAMP() AND "
	    "f.ends > UTC_TIMESTAMP()) = ?s) ORDER BY f.id DESC "
	    "LIMIT ?i OFFSET ?i", hg_like(r, &v[FQ_NAME]), active, active);
}

#define READ	PERM_MODULE("application", "enable_app_mgmt")

const struct hg_route hg_routes_deploy_freezes[] = {
	ROUTE("GET", "/applications/deploy-freezes", freeze_list, READ,
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/applications/deploy-freezes", freeze_create,
	    PERM_SUPER, BODY(freeze_fields), AUDIT("deploy_freeze")),
	ROUTE("GET", "/applications/deploy-freezes/{id}", freeze_get, READ),
	ROUTE("PATCH", "/applications/deploy-freezes/{id}", freeze_patch,
	    PERM_SUPER, PATCH(freeze_fields), AUDIT("deploy_freeze")),
	ROUTE("DELETE", "/applications/deploy-freezes/{id}", freeze_delete,
	    PERM_SUPER, AUDIT("deploy_freeze")),
	ROUTES_END
};
