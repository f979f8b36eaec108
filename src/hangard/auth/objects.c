/*
 * objects.c -- the User object (auth.h), rendered by every family of the
 * auth module that shows users, and what of a user the caller may see,
 * which every module that embeds users applies.
 */
#include <stddef.h>

#include "auth.h"

const struct hg_col hg_user_cols[UC__MAX] = { HG_USER_COLS(HG_COL_DECL) };

/*
 * May the caller see all of user id (contacts, status, roles, logins)?  A
 * superuser may, and the user itself; anyone else sees the public form
 * (UC_PUBLIC), whatever else it may do where the user is embedded.
 */
int
hg_user_sees(struct hg_req *r, long long id)
{
	return r->r_user != NULL && (r->r_user->u_superuser ||
	    r->r_user->u_id == id);
}

/* A row selected with HG_USER_SELECT as a User object the caller sees. */
json_object *
hg_user_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return hg_row_json(r, hg_user_cols, hg_user_sees(r,
	    hg_atoll(HG_CELL(rs, i, UC_ID))) ? UC__MAX : UC_PUBLIC, rs, i);
}

/*
 * Load user id as the User object the caller sees; 10008 when there is
 * none.  Sign-in renders the user that just proved its password, before
 * it is the request's caller: an anonymous request sees the whole object
 * (no route but login loads a user for one).
 */
int
hg_user_get(struct hg_req *r, long long id, json_object **out)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "user", id, HG_USER_SELECT HG_NOCOUNT
	    " FROM users u WHERE u.id = ?i")) != 0)
		return rc;
	*out = r->r_user == NULL ? HG_ROW(r, hg_user_cols, rs, 0) :
	    hg_user_json(r, rs, 0);
	return 0;
}
