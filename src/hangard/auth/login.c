/*
 * login.c -- /auth/: login, logout, me, reset-password.
 */
#include <string.h>

#include "conf.h"
#include "auth.h"
#include "secret.h"

/*
 * The username must have a username's syntax: the database compares with
 * a padding, accent- and case-insensitive collation, so "admin ", "ádmin"
 * would otherwise log in as admin, each spelling with its own throttle
 * count (auth.c folds case only).
 */
enum { LG_USERNAME, LG_PASSWORD, LG__MAX };
static const struct hg_field login_fields[LG__MAX] = {
	[LG_USERNAME] = { "username", HG_V_STR, HG_V_REQUIRED, 1, 64,
	    .f_check = hg_check_username },
	[LG_PASSWORD] = { "password", HG_V_STR, HG_V_REQUIRED, 1, 1024 },
};

/* POST /auth/login/ */
static int
login(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	json_object		*user, *out;
	const char		*csrf;
	long long		 id;
	long			 wait;
	int			 rc, ok;

	if ((wait = hg_login_attempt(r, v[LG_USERNAME].s)) > 0)
		return hg_fail_throttle(r, wait);
	if ((rc = hg_sql(r, &rs, "SELECT id, password_hash, status FROM users "
	    "WHERE username = ?s", v[LG_USERNAME].s)) != 0)
		return rc;
	if (rs->nrows == 0) {
		hg_password_dummy_verify(v[LG_PASSWORD].s);
		ok = 0;
	} else
		ok = hg_password_verify(HG_CELL(rs, 0, 1), v[LG_PASSWORD].s) &&
		    strcmp(HG_CELL(rs, 0, 2), "enabled") == 0;
	if (!ok)	/* counted already, by hg_login_attempt */
		return hg_fail(r, HG_E_LOGIN, NULL);
	hg_login_succeeded(r, v[LG_USERNAME].s);
	id = hg_atoll(HG_CELL(rs, 0, 0));
	if ((rc = hg_sql_exec(r, "UPDATE users SET last_login = "
	    "UTC_TIMESTAMP() WHERE id = ?i", id)) != 0 ||
	    (rc = hg_session_create(r, id, &csrf)) != 0 ||
	    (rc = hg_user_get(r, id, &user)) != 0)
		return rc;
	out = json_object_new_object();
	json_object_object_add(out, "user", user);
	json_object_object_add(out, "csrf_token", json_object_new_string(csrf));
	return hg_reply(r, 200, out);
}

/* POST /auth/logout/ */
static int
logout(struct hg_req *r)
{
	int rc;

	if ((rc = hg_session_end(r)) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* GET /auth/me/ */
static int
me(struct hg_req *r)
{
	json_object	*user, *out;
	int		 rc;

	if ((rc = hg_user_get(r, r->r_user->u_id, &user)) != 0)
		return rc;
	out = json_object_new_object();
	json_object_object_add(out, "user", user);
	json_object_object_add(out, "csrf_token", hg_jstr(r->r_user->u_csrf));
	json_object_object_add(out, "module_perms", hg_module_perms(r));
	return hg_reply(r, 200, out);
}

enum { RP_TOKEN, RP_PASSWORD, RP__MAX };
static const struct hg_field reset_fields[RP__MAX] = {
	[RP_TOKEN] = { "token", HG_V_STR, HG_V_REQUIRED, 1, 128 },
	[RP_PASSWORD] = { "new_password", HG_V_STR, HG_V_REQUIRED, 8, 1024 },
};

/*
 * POST /auth/reset-password/: complete a mailed, single-use reset.  Whoever
 * held the account before the reset (a stolen session or token) is out:
 * every session and every API token of the user ends, each token audited
 * as users.c audits the tokens of a deleted user.
 */
static int
reset_password(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	char			 hash[HG_HASH_HEX + 1], pw[256];
	long long		 uid;
	int			 rc, k;

	hg_hash_hex(v[RP_TOKEN].s, hash);
	if ((rc = hg_sql(r, &rs, "SELECT user_id FROM password_resets WHERE "
	    "token_hash = ?s AND used = 0 AND expires > UTC_TIMESTAMP() "
	    "FOR UPDATE", hash)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, "token", "invalid, used or expired");
	uid = hg_atoll(HG_CELL(rs, 0, 0));
	if (hg_password_hash(v[RP_PASSWORD].s, pw, sizeof(pw)) != 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	if ((rc = hg_sql_exec(r, "UPDATE password_resets SET used = 1 "
	    "WHERE token_hash = ?s", hash)) != 0 ||
	    (rc = hg_sql_exec(r, "UPDATE users SET password_hash = ?s "
	    "WHERE id = ?i", pw, uid)) != 0 ||
	    (rc = hg_sql_exec(r, "DELETE FROM sessions WHERE user_id = ?i",
	    uid)) != 0)
		return rc;
	if ((rc = hg_sql(r, &rs, "SELECT t.id, t.name, t.prefix, u.username "
	    "FROM auth_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.user_id = ?i ORDER BY t.id FOR UPDATE", uid)) != 0)
		return rc;
	for (k = 0; k < rs->nrows; k++)
		if ((rc = hg_audit(r, NULL, hg_atoll(HG_CELL(rs, k, 0)),
		    HG_CELL(rs, k, 1), "delete", hg_printf(r->r_arena,
		    "deleted token \"%s\" (%s\xe2\x80\xa6) of %s by a password "
		    "reset", HG_CELL(rs, k, 1), HG_CELL(rs, k, 2),
		    HG_CELL(rs, k, 3)))) != 0)
			return rc;
	if ((rc = hg_sql_exec(r, "DELETE FROM auth_tokens WHERE user_id = ?i",
	    uid)) != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_auth[] = {
	ROUTE("POST", "/auth/login", login, PERM_PUBLIC, BODY(login_fields)),
	ROUTE("POST", "/auth/logout", logout, PERM_LOGIN),
	ROUTE("GET", "/auth/me", me, PERM_LOGIN),
	ROUTE("POST", "/auth/reset-password", reset_password, PERM_PUBLIC,
	    BODY(reset_fields), AUDIT("auth_token")),
	ROUTES_END
};
