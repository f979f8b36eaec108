/*
 * app_people.c -- who and what an application has: its response persons
 * (/applications/{id}/response-person/, and the response_persons of a
 * create or PATCH body, applications.c) and its instances on hosts
 * (/applications/{id}/instances/).
 *
 * Attaching and detaching instances writes an "app" audit row
 * (attach_host, deatach_host) and one of kind "host" (attach_app,
 * deatach_app) for the host's trail, whose status follows: a host with
 * an instance is attached, one whose last instance goes is inited again.
 */
#include <string.h>

#include "auth/auth.h"
#include "cmdb/cmdb.h"

/* ---- response persons ------------------------------------------------- */

/* The Response person object: a user and its role for the application. */
#define PERSON_COLS(X) \
	X(RC_ID,	"id",		"u.id",		INT)	\
	X(RC_NAME,	"name",		"u.name",	STR)	\
	X(RC_EMAIL,	"email",	"u.email",	STR)	\
	X(RC_MOBILE,	"mobile",	"u.phone",	STR)	\
	X(RC_TYPE,	"type",		"p.type",	STR)
enum { PERSON_COLS(HG_COL_ENUM) RC__MAX };
static const struct hg_col person_cols[] = { PERSON_COLS(HG_COL_DECL) };
#define PERSON_SELECT "SELECT " PERSON_COLS(HG_COL_SQL)

static const char *const person_types[] = { "dev", "ops", "qa", "pm", NULL };

/* POST's items. */
enum { PF_ID, PF_TYPE, PF__MAX };
static const struct hg_field person_fields[PF__MAX] = {
	[PF_ID] = { "id", HG_V_INT, HG_V_REQUIRED, 1, HG_APP_ID_MAX },
	[PF_TYPE] = { "type", HG_V_ENUM, HG_V_REQUIRED, 0, 0, person_types },
};

/*
 * A response person as the caller may see it: email and mobile are null
 * but to a superuser and the person itself (hg_user_sees), or edit_app
 * on one application would read any user's contacts by naming it.
 */
static json_object *
person_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	if (!hg_user_sees(r, hg_atoll(HG_CELL(rs, i, RC_ID))))
		HG_CELL(rs, i, RC_EMAIL) = HG_CELL(rs, i, RC_MOBILE) = NULL;
	return HG_ROW(r, person_cols, rs, i);
}

static int
person_type_ok(const char *t)
{
	const char *const *p;

	for (p = person_types; *p != NULL; p++)
		if (strcmp(*p, t) == 0)
			return 1;
	return 0;
}

/* A response person as an audit detail names it: "name (id N) as type". */
static const char *
person_named(struct hg_req *r, const char *name, long long id,
    const char *type)
{
	return hg_printf(r->r_arena, "%s (id %lld)%s%s", name, id,
	    type && *type ? " as " : "", type ? type : "");
}

/*
 * Make each user of ids a response person of a with types[i] (NULL keeps
 * a present person's type; a new one gets "").  replace: and remove the
 * others.  *detail gets the changes of a's response_persons.
 */
int
hg_app_persons_set(struct hg_req *r, struct hg_app *a, const long long *ids,
    const char **types, size_t n, int replace, const char *prefix,
    const char **detail)
{
	struct hg_rows	*rs;
	const char	*field, *t, *was;
	size_t		 i;
	int		 rc, k;

	if (replace) {
		if ((rc = hg_sql(r, &rs, "SELECT u.id, u.name, p.type FROM "
		    "app_response_persons p JOIN users u ON u.id = p.user_id "
		    "WHERE p.app_id = ?i ORDER BY u.id", a->a_id)) != 0)
			return rc;
		for (k = 0; k < rs->nrows; k++) {
			long long uid = hg_atoll(HG_CELL(rs, k, 0));

			if (hg_app_id_in(uid, ids, n))
				continue;
			if ((rc = hg_sql_exec(r, "DELETE FROM "
			    "app_response_persons WHERE app_id = ?i AND "
			    "user_id = ?i", a->a_id, uid)) != 0)
				return rc;
			hg_audit_change(r, detail, "response_persons",
			    person_named(r, HG_CELL(rs, k, 1), uid,
			    HG_CELL(rs, k, 2)), NULL);
		}
	}
	for (i = 0; i < n; i++) {
		field = hg_app_item(r, prefix, i);
		t = types[i];
		if (t != NULL && !person_type_ok(t))
			return hg_invalid(r, field,
			    "type must be one of: dev, ops, qa, pm");
		if ((rc = hg_sql(r, &rs, "SELECT u.name, p.type FROM users u "
		    "LEFT JOIN app_response_persons p ON p.user_id = u.id AND "
		    "p.app_id = ?i WHERE u.id = ?i", a->a_id, ids[i])) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, field, hg_printf(r->r_arena,
			    "no user with id %lld", ids[i]));
		was = HG_CELL(rs, 0, 1);
		if (was != NULL && (t == NULL || strcmp(t, was) == 0))
			continue;
		if ((rc = hg_sql_exec(r, "INSERT INTO app_response_persons "
		    "(app_id, user_id, type) VALUES (?i, ?i, ?s) ON DUPLICATE "
		    "KEY UPDATE type = VALUES(type)", a->a_id, ids[i],
		    t ? t : "")) != 0)
			return rc;
		hg_audit_change(r, detail, "response_persons", was == NULL ?
		    NULL : person_named(r, HG_CELL(rs, 0, 0), ids[i], was),
		    person_named(r, HG_CELL(rs, 0, 0), ids[i], t));
	}
	return 0;
}

