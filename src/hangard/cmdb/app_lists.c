/*
 * app_lists.c -- the lists of applications: GET /applications/ and the
 * child, required and required-by applications of one, with every
 * filter of the seed, and POST /applications/get-by-users/ (what each
 * user may view).  Every list shows only what the caller may view.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdb/cmdb.h"

/* The query of every list. */
enum { LQ_NAME, LQ_FULL, LQ_PERSONS, LQ_PARENT, LQ_USER, LQ_ROLE, LQ__MAX };
static const struct hg_field list_q[LQ__MAX] = {
	[LQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[LQ_FULL] = { "full_name", HG_V_STR, 0, 0, HG_APP_FULL_MAX,
	    .f_alias = { "full_path" } },
	[LQ_PERSONS] = { "response_persons", HG_V_ARRAY, 0, 0, 100,
	    .f_alias = { "response_person" } },
	[LQ_PARENT] = { "has_parent", HG_V_INT, 0, 0, 1 },
	[LQ_USER] = { "user", HG_V_STR, 0, 0, 64 },
	[LQ_ROLE] = { "role", HG_V_STR, 0, 0, 128 },
};

/*
 * Who a list is seen as: the user or role of the user= / role= filters
 * (API.md section 3: the applications that user or role may view).
 * s_switch: it may see applications at all (the module switch
 * enable_app_mgmt, or a superuser; a role needs none of its own);
 * s_all: it sees every one (superuser, or module-wide view_app);
 * otherwise it sees those its resource grants give view_app on.
 */
struct scope {
	long long	s_switch, s_all, s_uid, s_rid;
};

/* The condition VIS_OF binds: (switch, all, user id, role id, user id). */
#define VIS_OF "(?i = 1 AND (?i = 1 OR a.id IN (SELECT g.resource_id FROM " \
	"resource_grants g WHERE g.resource_type = 'application' AND " \
	"g.perm = 'view_app' AND ((g.subject_type = 'user' AND " \
	"g.subject_id = ?i) OR (g.subject_type = 'role' AND (g.subject_id = ?i " \
	"OR g.subject_id IN (SELECT ur.role_id FROM user_roles ur WHERE " \
	"ur.user_id = ?i)))))))"

#define MODULE_PERMS(subject) "(SELECT GROUP_CONCAT(DISTINCT g.perm) FROM " \
	"module_grants g WHERE g.module = 'application' AND " subject ")"
#define USER_SUBJECT "((g.subject_type = 'user' AND g.subject_id = u.id) OR " \
	"(g.subject_type = 'role' AND g.subject_id IN (SELECT ur.role_id " \
	"FROM user_roles ur WHERE ur.user_id = u.id)))"

static int
has_perm(const char *csv, const char *perm)
{
	const char *p;

	for (p = csv; p != NULL && (p = strstr(p, perm)) != NULL; p++)
		if ((p == csv || p[-1] == ',') &&
		    (p[strlen(perm)] == ',' || p[strlen(perm)] == '\0'))
			return 1;
	return 0;
}

/* Fill s from a row (id, is_superuser, module perms) or none when absent. */
static void
scope_of(struct hg_rows *rs, int role, struct scope *s)
{
	const char *perms;

	memset(s, 0, sizeof(*s));
	if (rs->nrows == 0)
		return;
	perms = HG_CELL(rs, 0, 2);
	if (role)
		s->s_rid = hg_atoll(HG_CELL(rs, 0, 0));
	else
		s->s_uid = hg_atoll(HG_CELL(rs, 0, 0));
	s->s_switch = role || hg_atoll(HG_CELL(rs, 0, 1)) ||
	    has_perm(perms, "enable_app_mgmt");
	s->s_all = hg_atoll(HG_CELL(rs, 0, 1)) || has_perm(perms, "view_app");
}

/* The scope of user `name` (or of user id when name is NULL). */
static int
user_scope(struct hg_req *r, const char *name, long long id, struct scope *s)
{
	struct hg_rows	*rs;
	int		 rc;

	rc = name != NULL ?
	    hg_sql(r, &rs, "SELECT u.id, u.is_superuser, "
	    MODULE_PERMS(USER_SUBJECT) " FROM users u WHERE u.username = ?s",
	    name) :
	    hg_sql(r, &rs, "SELECT u.id, u.is_superuser, "
	    MODULE_PERMS(USER_SUBJECT) " FROM users u WHERE u.id = ?i", id);
	if (rc != 0)
		return rc;
	scope_of(rs, 0, s);
	return 0;
}

static int
role_scope(struct hg_req *r, const char *name, struct scope *s)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT ro.id, 0, "
	    MODULE_PERMS("g.subject_type = 'role' AND g.subject_id = ro.id")
	    " FROM roles ro WHERE ro.name = ?s", name)) != 0)
		return rc;
	scope_of(rs, 1, s);
	return 0;
}

