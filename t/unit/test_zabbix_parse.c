/*
 * test_zabbix_parse.c -- the Zabbix client's reply readers (zabbix.h,
 * "Reading replies"): documented 6.0 replies (external-apis.md 7), and
 * replies of the wrong shape, which used to abort the agent or hangard
 * (json-c asserts on array calls made on a non-array, strcmp on the NULL
 * of a JSON null), or put Zabbix's control characters and invalid UTF-8
 * into API errors and task messages.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "arena.h"
#include "utf8.h"
#include "zabbix.h"
#include "unit.h"

static struct hg_arena	a;
static struct hg_zbx	z;

static void
setup(void)
{
	hg_arena_init(&a);
	memset(&z, 0, sizeof(z));
	z.z_arena = &a;
}

static void
teardown(void)
{
	hg_arena_free(&a);
}

static int
reply(const char *method, long long id, const char *body, json_object **res)
{
	return hg_zbx_reply(&z, method, id, body, strlen(body), res);
}

static int
clean(const char *s)
{
	const char	*p;

	if (!hg_utf8_wellformed(s, strlen(s)))
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

START_TEST(documented_replies)
{
	json_object	*res;
	const char	*s;

	ck_assert_int_eq(reply("user.login", 1, "{\"jsonrpc\":\"2.0\",\"result\":"
	    "\"0424bd59b807674191e7d77572075f33\",\"id\":1}", &res), 0);
	ck_assert_int_eq(hg_zbx_token(&z, res, &s), 0);
	ck_assert_str_eq(s, "0424bd59b807674191e7d77572075f33");
	ck_assert_int_eq(reply("hostgroup.get", 2, "{\"jsonrpc\":\"2.0\","
	    "\"result\":[{\"groupid\":\"2\",\"name\":\"Linux servers\"}],"
	    "\"id\":2}", &res), 0);
	ck_assert_str_eq(hg_zbx_find(res, "name", "Linux servers", "groupid"),
	    "2");
	ck_assert_ptr_null(hg_zbx_find(res, "name", "Other", "groupid"));
	ck_assert_int_eq(reply("host.create", 3, "{\"jsonrpc\":\"2.0\","
	    "\"result\":{\"hostids\":[\"107819\"]},\"id\":3}", &res), 0);
	ck_assert_int_eq(hg_zbx_created(&z, res, "web-1", &s), 0);
	ck_assert_str_eq(s, "107819");
	ck_assert_int_eq(reply("host.create", 4, "{\"jsonrpc\":\"2.0\",\"error\":"
	    "{\"code\":-32602,\"message\":\"Invalid params.\",\"data\":\"Host "
	    "with the same name \\\"web-1\\\" already exists.\"},\"id\":4}",
	    &res), HG_ZBX_EFAIL);
	ck_assert_str_eq(z.z_err, "Zabbix host.create failed (-32602): Invalid "
	    "params. Host with the same name \"web-1\" already exists.");
	ck_assert_int_eq(reply("host.get", 5, "{\"jsonrpc\":\"2.0\",\"result\":"
	    "[],\"id\":6}", &res), HG_ZBX_EFAIL);
	ck_assert_str_eq(z.z_err, "Zabbix host.get: reply to another request");
	ck_assert_int_eq(reply("host.get", 5, "<html>", &res), HG_ZBX_EFAIL);
	ck_assert_str_eq(z.z_err, "Zabbix host.get: reply is not JSON-RPC");
}
END_TEST

/* A .get result that is not an array of objects with string members. */
START_TEST(find_wrong_shapes)
{
	json_object	*res;

	ck_assert_int_eq(reply("hostgroup.get", 1, "{\"result\":{\"groupid\":"
	    "\"2\",\"name\":\"Linux servers\"},\"id\":1}", &res), 0);
	ck_assert_ptr_null(hg_zbx_find(res, "name", "Linux servers",
	    "groupid"));
	ck_assert_int_eq(reply("host.get", 1, "{\"result\":\"web-1\",\"id\":1}",
	    &res), 0);
	ck_assert_ptr_null(hg_zbx_find(res, "host", "web-1", "hostid"));
	ck_assert_int_eq(reply("host.get", 1, "{\"result\":[null,7,[],{\"host\":"
	    "null,\"hostid\":\"1\"},{\"host\":\"web-1\",\"hostid\":null},"
	    "{\"host\":\"web-1\",\"hostid\":{}},{\"host\":\"web-1\",\"hostid\":"
	    "\"\"},{\"host\":\"web-1\\u0000x\",\"hostid\":\"9\"},{\"host\":"
	    "\"web-1\",\"hostid\":\"10084\"}],\"id\":1}", &res), 0);
	ck_assert_str_eq(hg_zbx_find(res, "host", "web-1", "hostid"), "10084");
	ck_assert_ptr_null(hg_zbx_find(NULL, "host", "web-1", "hostid"));
}
END_TEST