/* GET /applications/{id}/response-person/ */
static int
person_list(struct hg_req *r)
{
	int rc;

	if ((rc = hg_app_exists(r)) != 0)
		return rc;
	return hg_list(r, person_json, PERSON_SELECT "COUNT(*) OVER () FROM "
	    "app_response_persons p JOIN users u ON u.id = p.user_id WHERE "
	    "p.app_id = ?i ORDER BY u.id DESC LIMIT ?i OFFSET ?i",
	    r->r_ids[0]);
}

/*
 * POST /applications/{id}/response-person/ [{"id", "type"}, ...]: adds
 * them, or changes their type; answers with them.
 */
static int
person_add(struct hg_req *r)
{
	struct hg_rows	*rs;
	struct hg_app	 a;
	json_object	*out;
	long long	*ids;
	const char	**types, *d = "";
	size_t		 n = r->r_nitems, i;
	int		 rc, k;

	if ((rc = hg_app_begin(r, &a)) != 0)
		return rc;
	if (n == 0)
		return hg_invalid(r, "id", "at least one {\"id\", \"type\"} is "
		    "required");
	ids = hg_alloc(r->r_arena, sizeof(*ids) * n);
	types = hg_alloc(r->r_arena, sizeof(*types) * n);
	for (i = 0; i < n; i++) {
		ids[i] = r->r_items[i][PF_ID].i;
		types[i] = r->r_items[i][PF_TYPE].s;
	}
	if ((rc = hg_app_persons_set(r, &a, ids, types, n, 0, NULL, &d)) != 0 ||
	    (*d != '\0' &&
	    (rc = hg_app_audit(r, &a, "update", "updated", d)) != 0))
		return rc;
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < n; i++) {
		if ((rc = hg_sql(r, &rs, PERSON_SELECT HG_NOCOUNT " FROM "
		    "app_response_persons p JOIN users u ON u.id = p.user_id "
		    "WHERE p.app_id = ?i AND p.user_id = ?i", a.a_id,
		    ids[i])) != 0)
			return rc;
		for (k = 0; k < rs->nrows; k++)
			json_object_array_add(out, person_json(r, rs, k));
	}
	return hg_reply(r, 200, json_object_get(out));
}

/* DELETE /applications/{id}/response-person/ [{"id"}, ...] */
static int
person_remove(struct hg_req *r)
{
	struct hg_rows	*rs;
	struct hg_app	 a;
	const char	*d = "";
	size_t		 i;
	int		 rc;

	if ((rc = hg_app_begin(r, &a)) != 0 ||
	    (rc = hg_ids_exist(r, "user",
	    "SELECT id FROM users WHERE id = ?i")) != 0)
		return rc;
	for (i = 0; i < r->r_nidv; i++) {
		if ((rc = hg_sql(r, &rs, "SELECT u.name, p.type FROM users u "
		    "LEFT JOIN app_response_persons p ON p.user_id = u.id AND "
		    "p.app_id = ?i WHERE u.id = ?i", a.a_id, r->r_idv[i])) != 0 ||
		    (rc = hg_sql_exec(r, "DELETE FROM app_response_persons "
		    "WHERE app_id = ?i AND user_id = ?i", a.a_id,
		    r->r_idv[i])) != 0)
			return rc;
		if (hg_sql_affected(r) > 0)
			hg_audit_change(r, &d, "response_persons",
			    person_named(r, HG_CELL(rs, 0, 0), r->r_idv[i],
			    HG_CELL(rs, 0, 1)), NULL);
	}
	if (*d != '\0' &&
	    (rc = hg_app_audit(r, &a, "update", "updated", d)) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* ---- instances ---------------------------------------------------------- */

/* The Instance object: an application's process on a host. */
#define INSTANCE_COLS(X) \
	X(IC_ID,	"id",		"i.id",		INT)	\
	X(IC_HOSTID,	"hostid",	"i.host_id",	INT)	\
	X(IC_HOSTNAME,	"hostname",	"h.name",	STR)	\
	X(IC_STATUS,	"status",	"i.status",	STR)	\
	X(IC_VERSION,	"version",	"i.version",	STR)
enum { INSTANCE_COLS(HG_COL_ENUM) IC__MAX };
static const struct hg_col instance_cols[] = { INSTANCE_COLS(HG_COL_DECL) };
#define INSTANCE_SELECT "SELECT " INSTANCE_COLS(HG_COL_SQL)

/* POST's items: a host by id or by name. */
enum { IF_HOSTID, IF_HOSTNAME, IF__MAX };
static const struct hg_field instance_fields[IF__MAX] = {
	[IF_HOSTID] = { "hostid", HG_V_INT, 0, 1, HG_APP_ID_MAX,
	    .f_alias = { "host_id" } },
	[IF_HOSTNAME] = { "hostname", HG_V_STR, 0, 1, 128 },
};

static json_object *
instance_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, instance_cols, rs, i);
}

