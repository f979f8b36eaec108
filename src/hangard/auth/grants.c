/*
 * grants.c -- granting and revoking permissions on objects (the seed's
 * 系统授权 section, paths as API.md section 3 fixes them), and their audit.
 *
 * Subjects are users or roles; resources are applications or hosts.  One
 * set of functions serves all four combinations, which the route's
 * argument names (struct authz).  A grant changes only what the body
 * names: true grants, false revokes, omitted keys are unchanged.  A
 * non-superuser may grant or revoke on an object only bits it holds itself
 * there, and needs edit_app / edit_host on it; anything else is refused
 * before any row changes.  Every actual change writes one authz_audit row
 * in the same transaction.  Module grants are module_grants.c's; the
 * listings of authz_audit are audit/operations.c's.
 */
#include <stdint.h>
#include <string.h>

#include "auth.h"

/*
 * An entry of a subject's grants, GET /users|roles/{id}/<kind>/perms/:
 * the object, under its kind's name key, and the perms (not a column: an
 * object of every perm of the kind, bits_json).
 */
#define ENTRY_COLS(X, namekey, namesql) \
	X(EC_ID,	"id",		"x.resource_id",	INT)	\
	X(EC_NAME,	namekey,	namesql,		STR)	\
	X(EC_PERMS,	"permission",	"GROUP_CONCAT(x.perm)",	NONE)
enum { ENTRY_COLS(HG_COL_ENUM, "", "") EC__MAX };

/* ... and their query: each kind filters by its own name. */
enum { GQ_APP, GQ_HOST, GQ__MAX };
static const struct hg_field grants_q[GQ__MAX] = {
	[GQ_APP] = { "app_name", HG_V_STR, 0, 0, 1024 },
	[GQ_HOST] = { "hostname", HG_V_STR, 0, 0, 128 },
};

/* The grants of subject (type, id) on the kind's objects the caller sees. */
#define ENTRIES_SQL(type, view, table, namesql) "SELECT " \
	ENTRY_COLS(HG_COL_SQL, "", namesql) "COUNT(*) OVER () " \
	"FROM resource_grants x JOIN " table " ON t.id = x.resource_id " \
	"WHERE x.subject_type = ?s AND x.subject_id = ?i AND " \
	"x.resource_type = '" type "' AND " namesql " LIKE COALESCE(?s, '%') " \
	"AND " HG_VISIBLE_SQL(type, view, "x.resource_id") " GROUP BY " \
	"x.resource_id, " namesql " ORDER BY x.resource_id DESC " \
	"LIMIT ?i OFFSET ?i"

/* What grants are on. */
struct rkind {
	const char		*k_type;	/* "application" or "host" */
	const char		*k_edit;	/* perm needed to grant on one */
	const char		*k_name_sql;	/* its name, by id (?i) */
	struct hg_col		 k_cols[EC__MAX];	/* a subject's entries */
	const char		*k_entries_sql;
	int			 k_q;		/* its name's query field */
};

static const struct rkind apps = {
	"application", "edit_app",
	"SELECT full_name FROM applications WHERE id = ?i",
	{ ENTRY_COLS(HG_COL_DECL, "app_name", "") },
	ENTRIES_SQL("application", "view_app", "applications t", "t.full_name"),
	GQ_APP,
};
static const struct rkind hosts = {
	"host", "edit_host",
	"SELECT name FROM hosts WHERE id = ?i",
	{ ENTRY_COLS(HG_COL_DECL, "hostname", "") },
	ENTRIES_SQL("host", "view_host", "hosts t", "t.name"),
	GQ_HOST,
};

/*
 * Who is granted, as an object's grants show it (GET /applications|hosts/
 * {id}/authorization/users|roles/): a User, or a role's id and name, then
 * the perms.
 */
#define ROLE_REF_COLS(X) \
	X(WC_ID,	"id",		"ro.id",		INT)	\
	X(WC_NAME,	"name",		"ro.name",		STR)
enum { ROLE_REF_COLS(HG_COL_ENUM) WC__MAX };
static const struct hg_col role_cols[] = { ROLE_REF_COLS(HG_COL_DECL) };

#define PERMS_OF(join) "GROUP_CONCAT(x.perm), COUNT(*) OVER () FROM " \
	"resource_grants x JOIN " join " WHERE x.subject_type = ?s AND " \
	"x.resource_type = ?s AND x.resource_id = ?i "

