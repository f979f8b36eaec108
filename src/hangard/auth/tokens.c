/*
 * tokens.c -- /auth-tokens/: API tokens of the caller (all, for superusers).
 *
 * A token's value is shown once, in the POST response; only its hash and
 * its first 8 characters are stored.  Every add, update and delete is
 * audited (GET /audit/auth-token-operations/).
 */
#include <string.h>

#include "hangard.h"
#include "secret.h"

#define TOKEN_COLS "t.id, t.name, t.prefix, t.description, u.username, " \
	"t.created_time"

static json_object *
token_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "value", json_object_new_string(
	    hg_printf(r->r_arena, "%s\xe2\x80\xa6", HG_CELL(rs, i, 2))));
	json_object_object_add(o, "description", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "creator", hg_jstr(HG_CELL(rs, i, 4)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 5)));
	return o;
}

/* Load a token the caller may see (own, or any for a superuser). */
static int
token_load(struct hg_req *r, long long id, struct hg_rows **rs)
{
	int rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, rs, "SELECT " TOKEN_COLS
	    " FROM auth_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.id = ? AND (t.user_id = ? OR ? = 1)", "iii", id,
	    r->r_user->u_id, (long long)r->r_user->u_superuser)) != 0)
		return hg_fail(r, rc, NULL);
	if ((*rs)->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no token with id %lld", id);
	return 0;
}

enum { TQ_NAME, TQ_VALUE, TQ_DESC, TQ__MAX };
static const struct hg_field list_q[TQ__MAX] = {
	[TQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[TQ_VALUE] = { "value", HG_V_STR, 0, 0, 64 },
	[TQ_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};

/* GET /auth-tokens/ */
static int
token_list(struct hg_req *r)
{
	struct hg_val	 v[TQ__MAX];
	struct hg_page	 pg;
	struct hg_val	 prefix;
	int		 rc;

	if ((rc = hg_query(r, list_q, TQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	/* value matches the stored prefix: its first 8 characters at most. */
	prefix = v[TQ_VALUE];
	if (prefix.present && strlen(prefix.s) > 8)
		prefix.s = hg_strndup(r->r_arena, prefix.s, 8);
	return hg_list_v0(r, &pg, token_json, "SELECT " TOKEN_COLS ", "
	    "COUNT(*) OVER () FROM auth_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE (t.user_id = ? OR ? = 1) AND t.name LIKE COALESCE(?, '%') "
	    "AND t.prefix LIKE COALESCE(?, '%') "
	    "AND t.description LIKE COALESCE(?, '%') "
	    "ORDER BY t.id DESC LIMIT ? OFFSET ?", "iisss", r->r_user->u_id,
	    (long long)r->r_user->u_superuser, hg_like(r, &v[TQ_NAME]),
	    hg_like(r, &prefix), hg_like(r, &v[TQ_DESC]));
}

enum { TF_NAME, TF_DESC, TF__MAX };
static const struct hg_field create_fields[TF__MAX] = {
	[TF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[TF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};
static const struct hg_field patch_fields[TF__MAX] = {
	[TF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[TF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};

/* POST /auth-tokens/: the only response that carries the whole value. */
static int
token_create(struct hg_req *r)
{
	struct hg_val	 v[TF__MAX];
	struct hg_rows	*rs;
	char		 value[HG_TOKEN_HEX + 1], hash[HG_HASH_HEX + 1], prefix[9];
	json_object	*out;
	long long	 id;
	int		 rc;

	if ((rc = hg_body(r, create_fields, TF__MAX, v)) != 0)
		return rc;
	hg_random_hex(value, HG_TOKEN_HEX / 2);
	hg_hash_hex(value, hash);
	memcpy(prefix, value, 8);
	prefix[8] = '\0';
	if ((rc = hg_db_exec(r->r_db, "INSERT INTO auth_tokens (user_id, name, "
	    "description, prefix, token_hash) VALUES (?, ?, ?, ?, ?)", "issss",
	    r->r_user->u_id, v[TF_NAME].s,
	    v[TF_DESC].s ? v[TF_DESC].s : "", prefix, hash)) != 0)
		return hg_fail(r, rc, NULL);
	id = (long long)hg_db_insert_id(r->r_db);
	if ((rc = hg_audit(r, "auth_token", id, v[TF_NAME].s, "add",
	    hg_printf(r->r_arena, "created token \"%s\" (%s…) for %s",
	    v[TF_NAME].s, prefix, r->r_user->u_username))) != 0 ||
	    (rc = token_load(r, id, &rs)) != 0)
		return rc;
	out = token_json(r, rs, 0);
	json_object_object_add(out, "value", json_object_new_string(value));
	return hg_reply(r, 201, out);
}

/* GET /auth-tokens/{id}/ */
static int
token_get(struct hg_req *r)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = token_load(r, r->r_ids[0], &rs)) != 0)
		return rc;
	return hg_reply(r, 200, token_json(r, rs, 0));
}

/* PATCH /auth-tokens/{id}/ */
static int
token_patch(struct hg_req *r)
{
	struct hg_val	 v[TF__MAX];
	struct hg_rows	*old, *rs;
	const char	*detail = "";
	int		 rc;

	if ((rc = token_load(r, r->r_ids[0], &old)) != 0 ||
	    (rc = hg_body(r, patch_fields, TF__MAX, v)) != 0)
		return rc;
	hg_audit_changed(r, &detail, "name", HG_CELL(old, 0, 1), &v[TF_NAME]);
	hg_audit_changed(r, &detail, "description", HG_CELL(old, 0, 3),
	    &v[TF_DESC]);
	if (*detail == '\0')
		detail = "no change";
	if ((rc = hg_db_exec(r->r_db, "UPDATE auth_tokens SET "
	    "name = COALESCE(?, name), description = COALESCE(?, description) "
	    "WHERE id = ?", "ssi", v[TF_NAME].s, v[TF_DESC].s, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "auth_token", r->r_ids[0],
	    v[TF_NAME].s ? v[TF_NAME].s : HG_CELL(old, 0, 1), "update",
	    hg_printf(r->r_arena, "updated token \"%s\" (%s…): %s",
	    HG_CELL(old, 0, 1), HG_CELL(old, 0, 2), detail))) != 0 ||
	    (rc = token_load(r, r->r_ids[0], &rs)) != 0)
		return rc;
	return hg_reply(r, 200, token_json(r, rs, 0));
}

/* DELETE /auth-tokens/{id}/ */
static int
token_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	int		 rc;

	if ((rc = token_load(r, r->r_ids[0], &old)) != 0)
		return rc;
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM auth_tokens WHERE id = ?",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "auth_token", r->r_ids[0], HG_CELL(old, 0, 1),
	    "delete", hg_printf(r->r_arena, "deleted token \"%s\" (%s…) of %s",
	    HG_CELL(old, 0, 1), HG_CELL(old, 0, 2), HG_CELL(old, 0, 4)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_tokens[] = {
	ROUTE("GET", "/auth-tokens", token_list, PERM_LOGIN),
	ROUTE("POST", "/auth-tokens", token_create, PERM_LOGIN, AUDIT("auth_token")),
	ROUTE("GET", "/auth-tokens/{id}", token_get, PERM_LOGIN),
	ROUTE("PATCH", "/auth-tokens/{id}", token_patch, PERM_LOGIN, AUDIT("auth_token")),
	ROUTE("DELETE", "/auth-tokens/{id}", token_delete, PERM_LOGIN, AUDIT("auth_token")),
	ROUTES_END
};