/* GET /applications/{id}/instances/ */
static int
instance_list(struct hg_req *r)
{
	int rc;

	if ((rc = hg_app_exists(r)) != 0)
		return rc;
	return hg_list(r, instance_json, INSTANCE_SELECT "COUNT(*) OVER () "
	    "FROM app_instances i JOIN hosts h ON h.id = i.host_id WHERE "
	    "i.app_id = ?i ORDER BY i.id DESC LIMIT ?i OFFSET ?i", r->r_ids[0]);
}

/*
 * The host item i names (id, name, status), by hostid or hostname (both:
 * they must agree), locked.  A host the caller may not view (view_host,
 * per host or module-wide) is refused exactly like one that does not
 * exist.
 */
static int
instance_host(struct hg_req *r, size_t i, struct hg_rows **rs)
{
	const struct hg_val	*v = r->r_items[i];
	const char		*field = hg_printf(r->r_arena, "[%zu].%s", i,
				    v[IF_HOSTID].present ? "hostid" : "hostname");
	int			 rc;

	if (!v[IF_HOSTID].present && !v[IF_HOSTNAME].present)
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu].hostid", i),
		    "hostid or hostname is required");
	rc = v[IF_HOSTID].present ?
	    hg_sql(r, rs, "SELECT id, name, status FROM hosts WHERE id = ?i "
	    "FOR UPDATE", v[IF_HOSTID].i) :
	    hg_sql(r, rs, "SELECT id, name, status FROM hosts WHERE name = ?s "
	    "FOR UPDATE", v[IF_HOSTNAME].s);
	if (rc != 0)
		return rc;
	if ((*rs)->nrows == 0 || !hg_holds_object(r, "host",
	    hg_atoll(HG_CELL(*rs, 0, 0)), "view_host"))
		return hg_invalid(r, field, "no such host");
	if (v[IF_HOSTID].present && v[IF_HOSTNAME].present &&
	    strcmp(v[IF_HOSTNAME].s, HG_CELL(*rs, 0, 1)) != 0)
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu].hostname", i),
		    hg_printf(r->r_arena, "host %lld is named \"%s\"",
		    v[IF_HOSTID].i, HG_CELL(*rs, 0, 1)));
	return 0;
}

/*
 * The two audit rows of instance iid of a on host h (id, name, status),
 * attached or detached; status is the host's status after, NULL when it
 * stays.
 */
static int
instance_audit(struct hg_req *r, const struct hg_app *a, long long iid,
    struct hg_rows *h, int attach, const char *status)
{
	const char	*on, *of, *da = "", *dh = "";
	long long	 hid = hg_atoll(HG_CELL(h, 0, 0));
	int		 rc;

	on = hg_printf(r->r_arena, "%lld on %s", iid,
	    hg_app_named(r, HG_CELL(h, 0, 1), hid));
	of = hg_printf(r->r_arena, "%lld of %s", iid,
	    hg_app_named(r, a->a_full, a->a_id));
	hg_audit_change(r, &da, "instances", attach ? NULL : on,
	    attach ? on : NULL);
	hg_audit_change(r, &dh, "instances", attach ? NULL : of,
	    attach ? of : NULL);
	if (status != NULL)
		hg_audit_change(r, &dh, "status", HG_CELL(h, 0, 2), status);
	if ((rc = hg_app_audit(r, a, attach ? "attach_host" : "deatach_host",
	    attach ? "attached host to" : "detached host from", da)) != 0)
		return rc;
	return hg_audit(r, "host", hid, HG_CELL(h, 0, 1), attach ?
	    "attach_app" : "deatach_app", hg_printf(r->r_arena, "%s "
	    "application \"%s\" (id %lld) %s host \"%s\": %s", attach ?
	    "attached" : "detached", a->a_full, a->a_id, attach ? "to" : "from",
	    HG_CELL(h, 0, 1), dh));
}

