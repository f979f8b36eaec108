/*
 * authz.c -- granting and revoking permissions (the seed's 系统授权
 * section, paths as API.md section 3 fixes them), and their audit.
 *
 * Subjects are users or roles; resources are applications or hosts.  One
 * set of functions serves all four combinations, picked by the route's
 * path.  A grant changes only what the body names: true grants, false
 * revokes, omitted keys are unchanged.  A non-superuser may grant or
 * revoke on an object only bits it holds itself there, and needs edit_app /
 * edit_host on it; anything else is refused before any row changes.  Every
 * actual change writes one authz_audit row in the same transaction.
 */
#include <string.h>

#include "hangard.h"

#define E_UNKNOWN_PERM	30001	/* 400 */
#define E_NOT_HELD	30002	/* 403 */

struct subject {
	const char	*s_type;	/* "user" or "role" */
	long long	 s_id;
	const char	*s_name;
};

struct rkind {
	const char	*k_type;	/* "application" or "host" */
	const char	*k_edit;	/* perm needed to grant on one */
	const char	*k_namekey;	/* "app_name" / "hostname" in entries */
};

static const struct rkind kinds[] = {
	{ "application", "edit_app", "app_name" },
	{ "host", "edit_host", "hostname" },
};

static const struct rkind *
kind_of(struct hg_req *r)
{
	return strstr(r->r_path, "/host") != NULL ? &kinds[1] : &kinds[0];
}

/* The subject named by the path: /users/{id}/... or /roles/{id}/... */
static int
subject_of(struct hg_req *r, struct subject *s)
{
	struct hg_rows	*rs;
	int		 rc, user = strncmp(r->r_path, "/users/", 7) == 0;

	s->s_type = user ? "user" : "role";
	s->s_id = r->r_ids[0];
	rc = hg_db_query(r->r_db, r->r_arena, &rs, user ?
	    "SELECT username FROM users WHERE id = ?" :
	    "SELECT name FROM roles WHERE id = ?", "i", s->s_id);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", s->s_type,
		    s->s_id);
	s->s_name = HG_CELL(rs, 0, 0);
	return 0;
}

/* Display name of a resource for the audit trail ("" if it is gone). */
static const char *
resource_name(struct hg_req *r, const char *type, long long id)
{
	struct hg_rows *rs;

	if (hg_db_query(r->r_db, r->r_arena, &rs, strcmp(type, "host") == 0 ?
	    "SELECT name FROM hosts WHERE id = ?" :
	    "SELECT full_name FROM applications WHERE id = ?", "i", id) != 0 ||
	    rs->nrows == 0)
		return "";
	return HG_CELL(rs, 0, 0);
}

static int
audit(struct hg_req *r, const char *scope, const char *module,
    const char *rtype, long long rid, const char *perm, int grant,
    const struct subject *s)
{
	int rc;

	if ((rc = hg_db_exec(r->r_db, "INSERT INTO authz_audit (scope, operator, "
	    "module_name, resource_type, resource_id, resource_name, perm_name, "
	    "action, target_type, target_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?)", "ssssisssss", scope, r->r_user->u_username,
	    module ? module : "", rtype ? rtype : "", rid,
	    rtype ? resource_name(r, rtype, rid) : "", perm,
	    grant ? "enable" : "disable", s->s_type, s->s_name)) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}

/*
 * Set one resource grant to on/off; audits only when the row changed.
 */
static int
set_resource(struct hg_req *r, const struct subject *s, const char *type,
    long long id, const char *perm, int on)
{
	int rc;

	rc = on ? hg_db_exec(r->r_db, "INSERT IGNORE INTO resource_grants "
	    "(subject_type, subject_id, resource_type, resource_id, perm) "
	    "VALUES (?, ?, ?, ?, ?)", "sisis", s->s_type, s->s_id, type, id, perm) :
	    hg_db_exec(r->r_db, "DELETE FROM resource_grants WHERE "
	    "subject_type = ? AND subject_id = ? AND resource_type = ? AND "
	    "resource_id = ? AND perm = ?", "sisis", s->s_type, s->s_id, type,
	    id, perm);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if (hg_db_affected(r->r_db) == 0)
		return 0;
	return audit(r, "resource", NULL, type, id, perm, on, s);
}

/*
 * Check a permission object {perm: bool} against the type's perms and the
 * caller's own holdings on object id.  Returns 0, or the error.
 */
static int
check_bits(struct hg_req *r, const char *type, long long id, json_object *bits,
    const char *where)
{
	struct json_object_iterator	 it, end;
	const char			*key;
	json_object			*v;

	if (!json_object_is_type(bits, json_type_object))
		return hg_invalid(r, where, "must be an object of perm: bool");
	it = json_object_iter_begin(bits);
	end = json_object_iter_end(bits);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		v = json_object_iter_peek_value(&it);
		if (hg_resource_perm(type, key) == NULL)
			return hg_fail_http(r, 400, E_UNKNOWN_PERM,
			    "unknown permission %s", key);
		if (!json_object_is_type(v, json_type_boolean))
			return hg_invalid(r, hg_printf(r->r_arena, "%s.%s", where,
			    key), "must be true or false");
		/* Only bits the granter holds there, granted or revoked. */
		if (!hg_holds_object(r, type, id, key))
			return hg_fail_http(r, 403, E_NOT_HELD,
			    "you do not hold %s on %s %lld", key, type, id);
	}
	return 0;
}

