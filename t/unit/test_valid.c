/*
 * test_valid.c -- lib/valid.c: fields declared once, checked for body and
 * query string alike.  Every hg_vtype, the flags, aliases, bounds counted in
 * code points, UTF-8 and NUL handling, f_check, query arrays and times.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "arena.h"
#include "err.h"
#include "timefmt.h"
#include "valid.h"
#include "unit.h"

static struct hg_arena	a;

static void
setup(void)
{
	hg_arena_init(&a);
	ck_assert_int_eq(hg_tz_init("+08:00"), 0);
}

static void
teardown(void)
{
	hg_arena_free(&a);
}

static const char *const colours[] = { "red", "Green", "blue", NULL };

enum { F_NAME, F_NICK, F_AGE, F_ON, F_COLOUR, F_CASE, F_TAGS, F_META,
    F_SINCE, F_UNTIL, F_EMAIL, F_BIG, F__MAX };

static const struct hg_field fields[F__MAX] = {
	[F_NAME]   = { "name", HG_V_STR, HG_V_REQUIRED, 1, 4 },
	[F_NICK]   = { "nick", HG_V_STR, HG_V_NULLABLE, 0, 0,
	    .f_alias = { "nickname", "nick_name" } },
	[F_AGE]    = { "age", HG_V_INT, 0, -5, 150 },
	[F_ON]     = { "on", HG_V_BOOL, 0, 0, 0 },
	[F_COLOUR] = { "colour", HG_V_ENUM, 0, 0, 0, .f_enum = colours,
	    .f_alias = { "color" } },
	[F_CASE]   = { "case", HG_V_ENUM, HG_V_NOCASE, 0, 0, .f_enum = colours },
	[F_TAGS]   = { "tags", HG_V_ARRAY, 0, 1, 3 },
	[F_META]   = { "meta", HG_V_OBJECT, HG_V_NULLABLE, 0, 0 },
	[F_SINCE]  = { "since", HG_V_TIME, 0, 0, 0 },
	[F_UNTIL]  = { "until", HG_V_TIME, HG_V_UPPER, 0, 0 },
	[F_EMAIL]  = { "email", HG_V_STR, 0, 0, 254, .f_check = hg_check_email },
	[F_BIG]    = { "big", HG_V_INT, 0, 0, 0 },
};

static json_object	*errors;
static struct hg_val	 v[F__MAX];

/* Validate a JSON body text against fields; returns hg_valid_body's code. */
static int
body(const char *text)
{
	json_object *j = json_tokener_parse(text);

	ck_assert_msg(j != NULL, "bad test JSON: %s", text);
	hg_json_own(&a, j);
	return hg_valid_body(&a, j, fields, F__MAX, v, &errors);
}

/* Validate "k=v" pairs (already decoded), NULL-terminated. */
static int
query(const char *const *kv)
{
	struct hg_qparam	q[16];
	size_t			n = 0;

	for (; kv[0] != NULL; kv += 2, n++) {
		q[n].q_key = kv[0];
		q[n].q_val = kv[1];
	}
	return hg_valid_query(&a, q, n, fields, F__MAX, v, &errors);
}

/* The errors object has exactly one member: field -> why. */
static void
only_error(const char *field, const char *why)
{
	json_object *e;

	ck_assert_ptr_nonnull(errors);
	ck_assert_int_eq(json_object_object_length(errors), 1);
	ck_assert_msg(json_object_object_get_ex(errors, field, &e),
	    "no error for %s in %s", field, json_object_to_json_string(errors));
	ck_assert_str_eq(json_object_get_string(e), why);
}

/* A body with a valid name plus extra; expect one error on field. */
static void
bad_body(const char *extra, const char *field, const char *why)
{
	char text[512];

	snprintf(text, sizeof(text), "{\"name\": \"ok\"%s%s}", *extra ? ", " : "",
	    extra);
	ck_assert_int_eq(body(text), HG_E_INVALID);
	only_error(field, why);
}