/*
 * POST /applications/{id}/instances/ [{"hostid"} | {"hostname"}, ...]:
 * one stopped instance per host; the host becomes attached.  Only inited
 * or attached hosts take instances (10015 otherwise).
 */
static int
instance_add(struct hg_req *r)
{
	struct hg_rows	*h, *rs;
	struct hg_app	 a;
	json_object	*out;
	size_t		 i;
	long long	 iid, hid;
	int		 rc;

	if ((rc = hg_app_begin(r, &a)) != 0)
		return rc;
	if (r->r_nitems == 0)
		return hg_invalid(r, "hostid", "at least one {\"hostid\": N} is "
		    "required");
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < r->r_nitems; i++) {
		if ((rc = instance_host(r, i, &h)) != 0)
			return rc;
		if (strcmp(HG_CELL(h, 0, 2), "inited") != 0 &&
		    strcmp(HG_CELL(h, 0, 2), "attached") != 0)
			return hg_fail(r, HG_E_STATE, "host \"%s\" is %s: only "
			    "inited or attached hosts take instances",
			    HG_CELL(h, 0, 1), HG_CELL(h, 0, 2));
		hid = hg_atoll(HG_CELL(h, 0, 0));
		if ((rc = hg_sql_exec(r, "INSERT INTO app_instances (app_id, "
		    "host_id) VALUES (?i, ?i)", a.a_id, hid)) != 0)
			return rc == HG_E_CONFLICT ? hg_fail(r, rc, "application "
			    "\"%s\" already has an instance on host \"%s\"",
			    a.a_full, HG_CELL(h, 0, 1)) : rc;
		iid = hg_sql_insert_id(r);
		if ((rc = hg_sql_exec(r, "UPDATE hosts SET status = 'attached' "
		    "WHERE id = ?i", hid)) != 0 ||
		    (rc = instance_audit(r, &a, iid, h, 1, "attached")) != 0 ||
		    (rc = hg_sql(r, &rs, INSTANCE_SELECT HG_NOCOUNT " FROM "
		    "app_instances i JOIN hosts h ON h.id = i.host_id WHERE "
		    "i.id = ?i", iid)) != 0)
			return rc;
		json_object_array_add(out, instance_json(r, rs, 0));
	}
	return hg_reply(r, 201, json_object_get(out));
}

/*
 * DELETE /applications/{id}/instances/ [{"id": instance}, ...]: a host
 * whose last instance goes returns to inited.
 */
static int
instance_remove(struct hg_req *r)
{
	struct hg_rows	*h;
	struct hg_app	 a;
	long long	 id, hid;
	size_t		 i;
	int		 rc;

	if ((rc = hg_app_begin(r, &a)) != 0)
		return rc;
	for (i = 0; i < r->r_nidv; i++) {
		id = r->r_idv[i];
		if ((rc = hg_sql(r, &h, "SELECT h.id, h.name, h.status FROM "
		    "app_instances i JOIN hosts h ON h.id = i.host_id WHERE "
		    "i.id = ?i AND i.app_id = ?i FOR UPDATE", id, a.a_id)) != 0)
			return rc;
		if (h->nrows == 0)
			return hg_invalid(r, hg_app_item(r, NULL, i), hg_printf(
			    r->r_arena, "application \"%s\" has no instance %lld",
			    a.a_full, id));
		hid = hg_atoll(HG_CELL(h, 0, 0));
		if ((rc = hg_sql_exec(r, "DELETE FROM app_instances WHERE "
		    "id = ?i", id)) != 0 ||
		    (rc = hg_sql_exec(r, "UPDATE hosts SET status = 'inited' "
		    "WHERE id = ?i AND status = 'attached' AND NOT EXISTS "
		    "(SELECT 1 FROM app_instances WHERE host_id = ?i)", hid,
		    hid)) != 0 ||
		    (rc = instance_audit(r, &a, id, h, 0, hg_sql_affected(r) > 0 ?
		    "inited" : NULL)) != 0)
			return rc;
	}
	return hg_reply_ok(r);
}

#define VIEW	PERM_APP("view_app")
#define EDIT	PERM_APP("edit_app")

const struct hg_route hg_routes_app_people[] = {
	ROUTE("GET", "/applications/{id}/response-person", person_list, VIEW,
	    PAGED),
	ROUTE("POST", "/applications/{id}/response-person", person_add, EDIT,
	    ITEMS(person_fields), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/response-person", person_remove,
	    EDIT, IDS, AUDIT("app")),
	ROUTE("GET", "/applications/{id}/instances", instance_list, VIEW, PAGED),
	ROUTE("POST", "/applications/{id}/instances", instance_add, EDIT,
	    ITEMS(instance_fields), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/instances", instance_remove, EDIT,
	    IDS, AUDIT("app")),
	ROUTES_END
};