static int
apply_bits(struct hg_req *r, const struct subject *s, const char *type,
    long long id, json_object *bits)
{
	struct json_object_iterator	 it, end;
	int				 rc;

	it = json_object_iter_begin(bits);
	end = json_object_iter_end(bits);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if ((rc = set_resource(r, s, type, id, hg_resource_perm(type,
		    json_object_iter_peek_name(&it)),
		    json_object_get_boolean(json_object_iter_peek_value(&it)))) != 0)
			return rc;
	return 0;
}

/* The permission object of an entry, under either of the seed's keys. */
static json_object *
entry_bits(json_object *e)
{
	json_object *bits;

	if (json_object_object_get_ex(e, "permission", &bits) ||
	    json_object_object_get_ex(e, "permissions", &bits))
		return bits;
	return NULL;
}

/*
 * Check every entry before changing anything, so a refusal changes nothing
 * (the transaction would roll back anyway; this keeps the error first).
 */
static int
check_entries(struct hg_req *r, const struct rkind *k, json_object *arr)
{
	json_object	*e, *id, *bits;
	size_t		 i, n = json_object_array_length(arr);
	const char	*where;
	int		 rc;

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		where = hg_printf(r->r_arena, "authorizations[%zu]", i);
		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "id", &id) ||
		    !json_object_is_type(id, json_type_int) ||
		    json_object_get_int64(id) <= 0)
			return hg_invalid(r, hg_printf(r->r_arena, "%s.id", where),
			    "must be a positive integer id");
		if ((bits = entry_bits(e)) == NULL)
			return hg_invalid(r, hg_printf(r->r_arena,
			    "%s.permission", where), "is required");
		if ((rc = hg_exists(r, strcmp(k->k_type, "host") == 0 ?
		    "SELECT id FROM hosts WHERE id = ?" :
		    "SELECT id FROM applications WHERE id = ?",
		    json_object_get_int64(id), k->k_type)) != 0)
			return rc != HG_E_NOTFOUND ? rc : hg_invalid(r,
			    hg_printf(r->r_arena, "%s.id", where),
			    hg_printf(r->r_arena, "no %s with id %lld", k->k_type,
			    (long long)json_object_get_int64(id)));
		if ((rc = hg_perm_object(r, k->k_type, json_object_get_int64(id),
		    k->k_edit)) != 0 ||
		    (rc = check_bits(r, k->k_type, json_object_get_int64(id),
		    bits, hg_printf(r->r_arena, "%s.permission", where))) != 0)
			return rc;
	}
	return 0;
}

enum { GA_AUTHZ, GA__MAX };
static const struct hg_field grant_fields[GA__MAX] = {
	[GA_AUTHZ] = { "authorizations", HG_V_ARRAY, HG_V_REQUIRED, 0, 1000 },
};

