/*
 * users.c -- /users/: the seed's 用户 section plus create and delete.
 *
 * Superusers manage users; a user may read and PATCH its own name, email
 * and phone and change its own password (API.md section 6).
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "hangard.h"
#include "log.h"
#include "mail.h"
#include "secret.h"

static const char *const statuses[] = { "enabled", "disabled", NULL };

enum { UQ_USERNAME, UQ_EMAIL, UQ_PHONE, UQ_STATUS, UQ__MAX };
static const struct hg_field list_q[UQ__MAX] = {
	[UQ_USERNAME] = { "username", HG_V_STR, 0, 0, 64 },
	[UQ_EMAIL] = { "email", HG_V_STR, 0, 0, 254 },
	[UQ_PHONE] = { "phone", HG_V_STR, 0, 0, 32 },
	[UQ_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, statuses },
};

/* GET /users/ */
static int
user_list(struct hg_req *r)
{
	struct hg_val	v[UQ__MAX];
	struct hg_page	pg;
	int		rc, i, filtered = 0;

	if ((rc = hg_query(r, list_q, UQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	for (i = 0; i < UQ__MAX; i++)
		filtered |= v[i].present;
	if (!filtered)
		return hg_list_v0(r, &pg, hg_user_json, "SELECT " HG_USER_COLS ", "
		    "(SELECT n FROM row_counts WHERE tbl = 'users') "
		    "FROM users u ORDER BY u.id DESC LIMIT ? OFFSET ?", NULL);
	return hg_list_v0(r, &pg, hg_user_json, "SELECT " HG_USER_COLS ", "
	    "COUNT(*) OVER () FROM users u "
	    "WHERE u.username LIKE COALESCE(?, '%') "
	    "AND u.email LIKE COALESCE(?, '%') AND u.phone LIKE COALESCE(?, '%') "
	    "AND u.status = COALESCE(?, u.status) "
	    "ORDER BY u.id DESC LIMIT ? OFFSET ?", "ssss",
	    hg_like(r, &v[UQ_USERNAME]), hg_like(r, &v[UQ_EMAIL]),
	    hg_like(r, &v[UQ_PHONE]), v[UQ_STATUS].s);
}

enum { UC_USERNAME, UC_PASSWORD, UC_NAME, UC_EMAIL, UC_PHONE, UC_SUPER, UC__MAX };
static const struct hg_field create_fields[UC__MAX] = {
	[UC_USERNAME] = { "username", HG_V_STR, HG_V_REQUIRED, 1, 64,
	    .f_check = hg_check_username },
	[UC_PASSWORD] = { "password", HG_V_STR, HG_V_REQUIRED, 8, 1024 },
	[UC_NAME] = { "name", HG_V_STR, 0, 0, 128, .f_check = hg_check_noctl },
	[UC_EMAIL] = { "email", HG_V_STR, 0, 0, 254, .f_check = hg_check_email },
	[UC_PHONE] = { "phone", HG_V_STR, 0, 0, 32, .f_check = hg_check_noctl },
	[UC_SUPER] = { "is_superuser", HG_V_BOOL, 0 },
};

/* POST /users/ */
static int
user_create(struct hg_req *r)
{
	struct hg_val	 v[UC__MAX];
	char		 pw[256];
	json_object	*out;
	int		 rc;

	if ((rc = hg_body(r, create_fields, UC__MAX, v)) != 0)
		return rc;
	if (hg_password_hash(v[UC_PASSWORD].s, pw, sizeof(pw)) != 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	rc = hg_db_exec(r->r_db, "INSERT INTO users (username, name, email, "
	    "phone, is_superuser, password_hash) VALUES (?, ?, ?, ?, ?, ?)",
	    "ssssis", v[UC_USERNAME].s,
	    v[UC_NAME].s && *v[UC_NAME].s ? v[UC_NAME].s : v[UC_USERNAME].s,
	    v[UC_EMAIL].s ? v[UC_EMAIL].s : "", v[UC_PHONE].s ? v[UC_PHONE].s : "",
	    v[UC_SUPER].i, pw);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "username \"%s\" is taken", v[UC_USERNAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_user_get(r, (long long)hg_db_insert_id(r->r_db), &out)) != 0)
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

enum { UP_NAME, UP_EMAIL, UP_PHONE, UP__MAX };
static const struct hg_field patch_fields[UP__MAX] = {
	[UP_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[UP_EMAIL] = { "email", HG_V_STR, 0, 0, 254, .f_check = hg_check_email },
	[UP_PHONE] = { "phone", HG_V_STR, 0, 0, 32, .f_check = hg_check_noctl },
};

/* PATCH /users/{id}/ */
static int
user_patch(struct hg_req *r)
{
	struct hg_val	 v[UP__MAX];
	json_object	*out;
	int		 rc;

	if ((rc = hg_body(r, patch_fields, UP__MAX, v)) != 0)
		return rc;
	if ((rc = hg_db_exec(r->r_db, "UPDATE users SET "
	    "name = COALESCE(?, name), email = COALESCE(?, email), "
	    "phone = COALESCE(?, phone) WHERE id = ?", "sssi", v[UP_NAME].s,
	    v[UP_EMAIL].s, v[UP_PHONE].s, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_user_get(r, r->r_ids[0], &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

static int
user_exists(struct hg_req *r, long long id)
{
	return hg_exists(r, "SELECT id FROM users WHERE id = ? FOR UPDATE", id,
	    "user");
}

/* DELETE /users/{id}/ */
static int
user_delete(struct hg_req *r)
{
	int rc;

	if ((rc = user_exists(r, r->r_ids[0])) != 0)
		return rc;
	if (r->r_ids[0] == r->r_user->u_id)
		return hg_fail(r, HG_E_CONFLICT, "you cannot delete yourself");
	/* Its tokens go with it (ON DELETE CASCADE): audit each, as tokens.c. */
	if ((rc = hg_db_exec(r->r_db, "INSERT INTO audit_log (kind, op_type, "
	    "target_id, target_name, op_detail, operator, op_time) "
	    "SELECT 'auth_token', 'delete', t.id, t.name, CONCAT('deleted token "
	    "\"', t.name, '\" (', t.prefix, '\xe2\x80\xa6) of ', u.username, "
	    "' with its user'), ?, UTC_TIMESTAMP() FROM auth_tokens t "
	    "JOIN users u ON u.id = t.user_id WHERE t.user_id = ? ORDER BY t.id",
	    "si", r->r_user->u_username, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM users WHERE id = ?", "i",
	    r->r_ids[0])) != 0)
		return hg_fail(r, rc, rc == HG_E_CONFLICT ?
		    "user is still referenced" : NULL);
	return hg_reply_ok(r);
}

/* POST and DELETE /users/{id}/roles/ */
static int
user_roles(struct hg_req *r)
{
	long long	*ids;
	size_t		 n, i;
	int		 rc, add = strcmp(r->r_method, "POST") == 0;

	if ((rc = user_exists(r, r->r_ids[0])) != 0 ||
	    (rc = hg_id_list(r, &ids, &n)) != 0 ||
	    (rc = hg_roles_exist(r, ids, n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		rc = add ? hg_db_exec(r->r_db, "INSERT IGNORE INTO user_roles "
		    "(user_id, role_id) VALUES (?, ?)", "ii", r->r_ids[0], ids[i]) :
		    hg_db_exec(r->r_db, "DELETE FROM user_roles WHERE user_id = ? "
		    "AND role_id = ?", "ii", r->r_ids[0], ids[i]);
		if (rc != 0)
			return hg_fail(r, rc, NULL);
	}
	return hg_reply_ok(r);
}

/* POST /users/{id}/actions/disable/ and .../enable/ */
static int
set_status(struct hg_req *r, const char *status)
{
	int rc;

	if ((rc = user_exists(r, r->r_ids[0])) != 0)
		return rc;
	if (r->r_ids[0] == r->r_user->u_id)
		return hg_fail(r, HG_E_CONFLICT, "you cannot %s yourself",
		    strcmp(status, "enabled") == 0 ? "enable" : "disable");
	if ((rc = hg_db_exec(r->r_db, "UPDATE users SET status = ? WHERE id = ?",
	    "si", status, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	/* Sessions end now; tokens are refused while the user is disabled. */
	if (strcmp(status, "disabled") == 0 &&
	    (rc = hg_db_exec(r->r_db, "DELETE FROM sessions WHERE user_id = ?",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	return hg_reply_ok(r);
}

static int
user_disable(struct hg_req *r)
{
	return set_status(r, "disabled");
}

static int
user_enable(struct hg_req *r)
{
	return set_status(r, "enabled");
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
	struct hg_val	 v[CP__MAX];
	struct hg_rows	*rs;
	char		 pw[256];
	int		 rc, self = r->r_ids[0] == r->r_user->u_id;

	if ((rc = hg_body(r, change_fields, CP__MAX, v)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT password_hash "
	    "FROM users WHERE id = ? FOR UPDATE", "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no user with id %lld", r->r_ids[0]);
	/* Only a superuser changing someone else's may skip the original. */
	if (self || !r->r_user->u_superuser) {
		if (!v[CP_ORIGINAL].present)
			return hg_invalid(r, "original_password", "is required");
		if (!hg_password_verify(HG_CELL(rs, 0, 0), v[CP_ORIGINAL].s))
			return hg_fail_http(r, 400, 300001,
			    "original password is wrong");
	}
	if (hg_password_hash(v[CP_NEW].s, pw, sizeof(pw)) != 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	if ((rc = hg_db_exec(r->r_db, "UPDATE users SET password_hash = ? "
	    "WHERE id = ?", "si", pw, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	/* Every other session of that user ends; the caller's own stays. */
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM sessions WHERE user_id = ? "
	    "AND id <> ?", "ii", r->r_ids[0], r->r_user->u_session)) != 0)
		return hg_fail(r, rc, NULL);
	return hg_reply_ok(r);
}

enum { FP_EMAIL, FP__MAX };
static const struct hg_field forget_fields[FP__MAX] = {
	[FP_EMAIL] = { "email", HG_V_STR, HG_V_REQUIRED, 1, 254,
	    .f_check = hg_check_email },
};

struct reset_mail {
	long long	 user;
	const char	*to;
	const char	*body;
};

static void
send_reset_mail(struct hg_req *r, void *arg)
{
	const struct reset_mail *m = arg;

	(void)r;
	if (hg_mail_send(m->to, "Hangar password reset", m->body) != 0)
		log_warn("password reset mail for user %lld not sent", m->user);
}

/*
 * POST /users/{id}/actions/forget-password/ (no auth).  Always "success",
 * so it tells nobody which addresses exist; when the address is user id's,
 * mails a single-use link valid 30 minutes.  The mail goes after the
 * answer and after the commit: how long the mail server takes must not
 * tell the client the address was right, and a link is never mailed for a
 * token that was not stored.
 */
static int
forget_password(struct hg_req *r)
{
	struct hg_val	 v[FP__MAX];
	struct hg_rows		*rs;
	struct reset_mail	*m;
	char			 token[HG_TOKEN_HEX + 1], hash[HG_HASH_HEX + 1];
	int			 rc;

	if ((rc = hg_body(r, forget_fields, FP__MAX, v)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT username, email "
	    "FROM users WHERE id = ? AND email = ? AND email <> '' AND "
	    "status = 'enabled'", "is", r->r_ids[0], v[FP_EMAIL].s)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_reply_ok(r);
	hg_random_hex(token, HG_TOKEN_HEX / 2);
	hg_hash_hex(token, hash);
	if ((rc = hg_db_exec(r->r_db, "INSERT INTO password_resets (token_hash, "
	    "user_id, expires) VALUES (?, ?, UTC_TIMESTAMP() + INTERVAL 30 MINUTE)",
	    "si", hash, r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	m = hg_alloc(r->r_arena, sizeof(*m));
	m->user = r->r_ids[0];
	m->body = hg_printf(r->r_arena,
	    "Hello %s,\r\n\r\nSomeone asked to reset your Hangar password.\r\n"
	    "To choose a new one, open this link within 30 minutes:\r\n\r\n"
	    "%s/ui/#/reset-password?token=%s\r\n\r\n"
	    "or POST {\"token\": \"%s\", \"new_password\": \"...\"} to "
	    "%s/auth/reset-password/\r\n\r\n"
	    "If you did not ask for this, ignore this mail.\r\n",
	    HG_CELL(rs, 0, 0), hg_conf.public_url, token, token,
	    hg_conf.public_url);
	/*
	 * To the address on record: the collation also matches look-alikes
	 * ("exámple.com"), which must not receive the link.
	 */
	m->to = HG_CELL(rs, 0, 1);
	hg_after_reply(r, send_reset_mail, m);
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_users[] = {
	ROUTE("GET", "/users", user_list, PERM_SUPER),
	ROUTE("POST", "/users", user_create, PERM_SUPER),
	ROUTE("GET", "/users/{id}", user_get, PERM_SELF),
	ROUTE("PATCH", "/users/{id}", user_patch, PERM_SELF),
	ROUTE("DELETE", "/users/{id}", user_delete, PERM_SUPER),
	ROUTE("POST", "/users/{id}/roles", user_roles, PERM_SUPER),
	ROUTE("DELETE", "/users/{id}/roles", user_roles, PERM_SUPER),
	ROUTE("POST", "/users/{id}/actions/disable", user_disable, PERM_SUPER),
	ROUTE("POST", "/users/{id}/actions/enable", user_enable, PERM_SUPER),
	ROUTE("POST", "/users/{id}/actions/change-password", change_password, PERM_SELF),
	ROUTE("POST", "/users/{id}/actions/forget-password", forget_password, PERM_PUBLIC),
	ROUTES_END
};
