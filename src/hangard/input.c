/*
 * input.c -- the request's body and query through declared fields.
 */
#include <stdio.h>
#include <string.h>

#include "hangard.h"
#include "secret.h"
#include "timefmt.h"

static int
invalid_fields(struct hg_req *r, json_object *errors)
{
	r->r_err_fields = errors;
	return hg_fail(r, HG_E_INVALID, NULL);
}

int
hg_body(struct hg_req *r, const struct hg_field *f, size_t n, struct hg_val *v)
{
	json_object	*body = r->r_body, *errors;

	if (body == NULL)
		body = hg_own(r, json_object_new_object());
	else if (!json_object_is_type(body, json_type_object))
		return hg_fail(r, HG_E_INVALID, "request body must be a JSON object");
	if (hg_valid_body(r->r_arena, body, f, n, v, &errors) != 0)
		return invalid_fields(r, errors);
	return 0;
}

int
hg_body_array(struct hg_req *r, json_object **out)
{
	if (r->r_body == NULL || !json_object_is_type(r->r_body, json_type_array))
		return hg_fail(r, HG_E_INVALID, "request body must be a JSON array");
	if (json_object_array_length(r->r_body) > 1000)
		return hg_fail(r, HG_E_INVALID, "at most 1000 items at once");
	*out = r->r_body;
	return 0;
}

/*
 * A body of the seed's form [{"id": 1}, {"id": 2}]: every item an object
 * with a positive integer id.  Duplicates are kept; callers use IGNORE.
 */
int
hg_id_list(struct hg_req *r, long long **ids, size_t *n)
{
	json_object	*arr, *item, *id;
	size_t		 i, len;
	int		 rc;

	if ((rc = hg_body_array(r, &arr)) != 0)
		return rc;
	len = json_object_array_length(arr);
	if (len == 0)
		return hg_invalid(r, "id", "at least one {\"id\": N} is required");
	*ids = hg_alloc(r->r_arena, sizeof(**ids) * len);
	for (i = 0; i < len; i++) {
		item = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(item, json_type_object) ||
		    !json_object_object_get_ex(item, "id", &id) ||
		    !json_object_is_type(id, json_type_int) ||
		    json_object_get_int64(id) <= 0)
			return hg_invalid(r, hg_printf(r->r_arena, "[%zu].id", i),
			    "must be a positive integer id");
		(*ids)[i] = json_object_get_int64(id);
	}
	*n = len;
	return 0;
}

int
hg_query(struct hg_req *r, const struct hg_field *f, size_t n, struct hg_val *v)
{
	json_object *errors;

	if (hg_valid_query(r->r_arena, r->r_q, r->r_nq, f, n, v, &errors) != 0)
		return invalid_fields(r, errors);
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