/* Who is granted, by the route. */
struct skind {
	const char		*sk_type;	/* "user" or "role" */
	const struct hg_col	*sk_cols;	/* as an object's grants show it */
	size_t			 sk_ncols;	/* the perms follow */
	const char		*sk_grants_sql;	/* GET's, by (type, id) */
};

static const struct skind users = {
	"user", hg_user_cols, UC__MAX,
	HG_USER_SELECT PERMS_OF("users u ON u.id = x.subject_id")
	"GROUP BY u.id ORDER BY u.id DESC LIMIT ?i OFFSET ?i",
};
static const struct skind roles = {
	"role", role_cols, WC__MAX,
	"SELECT " ROLE_REF_COLS(HG_COL_SQL) PERMS_OF("roles ro ON "
	"ro.id = x.subject_id") "GROUP BY ro.id ORDER BY ro.id DESC "
	"LIMIT ?i OFFSET ?i",
};

/* Each route's subject and resource kinds. */
struct authz {
	const struct skind	*a_subject;
	const struct rkind	*a_res;
};
static const struct authz user_apps = { &users, &apps };
static const struct authz user_hosts = { &users, &hosts };
static const struct authz role_apps = { &roles, &apps };
static const struct authz role_hosts = { &roles, &hosts };

/* The subject of a grant: user or role id; 10008 when there is none. */
int
hg_subject_get(struct hg_req *r, const char *type, long long id,
    struct subject *s)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, type, id, strcmp(type, "user") == 0 ?
	    "SELECT username FROM users WHERE id = ?i" :
	    "SELECT name FROM roles WHERE id = ?i")) != 0)
		return rc;
	s->s_type = type;
	s->s_id = id;
	s->s_name = HG_CELL(rs, 0, 0);
	return 0;
}

/*
 * Write the authz_audit row of one grant (on) or revocation of perm to s:
 * in a module (scope "module"), or on object (rtype, rid) named rname.
 */
int
hg_authz_audit(struct hg_req *r, const char *scope, const char *module,
    const char *rtype, long long rid, const char *rname, const char *perm,
    int on, const struct subject *s)
{
	int rc;

	if ((rc = hg_audit_declared(r)) != 0)
		return rc;
	return hg_sql_exec(r, "INSERT INTO authz_audit (scope, operator, "
	    "module_name, resource_type, resource_id, resource_name, "
	    "perm_name, action, target_type, target_name) VALUES (?s, ?s, ?s, "
	    "?s, ?i, ?s, ?s, ?s, ?s, ?s)", scope, r->r_user->u_username,
	    module ? module : "", rtype ? rtype : "", rid, rname ? rname : "",
	    perm, on ? "enable" : "disable", s->s_type, s->s_name);
}

/* Display name of a resource for the audit trail ("" if it is gone). */
static int
resource_name(struct hg_req *r, const struct rkind *k, long long id,
    const char **name)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, k->k_name_sql, id)) != 0)
		return rc;
	*name = rs->nrows == 0 ? "" : HG_CELL(rs, 0, 0);
	return 0;
}

/*
 * Set one grant of s on object (k, id) to on/off; audits only when the row
 * changed.
 */
static int
set_resource(struct hg_req *r, const struct subject *s, const struct rkind *k,
    long long id, const char *perm, int on)
{
	const char	*name;
	int		 rc;

	if ((rc = hg_sql_exec(r, on ? "INSERT IGNORE INTO resource_grants "
	    "(subject_type, subject_id, resource_type, resource_id, perm) "
	    "VALUES (?s, ?i, ?s, ?i, ?s)" : "DELETE FROM resource_grants WHERE "
	    "subject_type = ?s AND subject_id = ?i AND resource_type = ?s AND "
	    "resource_id = ?i AND perm = ?s", s->s_type, s->s_id, k->k_type, id,
	    perm)) != 0)
		return rc;
	if (hg_sql_affected(r) == 0)
		return 0;
	if ((rc = resource_name(r, k, id, &name)) != 0)
		return rc;
	return hg_authz_audit(r, "resource", NULL, k->k_type, id, name, perm,
	    on, s);
}

/*
 * Check a permission object {perm: bool} against the kind's perms and the
 * caller's own holdings on object id: its keys depend on the kind, so
 * declared validation cannot judge them.  where names it for errors.
 */
