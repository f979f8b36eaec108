/*
 * objects.c -- the User object (auth.h), rendered by every family of the
 * auth module that shows users.
 */
#include <stddef.h>

#include "auth.h"

const struct hg_col hg_user_cols[UC__MAX] = { HG_USER_COLS(HG_COL_DECL) };

/* A row selected with HG_USER_SELECT as a User object. */
json_object *
hg_user_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, hg_user_cols, rs, i);
}

/* Load user id as a User object; 10008 when there is none. */
int
hg_user_get(struct hg_req *r, long long id, json_object **out)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "user", id, HG_USER_SELECT HG_NOCOUNT
	    " FROM users u WHERE u.id = ?i")) != 0)
		return rc;
	*out = hg_user_json(r, rs, 0);
	return 0;
}

/*
 * Every id of the route's [{"id": N}] body (IDS) names a row of `what`:
 * sql selects it by its one placeholder, ?i.  10002 naming the first that
 * does not, as "[i].id": a body's id is the client's field, not a path.
 */
int
hg_ids_exist(struct hg_req *r, const char *what, const char *sql)
{
	size_t	i;
	int	rc;

	for (i = 0; i < r->r_nidv; i++)
		if ((rc = hg_sql_get(r, NULL, what, r->r_idv[i], sql)) != 0)
			return rc != HG_E_NOTFOUND ? rc : hg_invalid(r,
			    hg_printf(r->r_arena, "[%zu].id", i),
			    hg_printf(r->r_arena, "no %s with id %lld", what,
			    r->r_idv[i]));
	return 0;
}

/* ---- going: the checks other families still call (hangard.h) ---------- */

/* 10002 naming the first id of ids that sql (one ?i) finds no row for. */
static int
ids_exist(struct hg_req *r, const char *sql, const long long *ids, size_t n,
    const char *what)
{
	struct hg_rows	*rs;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		if ((rc = hg_sql(r, &rs, sql, ids[i])) != 0)
			return rc;
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
	return ids_exist(r, "SELECT id FROM roles WHERE id = ?i", ids, n,
	    "role");
}

int
hg_users_exist(struct hg_req *r, const long long *ids, size_t n)
{
	return ids_exist(r, "SELECT id FROM users WHERE id = ?i", ids, n,
	    "user");
}

/* 10008 "no <what> with id N" unless sql (one untyped ?) finds a row. */
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