START_TEST(str_required_and_bounds_in_code_points)
{
	ck_assert_int_eq(body("{\"name\": \"张三\"}"), 0);
	ck_assert_ptr_null(errors);
	ck_assert_int_eq(v[F_NAME].present, 1);
	ck_assert_int_eq(v[F_NAME].null, 0);
	ck_assert_str_eq(v[F_NAME].s, "张三");
	ck_assert_int_eq(v[F_NICK].present, 0);
	ck_assert_ptr_null(v[F_NICK].s);
	/* Four code points (12 bytes) is the maximum, five is too many. */
	ck_assert_int_eq(body("{\"name\": \"张三张三\"}"), 0);
	ck_assert_str_eq(v[F_NAME].s, "张三张三");
	ck_assert_int_eq(body("{\"name\": \"张三张三张\"}"), HG_E_INVALID);
	only_error("name", "must be at most 4 characters");
	ck_assert_int_eq(body("{\"name\": \"abcde\"}"), HG_E_INVALID);
	only_error("name", "must be at most 4 characters");
	ck_assert_int_eq(body("{\"name\": \"\"}"), HG_E_INVALID);
	only_error("name", "must not be empty");
	ck_assert_int_eq(body("{}"), HG_E_INVALID);
	only_error("name", "is required");
	ck_assert_int_eq(body("{\"name\": null}"), HG_E_INVALID);
	only_error("name", "must not be null");
	ck_assert_int_eq(body("{\"name\": 5}"), HG_E_INVALID);
	only_error("name", "must be a string");
	ck_assert_int_eq(body("{\"name\": [\"a\"]}"), HG_E_INVALID);
	only_error("name", "must be a string");
	/* SQL metacharacters are just text. */
	ck_assert_int_eq(body("{\"name\": \"ok\", \"nick\": "
	    "\"'; DROP TABLE users; --\"}"), 0);
	ck_assert_str_eq(v[F_NICK].s, "'; DROP TABLE users; --");
}
END_TEST

START_TEST(str_minimum_above_one)
{
	static const struct hg_field f[1] = {
		[0] = { "pw", HG_V_STR, 0, 8, 0 },
	};
	json_object	*j;

	j = hg_json_own(&a, json_tokener_parse("{\"pw\": \"张三张三张三张\"}"));
	ck_assert_int_eq(hg_valid_body(&a, j, f, 1, v, &errors), HG_E_INVALID);
	only_error("pw", "must be at least 8 characters");
	j = hg_json_own(&a, json_tokener_parse("{\"pw\": \"张三张三张三张三\"}"));
	ck_assert_int_eq(hg_valid_body(&a, j, f, 1, v, &errors), 0);
	ck_assert_str_eq(v[0].s, "张三张三张三张三");
}
END_TEST

START_TEST(nullable_and_aliases)
{
	ck_assert_int_eq(body("{\"name\": \"ok\", \"nick\": null}"), 0);
	ck_assert_int_eq(v[F_NICK].present, 1);
	ck_assert_int_eq(v[F_NICK].null, 1);
	ck_assert_ptr_null(v[F_NICK].s);
	ck_assert_int_eq(body("{\"name\": \"ok\", \"nickname\": \"n1\"}"), 0);
	ck_assert_str_eq(v[F_NICK].s, "n1");
	ck_assert_int_eq(body("{\"name\": \"ok\", \"nick_name\": \"n2\"}"), 0);
	ck_assert_str_eq(v[F_NICK].s, "n2");
	/* The canonical name wins over an alias. */
	ck_assert_int_eq(body("{\"name\": \"ok\", \"nickname\": \"x\", "
	    "\"nick\": \"main\"}"), 0);
	ck_assert_str_eq(v[F_NICK].s, "main");
	/* Errors on an alias are reported under the canonical name. */
	bad_body("\"color\": \"pink\"", "colour",
	    "must be one of: red, Green, blue");
	/* Unknown keys are ignored. */
	ck_assert_int_eq(body("{\"name\": \"ok\", \"is_admin\": true}"), 0);
	ck_assert_int_eq(v[F_ON].present, 0);
}
END_TEST

START_TEST(invalid_utf8_and_nul)
{
	static const struct hg_qparam	q1[] = { { "name", "a\xff" } };
	static const struct hg_qparam	q2[] = { { "name", "\xc0\x80" } };
	static const struct hg_qparam	q3[] = { { "name", "\xed\xa0\x80" } };
	static const struct hg_qparam	q4[] = { { "name", "\xe5\xbc" } };

	/* json-c keeps \u0000 as a byte inside the string: refused. */
	bad_body("\"nick\": \"a\\u0000b\"", "nick", "must be valid UTF-8 text");
	bad_body("\"nick\": \"\\u0000\"", "nick", "must be valid UTF-8 text");
	bad_body("\"nick\": \"bell\\u0007\"", "nick", "must be valid UTF-8 text");
	bad_body("\"nick\": \"del\\u007f\"", "nick", "must be valid UTF-8 text");
	/* Tabs and newlines are text. */
	ck_assert_int_eq(body("{\"name\": \"a\\tb\", \"nick\": \"x\\r\\ny\"}"), 0);
	ck_assert_str_eq(v[F_NICK].s, "x\r\ny");
	/* Raw bad bytes arrive through the query string. */
	ck_assert_int_eq(hg_valid_query(&a, q1, 1, fields, F__MAX, v, &errors),
	    HG_E_INVALID);
	only_error("name", "must be valid UTF-8 text");
	ck_assert_int_eq(hg_valid_query(&a, q2, 1, fields, F__MAX, v, &errors),
	    HG_E_INVALID);
	only_error("name", "must be valid UTF-8 text");
	ck_assert_int_eq(hg_valid_query(&a, q3, 1, fields, F__MAX, v, &errors),
	    HG_E_INVALID);
	only_error("name", "must be valid UTF-8 text");
	ck_assert_int_eq(hg_valid_query(&a, q4, 1, fields, F__MAX, v, &errors),
	    HG_E_INVALID);
	only_error("name", "must be valid UTF-8 text");
}
END_TEST