/* response_persons as a JSON array of ids for JSON_TABLE, or NULL. */
static int
persons_filter(struct hg_req *r, const struct hg_val *v, const char **out)
{
	const char	*s, *list = "";
	char		*end;
	size_t		 i, n;
	long long	 id;

	*out = NULL;
	if (!v->present || (n = json_object_array_length(v->j)) == 0)
		return 0;	/* "response_persons=" filters nothing */
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(v->j, i));
		id = strtoll(s, &end, 10);
		if (*end != '\0' || id <= 0)
			return hg_invalid(r, "response_persons",
			    "must be user ids");
		list = hg_printf(r->r_arena, "%s%s%lld", list, i ? "," : "", id);
	}
	*out = hg_printf(r->r_arena, "[%s]", list);
	return 0;
}

/*
 * Every list's conditions: the caller may view the row (HG_VISIBLE_SQL),
 * so may the user= and role= scopes (VIS_OF twice), and the filters.
 */
#define APP_FILTERS " AND " HG_VISIBLE_SQL("application", "view_app", \
	"a.id") " AND " VIS_OF " AND " VIS_OF " AND a.name LIKE " \
	"COALESCE(?s, '%') AND a.full_name LIKE COALESCE(?s, '%') " \
	"AND (?s IS NULL OR (a.parent_id IS NOT NULL) = ?s) " \
	"AND (?s IS NULL OR a.id IN (SELECT p.app_id FROM app_response_persons " \
	"p JOIN JSON_TABLE(?s, '$[*]' COLUMNS (uid BIGINT PATH '$')) j " \
	"ON p.user_id = j.uid)) "

/*
 * What a name filter of HG_SEARCH_MIN characters or more adds (its
 * substring index, sql/080_search.sql: the applications with a window
 * starting with it; the LIKE above stays the final check), and the end of
 * every list.  full_name's is full_in's.
 */
#define NAME_IN "AND a.id IN (SELECT id FROM search_ci WHERE field = 1 AND " \
	"k LIKE ?s) "
#define APP_ORDER "ORDER BY a.id DESC LIMIT ?i OFFSET ?i"

/* Which list a route shows: the route's argument. */
enum lkind { L_ALL, L_CHILDREN, L_REQUIRED, L_REQUIRED_BY };
static const enum lkind lkinds[] = { L_ALL, L_CHILDREN, L_REQUIRED,
	L_REQUIRED_BY };

/* Each list's rows; its one value is the route's id (0 for L_ALL). */
static const char *const list_sql[] = {
	[L_ALL] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM applications a "
	    "WHERE a.id > ?i" APP_FILTERS,
	[L_CHILDREN] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM "
	    "applications a WHERE a.parent_id = ?i" APP_FILTERS,
	[L_REQUIRED] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM "
	    "app_dependencies d JOIN applications a ON a.id = d.required_id "
	    "WHERE d.app_id = ?i" APP_FILTERS,
	[L_REQUIRED_BY] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM "
	    "app_dependencies d JOIN applications a ON a.id = d.app_id "
	    "WHERE d.required_id = ?i" APP_FILTERS,
};

/*
 * The usual list of someone who sees only what was granted: the ids and
 * the caller's grants on them come from its visible set (perms.c, kept by
 * the worker), so the database only fetches the page's rows by id.
 */
static int
app_list_granted(struct hg_req *r)
{
	const struct hg_visible	*vs;
	struct hg_arg		 p[HG_GRANTED_PAGE];
	struct hg_rows		*rs;
	int			 rc, row;

	if ((rc = hg_visible_set(r, "application", &vs)) != 0)
		return rc;
	hg_visible_page(vs, r->r_page, p);
	if ((rc = hg_sql_run(r, &rs, "SELECT " HG_APP_COLS_WITH("NULL")
	    " FROM applications a WHERE a.id IN (" HG_IN_GRANTED ") "
	    "ORDER BY a.id DESC", p, HG_GRANTED_PAGE)) != 0)
		return rc;
	/* available_actions read the grants column: fill it from the set. */
	for (row = 0; row < rs->nrows; row++)
		HG_CELL(rs, row, HG_AC_GRANTS) = (char *)hg_visible_grants(vs,
		    hg_atoll(HG_CELL(rs, row, HG_AC_ID)));
	return hg_list_reply_count(r, r->r_page, rs, hg_app_json,
	    (long long)vs->v_n);
}

#define FULL_MAXCUT	8	/* places x may cross a '.': more, scan */