/* POST /users|roles/{id}/application|host/perms/: merge grants. */
static int
grants_post(struct hg_req *r)
{
	const struct rkind	*k = kind_of(r);
	struct subject		 s;
	struct hg_val		 v[GA__MAX];
	json_object		*e, *id;
	size_t			 i, n;
	int			 rc;

	if ((rc = subject_of(r, &s)) != 0 ||
	    (rc = hg_body(r, grant_fields, GA__MAX, v)) != 0 ||
	    (rc = check_entries(r, k, v[GA_AUTHZ].j)) != 0)
		return rc;
	n = json_object_array_length(v[GA_AUTHZ].j);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v[GA_AUTHZ].j, i);
		json_object_object_get_ex(e, "id", &id);
		if ((rc = apply_bits(r, &s, k->k_type, json_object_get_int64(id),
		    entry_bits(e))) != 0)
			return rc;
	}
	return hg_reply_ok(r);
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

static json_object *
entry_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object	*o = json_object_new_object();
	const char	*type = kind_of(r)->k_type;

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, kind_of(r)->k_namekey, hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "permission", bits_json(type, HG_CELL(rs, i, 2)));
	return o;
}

enum { GQ_APP, GQ_HOST, GQ__MAX };
static const struct hg_field grants_q[GQ__MAX] = {
	[GQ_APP] = { "app_name", HG_V_STR, 0, 0, 1024 },
	[GQ_HOST] = { "hostname", HG_V_STR, 0, 0, 128 },
};

