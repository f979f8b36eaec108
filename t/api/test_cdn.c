/*
 * test_cdn.c -- /common-utils/cdn-refresh-tasks/ (the seed's CDN刷新,
 * issue 15) and the CDN providers of /cloud-accounts/.
 *
 * "api": every endpoint, filter, error code (30001-30004, 10002 on a
 * malformed URL or account) and permission, the bad-input battery, SQL
 * injection and non-ASCII URLs round-tripped; every refusal leaves the
 * task tables, the outbox and the audit log as they were.
 *
 * "e2e": tasks carried out by the stack's hangar-agent through lib/cdn.c
 * against t/cdn-standin.py, which checks signatures, dates and parameters
 * as each vendor does: FINISHED, FAILED (the vendor's failure, its refusal,
 * a bad key) and TIMEOUT (the stack's cdn_timeout, 8 s) for Aliyun CDN,
 * Tencent Cloud CDN and Wangsu; splitting into per-call limits; back-off on
 * throttling answers.
 *
 * "takeover": an agent killed (SIGKILL) after submitting: another agent
 * takes the job and the task over and finishes it without submitting
 * anything twice.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authlib.h"

#define TABLES	"audit_log,cloud_accounts"
#define SQLI	"'; DROP TABLE users; --"
#define PATH	"/common-utils/cdn-refresh-tasks/"
#define AK	"cdn-e2e-key"
#define SK	"cdn-e2e-secret-never-shown"

static const char *const vendors[3] = { "ALI_CDN", "TECENT_CDN", "WANGSU" };

/*
 * What a refused request must not change.  The agent works on the tasks
 * of earlier tests meanwhile (status, agent, the outbox's delivery), so
 * the task tables are compared by their rows, not their contents; the
 * audit log and the accounts by their contents.
 */
static char *
fingerprint(void)
{
	char	*rows, *fp, *out;

	(void)admin_token();
	rows = db_str("SELECT CONCAT_WS(',', (SELECT COUNT(*) FROM cdn_tasks), "
	    "(SELECT COALESCE(MAX(id), 0) FROM cdn_tasks), (SELECT COUNT(*) "
	    "FROM tasks), (SELECT COALESCE(MAX(id), 0) FROM tasks), (SELECT "
	    "COUNT(*) FROM outbox), (SELECT COALESCE(MAX(id), 0) FROM outbox))");
	fp = db_fingerprint(TABLES);
	ck_assert_int_ne(asprintf(&out, "%s %s", rows, fp), -1);
	free(rows);
	free(fp);
	return out;
}

