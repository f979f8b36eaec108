/*
 * fuzz_body.c -- a request body through what hangard does with it before
 * any handler: strict JSON (hg_json_parse), then declared validation
 * (hg_valid_object) against a table with every field type, nested
 * objects, arrays of objects and id lists, also as PATCH (all optional).
 */
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "timefmt.h"
#include "valid.h"

static const char *const colours[] = { "red", "Green", "blue", NULL };

static const struct hg_field sub[] = {
	{ .f_name = "host", .f_type = HG_V_STR, .f_flags = HG_V_REQUIRED,
	    .f_min = 1, .f_max = 8, .f_check = hg_check_noctl },
	{ .f_name = "port", .f_type = HG_V_INT, .f_min = 1, .f_max = 65535 },
	{ .f_name = "on", .f_type = HG_V_BOOL },
};

static const struct hg_field fields[] = {
	{ .f_name = "name", .f_type = HG_V_STR, .f_flags = HG_V_REQUIRED,
	    .f_min = 1, .f_max = 64, .f_alias = { "nick", "nickname" } },
	{ .f_name = "email", .f_type = HG_V_STR, .f_max = 254,
	    .f_check = hg_check_email },
	{ .f_name = "user", .f_type = HG_V_STR, .f_flags = HG_V_NULLABLE,
	    .f_max = 32, .f_check = hg_check_username },
	{ .f_name = "age", .f_type = HG_V_INT, .f_min = -5, .f_max = 150 },
	{ .f_name = "big", .f_type = HG_V_INT },
	{ .f_name = "colour", .f_type = HG_V_ENUM, .f_enum = colours },
	{ .f_name = "case", .f_type = HG_V_ENUM, .f_flags = HG_V_NOCASE,
	    .f_enum = colours },
	{ .f_name = "tags", .f_type = HG_V_ARRAY, .f_min = 1, .f_max = 3 },
	{ .f_name = "meta", .f_type = HG_V_OBJECT, .f_flags = HG_V_NULLABLE },
	{ .f_name = "since", .f_type = HG_V_TIME },
	{ .f_name = "one", .f_type = HG_V_OBJECT, .f_flags = HG_V_NULLABLE,
	    HG_SUB(sub) },
	{ .f_name = "many", .f_type = HG_V_ARRAY, .f_max = 4, HG_SUB(sub) },
	{ .f_name = "ids", .f_type = HG_V_IDS, .f_max = 100 },
	{ .f_name = "bare", .f_type = HG_V_IDS, .f_flags = HG_V_BAREID },
	{ .f_name = "secret", .f_type = HG_V_STR, .f_flags = HG_V_SECRET },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 tz;
	struct hg_arena		 a;
	struct hg_val		 v[NFIELDS];
	json_object		*body, *errors, *item;
	size_t			 i;

	if (!tz)
		tz = hg_tz_init("+08:00") == 0;
	if ((body = hg_json_parse((const char *)data, size)) == NULL)
		return 0;
	hg_arena_init(&a);
	hg_json_own(&a, body);
	if (json_object_is_type(body, json_type_object)) {
		errors = NULL;
		(void)hg_valid_object(&a, body, fields, NFIELDS, v, NULL, 0,
		    &errors);
		hg_json_own(&a, errors);
		errors = NULL;
		(void)hg_valid_object(&a, body, fields, NFIELDS, v, NULL,
		    HG_VB_OPTIONAL, &errors);
		hg_json_own(&a, errors);
	} else if (json_object_is_type(body, json_type_array))
		for (i = 0; i < json_object_array_length(body) && i < 64; i++) {
			item = json_object_array_get_idx(body, i);
			errors = NULL;
			if (json_object_is_type(item, json_type_object))
				(void)hg_valid_object(&a, item, sub, 3, v,
				    "[0]", 0, &errors);
			hg_json_own(&a, errors);
		}
	hg_arena_free(&a);
	return 0;
}