START_TEST(utf8_helpers)
{
	ck_assert_int_eq(hg_utf8_ok("", 0), 1);
	ck_assert_int_eq(hg_utf8_ok("张三 ok\t\n\r", strlen("张三 ok\t\n\r")), 1);
	ck_assert_int_eq(hg_utf8_ok("\xf0\x9f\x98\x80", 4), 1);	/* U+1F600 */
	ck_assert_int_eq(hg_utf8_ok("\xf4\x90\x80\x80", 4), 0);	/* > U+10FFFF */
	ck_assert_int_eq(hg_utf8_ok("\xe0\x80\xaf", 3), 0);	/* overlong */
	ck_assert_int_eq(hg_utf8_ok("a\0b", 3), 0);
	ck_assert_int_eq(hg_utf8_ok("\x80", 1), 0);
	ck_assert_int_eq(hg_utf8_ok("\xe5\xbc\xa0", 2), 0);	/* cut short */
	ck_assert_uint_eq(hg_utf8_len(""), 0);
	ck_assert_uint_eq(hg_utf8_len("张三"), 2);
	ck_assert_uint_eq(hg_utf8_len("a张b三\xf0\x9f\x98\x80"), 5);
}
END_TEST

START_TEST(int_bounds_and_types)
{
	ck_assert_int_eq(body("{\"name\": \"ok\", \"age\": -5}"), 0);
	ck_assert_int_eq(v[F_AGE].i, -5);
	ck_assert_int_eq(body("{\"name\": \"ok\", \"age\": 150}"), 0);
	ck_assert_int_eq(v[F_AGE].i, 150);
	bad_body("\"age\": 151", "age", "must be between -5 and 150");
	bad_body("\"age\": -6", "age", "must be between -5 and 150");
	bad_body("\"age\": \"12\"", "age", "must be an integer");
	bad_body("\"age\": 12.0", "age", "must be an integer");
	bad_body("\"age\": true", "age", "must be an integer");
	bad_body("\"age\": null", "age", "must not be null");
	/*
	 * No bounds declared: any 64-bit integer but INT64_MIN, which json-c
	 * cannot tell from a clamped smaller one (see lib/valid.c).
	 */
	ck_assert_int_eq(body("{\"name\": \"ok\", "
	    "\"big\": -9223372036854775807}"), 0);
	ck_assert(v[F_BIG].i == -9223372036854775807LL);
	bad_body("\"big\": -9223372036854775808", "big", "integer out of range");
	ck_assert_int_eq(body("{\"name\": \"ok\", \"big\": 9223372036854775807}"), 0);
	ck_assert(v[F_BIG].i == 9223372036854775807LL);
}
END_TEST

/*
 * Was a bug: lib/valid.c check_json: json-c parses integers beyond int64 as
 * INT64_MAX/INT64_MIN without setting errno, so {"big": 18446744073709551616}
 * is accepted as 9223372036854775807 on an unbounded HG_V_INT field; the
 * "integer out of range" branch never fires.
 */
START_TEST(int_overflow_is_refused)
{
	/* json-c clamps 2^64 to INT64_MAX; the value must not be taken. */
	bad_body("\"big\": 18446744073709551616", "big", "integer out of range");
	bad_body("\"big\": 9223372036854775808", "big", "integer out of range");
	bad_body("\"big\": -9223372036854775809", "big", "integer out of range");
}
END_TEST