START_TEST(created_wrong_shapes)
{
	static const char *const bad[] = {
		"{\"result\":{\"hostids\":\"107819\"},\"id\":1}",
		"{\"result\":{\"hostids\":{}},\"id\":1}",
		"{\"result\":{\"hostids\":[]},\"id\":1}",
		"{\"result\":{\"hostids\":[null]},\"id\":1}",
		"{\"result\":{\"hostids\":[[\"1\"]]},\"id\":1}",
		"{\"result\":{\"hostids\":[\"\"]},\"id\":1}",
		"{\"result\":[\"107819\"],\"id\":1}",
		"{\"result\":null,\"id\":1}",
	};
	json_object	*res;
	const char	*s;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(reply("host.create", 1, bad[i], &res), 0);
		ck_assert_msg(hg_zbx_created(&z, res, "web-1", &s) ==
		    HG_ZBX_EFAIL && s == NULL, "%s", bad[i]);
	}
	ck_assert_str_eq(z.z_err, "Zabbix created host \"web-1\" but did not "
	    "give its hostid");
}
END_TEST

START_TEST(token_checked)
{
	static const char *const bad[] = {
		"{\"result\":\"\",\"id\":1}",
		"{\"result\":\"abc def\",\"id\":1}",
		"{\"result\":\"abc\\u0000def\",\"id\":1}",
		"{\"result\":\"ab\\ncd\",\"id\":1}",
		"{\"result\":{\"sessionid\":\"abc\"},\"id\":1}",
		"{\"result\":42,\"id\":1}",
	};
	json_object	*res;
	const char	*s;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(reply("user.login", 1, bad[i], &res), 0);
		ck_assert_msg(hg_zbx_token(&z, res, &s) == HG_ZBX_EFAIL &&
		    s == NULL, "%s", bad[i]);
	}
}
END_TEST

/* Zabbix's text reaches API errors (JSON) and task messages. */
START_TEST(error_text_is_one_clean_line)
{
	json_object	*res;
	char		 body[2048];
	int		 i, n;

	ck_assert_int_eq(reply("host.get", 1, "{\"error\":{\"code\":-32500,"
	    "\"message\":\"App\\u001b[2J\",\"data\":\"a\\r\\nb \xff\xfe "
	    "\\u0000c\"},\"id\":1}", &res), HG_ZBX_EFAIL);
	ck_assert(clean(z.z_err));
	ck_assert_str_eq(z.z_err, "Zabbix host.get failed (-32500): App [2J "
	    "a  b " HG_UTF8_REPLACEMENT HG_UTF8_REPLACEMENT "  c");
	/* Longer than z_err, in three-byte characters: cut between them. */
	for (i = 0; i < 3; i++) {
		n = snprintf(body, sizeof(body), "{\"error\":{\"code\":1,"
		    "\"message\":\"%.*s\",\"data\":\"", i, "xx");
		while (n < 1800)
			n += snprintf(body + n, sizeof(body) - n, "实");
		snprintf(body + n, sizeof(body) - n, "\"},\"id\":1}");
		ck_assert_int_eq(reply("host.get", 1, body, &res),
		    HG_ZBX_EFAIL);
		ck_assert_msg(clean(z.z_err), "%d: %s", i, z.z_err);
	}
	/* error that is not an object: still a failure, with no text. */
	ck_assert_int_eq(reply("host.get", 1, "{\"error\":\"x\",\"id\":1}",
	    &res), HG_ZBX_EFAIL);
	ck_assert_str_eq(z.z_err, "Zabbix host.get failed (0):  ");
}
END_TEST

/* The reply is the whole body: a NUL or bytes after the JSON refuse it. */
START_TEST(whole_body_is_the_reply)
{
	static const char nul[] = "{\"result\":[],\"id\":1}\0garbage";
	json_object	*res;

	ck_assert_int_eq(hg_zbx_reply(&z, "host.get", 1, nul, sizeof(nul) - 1,
	    &res), HG_ZBX_EFAIL);
	ck_assert_int_eq(reply("host.get", 1, "{\"result\":[],\"id\":1}{}",
	    &res), HG_ZBX_EFAIL);
	ck_assert_int_eq(reply("host.get", 1, "{\"result\":[],\"id\":1}\n",
	    &res), 0);
	ck_assert_int_eq(reply("host.get", 1, "{\"id\":1}", &res),
	    HG_ZBX_EFAIL);
	ck_assert_str_eq(z.z_err, "Zabbix host.get: reply without result");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("zabbix_parse");
	TCase	*tc = tcase_create("zabbix_parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, documented_replies);
	tcase_add_test(tc, find_wrong_shapes);
	tcase_add_test(tc, created_wrong_shapes);
	tcase_add_test(tc, token_checked);
	tcase_add_test(tc, error_text_is_one_clean_line);
	tcase_add_test(tc, whole_body_is_the_reply);
	return unit_run(s, tc);
}
