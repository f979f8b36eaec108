/*
 * roles.c -- /roles/: the seed's 角色 section plus create and get.
 *
 * Anyone signed in may read roles; superusers manage them and their members.
 */
#include <string.h>

#include "hangard.h"

#define ROLE_COLS "r.id, r.name, r.creator, r.created_time"

static json_object *
role_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "creator", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 3)));
	return o;
}

static int
role_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " ROLE_COLS
	    " FROM roles r WHERE r.id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no role with id %lld", id);
	return hg_reply(r, status, role_json(r, rs, 0));
}

enum { RQ_NAME, RQ__MAX };
static const struct hg_field list_q[RQ__MAX] = {
	[RQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/* GET /roles/ */
static int
role_list(struct hg_req *r)
{
	struct hg_val	v[RQ__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, list_q, RQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	if (!v[RQ_NAME].present)
		return hg_list_v0(r, &pg, role_json, "SELECT " ROLE_COLS ", "
		    "(SELECT n FROM row_counts WHERE tbl = 'roles') FROM roles r "
		    "ORDER BY r.id DESC LIMIT ? OFFSET ?", NULL);
	return hg_list_v0(r, &pg, role_json, "SELECT " ROLE_COLS ", COUNT(*) OVER () "
	    "FROM roles r WHERE r.name LIKE ? ORDER BY r.id DESC LIMIT ? OFFSET ?",
	    "s", hg_like(r, &v[RQ_NAME]));
}

enum { RF_NAME, RF__MAX };
static const struct hg_field role_fields[RF__MAX] = {
	[RF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
};
static const struct hg_field patch_fields[RF__MAX] = {
	[RF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
};

/* POST /roles/ */
static int
role_create(struct hg_req *r)
{
	struct hg_val	v[RF__MAX];
	int		rc;

	if ((rc = hg_body(r, role_fields, RF__MAX, v)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "INSERT INTO roles (name, creator) VALUES (?, ?)",
	    "ss", v[RF_NAME].s, r->r_user->u_username);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "role name \"%s\" is taken", v[RF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	return role_reply(r, (long long)hg_db_insert_id(r->r_db), 201);
}

/* GET /roles/{id}/ */
static int
role_get(struct hg_req *r)
{
	return role_reply(r, r->r_ids[0], 200);
}

static int
role_exists(struct hg_req *r, long long id)
{
	return hg_exists(r, "SELECT id FROM roles WHERE id = ? FOR UPDATE", id,
	    "role");
}

/* PATCH /roles/{id}/ */
static int
role_patch(struct hg_req *r)
{
	struct hg_val	v[RF__MAX];
	int		rc;

	if ((rc = role_exists(r, r->r_ids[0])) != 0 ||
	    (rc = hg_body(r, patch_fields, RF__MAX, v)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "UPDATE roles SET name = COALESCE(?, name) "
	    "WHERE id = ?", "si", v[RF_NAME].s, r->r_ids[0]);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "role name \"%s\" is taken", v[RF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	return role_reply(r, r->r_ids[0], 200);
}

/* DELETE /roles/{id}/ */
static int
role_delete(struct hg_req *r)
{
	int rc;

	if ((rc = role_exists(r, r->r_ids[0])) != 0)
		return rc;
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM roles WHERE id = ?", "i",
	    r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	return hg_reply_ok(r);
}

/* GET /roles/{id}/users/ (paginated) */
static int
role_users(struct hg_req *r)
{
	struct hg_page	pg;
	int		rc;

	if ((rc = role_exists(r, r->r_ids[0])) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	return hg_list_v0(r, &pg, hg_user_json, "SELECT " HG_USER_COLS ", "
	    "COUNT(*) OVER () FROM user_roles m JOIN users u ON u.id = m.user_id "
	    "WHERE m.role_id = ? ORDER BY u.id DESC LIMIT ? OFFSET ?", "i",
	    r->r_ids[0]);
}

/* POST and DELETE /roles/{id}/users/ */
static int
role_members(struct hg_req *r)
{
	long long	*ids;
	size_t		 n, i;
	int		 rc, add = strcmp(r->r_method, "POST") == 0;

	if ((rc = role_exists(r, r->r_ids[0])) != 0 ||
	    (rc = hg_id_list(r, &ids, &n)) != 0 ||
	    (rc = hg_users_exist(r, ids, n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		rc = add ? hg_db_exec(r->r_db, "INSERT IGNORE INTO user_roles "
		    "(user_id, role_id) VALUES (?, ?)", "ii", ids[i], r->r_ids[0]) :
		    hg_db_exec(r->r_db, "DELETE FROM user_roles WHERE user_id = ? "
		    "AND role_id = ?", "ii", ids[i], r->r_ids[0]);
		if (rc != 0)
			return hg_fail(r, rc, NULL);
	}
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_roles[] = {
	ROUTE("GET", "/roles", role_list, PERM_LOGIN),
	ROUTE("POST", "/roles", role_create, PERM_SUPER),
	ROUTE("GET", "/roles/{id}", role_get, PERM_LOGIN),
	ROUTE("PATCH", "/roles/{id}", role_patch, PERM_SUPER),
	ROUTE("DELETE", "/roles/{id}", role_delete, PERM_SUPER),
	ROUTE("GET", "/roles/{id}/users", role_users, PERM_SUPER),
	ROUTE("POST", "/roles/{id}/users", role_members, PERM_SUPER),
	ROUTE("DELETE", "/roles/{id}/users", role_members, PERM_SUPER),
	ROUTES_END
};