START_TEST(bool_enum_object)
{
	ck_assert_int_eq(body("{\"name\": \"ok\", \"on\": true, "
	    "\"colour\": \"Green\", \"case\": \"GREEN\", \"meta\": {\"k\": 1}}"), 0);
	ck_assert_int_eq(v[F_ON].i, 1);
	ck_assert_str_eq(v[F_COLOUR].s, "Green");
	/* NOCASE returns the canonical spelling. */
	ck_assert_str_eq(v[F_CASE].s, "Green");
	ck_assert_ptr_nonnull(v[F_META].j);
	ck_assert_int_eq(json_object_object_length(v[F_META].j), 1);
	ck_assert_int_eq(body("{\"name\": \"ok\", \"on\": false, "
	    "\"meta\": null}"), 0);
	ck_assert_int_eq(v[F_ON].present, 1);
	ck_assert_int_eq(v[F_ON].i, 0);
	ck_assert_int_eq(v[F_META].null, 1);
	bad_body("\"on\": 1", "on", "must be true or false");
	bad_body("\"on\": \"true\"", "on", "must be true or false");
	/* Without NOCASE the match is exact. */
	bad_body("\"colour\": \"green\"", "colour",
	    "must be one of: red, Green, blue");
	bad_body("\"colour\": \"\"", "colour", "must be one of: red, Green, blue");
	bad_body("\"colour\": 1", "colour", "must be a string");
	bad_body("\"case\": \"grey\"", "case", "must be one of: red, Green, blue");
	bad_body("\"meta\": [1]", "meta", "must be an object");
	bad_body("\"meta\": \"{}\"", "meta", "must be an object");
}
END_TEST

START_TEST(body_arrays)
{
	ck_assert_int_eq(body("{\"name\": \"ok\", \"tags\": [\"a\", 2, null]}"), 0);
	ck_assert_int_eq(json_object_array_length(v[F_TAGS].j), 3);
	bad_body("\"tags\": []", "tags", "must not be empty");
	bad_body("\"tags\": [1, 2, 3, 4]", "tags", "must have at most 3 items");
	bad_body("\"tags\": \"a,b\"", "tags", "must be an array");
	bad_body("\"tags\": {}", "tags", "must be an array");
}
END_TEST

START_TEST(several_errors_at_once)
{
	json_object *e;

	ck_assert_int_eq(body("{\"age\": 1000, \"on\": \"x\"}"), HG_E_INVALID);
	ck_assert_int_eq(json_object_object_length(errors), 3);
	ck_assert(json_object_object_get_ex(errors, "name", &e));
	ck_assert_str_eq(json_object_get_string(e), "is required");
	ck_assert(json_object_object_get_ex(errors, "age", &e));
	ck_assert_str_eq(json_object_get_string(e), "must be between -5 and 150");
	ck_assert(json_object_object_get_ex(errors, "on", &e));
	ck_assert_str_eq(json_object_get_string(e), "must be true or false");
}
END_TEST

START_TEST(f_check_and_email)
{
	ck_assert_int_eq(body("{\"name\": \"ok\", \"email\": \"z@example.com\"}"), 0);
	ck_assert_str_eq(v[F_EMAIL].s, "z@example.com");
	ck_assert_int_eq(body("{\"name\": \"ok\", \"email\": \"\"}"), 0);
	ck_assert_str_eq(v[F_EMAIL].s, "");
	bad_body("\"email\": \"nope\"", "email", "must be an email address");
	bad_body("\"email\": \"a@b\"", "email", "must be an email address");
	bad_body("\"email\": \"a b@c.d\"", "email", "must be an email address");
	bad_body("\"email\": \"a@b@c.d\"", "email", "must be an email address");
	bad_body("\"email\": \"@c.d\"", "email", "must be an email address");
	bad_body("\"email\": \"a@.d\"", "email", "must be an email address");
	bad_body("\"email\": \"a@c.d.\"", "email", "must be an email address");
	/* What would end or add to a mail header: <>, a list, CR/LF. */
	bad_body("\"email\": \"a@c.d>\"", "email", "must be an email address");
	bad_body("\"email\": \"<a@c.d\"", "email", "must be an email address");
	bad_body("\"email\": \"a@c.d,b@c.d\"", "email",
	    "must be an email address");
	bad_body("\"email\": \"a@c.d>, <b@c.d\"", "email",
	    "must be an email address");
	bad_body("\"email\": \"a@c.d\\r\\nBcc: b@c.d\"", "email",
	    "must be an email address");
	bad_body("\"email\": \"a@c.d\\nX: y.z\"", "email",
	    "must be an email address");
	bad_body("\"email\": \"a@c.d\\rX: y.z\"", "email",
	    "must be an email address");
	ck_assert_ptr_null(hg_check_username("Zhang.San_3-x"));
	ck_assert_str_eq(hg_check_username("张三"),
	    "may contain only A-Z a-z 0-9 . _ -");
	ck_assert_str_eq(hg_check_username("a b"),
	    "may contain only A-Z a-z 0-9 . _ -");
	ck_assert_ptr_null(hg_check_noctl("张三 'x'"));
	ck_assert_str_eq(hg_check_noctl("a\nb"),
	    "must not contain control characters");
	ck_assert_str_eq(hg_check_noctl("a\x7f"),
	    "must not contain control characters");
}
END_TEST

