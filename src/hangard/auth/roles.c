/*
 * roles.c -- /roles/: the seed's 角色 section plus create and get.
 *
 * Anyone signed in may read roles; superusers manage them and their members.
 */
#include "auth.h"

/* The Role object. */
#define ROLE_COLS(X) \
	X(RC_ID,	"id",		"r.id",			INT)	\
	X(RC_NAME,	"name",		"r.name",		STR)	\
	X(RC_CREATOR,	"creator",	"r.creator",		STR)	\
	X(RC_CREATED,	"created_time",	"r.created_time",	TIME)
enum { ROLE_COLS(HG_COL_ENUM) RC__MAX };
static const struct hg_col role_cols[] = { ROLE_COLS(HG_COL_DECL) };
#define ROLE_SELECT "SELECT " ROLE_COLS(HG_COL_SQL)

static json_object *
role_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, role_cols, rs, i);
}

static int
role_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "role", id, ROLE_SELECT HG_NOCOUNT
	    " FROM roles r WHERE r.id = ?i")) != 0)
		return rc;
	return hg_reply(r, status, role_json(r, rs, 0));
}

/* Role id, locked: the request changes it or its members. */
static int
role_lock(struct hg_req *r, long long id)
{
	return hg_sql_get(r, NULL, "role", id,
	    "SELECT id FROM roles WHERE id = ?i FOR UPDATE");
}

enum { RQ_NAME, RQ__MAX };
static const struct hg_field list_q[RQ__MAX] = {
	[RQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/* GET /roles/ */
static int
role_list(struct hg_req *r)
{
	if (!r->r_qv[RQ_NAME].present)
		return hg_list(r, role_json, ROLE_SELECT "(SELECT n FROM "
		    "row_counts WHERE tbl = 'roles') FROM roles r "
		    "ORDER BY r.id DESC LIMIT ?i OFFSET ?i");
	return hg_list(r, role_json, ROLE_SELECT "COUNT(*) OVER () FROM roles r "
	    "WHERE r.name LIKE ?s ORDER BY r.id DESC LIMIT ?i OFFSET ?i",
	    hg_like(r, &r->r_qv[RQ_NAME]));
}

/* POST's body; PATCH takes the same, optional. */
enum { RF_NAME, RF__MAX };
static const struct hg_field role_fields[RF__MAX] = {
	[RF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
};

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "role name \"%s\" is taken",
		    r->r_in[RF_NAME].s);
	return rc;
}

/* POST /roles/ */
static int
role_create(struct hg_req *r)
{
	int rc;

	if ((rc = name_taken(r, hg_sql_exec(r, "INSERT INTO roles (name, "
	    "creator) VALUES (?s, ?s)", r->r_in[RF_NAME].s,
	    r->r_user->u_username))) != 0)
		return rc;
	return role_reply(r, hg_sql_insert_id(r), 201);
}

/* GET /roles/{id}/ */
static int
role_get(struct hg_req *r)
{
	return role_reply(r, r->r_ids[0], 200);
}

/* PATCH /roles/{id}/ */
static int
role_patch(struct hg_req *r)
{
	int rc;

	if ((rc = role_lock(r, r->r_ids[0])) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "roles", r->r_ids[0]))) != 0)
		return rc;
	return role_reply(r, r->r_ids[0], 200);
}

/* DELETE /roles/{id}/ */
static int
role_delete(struct hg_req *r)
{
	int rc;

	if ((rc = role_lock(r, r->r_ids[0])) != 0 ||
	    (rc = hg_sql_exec(r, "DELETE FROM roles WHERE id = ?i",
	    r->r_ids[0])) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* GET /roles/{id}/users/ */
static int
role_users(struct hg_req *r)
{
	int rc;

	if ((rc = hg_sql_get(r, NULL, "role", r->r_ids[0],
	    "SELECT id FROM roles WHERE id = ?i")) != 0)
		return rc;
	return hg_list(r, hg_user_json, HG_USER_SELECT "COUNT(*) OVER () "
	    "FROM user_roles m JOIN users u ON u.id = m.user_id "
	    "WHERE m.role_id = ?i ORDER BY u.id DESC LIMIT ?i OFFSET ?i",
	    r->r_ids[0]);
}

/*
 * POST and DELETE /roles/{id}/users/ [{"id": user}, ...]: POST (route
 * argument "add") makes each user a member, DELETE takes it out.
 */
static int
role_members(struct hg_req *r)
{
	size_t	i;
	int	rc, add = ARGOF(r, char) != NULL;

	if ((rc = role_lock(r, r->r_ids[0])) != 0 ||
	    (rc = hg_ids_exist(r, "user",
	    "SELECT id FROM users WHERE id = ?i")) != 0)
		return rc;
	for (i = 0; i < r->r_nidv; i++)
		if ((rc = hg_sql_exec(r, add ? "INSERT IGNORE INTO user_roles "
		    "(user_id, role_id) VALUES (?i, ?i)" : "DELETE FROM "
		    "user_roles WHERE user_id = ?i AND role_id = ?i",
		    r->r_idv[i], r->r_ids[0])) != 0)
			return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_roles[] = {
	ROUTE("GET", "/roles", role_list, PERM_LOGIN, QUERY(list_q), PAGED),
	ROUTE("POST", "/roles", role_create, PERM_SUPER, BODY(role_fields)),
	ROUTE("GET", "/roles/{id}", role_get, PERM_LOGIN),
	ROUTE("PATCH", "/roles/{id}", role_patch, PERM_SUPER,
	    PATCH(role_fields)),
	ROUTE("DELETE", "/roles/{id}", role_delete, PERM_SUPER),
	ROUTE("GET", "/roles/{id}/users", role_users, PERM_SUPER, PAGED),
	ROUTE("POST", "/roles/{id}/users", role_members, PERM_SUPER,
	    ARG("add"), IDS),
	ROUTE("DELETE", "/roles/{id}/users", role_members, PERM_SUPER, IDS),
	ROUTES_END
};
