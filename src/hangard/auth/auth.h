/*
 * auth.h -- what the auth module's families share: the User object
 * (API.md section 2), which users, roles, sign-in and the grant views
 * render (and what of it the caller may see), the check of a [{"id": N}]
 * body of users or roles, and what the grant families share.
 */
#ifndef HG_AUTH_H
#define HG_AUTH_H

#include "hangard.h"

/*
 * The User object, its columns in the order of its keys.  roles_json is
 * kept by triggers (sql/060_user_roles_list.sql).  Select it as
 * HG_USER_SELECT from users u; a list's count column follows.
 */
#define HG_USER_COLS(X) \
	X(UC_ID,	"id",		"u.id",			INT)	\
	X(UC_USERNAME,	"username",	"u.username",		STR)	\
	X(UC_NAME,	"name",		"u.name",		STR)	\
	X(UC_EMAIL,	"email",	"u.email",		STR)	\
	X(UC_PHONE,	"phone",	"u.phone",		STR)	\
	X(UC_STATUS,	"status",	"u.status",		STR)	\
	X(UC_SUPER,	"is_superuser",	"u.is_superuser",	BOOL)	\
	X(UC_ROLES,	"roles",	"u.roles_json",		JSON)	\
	X(UC_CREATED,	"created_time",	"u.created_time",	TIME)	\
	X(UC_LOGIN,	"last_login",	"u.last_login",		TIME)
enum { HG_USER_COLS(HG_COL_ENUM) UC__MAX };
extern const struct hg_col hg_user_cols[UC__MAX];
#define HG_USER_SELECT	"SELECT " HG_USER_COLS(HG_COL_SQL)
/*
 * The public form of a User object: its first columns, id, username and
 * name.  A user's contacts (email, phone), status, roles and logins are
 * its own and the superusers' (API.md section 6: GET /users/ is theirs):
 * whichever route embeds another user shows anyone else only this
 * (hg_user_sees), and a response person only its name.
 */
#define UC_PUBLIC	(UC_NAME + 1)

/* auth/objects.c */
int		 hg_user_sees(struct hg_req *, long long id);
json_object	*hg_user_json(struct hg_req *, struct hg_rows *, int row);
int		 hg_user_get(struct hg_req *, long long id, json_object **);

/*
 * auth/grants.c: what the grant families share (the 系统授权 codes of
 * API.md section 3, the subject of a grant, its audit row).
 */
#define AUTHZ_E_UNKNOWN		30001	/* 400: no such module or perm */
#define AUTHZ_E_NOT_HELD	30002	/* 403: the granter lacks it */

struct subject {
	const char	*s_type;	/* "user" or "role" */
	long long	 s_id;
	const char	*s_name;
};

int	hg_subject_get(struct hg_req *, const char *type, long long id,
	    struct subject *);
int	hg_authz_audit(struct hg_req *, const char *scope, const char *module,
	    const char *rtype, long long rid, const char *rname,
	    const char *perm, int on, const struct subject *);

#endif
