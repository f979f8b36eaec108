/*
 * test_jsonraw.c -- lib/jsonraw.c: JSON text printed without a parse must
 * be byte for byte what json-c prints after parsing it (hg_jparse's
 * answer: NULL or unparsable text gives []), for every flag set a reply
 * or an audit line uses.  The oracle is json-c itself: fixed cases, then
 * many random documents (valid ones with random spacing and escapes, and
 * random token soup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "jsonraw.h"
#include "unit.h"

static const int flag_sets[] = {
	JSON_C_TO_STRING_PLAIN,
	JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	JSON_C_TO_STRING_SPACED,
	JSON_C_TO_STRING_PRETTY,
};

/* What the list printed before: the parse, [] for NULL or bad text. */
static json_object *
parsed(const char *s)
{
	json_object *j;

	if (s == NULL || (j = json_tokener_parse(s)) == NULL)
		return json_object_new_array();
	return j;
}

/* s printed raw must equal s parsed and printed, under every flag set. */
static void
same(const char *s)
{
	json_object	*raw = hg_jsonraw_new(s), *ref = parsed(s);
	size_t		 i;

	/* inside an object too, as a reply holds it */
	json_object	*wrap = json_object_new_object(), *wref =
	    json_object_new_object();

	json_object_object_add(wrap, "v", json_object_get(raw));
	json_object_object_add(wref, "v", json_object_get(ref));
	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		char *a = strdup(json_object_to_json_string_ext(raw,
		    flag_sets[i]));
		const char *b = json_object_to_json_string_ext(ref,
		    flag_sets[i]);

		ck_assert_msg(strcmp(a, b) == 0, "flags %d, text <%s>: raw <%s>, "
		    "parsed <%s>", flag_sets[i], s ? s : "(null)", a, b);
		free(a);
		if (flag_sets[i] & JSON_C_TO_STRING_PRETTY)
			continue;	/* nested pretty indents from 0 */
		a = strdup(json_object_to_json_string_ext(wrap, flag_sets[i]));
		b = json_object_to_json_string_ext(wref, flag_sets[i]);
		ck_assert_msg(strcmp(a, b) == 0, "nested, flags %d, text <%s>: "
		    "raw <%s>, parsed <%s>", flag_sets[i], s ? s : "(null)", a, b);
		free(a);
	}
	json_object_put(raw);
	json_object_put(ref);
	json_object_put(wrap);
	json_object_put(wref);
}

/* s is on the fast path, and prints as the parse does. */
static void
fast(const char *s)
{
	ck_assert_msg(hg_jsonraw_ok(s), "not on the fast path: <%s>", s);
	same(s);
}

/* s is parsed (not on the fast path), and prints as the parse does. */
static void
slow(const char *s)
{
	ck_assert_msg(!hg_jsonraw_ok(s), "on the fast path: <%s>", s ? s : "(null)");
	same(s);
}

START_TEST(what_mariadb_builds)
{
	fast("[{\"id\": 3, \"username\": \"alice\"}, {\"id\": 4, "
	    "\"username\": \"张三\"}]");
	fast("[{\"name\": \"rec1.example.com\", \"type\": \"A\", \"value\": "
	    "\"10.0.0.1\", \"ttl\": 600}, {\"name\": \"www\", \"type\": "
	    "\"CNAME\", \"value\": \"rec1.example.com\", \"ttl\": null}]");
	fast("[1, 2, 3]");
	fast("[]");
	fast("{}");
	fast("[ ]");
	fast(" [\n\t{ } ,[ ] ] \r\n");
	fast("[{\"id\":3},{\"id\":4}]");
	fast("[\"*.example.com\", \"example.com\"]");
	fast("[true, false, null, 0, -1, 123456789012345678]");
	fast("{\"a\": {\"b\": {\"c\": [[[]]]}}}");
}
END_TEST

START_TEST(strings_escaped_as_json_c_does)
{
	fast("[\"a/b\", \"a\\/b\", \"</script>\"]");
	fast("[\"q\\\"q\", \"b\\\\s\", \"\\b\\f\\n\\r\\t\"]");
	fast("[\"\\u0001\\u001f\\u001F\\u0008\\u000a\\u0009\\u000c\\u000d\"]");
	fast("[\"\\u007f\\u0080\\u00e9\\u00E9\\u07ff\\u0800\\uffff\"]");
	fast("[\"\\ud83d\\ude00 \\uD83D\\uDE00\", \"😀 é \x7f\"]");
	fast("[\"\\u0022\\u005c\\u002f\"]");
	fast("{\"k/\": \"v\", \"é\": 1}");
	fast("[\"\xff\xfe not UTF-8\"]");
}
END_TEST

