/*
 * fuzz_query.c -- a query string as hangard reads it: split and decoded
 * (hg_query_parse), then the declared filters (hg_valid_query) of every
 * type: text, integers, booleans, enums, repeated and comma lists, times.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "timefmt.h"
#include "valid.h"

static const char *const statuses[] = { "raw", "inited", "offline", NULL };

static const struct hg_field fields[] = {
	{ .f_name = "name", .f_type = HG_V_STR, .f_max = 128 },
	{ .f_name = "page", .f_type = HG_V_INT, .f_min = 1,
	    .f_max = 1000000000, .f_alias = { "page_number" } },
	{ .f_name = "page_size", .f_type = HG_V_INT, .f_min = 1, .f_max = 1000 },
	{ .f_name = "on", .f_type = HG_V_BOOL },
	{ .f_name = "status", .f_type = HG_V_ENUM, .f_flags = HG_V_NOCASE,
	    .f_enum = statuses },
	{ .f_name = "ids", .f_type = HG_V_ARRAY, .f_min = 1, .f_max = 10 },
	{ .f_name = "op_time__gt", .f_type = HG_V_TIME },
	{ .f_name = "op_time__lt", .f_type = HG_V_TIME, .f_flags = HG_V_UPPER },
	{ .f_name = "email", .f_type = HG_V_STR, .f_check = hg_check_email },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))
#define MAXQ	64

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 tz;
	struct hg_arena		 a;
	struct hg_qparam	 q[MAXQ];
	struct hg_val		 v[NFIELDS];
	json_object		*errors;
	char			*s;
	size_t			 n;

	if (!tz)
		tz = hg_tz_init("Asia/Shanghai") == 0;
	hg_arena_init(&a);
	s = hg_alloc(&a, size + 1);
	memcpy(s, data, size);
	n = hg_query_parse(&a, s, q, MAXQ);
	(void)hg_valid_query(&a, q, n, fields, NFIELDS, v, &errors);
	hg_arena_free(&a);
	return 0;
}