static int
check_bits(struct hg_req *r, const struct rkind *k, long long id,
    json_object *bits, const char *where)
{
	struct json_object_iterator	 it, end;
	const char			*key;

	it = json_object_iter_begin(bits);
	end = json_object_iter_end(bits);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		if (hg_resource_perm(k->k_type, key) == NULL)
			return hg_fail_http(r, 400, AUTHZ_E_UNKNOWN,
			    "unknown permission %s", key);
		if (!json_object_is_type(json_object_iter_peek_value(&it),
		    json_type_boolean))
			return hg_invalid(r, hg_printf(r->r_arena, "%s.%s", where,
			    key), "must be true or false");
		/* Only bits the granter holds there, granted or revoked. */
		if (!hg_holds_object(r, k->k_type, id, key))
			return hg_fail_http(r, 403, AUTHZ_E_NOT_HELD,
			    "you do not hold %s on %s %lld", key, k->k_type, id);
	}
	return 0;
}

/* Apply a checked permission object to s's grants on (k, id). */
static int
apply_bits(struct hg_req *r, const struct subject *s, const struct rkind *k,
    long long id, json_object *bits)
{
	struct json_object_iterator	 it, end;
	int				 rc;

	it = json_object_iter_begin(bits);
	end = json_object_iter_end(bits);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if ((rc = set_resource(r, s, k, id, hg_resource_perm(k->k_type,
		    json_object_iter_peek_name(&it)),
		    json_object_get_boolean(json_object_iter_peek_value(&it)))) != 0)
			return rc;
	return 0;
}

/* {perm: bool} for every perm of the type, from a comma list of granted. */
static json_object *
bits_json(const char *type, const char *csv)
{
	const char	*perms[16];
	json_object	*o = json_object_new_object();
	size_t		 i;

	hg_resource_perms_of(type, perms);
	for (i = 0; perms[i] != NULL; i++) {
		const char	*p = csv ? strstr(csv, perms[i]) : NULL;
		size_t		 len = strlen(perms[i]);
		int		 on = 0;

		/* whole words of the comma list only */
		while (p != NULL && !on) {
			if ((p == csv || p[-1] == ',') &&
			    (p[len] == ',' || p[len] == '\0'))
				on = 1;
			else
				p = strstr(p + 1, perms[i]);
		}
		json_object_object_add(o, perms[i], json_object_new_boolean(on));
	}
	return o;
}

/* ---- a subject's grants: /users|roles/{id}/application|host/perms/ ---- */

/* POST's body: {"authorizations": [{"id": N, "permission": {...}}]} */
enum { GE_ID, GE_BITS, GE__MAX };
static const struct hg_field entry_fields[GE__MAX] = {
	[GE_ID] = { "id", HG_V_INT, HG_V_REQUIRED, 1, INT64_MAX },
	[GE_BITS] = { "permission", HG_V_OBJECT, HG_V_REQUIRED,
	    .f_alias = { "permissions" } },
};
enum { GA_AUTHZ, GA__MAX };
static const struct hg_field grant_fields[GA__MAX] = {
	[GA_AUTHZ] = { "authorizations", HG_V_ARRAY, HG_V_REQUIRED, 0, 1000,
	    HG_SUB(entry_fields) },
};

/*
 * Check every entry before changing anything, so that a refusal changes
 * nothing (the transaction would roll back anyway; this keeps the error
 * first): each object must exist, the caller must be able to edit it and
 * hold every bit it grants or revokes there.
 */
static int
check_entries(struct hg_req *r, const struct rkind *k)
{
	const struct hg_val	*a = &r->r_in[GA_AUTHZ];
	long long		 id;
	size_t			 i;
	int			 rc;

	for (i = 0; i < a->nitems; i++) {
		id = a->items[i][GE_ID].i;
		if ((rc = hg_sql_get(r, NULL, k->k_type, id,
		    k->k_name_sql)) != 0)
			return rc != HG_E_NOTFOUND ? rc : hg_invalid(r,
			    hg_printf(r->r_arena, "authorizations[%zu].id", i),
			    hg_printf(r->r_arena, "no %s with id %lld", k->k_type,
			    id));
		if ((rc = hg_perm_object(r, k->k_type, id, k->k_edit)) != 0 ||
		    (rc = check_bits(r, k, id, a->items[i][GE_BITS].j,
		    hg_printf(r->r_arena, "authorizations[%zu].permission",
		    i))) != 0)
			return rc;
	}
	return 0;
}