static void
unchanged(char *before)
{
	char *after = fingerprint();

	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

/* A cloud account of provider at endpoint with key:secret; its id. */
static long long
account(const char *provider, const char *endpoint, const char *key,
    const char *secret)
{
	return api_create("/cloud-accounts/", "{\"name\": \"%s\", \"provider\": "
	    "\"%s\", \"endpoint\": \"%s\", \"access_key\": \"%s\", \"secret\": "
	    "\"%s\"}", uniq("cdn-acct"), provider, endpoint, key, secret);
}

/* An account of every provider nobody answers for (api tests). */
static void
some_accounts(void)
{
	int i;

	for (i = 0; i < 3; i++)
		if (db_int(fmt("SELECT COUNT(*) FROM cloud_accounts WHERE "
		    "provider = '%s'", vendors[i])) == 0)
			(void)account(vendors[i], "http://127.0.0.1:9", "k", "s");
}

/* POST a task as tok: 201 required; the response (caller frees). */
static struct resp *
mktask(const char *tok, const char *body)
{
	struct resp *r = api("POST", PATH, tok, body);

	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	return r;
}

/* ---- api -------------------------------------------------------------- */

START_TEST(create_get_list)
{
	struct resp	*r, *g;
	long long	 id, task;
	char		*one;

	some_accounts();
	r = mktask(admin_token(), "{\"cdn_service_provider\": \"ali_cdn\", "
	    "\"refresh_mode\": \"single_file\", \"urls\": "
	    "[\"http://www.example.com/a.png\", \"https://example.com/b.css\"]}");
	id = jint(r->json, "id");
	ck_assert_int_eq(jkeys(r->json, NULL), 11);
	ck_assert_int_eq(jlen(r->json, "urls"), 2);
	ck_assert_str_eq(jstr(r->json, "urls.0"), "http://www.example.com/a.png");
	ck_assert_str_eq(jstr(r->json, "urls.1"), "https://example.com/b.css");
	ck_assert_str_eq(jstr(r->json, "cdn_service_provider"), "ALI_CDN");
	ck_assert_str_eq(jstr(r->json, "refresh_mode"), "SINGLE_FILE");
	ck_assert_str_eq(jstr(r->json, "creator"), "admin");
	ck_assert_str_eq(jstr(r->json, "status"), "RUNNING");
	ck_assert(jnull(r->json, "error"));
	ck_assert(jnull(r->json, "finished_time"));
	ck_assert_int_gt(jint(r->json, "account"), 0);
	expect_recent(r->json, "created_time");
	/* queued: the task and its outbox row, in the same transaction */
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM tasks WHERE id = %lld "
	    "AND kind = 'cdn_refresh'", task)), 1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM outbox WHERE "
	    "task_id = %lld", task)), 1);
	/* audited as the project audits */
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'cdn' AND op_type = 'add' AND target_id = %lld AND "
	    "operator = 'admin' AND op_detail LIKE '%%ALI_CDN%%'", id)), 1);
	one = path_of(PATH "%lld/", id);
	g = api("GET", one, admin_token(), NULL);
	ck_assert_int_eq(g->status, 200);
	ck_assert_int_eq(jint(g->json, "id"), id);
	ck_assert_str_eq(jstr(g->json, "urls.0"), "http://www.example.com/a.png");
	resp_free(g);
	g = api("GET", path_of(PATH "%lld", id), admin_token(), NULL);
	ck_assert_int_eq(g->status, 200);	/* without the slash too */
	resp_free(g);
	resp_free(r);
	/* the list and its filters */
	r = mktask(admin_token(), "{\"cdn_service_provider\": \"Wangsu\", "
	    "\"refresh_mode\": \"RECURSIVE\", \"urls\": "
	    "[\"http://img.example.net/dir/\"]}");
	ck_assert_str_eq(jstr(r->json, "cdn_service_provider"), "WANGSU");
	ck_assert_str_eq(jstr(r->json, "refresh_mode"), "RECURSIVE");
	g = api("GET", PATH, admin_token(), NULL);
	ck_assert_int_eq(g->status, 200);
	ck_assert_int_ge(jint(g->json, "count"), 2);
	ck_assert_int_eq(jint(g->json, "results.0.id"), jint(r->json, "id"));
	resp_free(g);
	g = api("GET", PATH "?cdn_service_provider=wangsu&page_size=1000",
	    admin_token(), NULL);
	ck_assert_int_eq(g->status, 200);
	ck_assert_int_eq(jint(g->json, "count"), db_int("SELECT COUNT(*) FROM "
	    "cdn_tasks WHERE provider = 'WANGSU'"));
	ck_assert_str_eq(jstr(g->json, "results.0.cdn_service_provider"),
	    "WANGSU");
	resp_free(g);
	g = api("GET", PATH "?creator=ADM&created_time__gt=2000-01-01&"
	    "created_time__lt=2999-01-01", admin_token(), NULL);
	ck_assert_int_eq(jint(g->json, "count"), db_int("SELECT COUNT(*) FROM "
	    "cdn_tasks WHERE creator = 'admin'"));
	resp_free(g);
	g = api("GET", PATH "?created_time__gt=2999-01-01", admin_token(), NULL);
	ck_assert_int_eq(jint(g->json, "count"), 0);
	resp_free(g);
	g = api("GET", PATH "?created_time__lt=2000-01-01", admin_token(), NULL);
	ck_assert_int_eq(jint(g->json, "count"), 0);
	resp_free(g);
	g = api("GET", PATH "?creator=nobody-at-all", admin_token(), NULL);
	ck_assert_int_eq(jint(g->json, "count"), 0);
	resp_free(g);
	g = api("GET", PATH "?status=running&page_size=1", admin_token(), NULL);
	ck_assert_int_eq(g->status, 200);
	resp_free(g);
	resp_free(r);
}
END_TEST