/* GET /users|roles/{id}/application|host/perms/: one entry per object. */
static int
grants_get(struct hg_req *r)
{
	const struct rkind	*k = kind_of(r);
	struct subject		 s;
	struct hg_val		 v[GQ__MAX];
	struct hg_page		 pg;
	long long		 all;
	int			 rc, host = strcmp(k->k_type, "host") == 0;

	if ((rc = subject_of(r, &s)) != 0 ||
	    (rc = hg_query(r, grants_q, GQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	/* Entries on objects the caller cannot view are not shown. */
	all = hg_visible_all(r, k->k_type);
	if (host)
		return hg_list_v0(r, &pg, entry_json, "SELECT x.resource_id, h.name, "
		    "GROUP_CONCAT(x.perm), COUNT(*) OVER () FROM resource_grants x "
		    "JOIN hosts h ON h.id = x.resource_id WHERE x.subject_type = ? "
		    "AND x.subject_id = ? AND x.resource_type = 'host' AND "
		    "h.name LIKE COALESCE(?, '%') AND "
		    HG_VISIBLE_SQL("host", "view_host", "x.resource_id")
		    " GROUP BY x.resource_id, h.name ORDER BY x.resource_id DESC "
		    "LIMIT ? OFFSET ?", "sisiii", s.s_type, s.s_id,
		    hg_like(r, &v[GQ_HOST]), all, r->r_user->u_id, r->r_user->u_id);
	return hg_list_v0(r, &pg, entry_json, "SELECT x.resource_id, a.full_name, "
	    "GROUP_CONCAT(x.perm), COUNT(*) OVER () FROM resource_grants x "
	    "JOIN applications a ON a.id = x.resource_id WHERE x.subject_type = ? "
	    "AND x.subject_id = ? AND x.resource_type = 'application' AND "
	    "a.full_name LIKE COALESCE(?, '%') AND "
	    HG_VISIBLE_SQL("application", "view_app", "x.resource_id")
	    " GROUP BY x.resource_id, a.full_name ORDER BY x.resource_id DESC "
	    "LIMIT ? OFFSET ?", "sisiii", s.s_type, s.s_id,
	    hg_like(r, &v[GQ_APP]), all, r->r_user->u_id, r->r_user->u_id);
}

/* ---- per-object views: /applications|hosts/{id}/authorization/... ----- */

/* Superusers pass every permission check: the object must still exist. */
static int
object_exists(struct hg_req *r, const char *type)
{
	return hg_exists(r, strcmp(type, "host") == 0 ?
	    "SELECT id FROM hosts WHERE id = ?" :
	    "SELECT id FROM applications WHERE id = ?", r->r_ids[0], type);
}

static int
for_users(struct hg_req *r)
{
	return strstr(r->r_path, "/authorization/users") != NULL;
}

static json_object *
object_entry_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object	*o = json_object_new_object(), *who;
	const char	*type = kind_of(r)->k_type;

	if (for_users(r)) {
		who = hg_user_json(r, rs, i);
		json_object_object_add(o, "user", who);
		json_object_object_add(o, "permission",
		    bits_json(type, HG_CELL(rs, i, 10)));
	} else {
		who = json_object_new_object();
		json_object_object_add(who, "id", hg_jint(HG_CELL(rs, i, 0)));
		json_object_object_add(who, "name", hg_jstr(HG_CELL(rs, i, 1)));
		json_object_object_add(o, "role", who);
		json_object_object_add(o, "permission",
		    bits_json(type, HG_CELL(rs, i, 2)));
	}
	return o;
}

/* GET /applications|hosts/{id}/authorization/users|roles/ */
static int
object_grants_get(struct hg_req *r)
{
	const char	*type = strncmp(r->r_path, "/hosts/", 7) == 0 ? "host" :
			    "application";
	struct hg_page	 pg;
	int		 rc;

	if ((rc = object_exists(r, type)) != 0 || (rc = hg_page(r, &pg)) != 0)
		return rc;
	if (for_users(r))
		return hg_list_v0(r, &pg, object_entry_json, "SELECT " HG_USER_COLS
		    ", GROUP_CONCAT(x.perm), COUNT(*) OVER () FROM resource_grants x "
		    "JOIN users u ON u.id = x.subject_id WHERE x.subject_type = "
		    "'user' AND x.resource_type = ? AND x.resource_id = ? "
		    "GROUP BY u.id ORDER BY u.id DESC LIMIT ? OFFSET ?", "si",
		    type, r->r_ids[0]);
	return hg_list_v0(r, &pg, object_entry_json, "SELECT ro.id, ro.name, "
	    "GROUP_CONCAT(x.perm), COUNT(*) OVER () FROM resource_grants x "
	    "JOIN roles ro ON ro.id = x.subject_id WHERE x.subject_type = 'role' "
	    "AND x.resource_type = ? AND x.resource_id = ? GROUP BY ro.id "
	    "ORDER BY ro.id DESC LIMIT ? OFFSET ?", "si", type, r->r_ids[0]);
}

static const char *const actions[] = { "update", "delete", NULL };

/* Validate one PATCH entry; fills subject s.  0 or the error. */
static int
patch_entry(struct hg_req *r, const char *type, json_object *e, size_t i,
    struct subject *s, const char **action, json_object **bits)
{
	const char	*key = for_users(r) ? "user" : "role", *where, *act;
	json_object	*who, *id, *a;
	struct hg_rows	*rs;
	int		 rc, k;

	where = hg_printf(r->r_arena, "[%zu]", i);
	if (!json_object_is_type(e, json_type_object))
		return hg_invalid(r, where, "must be an object");
	if (!json_object_object_get_ex(e, key, &who) ||
	    !json_object_is_type(who, json_type_object) ||
	    !json_object_object_get_ex(who, "id", &id) ||
	    !json_object_is_type(id, json_type_int) ||
	    json_object_get_int64(id) <= 0)
		return hg_invalid(r, hg_printf(r->r_arena, "%s.%s.id", where, key),
		    "is required: a positive integer id");
	act = "update";
	if (json_object_object_get_ex(e, "action", &a)) {
		act = json_object_is_type(a, json_type_string) ?
		    json_object_get_string(a) : "";
		for (k = 0; actions[k] != NULL && strcmp(actions[k], act) != 0; k++)
			;
		if (actions[k] == NULL)
			return hg_invalid(r, hg_printf(r->r_arena, "%s.action",
			    where), "must be one of: update, delete");
		act = actions[k];
	}
	*bits = entry_bits(e);
	if (strcmp(act, "update") == 0 && *bits == NULL)
		return hg_invalid(r, hg_printf(r->r_arena, "%s.permission", where),
		    "is required for update");
	s->s_type = key;
	s->s_id = json_object_get_int64(id);
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, for_users(r) ?
	    "SELECT username FROM users WHERE id = ?" :
	    "SELECT name FROM roles WHERE id = ?", "i", s->s_id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_invalid(r, hg_printf(r->r_arena, "%s.%s.id", where, key),
		    hg_printf(r->r_arena, "no %s with id %lld", key, s->s_id));
	s->s_name = HG_CELL(rs, 0, 0);
	*action = act;
	if (*bits != NULL)
		return check_bits(r, type, r->r_ids[0], *bits,
		    hg_printf(r->r_arena, "%s.permission", where));
	return 0;
}

/* PATCH /applications|hosts/{id}/authorization/users|roles/ */
static int
object_grants_patch(struct hg_req *r)
{
	const char	*type = strncmp(r->r_path, "/hosts/", 7) == 0 ? "host" :
			    "application";
	const char	*perms[16], *action = NULL;
	json_object	*arr, *bits = NULL;
	struct subject	*subs;
	json_object	**allbits;
	const char	**acts;
	size_t		 i, n, p;
	int		 rc;

	if ((rc = object_exists(r, type)) != 0 ||
	    (rc = hg_body_array(r, &arr)) != 0)
		return rc;
	n = json_object_array_length(arr);
	subs = hg_alloc(r->r_arena, sizeof(*subs) * (n + 1));
	allbits = hg_alloc(r->r_arena, sizeof(*allbits) * (n + 1));
	acts = hg_alloc(r->r_arena, sizeof(*acts) * (n + 1));
	for (i = 0; i < n; i++) {
		if ((rc = patch_entry(r, type, json_object_array_get_idx(arr, i),
		    i, &subs[i], &action, &bits)) != 0)
			return rc;
		acts[i] = action;
		allbits[i] = bits;
	}
	hg_resource_perms_of(type, perms);
	for (i = 0; i < n; i++) {
		if (strcmp(acts[i], "update") == 0) {
			rc = apply_bits(r, &subs[i], type, r->r_ids[0], allbits[i]);
		} else {
			/* delete: every grant of that subject on this object */
			for (p = 0, rc = 0; perms[p] != NULL && rc == 0; p++) {
				/* only the bits the caller holds there */
				if (!hg_holds_object(r, type, r->r_ids[0], perms[p]))
					continue;
				rc = set_resource(r, &subs[i], type, r->r_ids[0],
				    perms[p], 0);
			}
		}
		if (rc != 0)
			return rc;
	}
	return hg_reply_ok(r);
}

/* ---- module grants ------------------------------------------------------ */

/* Validate one {module_name, permissions} entry: 0, or 30001 / 10002. */
static int
module_entry(struct hg_req *r, json_object *e, const char **mod,
    json_object **bits)
{
	struct json_object_iterator	 it, end;
	json_object			*m;

	if (!json_object_is_type(e, json_type_object))
		return hg_fail(r, HG_E_INVALID,
		    "body must be {module_name, permissions} or an array of them");
	if (!json_object_object_get_ex(e, "module_name", &m) ||
	    !json_object_is_type(m, json_type_string))
		return hg_invalid(r, "module_name", "is required: a string");
	if ((*mod = hg_module_name(json_object_get_string(m))) == NULL)
		return hg_fail_http(r, 400, E_UNKNOWN_PERM, "unknown module %s",
		    json_object_get_string(m));
	if (!json_object_object_get_ex(e, "permissions", bits) &&
	    !json_object_object_get_ex(e, "permission", bits))
		return hg_invalid(r, "permissions", "is required");
	if (!json_object_is_type(*bits, json_type_object))
		return hg_invalid(r, "permissions", "must be an object of perm: bool");
	it = json_object_iter_begin(*bits);
	end = json_object_iter_end(*bits);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		if (hg_module_perm(*mod, json_object_iter_peek_name(&it)) == NULL)
			return hg_fail_http(r, 400, E_UNKNOWN_PERM,
			    "unknown permission %s in module %s",
			    json_object_iter_peek_name(&it), *mod);
		if (!json_object_is_type(json_object_iter_peek_value(&it),
		    json_type_boolean))
			return hg_invalid(r, hg_printf(r->r_arena, "permissions.%s",
			    json_object_iter_peek_name(&it)), "must be true or false");
		/* Superusers hold everything; the route is theirs alone. */
		if (hg_perm_module(r, *mod, json_object_iter_peek_name(&it)) != 1)
			return hg_fail_http(r, 403, E_NOT_HELD, "you do not hold %s.%s",
			    *mod, json_object_iter_peek_name(&it));
	}
	return 0;
}

/* POST /users|roles/{id}/system/perms/ */
static int
module_grants_post(struct hg_req *r)
{
	struct json_object_iterator	 it, end;
	struct subject			 s;
	json_object			*body = r->r_body, *arr, *bits;
	json_object			**allbits;
	const char			*mod, *perm, **mods;
	size_t				 i, n;
	int				 rc, on;

	if ((rc = subject_of(r, &s)) != 0)
		return rc;
	if (body == NULL)
		return hg_invalid(r, "module_name", "is required");
	if (json_object_is_type(body, json_type_array))
		arr = body;
	else {
		arr = hg_own(r, json_object_new_array());
		json_object_array_add(arr, json_object_get(body));
	}
	n = json_object_array_length(arr);
	if (n == 0 || n > 100)
		return hg_fail(r, HG_E_INVALID, "give 1 to 100 module entries");
	/* Check every entry before changing anything; keep what it resolved. */
	mods = hg_alloc(r->r_arena, sizeof(*mods) * n);
	allbits = hg_alloc(r->r_arena, sizeof(*allbits) * n);
	for (i = 0; i < n; i++)
		if ((rc = module_entry(r, json_object_array_get_idx(arr, i),
		    &mods[i], &allbits[i])) != 0)
			return rc;
	for (i = 0; i < n; i++) {
		mod = mods[i];
		bits = allbits[i];
		it = json_object_iter_begin(bits);
		end = json_object_iter_end(bits);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			perm = hg_module_perm(mod, json_object_iter_peek_name(&it));
			on = json_object_get_boolean(json_object_iter_peek_value(&it));
			rc = on ? hg_db_exec(r->r_db, "INSERT IGNORE INTO "
			    "module_grants (subject_type, subject_id, module, perm) "
			    "VALUES (?, ?, ?, ?)", "siss", s.s_type, s.s_id, mod, perm) :
			    hg_db_exec(r->r_db, "DELETE FROM module_grants WHERE "
			    "subject_type = ? AND subject_id = ? AND module = ? AND "
			    "perm = ?", "siss", s.s_type, s.s_id, mod, perm);
			if (rc != 0)
				return hg_fail(r, rc, NULL);
			if (hg_db_affected(r->r_db) > 0 &&
			    (rc = audit(r, "module", mod, NULL, 0, perm, on, &s)) != 0)
				return rc;
		}
	}
	return hg_reply_ok(r);
}