START_TEST(query_types)
{
	const char *const ok[] = { "name", "张三", "age", "-5", "on", "TRUE",
	    "colour", "blue", "case", "RED", "since", "2024-01-01",
	    "until", "2024-01-01", "nickname", "n", NULL };
	const char *const off[] = { "name", "x", "on", "0", NULL };
	const char *const on1[] = { "name", "x", "on", "1", NULL };

	ck_assert_int_eq(query(ok), 0);
	ck_assert_ptr_null(errors);
	ck_assert_str_eq(v[F_NAME].s, "张三");
	ck_assert_int_eq(v[F_AGE].i, -5);
	ck_assert_int_eq(v[F_ON].i, 1);
	ck_assert_str_eq(v[F_COLOUR].s, "blue");
	ck_assert_str_eq(v[F_CASE].s, "red");
	ck_assert_str_eq(v[F_NICK].s, "n");
	/* Bare dates are days in +08:00; until means the day's last second. */
	ck_assert_int_eq(v[F_SINCE].i, 1704038400LL);
	ck_assert_int_eq(v[F_UNTIL].i, 1704038400LL + 86399);
	ck_assert_int_eq(query(off), 0);
	ck_assert_int_eq(v[F_ON].present, 1);
	ck_assert_int_eq(v[F_ON].i, 0);
	ck_assert_int_eq(query(on1), 0);
	ck_assert_int_eq(v[F_ON].i, 1);
}
END_TEST

START_TEST(query_refusals)
{
	const char *const none[] = { NULL };
	const char *const age1[] = { "name", "x", "age", "12abc", NULL };
	const char *const age2[] = { "name", "x", "age", "", NULL };
	const char *const age3[] = { "name", "x", "age", "151", NULL };
	const char *const age4[] = { "name", "x", "age",
	    "99999999999999999999", NULL };
	const char *const on[] = { "name", "x", "on", "yes", NULL };
	const char *const col[] = { "name", "x", "color", "RED", NULL };
	const char *const t1[] = { "name", "x", "since", "2021-02-30", NULL };
	const char *const t2[] = { "name", "x", "until", "yesterday", NULL };
	const char *const empty[] = { "name", "", NULL };
	const char *const obj[] = { "name", "x", "meta", "{}", NULL };

	ck_assert_int_eq(query(none), HG_E_INVALID);
	only_error("name", "is required");
	ck_assert_int_eq(query(age1), HG_E_INVALID);
	only_error("age", "must be an integer");
	ck_assert_int_eq(query(age2), HG_E_INVALID);
	only_error("age", "must be an integer");
	ck_assert_int_eq(query(age3), HG_E_INVALID);
	only_error("age", "must be between -5 and 150");
	ck_assert_int_eq(query(age4), HG_E_INVALID);
	only_error("age", "must be an integer");
	ck_assert_int_eq(query(on), HG_E_INVALID);
	only_error("on", "must be true or false");
	ck_assert_int_eq(query(col), HG_E_INVALID);
	only_error("colour", "must be one of: red, Green, blue");
	ck_assert_int_eq(query(t1), HG_E_INVALID);
	only_error("since", "must be a time (RFC 3339, YYYY-MM-DD or Unix seconds)");
	ck_assert_int_eq(query(t2), HG_E_INVALID);
	only_error("until", "must be a time (RFC 3339, YYYY-MM-DD or Unix seconds)");
	ck_assert_int_eq(query(empty), HG_E_INVALID);
	only_error("name", "must not be empty");
	ck_assert_int_eq(query(obj), HG_E_INVALID);
	only_error("meta", "unsupported query type");
}
END_TEST

static void
expect_tags(const char *const *want)
{
	size_t i;

	ck_assert_ptr_nonnull(v[F_TAGS].j);
	for (i = 0; want[i] != NULL; i++) {
		ck_assert_int_gt(json_object_array_length(v[F_TAGS].j), i);
		ck_assert_str_eq(json_object_get_string(
		    json_object_array_get_idx(v[F_TAGS].j, i)), want[i]);
	}
	ck_assert_int_eq(json_object_array_length(v[F_TAGS].j), i);
}

START_TEST(query_arrays)
{
	const char *const rep[] = { "name", "x", "tags", "a", "tags", "张三", NULL };
	const char *const rep_want[] = { "a", "张三", NULL };
	const char *const list[] = { "name", "x", "tags", "a,,b", NULL };
	const char *const list_want[] = { "a", "b", NULL };
	const char *const mix[] = { "name", "x", "tags", "a,b", "tags", "c", NULL };
	const char *const mix_want[] = { "a", "b", "c", NULL };
	const char *const many[] = { "name", "x", "tags", "a,b", "tags", "c,d",
	    NULL };
	const char *const bad[] = { "name", "x", "tags", "a,\xff", NULL };

	ck_assert_int_eq(query(rep), 0);
	ck_assert_int_eq(v[F_TAGS].present, 1);
	expect_tags(rep_want);
	ck_assert_int_eq(query(list), 0);
	expect_tags(list_want);
	ck_assert_int_eq(query(mix), 0);
	expect_tags(mix_want);
	ck_assert_int_eq(query(many), HG_E_INVALID);
	only_error("tags", "must have at most 3 items");
	ck_assert_int_eq(query(bad), HG_E_INVALID);
	only_error("tags", "must be valid UTF-8 text");
}
END_TEST