/* POST /users|roles/{id}/application|host/perms/: merge grants. */
static int
grants_post(struct hg_req *r)
{
	const struct authz	*az = ARGOF(r, struct authz);
	const struct hg_val	*a = &r->r_in[GA_AUTHZ];
	struct subject		 s;
	size_t			 i;
	int			 rc;

	if ((rc = hg_subject_get(r, az->a_subject->sk_type, r->r_ids[0],
	    &s)) != 0 ||
	    (rc = check_entries(r, az->a_res)) != 0)
		return rc;
	for (i = 0; i < a->nitems; i++)
		if ((rc = apply_bits(r, &s, az->a_res, a->items[i][GE_ID].i,
		    a->items[i][GE_BITS].j)) != 0)
			return rc;
	return hg_reply_ok(r);
}

static json_object *
entry_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	const struct rkind	*k = ARGOF(r, struct authz)->a_res;
	json_object		*o = hg_row_json(r, k->k_cols, EC__MAX, rs, i);

	json_object_object_add(o, "permission", bits_json(k->k_type,
	    HG_CELL(rs, i, EC_PERMS)));
	return o;
}

/*
 * GET /users|roles/{id}/application|host/perms/: one entry per object,
 * except objects the caller cannot view.
 */
static int
grants_get(struct hg_req *r)
{
	const struct authz	*az = ARGOF(r, struct authz);
	const struct rkind	*k = az->a_res;
	struct subject		 s;
	int			 rc;

	if ((rc = hg_subject_get(r, az->a_subject->sk_type, r->r_ids[0],
	    &s)) != 0)
		return rc;
	return hg_list(r, entry_json, k->k_entries_sql, s.s_type, s.s_id,
	    hg_like(r, &r->r_qv[k->k_q]),
	    (long long)hg_visible_all(r, k->k_type), r->r_user->u_id,
	    r->r_user->u_id);
}

/* ---- an object's grants: /applications|hosts/{id}/authorization/... -- */

/*
 * PATCH's body: [{"user": {"id": N}, "action": "update"|"delete",
 * "permission": {...}}], "role" for the roles' route.
 */
static const char *const actions[] = { "update", "delete", NULL };

enum { PW_ID, PW__MAX };
static const struct hg_field who_fields[PW__MAX] = {
	[PW_ID] = { "id", HG_V_INT, HG_V_REQUIRED, 1, INT64_MAX },
};
enum { PE_WHO, PE_ACTION, PE_BITS, PE__MAX };
#define PATCH_FIELDS(who) {						\
	[PE_WHO] = { who, HG_V_OBJECT, HG_V_REQUIRED, HG_SUB(who_fields) }, \
	[PE_ACTION] = { "action", HG_V_ENUM, 0, 0, 0, actions },	\
	[PE_BITS] = { "permission", HG_V_OBJECT, 0,			\
	    .f_alias = { "permissions" } },				\
}
static const struct hg_field user_patch[PE__MAX] = PATCH_FIELDS("user");
static const struct hg_field role_patch[PE__MAX] = PATCH_FIELDS("role");

/* Superusers pass every permission check: the object must still exist. */
static int
object_exists(struct hg_req *r, const struct rkind *k)
{
	return hg_sql_get(r, NULL, k->k_type, r->r_ids[0], k->k_name_sql);
}

static json_object *
object_entry_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	const struct authz	*az = ARGOF(r, struct authz);
	const struct skind	*sk = az->a_subject;
	json_object		*o = json_object_new_object();

	json_object_object_add(o, sk->sk_type, sk == &users ?
	    hg_user_json(r, rs, i) : hg_row_json(r, sk->sk_cols, sk->sk_ncols,
	    rs, i));
	json_object_object_add(o, "permission", bits_json(az->a_res->k_type,
	    HG_CELL(rs, i, sk->sk_ncols)));
	return o;
}

/* GET /applications|hosts/{id}/authorization/users|roles/ */
static int
object_grants_get(struct hg_req *r)
{
	const struct authz	*az = ARGOF(r, struct authz);
	int			 rc;

	if ((rc = object_exists(r, az->a_res)) != 0)
		return rc;
	return hg_list(r, object_entry_json, az->a_subject->sk_grants_sql,
	    az->a_subject->sk_type, az->a_res->k_type, r->r_ids[0]);
}

/*
 * Check PATCH entry i: its subject exists (s gets it), "update" gives the
 * perms, and the caller holds every bit it names.
 */
