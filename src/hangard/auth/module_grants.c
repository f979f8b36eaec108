/*
 * module_grants.c -- /users|roles/{id}/system/perms/: module permissions
 * (API.md section 6) granted to a user or a role.  Superusers only; each
 * actual change writes one authz_audit row (scope "module") in the same
 * transaction, as grants.c does for objects.
 */
#include <string.h>

#include "auth.h"

/*
 * An entry of POST's body; the body is one entry or an array of them.
 * The permissions' keys depend on the module, so the handler checks them.
 */
enum { ME_MODULE, ME_BITS, ME__MAX };
static const struct hg_field module_fields[ME__MAX] = {
	[ME_MODULE] = { "module_name", HG_V_STR, HG_V_REQUIRED },
	[ME_BITS] = { "permissions", HG_V_OBJECT, HG_V_REQUIRED,
	    .f_alias = { "permission" } },
};

/* One checked entry: the module's canonical name, its permission object. */
struct module_entry {
	const char	*me_module;
	json_object	*me_bits;
};

/*
 * Check entry e of the body: declared fields, then a known module and
 * perms of it that the caller holds (superusers hold everything: the
 * route is theirs).  0, or 10002 / 30001 / 30002.
 */
static int
module_entry(struct hg_req *r, json_object *e, struct module_entry *me)
{
	struct json_object_iterator	 it, end;
	struct hg_val			 v[ME__MAX];
	json_object			*errors = NULL;
	const char			*key;

	if (!json_object_is_type(e, json_type_object))
		return hg_fail(r, HG_E_INVALID,
		    "body must be {module_name, permissions} or an array of them");
	if (hg_valid_object(r->r_arena, e, module_fields, ME__MAX, v, NULL, 0,
	    &errors) != 0) {
		/* The first error, as for an entry refused below. */
		hg_own(r, errors);
		it = json_object_iter_begin(errors);
		return hg_invalid(r, json_object_iter_peek_name(&it),
		    json_object_get_string(json_object_iter_peek_value(&it)));
	}
	if ((me->me_module = hg_module_name(v[ME_MODULE].s)) == NULL)
		return hg_fail_http(r, 400, AUTHZ_E_UNKNOWN, "unknown module %s",
		    v[ME_MODULE].s);
	me->me_bits = v[ME_BITS].j;
	it = json_object_iter_begin(me->me_bits);
	end = json_object_iter_end(me->me_bits);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		if (hg_module_perm(me->me_module, key) == NULL)
			return hg_fail_http(r, 400, AUTHZ_E_UNKNOWN,
			    "unknown permission %s in module %s", key,
			    me->me_module);
		if (!json_object_is_type(json_object_iter_peek_value(&it),
		    json_type_boolean))
			return hg_invalid(r, hg_printf(r->r_arena,
			    "permissions.%s", key), "must be true or false");
		if (hg_perm_module(r, me->me_module, key) != 1)
			return hg_fail_http(r, 403, AUTHZ_E_NOT_HELD,
			    "you do not hold %s.%s", me->me_module, key);
	}
	return 0;
}

/* Set s's grant of perm in module to on; audited when a row changed. */
static int
set_module(struct hg_req *r, const struct subject *s, const char *mod,
    const char *perm, int on)
{
	int rc;

	if ((rc = hg_sql_exec(r, on ? "INSERT IGNORE INTO module_grants "
	    "(subject_type, subject_id, module, perm) VALUES (?s, ?i, ?s, ?s)" :
	    "DELETE FROM module_grants WHERE subject_type = ?s AND "
	    "subject_id = ?i AND module = ?s AND perm = ?s", s->s_type, s->s_id,
	    mod, perm)) != 0)
		return rc;
	if (hg_sql_affected(r) == 0)
		return 0;
	return hg_authz_audit(r, "module", mod, NULL, 0, NULL, perm, on, s);
}

/*
 * POST /users|roles/{id}/system/perms/ (route argument: the subject's
 * type).  RAWBODY: the seed takes one {module_name, permissions} or an
 * array of them, which no declared body shape is; each entry is checked
 * by module_fields.  Every entry is checked before anything changes.
 */
static int
module_grants_post(struct hg_req *r)
{
	struct json_object_iterator	 it, end;
	struct module_entry		*me;
	struct subject			 s;
	json_object			*arr = r->r_body;
	size_t				 i, n;
	int				 rc;

	if ((rc = hg_subject_get(r, ARGOF(r, char), r->r_ids[0], &s)) != 0)
		return rc;
	if (arr == NULL)
		return hg_invalid(r, "module_name", "is required");
	if (!json_object_is_type(arr, json_type_array)) {
		arr = hg_own(r, json_object_new_array());
		json_object_array_add(arr, json_object_get(r->r_body));
	}
	n = json_object_array_length(arr);
	if (n == 0 || n > 100)
		return hg_fail(r, HG_E_INVALID, "give 1 to 100 module entries");
	me = hg_alloc(r->r_arena, sizeof(*me) * n);
	for (i = 0; i < n; i++)
		if ((rc = module_entry(r, json_object_array_get_idx(arr, i),
		    &me[i])) != 0)
			return rc;
	for (i = 0; i < n; i++) {
		it = json_object_iter_begin(me[i].me_bits);
		end = json_object_iter_end(me[i].me_bits);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			if ((rc = set_module(r, &s, me[i].me_module,
			    hg_module_perm(me[i].me_module,
			    json_object_iter_peek_name(&it)),
			    json_object_get_boolean(
			    json_object_iter_peek_value(&it)))) != 0)
				return rc;
	}
	return hg_reply_ok(r);
}

/*
 * GET /users|roles/{id}/system/perms/: every module with every perm, true
 * where granted directly (not through a role).
 */
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

	if ((rc = hg_subject_get(r, ARGOF(r, char), r->r_ids[0], &s)) != 0 ||
	    (rc = hg_sql(r, &rs, "SELECT module, perm FROM module_grants "
	    "WHERE subject_type = ?s AND subject_id = ?i", s.s_type,
	    s.s_id)) != 0)
		return rc;
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

const struct hg_route hg_routes_module_grants[] = {
	ROUTE("POST", "/users/{id}/system/perms", module_grants_post,
	    PERM_SUPER, ARG("user"), RAWBODY, AUDIT("authz")),
	ROUTE("GET", "/users/{id}/system/perms", module_grants_get, PERM_SUPER,
	    ARG("user")),
	ROUTE("POST", "/roles/{id}/system/perms", module_grants_post,
	    PERM_SUPER, ARG("role"), RAWBODY, AUDIT("authz")),
	ROUTE("GET", "/roles/{id}/system/perms", module_grants_get, PERM_SUPER,
	    ARG("role")),
	ROUTES_END
};