/* GET /users|roles/{id}/system/perms/: every module, direct grants. */
static int
module_grants_get(struct hg_req *r)
{
	const char *const	*mods;
	const char		*perms[16];
	struct subject		 s;
	struct hg_rows		*rs;
	json_object		*out, *entry, *bits;
	size_t			 nmods, i, k;
	int			 rc, row, on;

	if ((rc = subject_of(r, &s)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT module, perm "
	    "FROM module_grants WHERE subject_type = ? AND subject_id = ?", "si",
	    s.s_type, s.s_id)) != 0)
		return hg_fail(r, rc, NULL);
	out = json_object_new_array();
	mods = hg_module_list(&nmods);
	for (i = 0; i < nmods; i++) {
		entry = json_object_new_object();
		bits = json_object_new_object();
		hg_module_perms_of(mods[i], perms);
		for (k = 0; perms[k] != NULL; k++) {
			for (on = 0, row = 0; row < rs->nrows && !on; row++)
				on = strcmp(HG_CELL(rs, row, 0), mods[i]) == 0 &&
				    strcmp(HG_CELL(rs, row, 1), perms[k]) == 0;
			json_object_object_add(bits, perms[k],
			    json_object_new_boolean(on));
		}
		json_object_object_add(entry, "module_name",
		    json_object_new_string(mods[i]));
		json_object_object_add(entry, "permissions", bits);
		json_object_array_add(out, entry);
	}
	return hg_reply(r, 200, out);
}