/*
 * Was a bug: lib/valid.c add_list checks only f_max: a query ARRAY with f_min = 1
 * given as "tags=" or "tags=,," is accepted as present with 0 items, where
 * the same field in a body says "must not be empty".
 */
START_TEST(query_array_minimum)
{
	/* tags needs f_min = 1 item: an empty list must be refused as in a body. */
	const char *const empty[] = { "name", "x", "tags", "", NULL };
	const char *const commas[] = { "name", "x", "tags", ",,", NULL };

	ck_assert_int_eq(query(empty), HG_E_INVALID);
	only_error("tags", "must not be empty");
	ck_assert_int_eq(query(commas), HG_E_INVALID);
	only_error("tags", "must not be empty");
}
END_TEST

START_TEST(body_times)
{
	ck_assert_int_eq(body("{\"name\": \"ok\", "
	    "\"since\": \"2024-01-01T00:00:00+08:00\", \"until\": 1700000000}"), 0);
	ck_assert_int_eq(v[F_SINCE].i, 1704038400LL);
	ck_assert_int_eq(v[F_UNTIL].i, 1700000000LL);
	bad_body("\"since\": \"2024-13-01\"", "since",
	    "must be a time (RFC 3339, YYYY-MM-DD or Unix seconds)");
	bad_body("\"since\": true", "since",
	    "must be a time (RFC 3339, YYYY-MM-DD or Unix seconds)");
}
END_TEST

/* Nested fields: an object's and each array item's, named below the field. */
enum { S_HOST, S_PORT, S__MAX };
static const struct hg_field sub[S__MAX] = {
	[S_HOST] = { "host", HG_V_STR, HG_V_REQUIRED, 1, 8 },
	[S_PORT] = { "port", HG_V_INT, 0, 1, 65535 },
};
enum { N_ONE, N_MANY, N__MAX };
static const struct hg_field nested[N__MAX] = {
	[N_ONE] = { "one", HG_V_OBJECT, HG_V_NULLABLE, HG_SUB(sub) },
	[N_MANY] = { "many", HG_V_ARRAY, 0, 0, 4, HG_SUB(sub) },
};

static json_object *
nested_errors(const char *text, unsigned opts, struct hg_val *nv)
{
	json_object *j = json_tokener_parse(text), *e = NULL;

	ck_assert_msg(j != NULL, "bad test JSON: %s", text);
	hg_json_own(&a, j);
	if (hg_valid_object(&a, j, nested, N__MAX, nv, NULL, opts, &e) == 0) {
		ck_assert_ptr_null(e);
		return NULL;
	}
	ck_assert_ptr_nonnull(e);
	return hg_json_own(&a, e);
}

static void
has_error(json_object *e, const char *key, const char *why)
{
	json_object *w;

	ck_assert_msg(json_object_object_get_ex(e, key, &w), "no error for %s "
	    "in %s", key, json_object_to_json_string(e));
	ck_assert_str_eq(json_object_get_string(w), why);
}

START_TEST(nested_objects_and_items)
{
	struct hg_val	 nv[N__MAX];
	json_object	*e;

	ck_assert_ptr_null(nested_errors("{\"one\": {\"host\": \"a\", "
	    "\"port\": 22}, \"many\": [{\"host\": \"b\"}, {\"host\": "
	    "\"c\", \"port\": 1}]}", 0, nv));
	ck_assert_str_eq(nv[N_ONE].sub[S_HOST].s, "a");
	ck_assert_int_eq(nv[N_ONE].sub[S_PORT].i, 22);
	ck_assert_uint_eq(nv[N_MANY].nitems, 2);
	ck_assert_str_eq(nv[N_MANY].items[1][S_HOST].s, "c");
	ck_assert(!nv[N_MANY].items[0][S_PORT].present);
	/* null object: no sub-values, no error */
	ck_assert_ptr_null(nested_errors("{\"one\": null}", 0, nv));
	ck_assert(nv[N_ONE].null && nv[N_ONE].sub == NULL);

	e = nested_errors("{\"one\": {\"port\": 0}, \"many\": [3, "
	    "{\"host\": \"toolonghost\"}]}", 0, nv);
	ck_assert_int_eq(json_object_object_length(e), 4);
	has_error(e, "one.host", "is required");
	has_error(e, "one.port", "must be between 1 and 65535");
	has_error(e, "many[0]", "must be an object");
	has_error(e, "many[1].host", "must be at most 8 characters");
	/* the array's own bounds come first; items are not looked at */
	e = nested_errors("{\"many\": [{}, {}, {}, {}, {}]}", 0, nv);
	ck_assert_int_eq(json_object_object_length(e), 1);
	has_error(e, "many", "must have at most 4 items");
}
END_TEST

