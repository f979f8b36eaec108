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
