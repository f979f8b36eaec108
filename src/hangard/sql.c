/*
 * sql.c -- the request's SQL: one way to write it.
 *
 * Every statement is constant text whose placeholders carry their type
 * (?i for an integer, ?s for a string or NULL; lib/db.h), followed by the
 * values, which are checked against them (sqlargs.h):
 *
 *	rc = hg_sql(r, &rs, "SELECT name FROM roles WHERE id = ?i", id);
 *
 * A failure is recorded on the request (reply.c) before the code comes
 * back, so a handler only passes it on: `if ((rc = hg_sql(...)) != 0)
 * return rc;`.  A caller that answers a duplicate key its own way
 * (HG_E_CONFLICT) calls hg_fail again: a 4xx replaces the recorded one.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hangard.h"
#include "log.h"

/*
 * The tables authentication reads (auth.c: users, tokens, sessions, role
 * memberships, module grants) and those whose deletion cascades into them
 * (roles).  A statement other than a SELECT whose text names one of them
 * marks the request, and its commit makes every worker forget who tokens
 * and sessions are (authcache.c).  A name inside another name (user_roles
 * in "host_request_log_users") only costs a lookup: marking too often is
 * safe, too seldom is not.
 */
static const char *const auth_tables[] = {
	"users", "roles", "auth_tokens", "sessions", "module_grants", NULL
};

static void
note_write(struct hg_req *r, const char *sql)
{
	size_t i;

	if (r->r_auth_write)
		return;
	sql += strspn(sql, " \t\n(");
	if (strncasecmp(sql, "SELECT", 6) == 0)
		return;
	for (i = 0; auth_tables[i] != NULL; i++)
		if (strcasestr(sql, auth_tables[i]) != NULL) {
			r->r_auth_write = 1;
			return;
		}
}

/*
 * Run typed SQL with its values (sqlargs.h); out NULL for a statement
 * without rows.  hg_sql and hg_sql_exec are this.
 */
int
hg_sql_run(struct hg_req *r, struct hg_rows **out, const char *tsql,
    const struct hg_arg *args, int n)
{
	struct hg_param	 p[HG_DB_MAXPARAMS];
	char		 fmt[HG_DB_MAXPARAMS + 1];
	const char	*sql;
	int		 rc;

	if (hg_db_typed(r->r_arena, tsql, &sql, fmt) < 0 ||
	    hg_db_args(tsql, fmt, args, n, p) != 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	note_write(r, sql);
	if ((rc = hg_db_run(r->r_db, r->r_arena, out, sql, p, n)) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}

/*
 * A number from typed SQL (its first row's first column, "SELECT COUNT(*)
 * ..."), into *count: 0 when there is no row.  hg_sql_count is this.
 */
int
hg_sql_count_run(struct hg_req *r, long long *count, const char *tsql,
    const struct hg_arg *args, int n)
{
	struct hg_rows	*rs;
	int		 rc;

	*count = 0;
	if ((rc = hg_sql_run(r, &rs, tsql, args, n)) != 0)
		return rc;
	if (rs->nrows > 0 && HG_CELL(rs, 0, 0) != NULL)
		*count = hg_atoll(HG_CELL(rs, 0, 0));
	return 0;
}

/*
 * A page of typed sql ending in "LIMIT ?i OFFSET ?i": args are the values
 * before LIMIT; the page's limit and offset are added here.
 */
int
hg_sql_page(struct hg_req *r, struct hg_rows **out, const char *tsql,
    const struct hg_arg *args, int n, long long limit, long long offset)
{
	struct hg_arg	a[HG_DB_MAXPARAMS];

	if (n > HG_DB_MAXPARAMS - 2)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	if (n > 0)
		memcpy(a, args, sizeof(*a) * (size_t)n);
	a[n] = hg_arg_i(limit);
	a[n + 1] = hg_arg_i(offset);
	return hg_sql_run(r, out, tsql, a, n + 2);
}

/*
 * The row of `what` with this id: sql has one placeholder, ?i, the id.
 * 10008 "no <what> with id N" when there is none; out may be NULL when
 * only existence (or the lock of FOR UPDATE) matters.
 */
int
hg_sql_get(struct hg_req *r, struct hg_rows **out, const char *what,
    long long id, const char *sql)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, sql, id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", what, id);
	if (out != NULL)
		*out = rs;
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

/*
 * A statement of typed integer placeholders ("... VALUES (?i, ?i)") run
 * for nrows rows at once (lib/db.h hg_db_bulk); vals row after row.
 */
int
hg_sql_bulk(struct hg_req *r, const char *tsql, const long long *vals,
    size_t nrows)
{
	char		 fmt[HG_DB_MAXPARAMS + 1];
	const char	*sql;
	int		 n, rc;

	if ((n = hg_db_typed(r->r_arena, tsql, &sql, fmt)) < 1 ||
	    strspn(fmt, "i") != (size_t)n) {
		log_err("a bulk statement takes ?i placeholders only: %s",
		    tsql);
		return hg_fail(r, HG_E_INTERNAL, NULL);
	}
	note_write(r, sql);
	if ((rc = hg_db_bulk(r->r_db, sql, n, vals, nrows)) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}

long long
hg_sql_insert_id(struct hg_req *r)
{
	return (long long)hg_db_insert_id(r->r_db);
}

long long
hg_sql_affected(struct hg_req *r)
{
	return (long long)hg_db_affected(r->r_db);
}

/*
 * UPDATE table SET <column> = <value> for each body field the route
 * declares with a column (f_col) and the body gives, WHERE id = id.  The
 * statement's text depends only on which declared fields were given, never
 * on their values.  Nothing given: nothing to do.
 */
int
hg_sql_patch(struct hg_req *r, const char *table, long long id)
{
	const struct hg_fields	*fs = &r->r_route->rt_fields;
	struct hg_param		 p[HG_DB_MAXPARAMS];
	const struct hg_field	*f;
	const struct hg_val	*v;
	char			*sql;
	size_t			 i;
	int			 n = 0, rc;

	sql = hg_printf(r->r_arena, "UPDATE %s SET ", table);
	for (i = 0; i < fs->fs_n && n < HG_DB_MAXPARAMS - 1; i++) {
		f = &fs->fs_f[i];
		v = &r->r_in[i];
		if (f->f_col == NULL || !v->present)
			continue;
		sql = hg_printf(r->r_arena, "%s%s%s = ?", sql, n ? ", " : "",
		    f->f_col);
		if (f->f_type == HG_V_INT || f->f_type == HG_V_BOOL) {
			p[n].p_type = v->null ? 's' : 'i';
			p[n].p_int = v->i;
			p[n].p_str = NULL;
		} else {
			p[n].p_type = 's';
			p[n].p_str = v->null ? NULL : v->s;
		}
		n++;
	}
	if (n == 0)
		return 0;
	sql = hg_printf(r->r_arena, "%s WHERE id = ?", sql);
	note_write(r, sql);
	p[n].p_type = 'i';
	p[n].p_int = id;
	if ((rc = hg_db_run(r->r_db, r->r_arena, NULL, sql, p, n + 1)) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}