START_TEST(seed_error_codes)
{
	static const char *const e30001[] = {
		"{\"cdn_service_provider\": \"ALI_CDN\", \"refresh_mode\": "
		    "\"single_file\"}",
		"{\"cdn_service_provider\": \"ALI_CDN\", \"refresh_mode\": "
		    "\"single_file\", \"urls\": []}",
		"{\"cdn_service_provider\": \"ALI_CDN\", \"refresh_mode\": "
		    "\"single_file\", \"urls\": null}",
	};
	static const char *const e30002[] = {
		"[\"http://evil.org/a.png\"]",
		"[\"http://www.example.com/a\", \"http://example.com.evil.org/\"]",
		"[\"http://notexample.com/a\"]",
		"[\"http://example.net/a\"]",	/* .example.net: subdomains only */
	};
	char	*before;
	size_t	 i;

	some_accounts();
	before = fingerprint();
	for (i = 0; i < sizeof(e30001) / sizeof(e30001[0]); i++)
		expect_error(api("POST", PATH, admin_token(), e30001[i]), 400,
		    30001, NULL);
	for (i = 0; i < sizeof(e30002) / sizeof(e30002[0]); i++)
		expect_error(api_f("POST", PATH, admin_token(),
		    "{\"cdn_service_provider\": \"TECENT_CDN\", \"refresh_mode\": "
		    "\"single_file\", \"urls\": %s}", e30002[i]), 400, 30002, NULL);
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"fast\", \"urls\": "
	    "[\"http://example.com/\"]}"), 400, 30003, "refresh_mode");
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": 1, \"urls\": "
	    "[\"http://example.com/\"]}"), 400, 30003, "refresh_mode");
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"akamai\", \"refresh_mode\": \"recursive\", \"urls\": "
	    "[\"http://example.com/\"]}"), 400, 30004, "cdn_service_provider");
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "[\"WANGSU\"], \"refresh_mode\": \"recursive\", \"urls\": "
	    "[\"http://example.com/\"]}"), 400, 30004, "cdn_service_provider");
	/* missing fields are plain validation errors */
	expect_error(api("POST", PATH, admin_token(), "{\"refresh_mode\": "
	    "\"recursive\", \"urls\": [\"http://example.com/\"]}"), 400, 10002,
	    "cdn_service_provider");
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"WANGSU\", \"urls\": [\"http://example.com/\"]}"), 400, 10002,
	    "refresh_mode");
	unchanged(before);
	/* a provider without an account cannot be carried out: 30004 */
	db_exec("DELETE FROM cloud_accounts WHERE provider = 'WANGSU'");
	before = fingerprint();
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"WANGSU\", \"refresh_mode\": \"recursive\", \"urls\": "
	    "[\"http://example.com/\"]}"), 400, 30004, NULL);
	unchanged(before);
	some_accounts();
}
END_TEST

START_TEST(malformed_urls_and_accounts)
{
	static const char *const bad[][2] = {
		{ "[1]", "urls[0]" },
		{ "[\"http://example.com/a\", {\"u\": 1}]", "urls[1]" },
		{ "[\"ftp://example.com/a\"]", "urls[0]" },
		{ "[\"javascript:alert(1)\"]", "urls[0]" },
		{ "[\"http://\"]", "urls[0]" },
		{ "[\"http:///a\"]", "urls[0]" },
		{ "[\"http://example.com/a b\"]", "urls[0]" },
		{ "[\"http://example.com/a\\nb\"]", "urls[0]" },
		{ "[\"http://example.com/a\\u0000b\"]", "urls[0]" },
		{ "[\"http://user:pw@example.com/a\"]", "urls[0]" },
		{ "[\"http://exa_mple.com/a\"]", "urls[0]" },
		{ "[\"http://example.com:8x/a\"]", "urls[0]" },
		{ "[\"http://example.com:/a\"]", "urls[0]" },
		{ "[\"example.com/a\"]", "urls[0]" },
		{ "[\"" SQLI "\"]", "urls[0]" },
	};
	char		*before, *longurl;
	long long	 wangsu;
	size_t		 i;

	some_accounts();
	wangsu = db_int("SELECT MIN(id) FROM cloud_accounts WHERE provider = "
	    "'WANGSU'");
	before = fingerprint();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(api_f("POST", PATH, admin_token(),
		    "{\"cdn_service_provider\": \"ALI_CDN\", \"refresh_mode\": "
		    "\"single_file\", \"urls\": %s}", bad[i][0]), 400, 10002,
		    bad[i][1]);
	/* a recursive refresh names directories */
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"recursive\", \"urls\": "
	    "[\"http://example.com/dir/\", \"http://example.com/file\"]}"), 400,
	    10002, "urls[1]");
	/* 2000 bytes at most */
	longurl = malloc(2100);
	strcpy(longurl, "http://example.com/");
	memset(longurl + 19, 'a', 2001 - 19);
	longurl[2001] = '\0';
	expect_error(api_f("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"single_file\", \"urls\": [\"%s\"]}",
	    longurl), 400, 10002, "urls[0]");
	free(longurl);
	/* the account: existing, of the task's provider */
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"single_file\", \"urls\": "
	    "[\"http://example.com/a\"], \"account\": 999999999}"), 400, 10002,
	    "account");
	expect_error(api_f("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"single_file\", \"urls\": "
	    "[\"http://example.com/a\"], \"account\": %lld}", wangsu), 400, 10002,
	    "account");
	expect_error(api("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"single_file\", \"urls\": "
	    "[\"http://example.com/a\"], \"account\": \"1\"}"), 400, 10002,
	    "account");
	unchanged(before);
}
END_TEST