START_TEST(the_rest_is_parsed)
{
	slow(NULL);
	slow("");
	slow("null");
	slow("\"a string\"");
	slow("12");
	slow("[1.5]");
	slow("[1e3]");
	slow("[-0]");
	slow("[1234567890123456789]");
	slow("[99999999999999999999999]");
	slow("[01]");
	slow("{\"a\": 1, \"a\": 2}");
	slow("{\"a\\u0062\": 1}");
	slow("[\"\\u0000\"]");
	slow("[\"\\ud800\"]");
	slow("[\"\\udc00\"]");
	slow("[\"\\ud800\\u0041\"]");
	slow("[\"raw\ttab\"]");
	slow("[1,]");
	slow("[1 2]");
	slow("{\"a\" 1}");
	slow("['single']");
	slow("[NaN]");
	slow("[True]");
	slow("[1] trailing");
	slow("[1] [2]");
	slow("[/* c */ 1]");
	slow("[\"unterminated]");
	slow("[\"bad \\x escape\"]");
	slow("[\"short \\u12\"]");
	slow("[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]");	/* 17 deep */
	slow("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	fast("[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]");		/* 16 deep */
}
END_TEST

/* ---- random documents --------------------------------------------------- */

static char	 doc[8192];
static size_t	 len;

static void
put(const char *s)
{
	size_t n = strlen(s);

	if (len + n < sizeof(doc) - 1) {
		memcpy(doc + len, s, n);
		len += n;
		doc[len] = '\0';
	}
}

static void
ws(void)
{
	static const char *const spaces[] = { "", "", "", " ", "\n", "\t ",
	    "\r\n" };

	put(spaces[random() % 7]);
}

static void
rstring(void)
{
	static const char *const bits[] = { "a", "Z", "/", "\\/", "\\\"",
	    "\\\\", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u0041", "\\u00e9",
	    "\\u001b", "\\u0008", "\\u2028", "\\ud83d\\ude00", "é", "张",
	    "\x7f", " ", "\\u002F", "\\uFFFD", "1" };
	int n = (int)(random() % 5);

	put("\"");
	while (n-- > 0)
		put(bits[random() % (sizeof(bits) / sizeof(bits[0]))]);
	put("\"");
}

static void
rvalue(int depth)
{
	static const char *const atoms[] = { "0", "1", "-7", "42",
	    "123456789012345678", "true", "false", "null" };
	static const char *const keys[] = { "\"id\"", "\"name\"", "\"a/b\"",
	    "\"é\"", "\"ttl\"" };
	int i, n;

	switch (depth > 5 ? random() % 2 : random() % 4) {
	case 0:
		put(atoms[random() % 8]);
		break;
	case 1:
		rstring();
		break;
	case 2:
		put("[");
		ws();
		for (i = 0, n = (int)(random() % 4); i < n; i++) {
			if (i > 0) {
				put(",");
				ws();
			}
			rvalue(depth + 1);
			ws();
		}
		put("]");
		break;
	default:
		put("{");
		ws();
		for (i = 0, n = (int)(random() % 4); i < n; i++) {
			if (i > 0) {
				put(",");
				ws();
			}
			/* repeated keys now and then */
			put(keys[random() % 5]);
			ws();
			put(":");
			ws();
			rvalue(depth + 1);
			ws();
		}
		put("}");
	}
}

START_TEST(random_documents)
{
	int i, on_path = 0;

	srandom(14);
	for (i = 0; i < 20000; i++) {
		len = 0;
		doc[0] = '\0';
		ws();
		put(random() % 2 ? "[" : "{");
		if (doc[len - 1] == '{') {
			len--;
			doc[len] = '\0';
			put("{\"k\":");
			rvalue(1);
			put("}");
		} else {
			rvalue(1);
			put("]");
		}
		ws();
		on_path += hg_jsonraw_ok(doc);
		same(doc);
	}
	/* most of them must have taken the fast path for this to mean much */
	ck_assert_int_gt(on_path, 10000);
}
END_TEST

START_TEST(random_soup)
{
	static const char *const tokens[] = { "[", "]", "{", "}", ",", ":",
	    " ", "\"a\"", "\"\\u00e9\"", "\"\\/\"", "\"\\ud800\"", "1", "-0",
	    "1.5", "true", "nul", "\"", "\\", "\t", "'x'", "0x1", "01" };
	int i, j, n;

	srandom(41);
	for (i = 0; i < 20000; i++) {
		len = 0;
		doc[0] = '\0';
		for (j = 0, n = 1 + (int)(random() % 12); j < n; j++)
			put(tokens[random() % (sizeof(tokens) /
			    sizeof(tokens[0]))]);
		same(doc);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("jsonraw");
	TCase	*tc = tcase_create("jsonraw");

	tcase_add_test(tc, what_mariadb_builds);
	tcase_add_test(tc, strings_escaped_as_json_c_does);
	tcase_add_test(tc, the_rest_is_parsed);
	tcase_add_test(tc, random_documents);
	tcase_add_test(tc, random_soup);
	return unit_run(s, tc);
}