/*
 * The full_name filter's condition from the index of each application's
 * own full_name segment (".name", sql/080_search.sql), its values
 * appended to a[*n]: the applications whose segment has a window starting
 * with x, or with the rest of x from one of its characters that may be a
 * segment's '.' (a match reaching past a segment crosses one; the last it
 * crosses starts a window of the segment after it), and every
 * application below those.  The full_name LIKE stays the final check.
 * NULL (scan) when x or one of those rests is shorter than HG_SEARCH_MIN.
 */
static const char *
full_in(struct hg_req *r, const struct hg_val *v, struct hg_arg *a, int *n)
{
	struct hg_val	 rest = *v;
	const char	*cut[FULL_MAXCUT + 1], *s, *w, *or = "";
	int		 ncut = 0, i, exact;

	if (!v->present || v->s == NULL)
		return NULL;
	for (s = v->s; *s != '\0'; s++) {
		if (*s != '.' && (*s & 0x80) == 0)
			continue;
		if (((unsigned char)*s & 0xc0) == 0x80 || s == v->s)
			continue;	/* inside a character; x itself */
		if (ncut == FULL_MAXCUT)
			return NULL;
		cut[ncut++] = s;
	}
	rest.s = v->s;
	if ((w = hg_like_window(r, &rest, &exact)) == NULL)
		return NULL;
	a[*n + 0] = HG_ARG(w);
	for (i = 0; i < ncut; i++) {
		rest.s = cut[i];
		if ((w = hg_like_window(r, &rest, &exact)) == NULL)
			return NULL;
		a[*n + 1 + i] = HG_ARG(w);
		or = hg_printf(r->r_arena, "%s OR k LIKE ?s", or);
	}
	*n += 1 + ncut;
	return hg_printf(r->r_arena, "AND a.id IN (WITH RECURSIVE t (id) AS "
	    "(SELECT id FROM search_ci WHERE field = 2 AND (k LIKE ?s%s) "
	    "UNION SELECT c.id FROM applications c JOIN t ON "
	    "c.parent_id = t.id) SELECT id FROM t) ", or);
}

/* The five values VIS_OF binds for scope sc, appended to a[*n]. */
static void
scope_args(struct hg_arg *a, int *n, const struct scope *sc)
{
	a[(*n)++] = HG_ARG(sc->s_switch);
	a[(*n)++] = HG_ARG(sc->s_all);
	a[(*n)++] = HG_ARG(sc->s_uid);
	a[(*n)++] = HG_ARG(sc->s_rid);
	a[(*n)++] = HG_ARG(sc->s_uid);
}

/*
 * GET /applications/ and /applications/{id}/child-apps/, required-apps/,
 * required-by-apps/ (the route's argument says which), with every filter
 * of the seed.
 */