START_TEST(bad_input)
{
	static const struct field_spec fields[] = {
		{ "urls", 0, "array", 0, NULL },
		{ "account", 0, "int", 0, NULL },
	};

	some_accounts();
	bad_input_battery("POST", PATH, admin_token(), "{\"cdn_service_provider\": "
	    "\"ALI_CDN\", \"refresh_mode\": \"single_file\", \"urls\": "
	    "[\"http://example.com/a\"]}", fields, 2, TABLES);
	expect_error(api("GET", PATH "?cdn_service_provider=akamai",
	    admin_token(), NULL), 400, 10002, "cdn_service_provider");
	expect_error(api("GET", PATH "?status=done", admin_token(), NULL), 400,
	    10002, "status");
	expect_error(api("GET", PATH "?created_time__gt=yesterday",
	    admin_token(), NULL), 400, 10002, "created_time__gt");
	expect_error(api("GET", PATH "?page_size=1001", admin_token(), NULL),
	    400, 10002, "page_size");
	expect_error(api("PATCH", path_of(PATH "%lld/", 1), admin_token(),
	    "{}"), 405, 10009, NULL);
	expect_error(api("DELETE", PATH, admin_token(), NULL), 405, 10009,
	    NULL);
}
END_TEST

START_TEST(unknown_ids_injection_unicode)
{
	struct resp	*r;
	const char	*u8 = "http://www.example.com/图片/a%20b.png?v=1&w='x'";
	char		*before = fingerprint();

	expect_error(api("GET", PATH "999999999/", admin_token(), NULL), 404,
	    10008, NULL);
	expect_error(api("GET", PATH "0/", admin_token(), NULL), 404, 10008,
	    NULL);
	expect_status(api("GET", PATH "abc/", admin_token(), NULL), 404);
	r = api("GET", PATH "?creator=%27%3B%20DROP%20TABLE%20users%3B%20--",
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", PATH "?creator=%25", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);	/* % is literal */
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	unchanged(before);
	some_accounts();
	/* non-ASCII and quotes are stored and returned as given */
	r = mktask(admin_token(), fmt("{\"cdn_service_provider\": "
	    "\"TECENT_CDN\", \"refresh_mode\": \"single_file\", \"urls\": "
	    "[\"%s\", \"http://example.com/';DROP%%20TABLE%%20users;--\"]}", u8));
	ck_assert_str_eq(jstr(r->json, "urls.0"), u8);
	ck_assert_str_eq(jstr(r->json, "urls.1"),
	    "http://example.com/';DROP%20TABLE%20users;--");
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM users"), 0);
	resp_free(r);
}
END_TEST

START_TEST(permissions)
{
	const char	*body = "{\"cdn_service_provider\": \"ALI_CDN\", "
			    "\"refresh_mode\": \"single_file\", \"urls\": "
			    "[\"http://example.com/p\"]}";
	long long	 uid, id;
	const char	*tok = user_token(uniq("cdnu"), 0, &uid);
	char		*before, *perms = fmt("/users/%lld/system/perms/", uid);
	const char	*one;
	struct resp	*r;

	some_accounts();
	r = mktask(admin_token(), body);
	id = jint(r->json, "id");
	resp_free(r);
	one = path_of(PATH "%lld/", id);
	before = fingerprint();
	expect_error(api("GET", PATH, NULL, NULL), 401, 10005, NULL);
	expect_error(api("POST", PATH, NULL, body), 401, 10005, NULL);
	expect_error(api("GET", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", PATH, tok, NULL), 403, 10007, NULL);
	expect_error(api("POST", PATH, tok, body), 403, 10007, NULL);
	expect_error(api("GET", one, tok, NULL), 403, 10007, NULL);
	unchanged(before);
	/* the module switch alone is not the CDN switch */
	expect_status(api("POST", perms, admin_token(), "{\"module_name\": "
	    "\"common_tools\", \"permissions\": {\"enable_common_tools\": true, "
	    "\"enable_jumpserver_log_mgmt\": true}}"), 200);
	before = fingerprint();
	expect_error(api("GET", PATH, tok, NULL), 403, 10007, NULL);
	expect_error(api("POST", PATH, tok, body), 403, 10007, NULL);
	/* the CDN switch without the module's is nothing either */
	expect_status(api("POST", perms, admin_token(), "{\"module_name\": "
	    "\"common_tools\", \"permissions\": {\"enable_common_tools\": false, "
	    "\"enable_cdn_refresher\": true}}"), 200);
	unchanged(before);
	before = fingerprint();
	expect_error(api("GET", PATH, tok, NULL), 403, 10007, NULL);
	expect_error(api("POST", PATH, tok, body), 403, 10007, NULL);
	expect_error(api("GET", one, tok, NULL), 403, 10007, NULL);
	unchanged(before);
	/* both: read and create */
	expect_status(api("POST", perms, admin_token(), "{\"module_name\": "
	    "\"常用工具\", \"permissions\": {\"enable_common_tools\": true}}"),
	    200);
	expect_status(api("GET", PATH, tok, NULL), 200);
	expect_status(api("GET", one, tok, NULL), 200);
	r = mktask(tok, body);
	ck_assert_str_ne(jstr(r->json, "creator"), "admin");
	resp_free(r);
}
END_TEST

START_TEST(cloud_account_providers)
{
	struct resp	*r;
	long long	 acct;
	int		 i;

	for (i = 0; i < 3; i++) {
		r = api_f("POST", "/cloud-accounts/", admin_token(),
		    "{\"name\": \"%s\", \"provider\": \"%s\", \"endpoint\": "
		    "\"https://cdn.example.com\", \"access_key\": \"k\", "
		    "\"secret\": \"" SK "\"}", uniq("cdnp"), vendors[i]);
		ck_assert_msg(r->status == 201, "%s", r->body);
		ck_assert_str_eq(jstr(r->json, "provider"), vendors[i]);
		ck_assert_str_eq(jstr(r->json, "secret"), "******");
		ck_assert_ptr_null(strstr(r->body, SK));
		acct = jint(r->json, "id");
		resp_free(r);
	}
	/* a host cannot use a CDN account */
	expect_error(api_f("POST", "/hosts/", admin_token(), "{\"name\": \"%s\", "
	    "\"host_type\": \"ALI_ECS\", \"cloud\": {\"account\": %lld, "
	    "\"region\": \"cn-hangzhou\", \"instance_id\": \"i-1\"}}",
	    uniq("cdnhost"), acct), 400, 10002, NULL);
	r = api("GET", "/cloud-accounts/?provider=wangsu", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	resp_free(r);
}
END_TEST

/* ---- e2e against t/cdn-standin.py ------------------------------------- */

static struct standin sd;

static void
start_standin(void)
{
	standin_start(&sd, "cdn-standin.py", AK ":" SK);
}

static void
stop_standin(void)
{
	standin_stop(&sd);
}

/* The stand-in's log: [{"vendor", "action", "n", "hosts", "code"}]. */
static json_object *
standin_log(void)
{
	char		 cmd[256], *buf;
	FILE		*f;
	size_t		 n = 0, cap = 1 << 20, k;
	json_object	*o;

	snprintf(cmd, sizeof(cmd), "curl -sf http://127.0.0.1:%d/_standin/log",
	    sd.port);
	ck_assert_ptr_nonnull(f = popen(cmd, "r"));
	buf = malloc(cap);
	while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0)
		n += k;
	pclose(f);
	buf[n] = '\0';
	o = json_tokener_parse(buf);
	free(buf);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* Entries of vendor's action in the log (code NULL: accepted only). */
static int
logged(json_object *log, const char *vendor, const char *action,
    const char *code, int *sizes, int max)
{
	json_object	*e;
	const char	*c;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < json_object_array_length(log); i++) {
		e = json_object_array_get_idx(log, i);
		c = jstr(e, "code");
		if (strcmp(jstr(e, "vendor"), vendor) != 0 ||
		    strcmp(jstr(e, "action"), action) != 0)
			continue;
		if (code == NULL ? c != NULL : c == NULL || strcmp(c, code) != 0)
			continue;
		if (sizes != NULL && n < max)
			sizes[n] = (int)jint(e, "n");
		n++;
	}
	return n;
}

/* The account of vendor i at the stand-in (secret: SK, or a wrong one). */
static long long
e2e_account(int i, const char *secret)
{
	return account(vendors[i], fmt("http://127.0.0.1:%d", sd.port), AK,
	    secret);
}

/* POST a task on account acct; its id. */
static long long
e2e_task(int i, long long acct, const char *mode, const char *urls)
{
	struct resp	*r;
	long long	 id;
	char		*body;

	/* long lists: not fmt(), whose buffers are 2 KB */
	ck_assert_int_ne(asprintf(&body, "{\"cdn_service_provider\": \"%s\", "
	    "\"refresh_mode\": \"%s\", \"urls\": %s, \"account\": %lld}",
	    vendors[i], mode, urls, acct), -1);
	r = mktask(admin_token(), body);
	free(body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/* Wait for task id to leave RUNNING (at most 40 s); its final object. */
static struct resp *
wait_task(long long id)
{
	struct resp	*r;
	int		 i;

	for (i = 0; i < 400; i++) {
		r = api("GET", path_of(PATH "%lld/", id), admin_token(), NULL);
		ck_assert_int_eq(r->status, 200);
		if (strcmp(jstr(r->json, "status"), "RUNNING") != 0)
			return r;
		resp_free(r);
		usleep(100000);
	}
	ck_abort_msg("CDN task %lld still RUNNING", id);
	return NULL;
}

/* Wait for task id: status, and an error containing part (NULL: none). */
static void
expect_end(long long id, const char *status, const char *part)
{
	struct resp	*r = wait_task(id);
	char		*st;

	ck_assert_msg(strcmp(jstr(r->json, "status"), status) == 0,
	    "task %lld: %s", id, r->body);
	if (part == NULL)
		ck_assert(jnull(r->json, "error"));
	else
		ck_assert_msg(jstr(r->json, "error") != NULL &&
		    strstr(jstr(r->json, "error"), part) != NULL,
		    "task %lld: error does not say \"%s\": %s", id, part, r->body);
	expect_recent(r->json, "finished_time");
	ck_assert_ptr_null(strstr(r->body, SK));
	st = db_str(fmt("SELECT t.status FROM tasks t JOIN cdn_tasks c ON "
	    "c.task_id = t.id WHERE c.id = %lld", id));
	ck_assert_str_eq(st, strcmp(status, "FINISHED") == 0 ? "finished" :
	    "failed");
	free(st);
	resp_free(r);
}

static const char *const submit[3] = { "RefreshObjectCaches", "PurgeUrlsCache",
    "ItemIdReceiver" };
static const char *const dsubmit[3] = { "RefreshObjectCaches",
    "PurgePathCache", "ItemIdReceiver" };
static const char *const query[3] = { "DescribeRefreshTasks",
    "DescribePurgeTasks", "ItemIdQuery" };
static const char *const vname[3] = { "aliyun", "tencent", "wangsu" };

START_TEST(every_vendor_finishes)
{
	long long	 ids[6];
	json_object	*log;
	int		 i, sizes[4];

	standin_post(&sd, "/_standin/reset", "{}");
	for (i = 0; i < 3; i++) {
		ids[i] = e2e_task(i, e2e_account(i, SK), "single_file",
		    "[\"http://www.example.com/a.png\", "
		    "\"http://www.example.com/图/b.png\", "
		    "\"http://www.example.com/a.png\"]");
		ids[i + 3] = e2e_task(i, e2e_account(i, SK), "recursive",
		    "[\"https://img.example.net/dir/\"]");
	}
	for (i = 0; i < 6; i++)
		expect_end(ids[i], "FINISHED", NULL);
	log = standin_log();
	for (i = 0; i < 3; i++) {
		/* duplicates dropped, one call each */
		ck_assert_int_eq(logged(log, vname[i], submit[i], NULL, sizes,
		    4), i == 1 ? 1 : 2);
		ck_assert(sizes[0] == 2 || (i != 1 && sizes[1] == 2));
		ck_assert_int_ge(logged(log, vname[i], dsubmit[i], NULL, NULL,
		    0), 1);
		ck_assert_int_ge(logged(log, vname[i], query[i], NULL, NULL, 0),
		    2);
	}
	ck_assert_int_eq(logged(log, "tencent", "PurgePathCache", NULL, sizes,
	    4), 1);
	ck_assert_int_eq(sizes[0], 1);
	json_object_put(log);
}
END_TEST

START_TEST(failures_carry_the_vendors_words)
{
	long long	 ids[3], bad[3];
	int		 i;

	standin_post(&sd, "/_standin/reset", "{}");
	/* the vendor fails the purge */
	standin_post(&sd, "/_standin/config", "{\"mode\": \"fail\"}");
	for (i = 0; i < 3; i++)
		ids[i] = e2e_task(i, e2e_account(i, SK), "single_file",
		    "[\"http://www.example.com/f.png\"]");
	for (i = 0; i < 3; i++)
		expect_end(ids[i], "FAILED", "http://www.example.com/f.png");
	/* the vendor refuses the submission */
	standin_post(&sd, "/_standin/config", "{\"mode\": \"reject\"}");
	for (i = 0; i < 3; i++)
		ids[i] = e2e_task(i, e2e_account(i, SK), "single_file",
		    "[\"http://www.example.com/r.png\"]");
	expect_end(ids[0], "FAILED", "QuotaExceeded.Refresh");
	expect_end(ids[1], "FAILED", "LimitExceeded");
	expect_end(ids[2], "FAILED", "quota");
	/* a wrong secret: the signature is refused */
	standin_post(&sd, "/_standin/config", "{\"mode\": \"ok\"}");
	for (i = 0; i < 3; i++)
		bad[i] = e2e_task(i, e2e_account(i, "not-the-secret"),
		    "single_file", "[\"http://www.example.com/s.png\"]");
	expect_end(bad[0], "FAILED", "SignatureDoesNotMatch");
	expect_end(bad[1], "FAILED", "AuthFailure.SignatureFailure");
	expect_end(bad[2], "FAILED", "authentication failure");
}
END_TEST

START_TEST(hanging_purges_time_out)
{
	long long	 ids[3];
	struct resp	*r;
	int		 i;

	standin_post(&sd, "/_standin/reset", "{}");
	standin_post(&sd, "/_standin/config", "{\"mode\": \"hang\"}");
	for (i = 0; i < 3; i++)
		ids[i] = e2e_task(i, e2e_account(i, SK), "single_file",
		    "[\"http://www.example.com/h.png\"]");
	/* still RUNNING a little later, TIMEOUT after cdn_timeout (8 s) */
	sleep(2);
	for (i = 0; i < 3; i++) {
		r = api("GET", path_of(PATH "%lld/", ids[i]), admin_token(),
		    NULL);
		ck_assert_str_eq(jstr(r->json, "status"), "RUNNING");
		resp_free(r);
	}
	for (i = 0; i < 3; i++)
		expect_end(ids[i], "TIMEOUT", "cdn_timeout");
	ck_assert_int_ge(db_int(fmt("SELECT MIN(TIMESTAMPDIFF(SECOND, "
	    "created_time, finished_time)) FROM cdn_tasks WHERE id IN (%lld, "
	    "%lld, %lld)", ids[0], ids[1], ids[2])), 7);
	standin_post(&sd, "/_standin/config", "{\"mode\": \"ok\"}");
}
END_TEST

/* n URLs "http://hK.example.com/fI" over nhosts hosts (end "/" for dirs). */
static char *
many(int n, int nhosts, int dirs)
{
	char	*s = malloc((size_t)n * 48 + 8);
	size_t	 len = 0;
	int	 i;

	s[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s\"http://h%d.example.com/f%d%s\"",
		    i ? "," : "", i % nhosts, i, dirs ? "/" : "");
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

START_TEST(lists_are_split_per_call)
{
	long long	 ids[4];
	json_object	*log;
	char		*u1001 = many(1001, 1, 0), *u1500 = many(1500, 1, 0);
	char		*d501 = many(501, 1, 1), *u12 = many(12, 12, 0);
	int		 sizes[8];

	standin_post(&sd, "/_standin/reset", "{}");
	ids[0] = e2e_task(2, e2e_account(2, SK), "single_file", u1001);
	ids[1] = e2e_task(0, e2e_account(0, SK), "single_file", u1500);
	ids[2] = e2e_task(1, e2e_account(1, SK), "recursive", d501);
	expect_end(ids[0], "FINISHED", NULL);
	expect_end(ids[1], "FINISHED", NULL);
	expect_end(ids[2], "FINISHED", NULL);
	/* Aliyun: at most 10 domains a call */
	ids[3] = e2e_task(0, e2e_account(0, SK), "single_file", u12);
	expect_end(ids[3], "FINISHED", NULL);
	log = standin_log();
	ck_assert_int_eq(logged(log, "wangsu", "ItemIdReceiver", NULL, sizes,
	    8), 3);
	ck_assert_int_eq(sizes[0], 500);
	ck_assert_int_eq(sizes[1], 500);
	ck_assert_int_eq(sizes[2], 1);
	ck_assert_int_eq(logged(log, "aliyun", "RefreshObjectCaches", NULL,
	    sizes, 8), 4);
	ck_assert_int_eq(sizes[0], 1000);
	ck_assert_int_eq(sizes[1], 500);
	ck_assert_int_eq(sizes[2], 10);
	ck_assert_int_eq(sizes[3], 2);
	ck_assert_int_eq(logged(log, "tencent", "PurgePathCache", NULL, sizes,
	    8), 2);
	ck_assert_int_eq(sizes[0], 500);
	ck_assert_int_eq(sizes[1], 1);
	/* nothing the vendor would refuse was sent */
	ck_assert_int_eq(logged(log, "aliyun", "RefreshObjectCaches",
	    "InvalidObjectPath.ExceedLimit", NULL, 0), 0);
	json_object_put(log);
	free(u1001);
	free(u1500);
	free(d501);
	free(u12);
}
END_TEST

START_TEST(throttling_backs_off)
{
	long long	 ids[3];
	json_object	*log;
	int		 i, n;

	standin_post(&sd, "/_standin/reset", "{}");
	standin_post(&sd, "/_standin/config", "{\"throttle\": 9}");
	for (i = 0; i < 3; i++)
		ids[i] = e2e_task(i, e2e_account(i, SK), "single_file",
		    "[\"http://www.example.com/t.png\"]");
	for (i = 0; i < 3; i++)
		expect_end(ids[i], "FINISHED", NULL);
	log = standin_log();
	n = logged(log, "aliyun", "RefreshObjectCaches", "Throttling.User",
	    NULL, 0) + logged(log, "aliyun", "DescribeRefreshTasks",
	    "Throttling.User", NULL, 0) + logged(log, "tencent",
	    "PurgeUrlsCache", "RequestLimitExceeded", NULL, 0) + logged(log,
	    "tencent", "DescribePurgeTasks", "RequestLimitExceeded", NULL, 0) +
	    logged(log, "wangsu", "ItemIdReceiver", "429", NULL, 0) +
	    logged(log, "wangsu", "ItemIdQuery", "429", NULL, 0);
	ck_assert_int_eq(n, 9);
	/* each task was still submitted exactly once */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(logged(log, vname[i], submit[i], NULL, NULL, 0),
		    1);
	json_object_put(log);
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM cdn_tasks"), 0);
}
END_TEST

/* ---- an agent killed mid-task ---------------------------------------- */

/* t/stack.sh CMD for the test stack (stop-agent, start-agent). */
static void
stack(const char *cmd)
{
	char line[4096];

	snprintf(line, sizeof(line), "\"%s\" %s \"%s\" \"%s\" \"%s\" "
	    ">/dev/null 2>&1", getenv("HANGAR_STACK"), cmd, getenv("HANGAR_DIR"),
	    getenv("HANGAR_TEST_PORT"), getenv("HANGAR_BIN"));
	ck_assert_msg(system(line) == 0, "t/stack.sh %s failed", cmd);
}

/* A test that stopped the stack's agent leaves it running again. */
static void
agent_up(void)
{
	stack("start-agent");
}

/* An agent of our own (the stack's config, its own pid file and log). */
static pid_t
agent_start(const char *name)
{
	const char	*dir = getenv("HANGAR_DIR");
	char		 conf[700], bin[700], buf[8192];
	FILE		*in, *out;
	size_t		 n;
	pid_t		 pid;

	snprintf(conf, sizeof(conf), "%s/agent-%s.conf", dir, name);
	snprintf(bin, sizeof(bin), "%s/hangar.conf", dir);
	ck_assert_ptr_nonnull(in = fopen(bin, "r"));
	ck_assert_ptr_nonnull(out = fopen(conf, "w"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	/* later lines win: a quick take-over, room for it before TIMEOUT */
	fprintf(out, "\nagent_pid_file = %s/agent-%s.pid\nagent_log = "
	    "%s/log/agent-%s.log\nclaim_timeout = 5\ncdn_timeout = 90\n", dir,
	    name, dir, name);
	fclose(out);
	snprintf(bin, sizeof(bin), "%s/hangar-agent", getenv("HANGAR_BIN"));
	if ((pid = fork()) == 0) {
		execl(bin, "hangar-agent", "-c", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

START_TEST(killed_agent_is_taken_over)
{
	long long	 id;
	json_object	*log;
	char		*u = many(1001, 1, 0);
	pid_t		 a, b;
	int		 i, sizes[8], status;

	standin_post(&sd, "/_standin/reset", "{}");
	standin_post(&sd, "/_standin/config", "{\"delay\": 6}");
	stack("stop-agent");
	a = agent_start("cdn-a");
	id = e2e_task(2, e2e_account(2, SK), "single_file", u);
	free(u);
	/* every part submitted (and recorded), none finished: kill it */
	for (i = 0; i < 300 && db_int(fmt("SELECT COALESCE(JSON_LENGTH(parts), "
	    "0) FROM cdn_tasks WHERE id = %lld", id)) < 3; i++)
		usleep(100000);
	ck_assert_int_eq(db_int(fmt("SELECT JSON_LENGTH(parts) FROM cdn_tasks "
	    "WHERE id = %lld", id)), 3);
	kill(a, SIGKILL);
	waitpid(a, &status, 0);
	ck_assert_str_eq(db_str(fmt("SELECT status FROM cdn_tasks WHERE id = "
	    "%lld", id)), "RUNNING");
	/* another agent takes the job and the task over, submits nothing */
	b = agent_start("cdn-b");
	expect_end(id, "FINISHED", NULL);
	kill(b, SIGTERM);
	waitpid(b, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log = standin_log();
	ck_assert_int_eq(logged(log, "wangsu", "ItemIdReceiver", NULL, sizes,
	    8), 3);
	ck_assert_int_eq(sizes[0] + sizes[1] + sizes[2], 1001);
	json_object_put(log);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM cdn_tasks WHERE id = "
	    "%lld AND agent LIKE '%%:%d'", id, (int)b)), 1);
	standin_post(&sd, "/_standin/config", "{\"delay\": 0.5}");
	agent_up();
}
END_TEST

static TCase *
tc_api(void)
{
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, create_get_list);
	tcase_add_test(tc, seed_error_codes);
	tcase_add_test(tc, malformed_urls_and_accounts);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, unknown_ids_injection_unicode);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, cloud_account_providers);
	return tc;
}

static TCase *
tc_e2e(void)
{
	TCase *tc = tcase_create("e2e");

	tcase_add_unchecked_fixture(tc, start_standin, stop_standin);
	tcase_add_test(tc, every_vendor_finishes);
	tcase_add_test(tc, failures_carry_the_vendors_words);
	tcase_add_test(tc, hanging_purges_time_out);
	tcase_add_test(tc, lists_are_split_per_call);
	tcase_add_test(tc, throttling_backs_off);
	return tc;
}

static TCase *
tc_takeover(void)
{
	TCase *tc = tcase_create("takeover");

	tcase_add_unchecked_fixture(tc, start_standin, stop_standin);
	tcase_add_checked_fixture(tc, NULL, agent_up);
	tcase_add_test(tc, killed_agent_is_taken_over);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_api, tc_e2e, tc_takeover };

	return run_suite("cdn", cases, 3) ? 1 : 0;
}
