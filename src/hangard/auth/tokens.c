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

/*
 * The Token object: its value is shown as the stored prefix (ASCII) and
 * an ellipsis; the prefix alone is for the audit.
 */
#define TOKEN_COLS(X) \
	X(TC_ID,	"id",		"t.id",			INT)	\
	X(TC_NAME,	"name",		"t.name",		STR)	\
	X(TC_VALUE,	"value",	"CONCAT(CONVERT(t.prefix USING " \
	    "utf8mb4), '\xe2\x80\xa6')",				STR)	\
	X(TC_DESC,	"description",	"t.description",	STR)	\
	X(TC_CREATOR,	"creator",	"u.username",		STR)	\
	X(TC_CREATED,	"created_time",	"t.created_time",	TIME)	\
	X(TC_PREFIX,	"prefix",	"t.prefix",		NONE)
enum { TOKEN_COLS(HG_COL_ENUM) TC__MAX };
static const struct hg_col token_cols[] = { TOKEN_COLS(HG_COL_DECL) };
#define TOKEN_SELECT "SELECT " TOKEN_COLS(HG_COL_SQL)

static json_object *
token_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, token_cols, rs, i);
}

/* Load a token the caller may see (own, or any for a superuser). */
static int
token_load(struct hg_req *r, long long id, struct hg_rows **rs)
{
	int rc;

	if ((rc = hg_sql(r, rs, TOKEN_SELECT HG_NOCOUNT " FROM auth_tokens t "
	    "JOIN users u ON u.id = t.user_id WHERE t.id = ?i AND "
	    "(t.user_id = ?i OR ?i = 1)", id, r->r_user->u_id,
	    (long long)r->r_user->u_superuser)) != 0)
		return rc;
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
	const struct hg_val	*v = r->r_qv;
	struct hg_val		 prefix;

	/* value matches the stored prefix: its first 8 characters at most. */
	prefix = v[TQ_VALUE];
	if (prefix.present && strlen(prefix.s) > 8)
		prefix.s = hg_strndup(r->r_arena, prefix.s, 8);
	return hg_list(r, token_json, TOKEN_SELECT "COUNT(*) OVER () "
	    "FROM auth_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE (t.user_id = ?i OR ?i = 1) "
	    "AND t.name LIKE COALESCE(?s, '%') "
	    "AND t.prefix LIKE COALESCE(?s, '%') "
	    "AND t.description LIKE COALESCE(?s, '%') "
	    "ORDER BY t.id DESC LIMIT ?i OFFSET ?i", r->r_user->u_id,
	    (long long)r->r_user->u_superuser, hg_like(r, &v[TQ_NAME]),
	    hg_like(r, &prefix), hg_like(r, &v[TQ_DESC]));
}

/* POST's body; PATCH takes the same, optional. */
enum { TF_NAME, TF_DESC, TF__MAX };
static const struct hg_field token_fields[TF__MAX] = {
	[TF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[TF_DESC] = { "description", HG_V_STR, 0, 0, 1024,
	    .f_col = "description" },
};

/* POST /auth-tokens/: the only response that carries the whole value. */
static int
token_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	char			 value[HG_TOKEN_HEX + 1], hash[HG_HASH_HEX + 1];
	char			 prefix[9];
	json_object		*out;
	long long		 id;
	int			 rc;

	hg_random_hex(value, HG_TOKEN_HEX / 2);
	hg_hash_hex(value, hash);
	memcpy(prefix, value, 8);
	prefix[8] = '\0';
	if ((rc = hg_sql_exec(r, "INSERT INTO auth_tokens (user_id, name, "
	    "description, prefix, token_hash) VALUES (?i, ?s, ?s, ?s, ?s)",
	    r->r_user->u_id, v[TF_NAME].s, v[TF_DESC].s ? v[TF_DESC].s : "",
	    prefix, hash)) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	if ((rc = hg_audit(r, NULL, id, v[TF_NAME].s, "add",
	    hg_printf(r->r_arena, "created token \"%s\" (%s\xe2\x80\xa6) for %s",
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
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old, *rs;
	const char		*detail = "";
	int			 rc;

	if ((rc = token_load(r, r->r_ids[0], &old)) != 0)
		return rc;
	hg_audit_fields(r, &detail, token_cols, TC__MAX, old, 0);
	if (*detail == '\0')
		detail = "no change";
	if ((rc = hg_sql_patch(r, "auth_tokens", r->r_ids[0])) != 0 ||
	    (rc = hg_audit(r, NULL, r->r_ids[0], v[TF_NAME].present ?
	    v[TF_NAME].s : HG_CELL(old, 0, TC_NAME), "update",
	    hg_printf(r->r_arena, "updated token \"%s\" (%s\xe2\x80\xa6): %s",
	    HG_CELL(old, 0, TC_NAME), HG_CELL(old, 0, TC_PREFIX),
	    detail))) != 0 ||
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

	if ((rc = token_load(r, r->r_ids[0], &old)) != 0 ||
	    (rc = hg_sql_exec(r, "DELETE FROM auth_tokens WHERE id = ?i",
	    r->r_ids[0])) != 0 ||
	    (rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(old, 0, TC_NAME),
	    "delete", hg_printf(r->r_arena, "deleted token \"%s\" "
	    "(%s\xe2\x80\xa6) of %s", HG_CELL(old, 0, TC_NAME),
	    HG_CELL(old, 0, TC_PREFIX), HG_CELL(old, 0, TC_CREATOR)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

#define TOKEN_AUDIT	AUDIT("auth_token")

const struct hg_route hg_routes_tokens[] = {
	ROUTE("GET", "/auth-tokens", token_list, PERM_LOGIN, QUERY(list_q),
	    PAGED),
	ROUTE("POST", "/auth-tokens", token_create, PERM_LOGIN,
	    BODY(token_fields), TOKEN_AUDIT),
	ROUTE("GET", "/auth-tokens/{id}", token_get, PERM_LOGIN),
	ROUTE("PATCH", "/auth-tokens/{id}", token_patch, PERM_LOGIN,
	    PATCH(token_fields), TOKEN_AUDIT),
	ROUTE("DELETE", "/auth-tokens/{id}", token_delete, PERM_LOGIN,
	    TOKEN_AUDIT),
	ROUTES_END
};
