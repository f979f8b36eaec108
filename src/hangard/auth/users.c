/*
 * users.c -- /users/: the seed's 用户 section plus create and delete.
 *
 * Superusers manage users; a user may read and PATCH its own name, email
 * and phone and change its own password (API.md section 6).
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "auth.h"
#include "log.h"
#include "secret.h"

static const char *const statuses[] = { "enabled", "disabled", NULL };

enum { UQ_USERNAME, UQ_NAME, UQ_EMAIL, UQ_PHONE, UQ_STATUS, UQ__MAX };
static const struct hg_field list_q[UQ__MAX] = {
	[UQ_USERNAME] = { "username", HG_V_STR, 0, 0, 64 },
	[UQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[UQ_EMAIL] = { "email", HG_V_STR, 0, 0, 254 },
	[UQ_PHONE] = { "phone", HG_V_STR, 0, 0, 32 },
	[UQ_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, statuses },
};

/*
 * GET /users/: unfiltered, the count is row_counts' (no full scan).
 * username, name and email filters of HG_SEARCH_MIN characters or more
 * also take the users with a window starting with them from their
 * substring index (search_ci fields 3, 4, 5, sql/080_search.sql); the
 * LIKEs stay the final check.
 */
static int
user_list(struct hg_req *r)
{
	static const int	 idx[] = { UQ_USERNAME, UQ_NAME, UQ_EMAIL };
	static const char *const in[] = {
		"AND u.id IN (SELECT id FROM search_ci WHERE field = 3 AND "
		"k LIKE ?s) ",
		"AND u.id IN (SELECT id FROM search_ci WHERE field = 4 AND "
		"k LIKE ?s) ",
		"AND u.id IN (SELECT id FROM search_ci WHERE field = 5 AND "
		"k LIKE ?s) ",
	};
	const struct hg_val	*v = r->r_qv;
	struct hg_arg		 a[8];
	const char		*sql, *w;
	int			 i, n = 0, exact, filtered = 0;

	for (i = 0; i < UQ__MAX; i++)
		filtered |= v[i].present;
	if (!filtered)
		return hg_list(r, hg_user_json, HG_USER_SELECT "(SELECT n FROM "
		    "row_counts WHERE tbl = 'users') FROM users u "
		    "ORDER BY u.id DESC LIMIT ?i OFFSET ?i");
	sql = HG_USER_SELECT "COUNT(*) OVER () "
	    "FROM users u WHERE u.username LIKE COALESCE(?s, '%') "
	    "AND u.name LIKE COALESCE(?s, '%') "
	    "AND u.email LIKE COALESCE(?s, '%') "
	    "AND u.phone LIKE COALESCE(?s, '%') "
	    "AND u.status = COALESCE(?s, u.status) ";
	a[n++] = HG_ARG(hg_like(r, &v[UQ_USERNAME]));
	a[n++] = HG_ARG(hg_like(r, &v[UQ_NAME]));
	a[n++] = HG_ARG(hg_like(r, &v[UQ_EMAIL]));
	a[n++] = HG_ARG(hg_like(r, &v[UQ_PHONE]));
	a[n++] = HG_ARG(v[UQ_STATUS].s);
	for (i = 0; i < (int)(sizeof(idx) / sizeof(idx[0])); i++)
		if ((w = hg_like_window(r, &v[idx[i]], &exact)) != NULL) {
			sql = hg_printf(r->r_arena, "%s%s", sql, in[i]);
			a[n++] = HG_ARG(w);
		}
	return hg_list_run(r, hg_user_json, hg_printf(r->r_arena,
	    "%sORDER BY u.id DESC LIMIT ?i OFFSET ?i", sql), a, n);
}

/*
 * POST's body.  PATCH's is another table (patch_fields): it takes only
 * name, email and phone, and its name may not be empty.
 */
enum { CF_USERNAME, CF_PASSWORD, CF_NAME, CF_EMAIL, CF_PHONE, CF_SUPER,
    CF__MAX };
static const struct hg_field create_fields[CF__MAX] = {
	[CF_USERNAME] = { "username", HG_V_STR, HG_V_REQUIRED, 1, 64,
	    .f_check = hg_check_username },
	[CF_PASSWORD] = { "password", HG_V_STR, HG_V_REQUIRED, 8, 1024 },
	[CF_NAME] = { "name", HG_V_STR, 0, 0, 128, .f_check = hg_check_noctl },
	[CF_EMAIL] = { "email", HG_V_STR, 0, 0, 254, .f_check = hg_check_email },
	[CF_PHONE] = { "phone", HG_V_STR, 0, 0, 32, .f_check = hg_check_noctl },
	[CF_SUPER] = { "is_superuser", HG_V_BOOL, 0 },
};

