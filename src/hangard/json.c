/*
 * json.c -- turning SQL cells into JSON values.
 */
#include <stdlib.h>
#include <string.h>

#include "hangard.h"
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
