/*
 * input.c -- the request's body and query through declared fields.
 */
#include <stdio.h>
#include <string.h>

#include "hangard.h"
#include "secret.h"
#include "timefmt.h"

/* Refuse the request with the errors of declared validation (10002). */
static int
invalid_fields(struct hg_req *r, json_object *errors)
{
	struct json_object_iterator it;

	if (r->r_err != 0 && r->r_err_http >= 500)
		return r->r_err;	/* see reply.c's vfail */
	hg_own(r, errors);
	r->r_err_fields = errors;
	if (json_object_object_length(errors) != 1)
		return hg_fail(r, HG_E_INVALID, NULL);
	it = json_object_iter_begin(errors);
	return hg_fail(r, HG_E_INVALID, "validation failed: %s %s",
	    json_object_iter_peek_name(&it),
	    json_object_get_string(json_object_iter_peek_value(&it)));
}

/*
 * The same for a body whose one failing field declares a module code
 * (f_code, the seed's 3000x) and was given: refused with that code (400),
 * the errors object as for 10002.  A missing field is 10002 still.
 */
static int
invalid_body(struct hg_req *r, const struct hg_fields *fs, json_object *errors)
{
	struct json_object_iterator	 it;
	const char			*name;
	size_t				 i;
	int				 rc;

	rc = invalid_fields(r, errors);
	if (rc != HG_E_INVALID || json_object_object_length(errors) != 1)
		return rc;
	it = json_object_iter_begin(errors);
	name = json_object_iter_peek_name(&it);
	for (i = 0; i < fs->fs_n; i++)
		if (fs->fs_f[i].f_code != 0 && fs->fs_f[i].f_name != NULL &&
		    strcmp(fs->fs_f[i].f_name, name) == 0 && r->r_in[i].present)
			return hg_fail_http(r, 400, fs->fs_f[i].f_code,
			    "%s %s", name, json_object_get_string(
			    json_object_iter_peek_value(&it)));
	return rc;
}

/* The body as an array of at most 1000 items (the route's MAXITEMS). */
static int
body_array(struct hg_req *r, json_object **out)
{
	size_t max = r->r_route->rt_maxitems ? r->r_route->rt_maxitems : 1000;

	if (r->r_body == NULL || !json_object_is_type(r->r_body, json_type_array))
		return hg_fail(r, HG_E_INVALID, "request body must be a JSON array");
	if (json_object_array_length(r->r_body) > max)
		return hg_fail(r, HG_E_INVALID, "at most %zu items at once", max);
	*out = r->r_body;
	return 0;
}

/*
 * A body of the seed's form [{"id": 1}, {"id": 2}]: at least one item,
 * each an object with a positive integer id.  Duplicates are kept;
 * callers use IGNORE.
 */
static int
id_list(struct hg_req *r)
{
	static const struct hg_field	 list = { .f_name = "",
	    .f_type = HG_V_IDS };
	struct hg_val			 v;
	json_object			*arr, *errors = NULL;
	int				 rc;

	if ((rc = body_array(r, &arr)) != 0)
		return rc;
	if (json_object_array_length(arr) == 0)
		return hg_invalid(r, "id", "at least one {\"id\": N} is required");
	memset(&v, 0, sizeof(v));
	if (hg_valid_ids(r->r_arena, &list, arr, "", &v, &errors) != 0)
		return invalid_fields(r, errors);
	r->r_idv = v.ids;
	r->r_nidv = v.nitems;
	return 0;
}

/*
 * Validate what the route declares, before its handler runs: the query's
 * fields, the page, and the body (an object of fields, an id list, or an
 * array of objects of fields).  The handler reads the values from r_qv,
 * r_page, r_in, r_idv/r_nidv and r_items/r_nitems.
 */
