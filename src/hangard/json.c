/*
 * json.c -- turning SQL cells into JSON values.
 */
#include <stdlib.h>
#include <string.h>

#include "hangard.h"
#include "jsonraw.h"
#include "timefmt.h"

json_object *
hg_jstr(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

json_object *
hg_jint(const char *s)
{
	return s == NULL ? NULL : json_object_new_int64(strtoll(s, NULL, 10));
}

json_object *
hg_jbool(const char *s)
{
	return json_object_new_boolean(s != NULL && strcmp(s, "0") != 0);
}

json_object *
hg_jtime(struct hg_req *r, const char *s)
{
	return s == NULL ? NULL : json_object_new_string(hg_time_out(r->r_arena, s));
}

/* JSON text built by SQL (JSON_ARRAYAGG); NULL means an empty array. */
json_object *
hg_jparse(const char *s)
{
	json_object *j;

	if (s == NULL || (j = json_tokener_parse(s)) == NULL)
		return json_object_new_array();
	return j;
}

/* One cell as the JSON value its column type says. */
json_object *
hg_cell_json(struct hg_req *r, enum hg_coltype t, const char *s)
{
	switch (t) {
	case HG_J_INT:
		return hg_jint(s);
	case HG_J_STR:
		return hg_jstr(s);
	case HG_J_BOOL:
		return hg_jbool(s);
	case HG_J_TIME:
		return hg_jtime(r, s);
	case HG_J_JSON:
		return hg_jparse(s);
	case HG_J_RAW:
		return hg_jsonraw_new(s);
	case HG_J_NONE:
		break;
	}
	return NULL;
}

/* Add row's first n columns to o by the column table (NONE skipped). */
void
hg_row_add(struct hg_req *r, json_object *o, const struct hg_col *c, size_t n,
    struct hg_rows *rs, int row)
{
	size_t i;

	for (i = 0; i < n && i < (size_t)rs->ncols; i++)
		if (c[i].c_type != HG_J_NONE)
			json_object_object_add(o, c[i].c_name,
			    hg_cell_json(r, c[i].c_type, HG_CELL(rs, row, i)));
}

/* Row as an object of its declared columns. */
json_object *
hg_row_json(struct hg_req *r, const struct hg_col *c, size_t n,
    struct hg_rows *rs, int row)
{
	json_object *o = json_object_new_object();

	hg_row_add(r, o, c, n, rs, row);
	return o;
}