/* ---- audit ---------------------------------------------------------------- */

static const char *const acts_q[] = { "enable", "disable", NULL };
static const char *const targets_q[] = { "user", "role", NULL };
static const char *const rtypes_q[] = { "host", "application", "business", NULL };

enum { AQ_OPERATOR, AQ_MODULE, AQ_RTYPE, AQ_RID, AQ_PERM, AQ_ACTION,
    AQ_TTYPE, AQ_TNAME, AQ_GT, AQ_LT, AQ__MAX };
static const struct hg_field audit_q[AQ__MAX] = {
	[AQ_OPERATOR] = { "operator", HG_V_STR, 0, 0, 64 },
	[AQ_MODULE] = { "module_name", HG_V_STR, 0, 0, 32 },
	[AQ_RTYPE] = { "resource_type", HG_V_ENUM, 0, 0, 0, rtypes_q },
	[AQ_RID] = { "resource_id", HG_V_INT, 0, 1, 9223372036854775807LL },
	[AQ_PERM] = { "perm_name", HG_V_STR, 0, 0, 64 },
	[AQ_ACTION] = { "action", HG_V_ENUM, 0, 0, 0, acts_q },
	[AQ_TTYPE] = { "authorized_target_type", HG_V_ENUM, 0, 0, 0, targets_q },
	[AQ_TNAME] = { "authorized_target_name", HG_V_STR, 0, 0, 128 },
	[AQ_GT] = { "op_time__gt", HG_V_TIME, 0 },
	[AQ_LT] = { "op_time__lt", HG_V_TIME, HG_V_UPPER },
};