int
hg_validate(struct hg_req *r)
{
	const struct hg_route	*rt = r->r_route;
	const struct hg_fields	*fs = &rt->rt_fields;
	json_object		*errors = NULL, *body = r->r_body;
	size_t			 i;
	int			 rc;

	if (rt->rt_query.fs_n > 0) {
		r->r_qv = hg_alloc(r->r_arena, sizeof(*r->r_qv) *
		    rt->rt_query.fs_n);
		if ((rc = hg_query(r, rt->rt_query.fs_f, rt->rt_query.fs_n,
		    r->r_qv)) != 0)
			return rc;
	}
	if (rt->rt_paged) {
		r->r_page = hg_alloc(r->r_arena, sizeof(*r->r_page));
		if ((rc = hg_page(r, r->r_page)) != 0)
			return rc;
	}
	switch (rt->rt_body) {
	case HG_B_NONE:
	case HG_B_RAW:
		return 0;
	case HG_B_IDS:
		return id_list(r);
	case HG_B_OBJECT:
		if (body == NULL)
			body = hg_own(r, json_object_new_object());
		else if (!json_object_is_type(body, json_type_object))
			return hg_fail(r, HG_E_INVALID,
			    "request body must be a JSON object");
		r->r_in = hg_alloc(r->r_arena, sizeof(*r->r_in) * fs->fs_n);
		if (hg_valid_object(r->r_arena, body, fs->fs_f, fs->fs_n,
		    r->r_in, NULL, rt->rt_optional ? HG_VB_OPTIONAL : 0,
		    &errors) != 0)
			return invalid_body(r, fs, errors);
		return 0;
	case HG_B_ITEMS:
		if ((rc = body_array(r, &body)) != 0)
			return rc;
		r->r_nitems = json_object_array_length(body);
		r->r_items = hg_alloc(r->r_arena, sizeof(*r->r_items) *
		    (r->r_nitems + 1));
		for (i = 0; i < r->r_nitems; i++) {
			json_object	*item = json_object_array_get_idx(body, i);
			const char	*name = hg_printf(r->r_arena, "[%zu]", i);

			r->r_items[i] = hg_alloc(r->r_arena,
			    sizeof(**r->r_items) * fs->fs_n);
			if (!json_object_is_type(item, json_type_object))
				return hg_invalid(r, name, "must be an object");
			if (hg_valid_object(r->r_arena, item, fs->fs_f,
			    fs->fs_n, r->r_items[i], name, 0, &errors) != 0)
				return invalid_fields(r, errors);
		}
		return 0;
	}
	return hg_fail(r, HG_E_INTERNAL, NULL);
}

int
hg_query(struct hg_req *r, const struct hg_field *f, size_t n, struct hg_val *v)
{
	json_object *errors;

	if (hg_valid_query(r->r_arena, r->r_q, r->r_nq, f, n, v, &errors) != 0)
		return invalid_fields(r, json_object_get(errors));
	return 0;
}

/* A substring filter as a LIKE pattern with % and _ taken literally. */
const char *
hg_like(struct hg_req *r, const struct hg_val *v)
{
	const char	*s;
	char		*p, *out;

	if (!v->present || v->s == NULL)
		return NULL;
	out = p = hg_alloc(r->r_arena, strlen(v->s) * 2 + 3);
	*p++ = '%';
	for (s = v->s; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

/*
 * A substring filter as the LIKE pattern of its windows in the substring
 * indexes (sql/080_search.sql): its first HG_SEARCH_WINDOW characters,
 * % and _ taken literally, then %.  NULL when the filter is absent or
 * shorter than HG_SEARCH_MIN characters (no window is that short: the
 * caller scans).  *exact is set when the text fits in a window, so that a
 * window starting with it is a match by itself.
 */
const char *
hg_like_window(struct hg_req *r, const struct hg_val *v, int *exact)
{
	const char	*s;
	char		*p, *out;
	size_t		 n = 0;

	*exact = 0;
	if (!v->present || v->s == NULL)
		return NULL;
	for (s = v->s; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	if (n < HG_SEARCH_MIN)
		return NULL;
	*exact = n <= HG_SEARCH_WINDOW;
	out = p = hg_alloc(r->r_arena, strlen(v->s) * 2 + 2);
	for (s = v->s, n = 0; *s; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80 &&
		    n++ == HG_SEARCH_WINDOW)
			break;
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

/* A validated time filter as a UTC DATETIME string for binding. */
const char *
hg_qtime(struct hg_req *r, const struct hg_val *v)
{
	char buf[20];

	if (!v->present)
		return NULL;
	hg_time_db((time_t)v->i, buf);
	return hg_strdup(r->r_arena, buf);
}

const char *
hg_header_get(struct hg_req *r, const char *cgi_name)
{
	return FCGX_GetParam(cgi_name, r->r_fcgi->envp);
}

/* A secret from the body, sealed with the server key; 500 without a key. */
int
hg_seal_input(struct hg_req *r, const char *plain, char **out)
{
	if ((*out = hg_seal(r->r_arena, plain)) == NULL)
		return hg_fail(r, HG_E_INTERNAL, "the server key is not loaded "
		    "(secret_key_file); secrets cannot be stored");
	return 0;
}