static int
app_list(struct hg_req *r)
{
	const struct hg_val	*v = r->r_qv;
	enum lkind		 kind = *ARGOF(r, enum lkind);
	struct scope		 us = { 1, 1, 0, 0 }, rs = { 1, 1, 0, 0 };
	const char		*persons, *parent, *name, *full;
	struct hg_arg		 a[24 + FULL_MAXCUT];
	long long		 uid = r->r_user->u_id, all;
	int			 rc, i, n = 0, exact, filtered = 0;

	if ((rc = persons_filter(r, &v[LQ_PERSONS], &persons)) != 0 ||
	    (kind != L_ALL && (rc = hg_app_exists(r)) != 0) ||
	    (v[LQ_USER].present &&
	    (rc = user_scope(r, v[LQ_USER].s, 0, &us)) != 0) ||
	    (v[LQ_ROLE].present && (rc = role_scope(r, v[LQ_ROLE].s, &rs)) != 0))
		return rc;
	all = hg_visible_all(r, "application");
	for (i = 0; i < LQ__MAX; i++)
		filtered |= v[i].present;
	/* A superuser holds everything: no grants to look up per row. */
	if (kind == L_ALL && !filtered && r->r_user->u_superuser)
		return hg_list(r, hg_app_json, "SELECT " HG_APP_COLS_WITH("NULL")
		    ", (SELECT n FROM row_counts WHERE tbl = 'applications') "
		    "FROM applications a ORDER BY a.id DESC LIMIT ?i OFFSET ?i");
	if (kind == L_ALL && !filtered && all)
		return hg_list(r, hg_app_json, "SELECT " HG_APP_COLS ", "
		    "(SELECT n FROM row_counts WHERE tbl = 'applications') FROM "
		    "applications a ORDER BY a.id DESC LIMIT ?i OFFSET ?i", uid,
		    uid);
	if (kind == L_ALL && !filtered && r->r_page->pg_size <= HG_GRANTED_PAGE)
		return app_list_granted(r);
	/*
	 * A bigger page of someone who sees only what was granted: start
	 * from the grants (an OR in the general query below would make
	 * MariaDB test every application against them), and render only the
	 * page (a window function makes MariaDB compute every column of
	 * every matching row before it sorts and cuts).
	 */
	if (kind == L_ALL && !filtered)
		return hg_list(r, hg_app_json, "SELECT " HG_APP_COLS ", k.total "
		    "FROM (SELECT a.id, COUNT(*) OVER () AS total FROM "
		    "applications a WHERE "
		    HG_VISIBLE_IN("application", "view_app", "a.id")
		    " ORDER BY a.id DESC LIMIT ?i OFFSET ?i) k JOIN "
		    "applications a ON a.id = k.id ORDER BY a.id DESC", uid, uid,
		    uid, uid);
	parent = !v[LQ_PARENT].present ? NULL : v[LQ_PARENT].i ? "1" : "0";
	a[n++] = HG_ARG(uid);
	a[n++] = HG_ARG(uid);
	a[n++] = HG_ARG(kind == L_ALL ? 0 : r->r_ids[0]);
	a[n++] = HG_ARG(all);
	a[n++] = HG_ARG(uid);
	a[n++] = HG_ARG(uid);
	scope_args(a, &n, &us);
	scope_args(a, &n, &rs);
	a[n++] = HG_ARG(hg_like(r, &v[LQ_NAME]));
	a[n++] = HG_ARG(hg_like(r, &v[LQ_FULL]));
	a[n++] = HG_ARG(parent);
	a[n++] = HG_ARG(parent);
	a[n++] = HG_ARG(persons);
	a[n++] = HG_ARG(persons);
	if ((name = hg_like_window(r, &v[LQ_NAME], &exact)) != NULL)
		a[n++] = HG_ARG(name);
	full = full_in(r, &v[LQ_FULL], a, &n);
	return hg_list_run(r, hg_app_json, hg_printf(r->r_arena, "%s%s%s"
	    APP_ORDER, list_sql[kind], name ? NAME_IN : "", full ? full : ""),
	    a, n);
}

/*
 * POST /applications/get-by-users/: [{"id": N}, ...] -> for each user the
 * applications that user may view (see struct scope) and the caller may
 * view too.
 */
static int
app_by_users(struct hg_req *r)
{
	struct hg_rows	*apps;
	struct scope	 s;
	json_object	*out, *u, *list;
	long long	 uid = r->r_user->u_id, all;
	size_t		 i;
	int		 rc, k;

	if ((rc = hg_ids_exist(r, "user",
	    "SELECT id FROM users WHERE id = ?i")) != 0)
		return rc;
	all = hg_visible_all(r, "application");
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < r->r_nidv; i++) {
		if ((rc = user_scope(r, NULL, r->r_idv[i], &s)) != 0 ||
		    (rc = hg_sql(r, &apps, "SELECT " HG_APP_COLS " FROM "
		    "applications a WHERE " HG_VISIBLE_SQL("application",
		    "view_app", "a.id") " AND " VIS_OF " ORDER BY a.id DESC",
		    uid, uid, all, uid, uid, s.s_switch, s.s_all, s.s_uid,
		    s.s_rid, s.s_uid)) != 0)
			return rc;
		list = json_object_new_array_ext(apps->nrows);
		for (k = 0; k < apps->nrows; k++)
			json_object_array_add(list, hg_app_json(r, apps, k));
		u = json_object_new_object();
		json_object_object_add(u, "user_id",
		    json_object_new_int64(r->r_idv[i]));
		json_object_object_add(u, "applications", list);
		json_object_array_add(out, u);
	}
	return hg_reply(r, 200, json_object_get(out));
}

#define LIST	PERM_MODULE("application", "enable_app_mgmt")
#define VIEW	PERM_APP("view_app")

const struct hg_route hg_routes_app_lists[] = {
	ROUTE("GET", "/applications", app_list, LIST, ARG(&lkinds[L_ALL]),
	    QUERY(list_q), PAGED),
	/* A question, not a change: POST only for the seed's id list. */
	ROUTE("POST", "/applications/get-by-users", app_by_users, LIST, IDS),
	ROUTE("GET", "/applications/{id}/child-apps", app_list, VIEW,
	    ARG(&lkinds[L_CHILDREN]), QUERY(list_q), PAGED),
	ROUTE("GET", "/applications/{id}/required-apps", app_list, VIEW,
	    ARG(&lkinds[L_REQUIRED]), QUERY(list_q), PAGED),
	ROUTE("GET", "/applications/{id}/required-by-apps", app_list, VIEW,
	    ARG(&lkinds[L_REQUIRED_BY]), QUERY(list_q), PAGED),
	ROUTES_END
};