static json_object *
audit_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object	*o = json_object_new_object(), *res;
	int		 module = strstr(r->r_path, "/modules") != NULL;

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "operator", hg_jstr(HG_CELL(rs, i, 1)));
	if (module)
		json_object_object_add(o, "module_name", hg_jstr(HG_CELL(rs, i, 2)));
	else {
		json_object_object_add(o, "resource_type", hg_jstr(HG_CELL(rs, i, 3)));
		res = json_object_new_object();
		json_object_object_add(res, "id", hg_jint(HG_CELL(rs, i, 4)));
		json_object_object_add(res, strcmp(HG_CELL(rs, i, 3), "host") == 0 ?
		    "host" : "name", hg_jstr(HG_CELL(rs, i, 5)));
		json_object_object_add(o, "resource", res);
	}
	json_object_object_add(o, "perm_name", hg_jstr(HG_CELL(rs, i, 6)));
	json_object_object_add(o, "action", hg_jstr(HG_CELL(rs, i, 7)));
	json_object_object_add(o, "authorized_target_type", hg_jstr(HG_CELL(rs, i, 8)));
	json_object_object_add(o, "authorized_target_name", hg_jstr(HG_CELL(rs, i, 9)));
	json_object_object_add(o, "op_time", hg_jtime(r, HG_CELL(rs, i, 10)));
	return o;
}