/* HG_V_ORSUB: an id, or an object of the field's own fields. */
START_TEST(int_or_object)
{
	static const struct hg_field f[1] = {
		[0] = { "cred", HG_V_INT, HG_V_NULLABLE | HG_V_ORSUB, 1, 100,
		    HG_SUB(sub) },
	};
	struct hg_val	 v[1];
	json_object	*e = NULL, *j;

	j = hg_json_own(&a, json_tokener_parse("{\"cred\": 7}"));
	ck_assert_int_eq(hg_valid_object(&a, j, f, 1, v, NULL, 0, &e), 0);
	ck_assert(v[0].present && v[0].i == 7 && v[0].sub == NULL);
	j = hg_json_own(&a, json_tokener_parse("{\"cred\": {\"host\": "
	    "\"h\", \"port\": 2}}"));
	ck_assert_int_eq(hg_valid_object(&a, j, f, 1, v, NULL, 0, &e), 0);
	ck_assert_ptr_nonnull(v[0].sub);
	ck_assert_str_eq(v[0].sub[S_HOST].s, "h");
	ck_assert_int_eq(v[0].sub[S_PORT].i, 2);
	j = hg_json_own(&a, json_tokener_parse("{\"cred\": null}"));
	ck_assert_int_eq(hg_valid_object(&a, j, f, 1, v, NULL, 0, &e), 0);
	ck_assert(v[0].null && v[0].sub == NULL);
	j = hg_json_own(&a, json_tokener_parse("{\"cred\": \"7\"}"));
	ck_assert_int_ne(hg_valid_object(&a, j, f, 1, v, NULL, 0, &e), 0);
	has_error(hg_json_own(&a, e), "cred", "must be an integer or an object");
	e = NULL;
	j = hg_json_own(&a, json_tokener_parse("{\"cred\": 101}"));
	ck_assert_int_ne(hg_valid_object(&a, j, f, 1, v, NULL, 0, &e), 0);
	has_error(hg_json_own(&a, e), "cred", "must be between 1 and 100");
	e = NULL;
	j = hg_json_own(&a, json_tokener_parse("{\"cred\": {\"port\": 0}}"));
	ck_assert_int_ne(hg_valid_object(&a, j, f, 1, v, NULL, 0, &e), 0);
	has_error(hg_json_own(&a, e), "cred.host", "is required");
	has_error(e, "cred.port", "must be between 1 and 65535");
}
END_TEST

START_TEST(optional_makes_nothing_required)
{
	struct hg_val	 sv[S__MAX];
	json_object	*j = hg_json_own(&a, json_tokener_parse("{\"port\": 80}"));
	json_object	*e = NULL;

	ck_assert_int_eq(hg_valid_object(&a, j, sub, S__MAX, sv, NULL,
	    HG_VB_OPTIONAL, &e), 0);
	ck_assert_ptr_null(e);
	ck_assert(!sv[S_HOST].present && sv[S_PORT].i == 80);
	ck_assert_int_eq(hg_valid_object(&a, j, sub, S__MAX, sv, "x", 0, &e),
	    HG_E_INVALID);
	has_error(hg_json_own(&a, e), "x.host", "is required");
}
END_TEST

/* The seed's id lists: [{"id": N}], and N alone where HG_V_BAREID says so. */
static const struct hg_field id_fields[] = {
	{ .f_name = "ids", .f_type = HG_V_IDS, .f_min = 1, .f_max = 3 },
	{ .f_name = "bare", .f_type = HG_V_IDS, .f_flags = HG_V_BAREID },
};