/* POST /users/: the name defaults to the username. */
static int
user_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	char			 pw[256];
	json_object		*out;
	int			 rc;

	if (hg_password_hash(v[CF_PASSWORD].s, pw, sizeof(pw)) != 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	rc = hg_sql_exec(r, "INSERT INTO users (username, name, email, phone, "
	    "is_superuser, password_hash) VALUES (?s, ?s, ?s, ?s, ?i, ?s)",
	    v[CF_USERNAME].s,
	    v[CF_NAME].s && *v[CF_NAME].s ? v[CF_NAME].s : v[CF_USERNAME].s,
	    v[CF_EMAIL].s ? v[CF_EMAIL].s : "",
	    v[CF_PHONE].s ? v[CF_PHONE].s : "", v[CF_SUPER].i, pw);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "username \"%s\" is taken",
		    v[CF_USERNAME].s);
	if (rc != 0 || (rc = hg_user_get(r, hg_sql_insert_id(r), &out)) != 0)
		return rc;
	return hg_reply(r, 201, out);
}

/* GET /users/{id}/ */
static int
user_get(struct hg_req *r)
{
	json_object	*out;
	int		 rc;

	if ((rc = hg_user_get(r, r->r_ids[0], &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

/*
 * Is password (the body's original_password, v) user's current one, hash?
 * Checked like a login and counted in the same throttle (auth.c), so a
 * stolen session cannot guess the password faster than a login could.
 * 0 when it is; otherwise the request's failure.
 */
static int
check_original(struct hg_req *r, const char *username, const char *hash,
    const struct hg_val *v, const char *why)
{
	long wait;

	if (!v->present)
		return hg_invalid(r, "original_password", why);
	if ((wait = hg_login_attempt(r, username)) > 0)
		return hg_fail_throttle(r, wait);
	if (!hg_password_verify(hash, v->s))
		return hg_fail_http(r, 400, 300001,
		    "original password is wrong");
	hg_login_succeeded(r, username);
	return 0;
}

enum { PF_NAME, PF_EMAIL, PF_PHONE, PF_ORIGINAL, PF__MAX };
static const struct hg_field patch_fields[PF__MAX] = {
	[PF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl,
	    .f_col = "name" },
	[PF_EMAIL] = { "email", HG_V_STR, 0, 0, 254, .f_check = hg_check_email,
	    .f_col = "email" },
	[PF_PHONE] = { "phone", HG_V_STR, 0, 0, 32, .f_check = hg_check_noctl,
	    .f_col = "phone" },
	[PF_ORIGINAL] = { "original_password", HG_V_STR, 0, 1, 1024 },
};

/*
 * PATCH /users/{id}/.  The email is where a password reset is mailed: to
 * change one's own takes the current password, or a stolen session or
 * token could make itself the account.  A superuser changing another
 * user's needs none (as for change-password).
 */
static int
user_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	json_object		*out;
	int			 rc;

	if ((rc = hg_sql_get(r, &rs, "user", r->r_ids[0], "SELECT username, "
	    "email, password_hash FROM users WHERE id = ?i FOR UPDATE")) != 0)
		return rc;
	if (v[PF_EMAIL].present && r->r_ids[0] == r->r_user->u_id &&
	    strcmp(HG_CELL(rs, 0, 1), v[PF_EMAIL].s) != 0 &&
	    (rc = check_original(r, HG_CELL(rs, 0, 0), HG_CELL(rs, 0, 2),
	    &v[PF_ORIGINAL], "is required to change your email")) != 0)
		return rc;
	if ((rc = hg_sql_patch(r, "users", r->r_ids[0])) != 0 ||
	    (rc = hg_user_get(r, r->r_ids[0], &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

/* User id, locked: the request changes it or what hangs on it. */
static int
user_lock(struct hg_req *r, long long id)
{
	return hg_sql_get(r, NULL, "user", id,
	    "SELECT id FROM users WHERE id = ?i FOR UPDATE");
}

/*
 * DELETE /users/{id}/.  Its tokens go with it (ON DELETE CASCADE): each is
 * audited as tokens.c audits a deleted token.
 */
static int
user_delete(struct hg_req *r)
{
	struct hg_rows	*rs;
	int		 rc, k;

	if ((rc = user_lock(r, r->r_ids[0])) != 0)
		return rc;
	if (r->r_ids[0] == r->r_user->u_id)
		return hg_fail(r, HG_E_CONFLICT, "you cannot delete yourself");
	if ((rc = hg_sql(r, &rs, "SELECT t.id, t.name, t.prefix, u.username "
	    "FROM auth_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.user_id = ?i ORDER BY t.id", r->r_ids[0])) != 0)
		return rc;
	for (k = 0; k < rs->nrows; k++)
		if ((rc = hg_audit(r, NULL, hg_atoll(HG_CELL(rs, k, 0)),
		    HG_CELL(rs, k, 1), "delete", hg_printf(r->r_arena,
		    "deleted token \"%s\" (%s\xe2\x80\xa6) of %s with its user",
		    HG_CELL(rs, k, 1), HG_CELL(rs, k, 2),
		    HG_CELL(rs, k, 3)))) != 0)
			return rc;
	if ((rc = hg_sql_exec(r, "DELETE FROM users WHERE id = ?i",
	    r->r_ids[0])) == HG_E_CONFLICT)
		return hg_fail(r, rc, "user is still referenced");
	if (rc != 0)
		return rc;
	return hg_reply_ok(r);
}

/*
 * POST and DELETE /users/{id}/roles/ [{"id": role}, ...]: POST (route
 * argument "add") adds the user to each role, DELETE takes it out.
 */
static int
user_roles(struct hg_req *r)
{
	size_t	i;
	int	rc, add = ARGOF(r, char) != NULL;

	if ((rc = user_lock(r, r->r_ids[0])) != 0 ||
	    (rc = hg_ids_exist(r, "role",
	    "SELECT id FROM roles WHERE id = ?i")) != 0)
		return rc;
	for (i = 0; i < r->r_nidv; i++)
		if ((rc = hg_sql_exec(r, add ? "INSERT IGNORE INTO user_roles "
		    "(user_id, role_id) VALUES (?i, ?i)" : "DELETE FROM "
		    "user_roles WHERE user_id = ?i AND role_id = ?i",
		    r->r_ids[0], r->r_idv[i])) != 0)
			return rc;
	return hg_reply_ok(r);
}

/*
 * POST /users/{id}/actions/disable/ and .../enable/: the route's argument
 * is the status set, and the verb of the refusal to change one's own.
 */
struct status_change {
	const char	*sc_status;
	const char	*sc_verb;
};
static const struct status_change disable = { "disabled", "disable" };
static const struct status_change enable = { "enabled", "enable" };

static int
set_status(struct hg_req *r)
{
	const struct status_change	*sc = ARGOF(r, struct status_change);
	int				 rc;

	if ((rc = user_lock(r, r->r_ids[0])) != 0)
		return rc;
	if (r->r_ids[0] == r->r_user->u_id)
		return hg_fail(r, HG_E_CONFLICT, "you cannot %s yourself",
		    sc->sc_verb);
	if ((rc = hg_sql_exec(r, "UPDATE users SET status = ?s WHERE id = ?i",
	    sc->sc_status, r->r_ids[0])) != 0)
		return rc;
	/* Sessions end now; tokens are refused while the user is disabled. */
	if (sc == &disable && (rc = hg_sql_exec(r, "DELETE FROM sessions "
	    "WHERE user_id = ?i", r->r_ids[0])) != 0)
		return rc;
	return hg_reply_ok(r);
}

enum { CP_ORIGINAL, CP_NEW, CP__MAX };
static const struct hg_field change_fields[CP__MAX] = {
	[CP_ORIGINAL] = { "original_password", HG_V_STR, 0, 1, 1024 },
	[CP_NEW] = { "new_password", HG_V_STR, HG_V_REQUIRED, 8, 1024 },
};

/* POST /users/{id}/actions/change-password/ */
static int
change_password(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	char			 pw[256];
	int			 rc, self = r->r_ids[0] == r->r_user->u_id;

	if ((rc = hg_sql_get(r, &rs, "user", r->r_ids[0], "SELECT "
	    "username, password_hash FROM users WHERE id = ?i FOR UPDATE")) != 0)
		return rc;
	/* Only a superuser changing someone else's may skip the original. */
	if ((self || !r->r_user->u_superuser) &&
	    (rc = check_original(r, HG_CELL(rs, 0, 0), HG_CELL(rs, 0, 1),
	    &v[CP_ORIGINAL], "is required")) != 0)
		return rc;
	if (hg_password_hash(v[CP_NEW].s, pw, sizeof(pw)) != 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	/* Every other session of that user ends; the caller's own stays. */
	if ((rc = hg_sql_exec(r, "UPDATE users SET password_hash = ?s "
	    "WHERE id = ?i", pw, r->r_ids[0])) != 0 ||
	    (rc = hg_sql_exec(r, "DELETE FROM sessions WHERE user_id = ?i "
	    "AND id <> ?i", r->r_ids[0], r->r_user->u_session)) != 0)
		return rc;
	return hg_reply_ok(r);
}

enum { FP_EMAIL, FP__MAX };
static const struct hg_field forget_fields[FP__MAX] = {
	[FP_EMAIL] = { "email", HG_V_STR, HG_V_REQUIRED, 1, 254,
	    .f_check = hg_check_email },
};

/*
 * POST /users/{id}/actions/forget-password/ (no auth).  Always "success",
 * so it tells nobody which addresses exist; when the address is user id's,
 * mails a single-use link valid 30 minutes.
 *
 * Throttled before anything is looked up, per client address
 * (forget_addr_max_requests) and per user id whatever the address given
 * (forget_user_max_requests), over forget_window seconds: a mailbox gets
 * at most forget_user_max_requests links a window, and a throttled
 * request queues nothing.
 *
 * A right and a wrong pair take the same path after the look-up, so the
 * time of the answer does not tell them apart: the same INSERT ... SELECT
 * stores the token (one row or none), the body is built and sealed
 * either way, and either way a mails row and an outbox row are written
 * and pushed after the commit (a 'void' decoy for a wrong pair, which the
 * agent deletes unsent).  The mail itself is sent by hangar-agent, so no
 * worker waits on the mail server.
 */
static int
forget_password(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	const char		*keys[2], *body, *name;
	long			 max[2], wait;
	char			 token[HG_TOKEN_HEX + 1], hash[HG_HASH_HEX + 1];
	int			 rc, found;

	keys[0] = r->r_remote != NULL ? hg_printf(r->r_arena,
	    "hangar:forget:addr:%s", r->r_remote) : NULL;
	keys[1] = hg_printf(r->r_arena, "hangar:forget:user:%lld",
	    r->r_ids[0]);
	max[0] = hg_conf.forget_addr_max_requests;
	max[1] = hg_conf.forget_user_max_requests;
	if ((wait = hg_throttle(r, 2, keys, max, hg_conf.forget_window)) > 0)
		return hg_fail_throttle(r, wait);
	hg_random_hex(token, HG_TOKEN_HEX / 2);
	hg_hash_hex(token, hash);
	/* Stored first: a link is never mailed for a token not stored. */
	if ((rc = hg_sql_exec(r, "INSERT INTO password_resets (token_hash, "
	    "user_id, expires) SELECT ?s, id, UTC_TIMESTAMP() + "
	    "INTERVAL 30 MINUTE FROM users WHERE id = ?i AND email = ?s "
	    "AND email <> '' AND status = 'enabled'", hash, r->r_ids[0],
	    v[FP_EMAIL].s)) != 0)
		return rc;
	found = hg_sql_affected(r) > 0;
	if ((rc = hg_sql(r, &rs, "SELECT username, email FROM users WHERE "
	    "id = ?i", r->r_ids[0])) != 0)
		return rc;
	found = found && rs->nrows > 0;
	name = found ? HG_CELL(rs, 0, 0) : "";
	body = hg_printf(r->r_arena,
	    "Hello %s,\r\n\r\nSomeone asked to reset your Hangar password.\r\n"
	    "To choose a new one, open this link within 30 minutes:\r\n\r\n"
	    "%s/ui/#/reset-password?token=%s\r\n\r\n"
	    "or POST {\"token\": \"%s\", \"new_password\": \"...\"} to "
	    "%s/auth/reset-password/\r\n\r\n"
	    "If you did not ask for this, ignore this mail.\r\n",
	    name, hg_conf.public_url, token, token, hg_conf.public_url);
	/*
	 * To the address on record: the collation also matches look-alikes
	 * ("exámple.com"), which must not receive the link.
	 */
	if (found)
		rc = hg_mail_queue(r, HG_CELL(rs, 0, 1),
		    "Hangar password reset", body);
	else
		rc = hg_mail_queue_decoy(r, "Hangar password reset", body);
	if (rc != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_users[] = {
	ROUTE("GET", "/users", user_list, PERM_SUPER, QUERY(list_q), PAGED),
	ROUTE("POST", "/users", user_create, PERM_SUPER, BODY(create_fields)),
	ROUTE("GET", "/users/{id}", user_get, PERM_SELF),
	ROUTE("PATCH", "/users/{id}", user_patch, PERM_SELF,
	    PATCH(patch_fields)),
	ROUTE("DELETE", "/users/{id}", user_delete, PERM_SUPER,
	    AUDIT("auth_token")),
	ROUTE("POST", "/users/{id}/roles", user_roles, PERM_SUPER, ARG("add"),
	    IDS),
	ROUTE("DELETE", "/users/{id}/roles", user_roles, PERM_SUPER, IDS),
	ROUTE("POST", "/users/{id}/actions/disable", set_status, PERM_SUPER,
	    ARG(&disable)),
	ROUTE("POST", "/users/{id}/actions/enable", set_status, PERM_SUPER,
	    ARG(&enable)),
	ROUTE("POST", "/users/{id}/actions/change-password", change_password,
	    PERM_SELF, BODY(change_fields)),
	ROUTE("POST", "/users/{id}/actions/forget-password", forget_password,
	    PERM_PUBLIC, BODY(forget_fields)),
	ROUTES_END
};