/* GET /audit/authorize-operations/modules/ and .../resources/ */
static int
audit_list(struct hg_req *r)
{
	struct hg_val	 v[AQ__MAX];
	struct hg_page	 pg;
	const char	*rid;
	int		 rc;

	if ((rc = hg_query(r, audit_q, AQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	rid = v[AQ_RID].present ? hg_printf(r->r_arena, "%lld", v[AQ_RID].i) :
	    NULL;
	return hg_list_v0(r, &pg, audit_json, "SELECT id, operator, module_name, "
	    "resource_type, resource_id, resource_name, perm_name, action, "
	    "target_type, target_name, op_time, COUNT(*) OVER () FROM authz_audit "
	    "WHERE scope = ? AND operator LIKE COALESCE(?, '%') "
	    "AND module_name LIKE COALESCE(?, '%') "
	    "AND resource_type = COALESCE(?, resource_type) "
	    "AND (? IS NULL OR resource_id = ?) "
	    "AND perm_name LIKE COALESCE(?, '%') AND action = COALESCE(?, action) "
	    "AND target_type = COALESCE(?, target_type) "
	    "AND target_name LIKE COALESCE(?, '%') "
	    "AND op_time >= COALESCE(?, op_time) AND op_time <= COALESCE(?, op_time) "
	    "ORDER BY id DESC LIMIT ? OFFSET ?", "ssssssssssss",
	    strstr(r->r_path, "/modules") ? "module" : "resource",
	    hg_like(r, &v[AQ_OPERATOR]), hg_like(r, &v[AQ_MODULE]),
	    v[AQ_RTYPE].s, rid, rid,
	    hg_like(r, &v[AQ_PERM]), v[AQ_ACTION].s, v[AQ_TTYPE].s,
	    hg_like(r, &v[AQ_TNAME]), hg_qtime(r, &v[AQ_GT]), hg_qtime(r, &v[AQ_LT]));
}

const struct hg_route hg_routes_authz[] = {
	ROUTE("POST", "/users/{id}/application/perms", grants_post, PERM_MODULE("application", "enable_app_mgmt")),
	ROUTE("GET", "/users/{id}/application/perms", grants_get, PERM_SELF),
	ROUTE("POST", "/roles/{id}/application/perms", grants_post, PERM_MODULE("application", "enable_app_mgmt")),
	ROUTE("GET", "/roles/{id}/application/perms", grants_get, PERM_SUPER),
	ROUTE("POST", "/users/{id}/host/perms", grants_post, PERM_MODULE("resource", "enable_host_mgmt")),
	ROUTE("GET", "/users/{id}/host/perms", grants_get, PERM_SELF),
	ROUTE("POST", "/roles/{id}/host/perms", grants_post, PERM_MODULE("resource", "enable_host_mgmt")),
	ROUTE("GET", "/roles/{id}/host/perms", grants_get, PERM_SUPER),
	ROUTE("GET", "/applications/{id}/authorization/users", object_grants_get, PERM_APP("edit_app")),
	ROUTE("PATCH", "/applications/{id}/authorization/users", object_grants_patch, PERM_APP("edit_app")),
	ROUTE("GET", "/applications/{id}/authorization/roles", object_grants_get, PERM_APP("edit_app")),
	ROUTE("PATCH", "/applications/{id}/authorization/roles", object_grants_patch, PERM_APP("edit_app")),
	ROUTE("GET", "/hosts/{id}/authorization/users", object_grants_get, PERM_HOST("edit_host")),
	ROUTE("PATCH", "/hosts/{id}/authorization/users", object_grants_patch, PERM_HOST("edit_host")),
	ROUTE("GET", "/hosts/{id}/authorization/roles", object_grants_get, PERM_HOST("edit_host")),
	ROUTE("PATCH", "/hosts/{id}/authorization/roles", object_grants_patch, PERM_HOST("edit_host")),
	ROUTE("POST", "/users/{id}/system/perms", module_grants_post, PERM_SUPER),
	ROUTE("GET", "/users/{id}/system/perms", module_grants_get, PERM_SUPER),
	ROUTE("POST", "/roles/{id}/system/perms", module_grants_post, PERM_SUPER),
	ROUTE("GET", "/roles/{id}/system/perms", module_grants_get, PERM_SUPER),
	ROUTE("GET", "/audit/authorize-operations/modules", audit_list, PERM_SUPER),
	ROUTE("GET", "/audit/authorize-operations/resources", audit_list, PERM_SUPER),
	ROUTES_END
};