/* HG_V_NUMTEXT: a number given for a string is its text (a version). */
START_TEST(numbers_as_text)
{
	static const struct hg_field nf[] = {
		[0] = { "version", HG_V_STR, HG_V_NUMTEXT, 1, 8 },
		[1] = { "plain", HG_V_STR, 0, 0, 10 },
	};
	struct hg_val	 nv[2];
	json_object	*j, *e = NULL;

	j = hg_json_own(&a, json_tokener_parse("{\"version\": 20180408, "
	    "\"plain\": \"x\"}"));
	ck_assert_int_eq(hg_valid_body(&a, j, nf, 2, nv, &e), 0);
	ck_assert_str_eq(nv[0].s, "20180408");
	j = hg_json_own(&a, json_tokener_parse("{\"version\": 1.5}"));
	ck_assert_int_eq(hg_valid_body(&a, j, nf, 2, nv, &e), 0);
	ck_assert_str_eq(nv[0].s, "1.5");
	j = hg_json_own(&a, json_tokener_parse("{\"version\": \"v1\"}"));
	ck_assert_int_eq(hg_valid_body(&a, j, nf, 2, nv, &e), 0);
	ck_assert_str_eq(nv[0].s, "v1");
	/* the bounds count the text; other types stay refused */
	j = hg_json_own(&a, json_tokener_parse("{\"version\": 123456789}"));
	ck_assert_int_eq(hg_valid_body(&a, j, nf, 2, nv, &e), HG_E_INVALID);
	j = hg_json_own(&a, json_tokener_parse("{\"version\": true}"));
	e = NULL;
	ck_assert_int_eq(hg_valid_body(&a, j, nf, 2, nv, &e), HG_E_INVALID);
	/* without the flag, a number is not a string */
	j = hg_json_own(&a, json_tokener_parse("{\"plain\": 12}"));
	e = NULL;
	ck_assert_int_eq(hg_valid_body(&a, j, nf, 2, nv, &e), HG_E_INVALID);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(e,
	    "plain")), "must be a string");
}
END_TEST

START_TEST(id_lists)
{
	struct hg_val	 iv[2];
	json_object	*j, *e = NULL;

	j = hg_json_own(&a, json_tokener_parse("{\"ids\": [{\"id\": 5}, "
	    "{\"id\": 2, \"type\": \"x\"}, {\"id\": 5}], \"bare\": [7, "
	    "{\"id\": 8}]}"));
	ck_assert_int_eq(hg_valid_object(&a, j, id_fields, 2, iv, NULL, 0, &e), 0);
	ck_assert_uint_eq(iv[0].nitems, 3);
	ck_assert(iv[0].ids[0] == 5 && iv[0].ids[1] == 2 && iv[0].ids[2] == 5);
	ck_assert(iv[1].nitems == 2 && iv[1].ids[0] == 7 && iv[1].ids[1] == 8);

	j = hg_json_own(&a, json_tokener_parse("{\"ids\": [3, {\"id\": 0}, "
	    "{\"id\": \"4\"}], \"bare\": [\"7\", {}, -1, 2]}"));
	ck_assert_int_eq(hg_valid_object(&a, j, id_fields, 2, iv, NULL, 0, &e),
	    HG_E_INVALID);
	hg_json_own(&a, e);
	ck_assert_int_eq(json_object_object_length(e), 6);
	has_error(e, "ids[0].id", "must be a positive integer id");
	has_error(e, "ids[1].id", "must be a positive integer id");
	has_error(e, "ids[2].id", "must be a positive integer id");
	has_error(e, "bare[0]", "must be a positive integer id or {\"id\": N}");
	has_error(e, "bare[1]", "must be a positive integer id or {\"id\": N}");
	has_error(e, "bare[2]", "must be a positive integer id or {\"id\": N}");

	e = NULL;
	j = hg_json_own(&a, json_tokener_parse("{\"ids\": []}"));
	ck_assert_int_eq(hg_valid_object(&a, j, id_fields, 2, iv, NULL, 0, &e),
	    HG_E_INVALID);
	has_error(hg_json_own(&a, e), "ids", "must not be empty");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("valid");
	TCase	*tc = tcase_create("valid");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, str_required_and_bounds_in_code_points);
	tcase_add_test(tc, str_minimum_above_one);
	tcase_add_test(tc, nullable_and_aliases);
	tcase_add_test(tc, invalid_utf8_and_nul);
	tcase_add_test(tc, utf8_helpers);
	tcase_add_test(tc, int_bounds_and_types);
	tcase_add_test(tc, int_overflow_is_refused);
	tcase_add_test(tc, bool_enum_object);
	tcase_add_test(tc, body_arrays);
	tcase_add_test(tc, several_errors_at_once);
	tcase_add_test(tc, f_check_and_email);
	tcase_add_test(tc, query_types);
	tcase_add_test(tc, query_refusals);
	tcase_add_test(tc, query_arrays);
	tcase_add_test(tc, query_array_minimum);
	tcase_add_test(tc, body_times);
	tcase_add_test(tc, nested_objects_and_items);
	tcase_add_test(tc, int_or_object);
	tcase_add_test(tc, optional_makes_nothing_required);
	tcase_add_test(tc, id_lists);
	tcase_add_test(tc, numbers_as_text);
	return unit_run(s, tc);
}
