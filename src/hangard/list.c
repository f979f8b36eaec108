/*
 * list.c -- pagination: page/page_size in, {"count","next","prev","results"}
 * out, with next/prev keeping every other query parameter.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hangard.h"
#include "log.h"

enum { PG_PAGE, PG_SIZE, PG__MAX };
static const struct hg_field page_fields[PG__MAX] = {
	[PG_PAGE] = { "page", HG_V_INT, 0, 1, 1000000000, .f_alias = { "page_number" } },
	[PG_SIZE] = { "page_size", HG_V_INT, 0, 1, 1000 },
};

int
hg_page(struct hg_req *r, struct hg_page *pg)
{
	struct hg_val	v[PG__MAX];
	int		rc;

	if ((rc = hg_query(r, page_fields, PG__MAX, v)) != 0)
		return rc;
	pg->pg_page = v[PG_PAGE].present ? v[PG_PAGE].i : 1;
	pg->pg_size = v[PG_SIZE].present ? v[PG_SIZE].i : 10;
	pg->pg_offset = (pg->pg_page - 1) * pg->pg_size;
	return 0;
}

/* The same URI with page replaced (NULL when page is out of range). */
static json_object *
page_link(struct hg_req *r, long long page)
{
	const char	*q = r->r_query, *amp, *path;
	char		*out;
	size_t		 klen;

	if (page < 1)
		return NULL;
	path = r->r_uri;
	out = hg_printf(r->r_arena, "%.*s?", (int)strcspn(path, "?"), path);
	while (q != NULL && *q != '\0') {
		amp = strchrnul(q, '&');
		klen = strcspn(q, "=&");
		if (!((klen == 4 && strncmp(q, "page", 4) == 0) ||
		    (klen == 11 && strncmp(q, "page_number", 11) == 0)) &&
		    amp > q)
			out = hg_printf(r->r_arena, "%s%.*s&", out,
			    (int)(amp - q), q);
		q = *amp ? amp + 1 : amp;
	}
	return json_object_new_string(hg_printf(r->r_arena, "%spage=%lld",
	    out, page));
}

int
hg_list_reply_count(struct hg_req *r, const struct hg_page *pg,
    struct hg_rows *rs, hg_rowfn fn, long long count)
{
	json_object	*out = json_object_new_object(), *results;
	long long	 last;
	int		 i;

	results = json_object_new_array_ext(rs->nrows);
	for (i = 0; i < rs->nrows; i++)
		json_object_array_add(results, fn(r, rs, i));
	last = (count + pg->pg_size - 1) / pg->pg_size;
	json_object_object_add(out, "count", json_object_new_int64(count));
	json_object_object_add(out, "next", pg->pg_page < last ?
	    page_link(r, pg->pg_page + 1) : NULL);
	json_object_object_add(out, "prev", pg->pg_page > 1 ?
	    page_link(r, pg->pg_page - 1 < last ? pg->pg_page - 1 : last) : NULL);
	json_object_object_add(out, "results", results);
	return hg_reply(r, 200, out);
}

/*
 * Run a page query: typed sql (sql.c) ending in "LIMIT ?i OFFSET ?i" whose
 * last column is the total count (COUNT(*) OVER () or a row_counts
 * lookup); args are the values before LIMIT.  *count gets the total from
 * the first row; a page past the end has no row to carry it, so the same
 * query's first row is fetched for it.
 */
int
hg_page_query(struct hg_req *r, long long limit, long long offset,
    struct hg_rows **rs, long long *count, const char *sql,
    const struct hg_arg *args, int n)
{
	struct hg_rows	*first;
	int		 rc;

	if ((rc = hg_sql_page(r, rs, sql, args, n, limit, offset)) != 0)
		return rc;
	*count = 0;
	if ((*rs)->nrows > 0)
		*count = hg_atoll(HG_CELL(*rs, 0, (*rs)->ncols - 1));
	else if (offset > 0) {
		if ((rc = hg_sql_page(r, &first, sql, args, n, 1, 0)) != 0)
			return rc;
		if (first->nrows > 0)
			*count = hg_atoll(HG_CELL(first, 0, first->ncols - 1));
	}
	return 0;
}

/*
 * Run a page query (hg_page_query) for the route's page (PAGED) and reply
 * with its rows rendered by fn.  hg_list is this.
 */
int
hg_list_run(struct hg_req *r, hg_rowfn fn, const char *sql,
    const struct hg_arg *args, int n)
{
	struct hg_rows	*rs;
	long long	 count;
	int		 rc;

	if (r->r_page == NULL) {
		log_err("route %s %s lists without PAGED", r->r_route->rt_method,
		    r->r_route->rt_pattern);
		return hg_fail(r, HG_E_INTERNAL, NULL);
	}
	if ((rc = hg_page_query(r, r->r_page->pg_size, r->r_page->pg_offset,
	    &rs, &count, sql, args, n)) != 0)
		return rc;
	return hg_list_reply_count(r, r->r_page, rs, fn, count);
}
