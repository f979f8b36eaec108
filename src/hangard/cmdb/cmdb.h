/*
 * cmdb.h -- the cmdb module's interface.  First the Application object,
 * which every family that lists applications renders (applications,
 * productions, hosts); then what the application files share among
 * themselves, grouped by the file that defines it.
 */
#ifndef HG_CMDB_H
#define HG_CMDB_H

#include "hangard.h"

/*
 * The Application object (API.md sections 3-4), its columns declared once
 * (hangard.h, json.c).  has_child is selected as NULL: hg_app_json derives
 * it from child_apps.  The caller's grants on the application, for
 * available_actions, follow these columns as HG_AC_GRANTS.
 */
#define HG_APP_COLUMNS(X) \
	X(HG_AC_ID,	  "id",		    "a.id",		  INT)	\
	X(HG_AC_NAME,	  "name",	    "a.name",		  STR)	\
	X(HG_AC_FULL,	  "full_name",	    "a.full_name",	  STR)	\
	X(HG_AC_PARENT,	  "parent_app",	    "a.parent_id",	  INT)	\
	X(HG_AC_PROD,	  "production",	    "a.production_id",	  INT)	\
	X(HG_AC_DESC,	  "description",    "a.description",	  STR)	\
	X(HG_AC_HASCHILD, "has_child",	    "NULL",		  BOOL)	\
	X(HG_AC_TYPE,	  "application_type", "a.application_type", STR) \
	X(HG_AC_RUNUSER,  "run_user",	    "a.run_user",	  STR)	\
	X(HG_AC_DIR,	  "directory",	    "a.directory",	  STR)	\
	X(HG_AC_START,	  "startup_cmd",    "a.startup_cmd",	  STR)	\
	X(HG_AC_STOP,	  "stop_cmd",	    "a.stop_cmd",	  STR)	\
	X(HG_AC_STDOUT,	  "stdout_path",    "a.stdout_path",	  STR)	\
	X(HG_AC_STDERR,	  "stderr_path",    "a.stderr_path",	  STR)	\
	X(HG_AC_PID,	  "pid_path",	    "a.pid_path",	  STR)	\
	X(HG_AC_CREATED,  "created_time",   "a.created_time",	  TIME)	\
	X(HG_AC_CHILDREN, "child_apps",	    "(SELECT JSON_ARRAYAGG(c.id " \
	    "ORDER BY c.id) FROM applications c WHERE c.parent_id = a.id)", \
	    JSON)							\
	X(HG_AC_REQUIRED, "required_apps",  "(SELECT JSON_ARRAYAGG(" \
	    "d.required_id ORDER BY d.required_id) FROM app_dependencies d " \
	    "WHERE d.app_id = a.id)", JSON)				\
	X(HG_AC_PERSONS,  "response_persons", "(SELECT JSON_ARRAYAGG(" \
	    "p.user_id ORDER BY p.user_id) FROM app_response_persons p " \
	    "WHERE p.app_id = a.id)", JSON)
enum { HG_APP_COLUMNS(HG_COL_ENUM) HG_AC_GRANTS, HG_AC__MAX };

/*
 * The select list of an Application from applications a, without a
 * trailing comma.  HG_APP_COLS is for typed SQL (sql.c): its first two
 * values are the caller's user id twice (?i, the grants column).
 * HG_APP_COLS_WITH takes the grants column from elsewhere ("NULL": no
 * values; the caller fills HG_AC_GRANTS itself).
 */
#define HG_APP_COLS_WITH(grants) HG_APP_COLUMNS(HG_COL_SQL) grants
#define HG_APP_COLS HG_APP_COLS_WITH(HG_GRANTS_COL("application", "a.id"))
json_object	*hg_app_json(struct hg_req *, struct hg_rows *, int row);

/* ---- between the application files ---------------------------------- */

#define HG_APP_FULL_MAX	768	/* the unique index covers 768 characters */
#define HG_APP_ID_MAX	(1LL << 62)

/* An application as the tree knows it. */
struct hg_app {
	long long	 a_id;
	long long	 a_parent;	/* 0: a root */
	long long	 a_depth;
	const char	*a_name;
	const char	*a_full;
};

/* applications.c: loading, locking, checking, auditing an application */
int		 hg_app_object(struct hg_req *, long long id, json_object **);
int		 hg_app_load(struct hg_req *, long long id, struct hg_app *,
		    const char *field);
int		 hg_app_lock(struct hg_req *);
int		 hg_app_begin(struct hg_req *, struct hg_app *);
int		 hg_app_exists(struct hg_req *);
int		 hg_app_viewable(struct hg_req *, long long id,
		    const char *field);
int		 hg_app_editable(struct hg_req *, const struct hg_app *,
		    const char *what);
int		 hg_app_audit(struct hg_req *, const struct hg_app *,
		    const char *op, const char *what, const char *detail);
const char	*hg_app_named(struct hg_req *, const char *name, long long id);
const char	*hg_app_item(struct hg_req *, const char *prefix, size_t i);
int		 hg_app_id_in(long long id, const long long *, size_t);

/* app_links.c: the tree and the dependencies */
int		 hg_app_place(struct hg_req *, struct hg_app *, long long parent,
		    const char *name, const char *field, const char **detail);
int		 hg_app_children_set(struct hg_req *, struct hg_app *,
		    const long long *, size_t, int replace, const char *prefix,
		    const char **detail);
int		 hg_app_deps_set(struct hg_req *, struct hg_app *,
		    const long long *, size_t, int replace, const char *prefix,
		    const char **detail);

/* app_people.c: response persons */
int		 hg_app_persons_set(struct hg_req *, struct hg_app *,
		    const long long *, const char **types, size_t, int replace,
		    const char *prefix, const char **detail);

#endif
