/*
 * objects.c -- objects that more than one resource family renders.
 */
#include <stddef.h>

#include "hangard.h"

/* A row selected with HG_USER_COLS as a User object (API.md section 2). */
json_object *
hg_user_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *u = json_object_new_object();

	json_object_object_add(u, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(u, "username", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(u, "name", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(u, "email", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(u, "phone", hg_jstr(HG_CELL(rs, i, 4)));
	json_object_object_add(u, "status", hg_jstr(HG_CELL(rs, i, 5)));
	json_object_object_add(u, "is_superuser", hg_jbool(HG_CELL(rs, i, 6)));
	json_object_object_add(u, "roles", hg_jparse(HG_CELL(rs, i, 9)));
	json_object_object_add(u, "created_time", hg_jtime(r, HG_CELL(rs, i, 7)));
	json_object_object_add(u, "last_login", hg_jtime(r, HG_CELL(rs, i, 8)));
	return u;
}

/* Load user id as a User object; 10008 when there is none. */
int
hg_user_get(struct hg_req *r, long long id, json_object **out)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs,
	    "SELECT " HG_USER_COLS " FROM users u WHERE u.id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no user with id %lld", id);
	*out = hg_user_json(r, rs, 0);
	return 0;
}

/*
 * Check every id of a [{"id": N}] body names a row of table; 10002 naming
 * the first that does not.
 */
static int
ids_exist(struct hg_req *r, const char *sql, const long long *ids, size_t n,
    const char *what)
{
	struct hg_rows	*rs;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, sql, "i",
		    ids[i])) != 0)
			return hg_fail(r, rc, NULL);
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena, "[%zu].id", i),
			    hg_printf(r->r_arena, "no %s with id %lld", what,
			    ids[i]));
	}
	return 0;
}

int
hg_roles_exist(struct hg_req *r, const long long *ids, size_t n)
{
	return ids_exist(r, "SELECT id FROM roles WHERE id = ?", ids, n, "role");
}

int
hg_users_exist(struct hg_req *r, const long long *ids, size_t n)
{
	return ids_exist(r, "SELECT id FROM users WHERE id = ?", ids, n, "user");
}

/* 10008 "no <what> with id N" unless sql (one id parameter) finds a row. */
int
hg_exists(struct hg_req *r, const char *sql, long long id, const char *what)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, sql, "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", what, id);
	return 0;
}