static int
patch_entry(struct hg_req *r, size_t i, struct subject *s)
{
	const struct authz	*az = ARGOF(r, struct authz);
	const struct hg_val	*e = r->r_items[i];
	const char		*where = hg_printf(r->r_arena, "[%zu]", i);
	const char		*type = az->a_subject->sk_type;
	long long		 id = e[PE_WHO].sub[PW_ID].i;
	int			 rc;

	if (!e[PE_BITS].present && (!e[PE_ACTION].present ||
	    strcmp(e[PE_ACTION].s, "update") == 0))
		return hg_invalid(r, hg_printf(r->r_arena, "%s.permission",
		    where), "is required for update");
	if ((rc = hg_subject_get(r, type, id, s)) != 0)
		return rc != HG_E_NOTFOUND ? rc : hg_invalid(r,
		    hg_printf(r->r_arena, "%s.%s.id", where, type),
		    hg_printf(r->r_arena, "no %s with id %lld", type, id));
	if (e[PE_BITS].present)
		return check_bits(r, az->a_res, r->r_ids[0], e[PE_BITS].j,
		    hg_printf(r->r_arena, "%s.permission", where));
	return 0;
}

/*
 * PATCH /applications|hosts/{id}/authorization/users|roles/: every entry
 * is checked before any changes.  "update" merges the perms given;
 * "delete" revokes every grant of the subject there that the caller holds.
 */
static int
object_grants_patch(struct hg_req *r)
{
	const struct rkind	*k = ARGOF(r, struct authz)->a_res;
	const struct hg_val	*e;
	const char		*perms[16];
	struct subject		*subs;
	size_t			 i, p;
	int			 rc;

	if ((rc = object_exists(r, k)) != 0)
		return rc;
	subs = hg_alloc(r->r_arena, sizeof(*subs) * (r->r_nitems + 1));
	for (i = 0; i < r->r_nitems; i++)
		if ((rc = patch_entry(r, i, &subs[i])) != 0)
			return rc;
	hg_resource_perms_of(k->k_type, perms);
	for (i = 0; i < r->r_nitems; i++) {
		e = r->r_items[i];
		if (!e[PE_ACTION].present ||
		    strcmp(e[PE_ACTION].s, "update") == 0) {
			if ((rc = apply_bits(r, &subs[i], k, r->r_ids[0],
			    e[PE_BITS].j)) != 0)
				return rc;
			continue;
		}
		for (p = 0; perms[p] != NULL; p++)
			if (hg_holds_object(r, k->k_type, r->r_ids[0],
			    perms[p]) && (rc = set_resource(r, &subs[i], k,
			    r->r_ids[0], perms[p], 0)) != 0)
				return rc;
	}
	return hg_reply_ok(r);
}

#define APP_GRANT	PERM_MODULE("application", "enable_app_mgmt")
#define HOST_GRANT	PERM_MODULE("resource", "enable_host_mgmt")
#define SUBJECT(pat, az, post, get) \
	ROUTE("POST", pat, grants_post, post, ARG(&az), BODY(grant_fields), \
	    AUDIT("authz")), \
	ROUTE("GET", pat, grants_get, get, ARG(&az), QUERY(grants_q), PAGED)
#define OBJECT(pat, az, perm, patch) \
	ROUTE("GET", pat, object_grants_get, perm, ARG(&az), PAGED), \
	ROUTE("PATCH", pat, object_grants_patch, perm, ARG(&az), ITEMS(patch), \
	    AUDIT("authz"))

const struct hg_route hg_routes_authz[] = {
	SUBJECT("/users/{id}/application/perms", user_apps, APP_GRANT,
	    PERM_SELF),
	SUBJECT("/roles/{id}/application/perms", role_apps, APP_GRANT,
	    PERM_SUPER),
	SUBJECT("/users/{id}/host/perms", user_hosts, HOST_GRANT, PERM_SELF),
	SUBJECT("/roles/{id}/host/perms", role_hosts, HOST_GRANT, PERM_SUPER),
	OBJECT("/applications/{id}/authorization/users", user_apps,
	    PERM_APP("edit_app"), user_patch),
	OBJECT("/applications/{id}/authorization/roles", role_apps,
	    PERM_APP("edit_app"), role_patch),
	OBJECT("/hosts/{id}/authorization/users", user_hosts,
	    PERM_HOST("edit_host"), user_patch),
	OBJECT("/hosts/{id}/authorization/roles", role_hosts,
	    PERM_HOST("edit_host"), role_patch),
	ROUTES_END
};
