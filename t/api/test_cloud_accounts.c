/*
 * test_cloud_accounts.c -- /cloud-accounts/ (API.md sections 4 and 6).
 *
 * Superusers create, read, change and delete the accounts hangar-agent
 * uses for cloud power actions.  The secret is write-only: every read
 * shows "******", the database holds it sealed with the server key (the
 * test opens it with the stack's key file to prove it round-trips), and it
 * appears in no response, audit record or log file.  An account a host
 * names cannot be deleted or moved to another provider.  Every refusal
 * leaves the tables as they were.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "authlib.h"

#define TABLES	"cloud_accounts,audit_log,hosts"
#define SQLI	"'; DROP TABLE users; --"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */
/* Every secret this test sends contains MARK, so logs can be searched. */
#define MARK	"TOPSECRET-CLOUD-"

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

/* Every field of an account object. */
static void
expect_account(json_object *o, long long id, const char *name,
    const char *provider, const char *endpoint, const char *key,
    const char *desc)
{
	ck_assert_int_eq(jkeys(o, NULL), 8);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert_str_eq(jstr(o, "provider"), provider);
	ck_assert_str_eq(jstr(o, "endpoint"), endpoint);
	ck_assert_str_eq(jstr(o, "access_key"), key);
	ck_assert_str_eq(jstr(o, "secret"), "******");
	ck_assert_str_eq(jstr(o, "description"), desc);
	expect_recent(o, "created_time");
}

/* The stored secret of account id, opened with the stack's server key. */
static char *
unseal(long long id)
{
	char	 sql[128], *sealed, *plain;

	snprintf(sql, sizeof(sql), "SELECT secret FROM cloud_accounts WHERE "
	    "id = %lld", id);
	sealed = db_str(sql);
	ck_assert_ptr_null(strstr(sealed, MARK));
	plain = stack_unseal(sealed);
	free(sealed);
	return plain;
}

/* POST an account; returns its id. */
static long long
mkaccount(const char *name, const char *provider, const char *secret)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/cloud-accounts/", admin_token(), "{\"name\": \"%s\", "
	    "\"provider\": \"%s\", \"endpoint\": \"https://ecs.aliyuncs.com\", "
	    "\"access_key\": \"LTAI-%s\", \"secret\": \"%s\"}", name, provider,
	    name, secret);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static char *
audit_of(long long id, const char *op)
{
	char	sql[256];

	snprintf(sql, sizeof(sql), "SELECT op_detail FROM audit_log WHERE "
	    "kind = 'cloud_account' AND target_id = %lld AND op_type = '%s' "
	    "ORDER BY id DESC LIMIT 1", id, op);
	return db_str(sql);
}

/* ---- create and read ------------------------------------------------- */

START_TEST(create_with_every_field)
{
	const char	*name = uniq("acct-" NONASCII);
	const char	*secret = MARK "a/b+c=d&e \\\" " NONASCII;
	struct resp	*r;
	long long	 id;
	char		*plain, *detail, desc[128];

	snprintf(desc, sizeof(desc), "%s %s", SQLI, NONASCII);
	r = api_f("POST", "/cloud-accounts", admin_token(), "{\"name\": \"%s\", "
	    "\"provider\": \"TENCENT\", \"endpoint\": "
	    "\"https://cvm.tencentcloudapi.com\", \"access_key\": "
	    "\"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\", \"secret\": "
	    "\"" MARK "a/b+c=d&e \\\\\\\" " NONASCII "\", "
	    "\"description\": \"%s\"}", name, desc);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_int_gt(id, 0);
	expect_account(r->json, id, name, "TENCENT",
	    "https://cvm.tencentcloudapi.com",
	    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", desc);
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	r = api("GET", path_of("/cloud-accounts/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_account(r->json, id, name, "TENCENT",
	    "https://cvm.tencentcloudapi.com",
	    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", desc);
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	/* Sealed at rest; the server key opens it to exactly what was sent. */
	plain = unseal(id);
	ck_assert_str_eq(plain, secret);
	free(plain);
	detail = audit_of(id, "add");
	ck_assert_ptr_nonnull(strstr(detail, "created cloud account"));
	ck_assert_ptr_nonnull(strstr(detail, "provider: null -> \"TENCENT\""));
	ck_assert_ptr_nonnull(strstr(detail, "secret replaced"));
	ck_assert_ptr_null(strstr(detail, MARK));
	free(detail);
}
END_TEST

/* Provider is case-insensitive on input; description defaults to "". */
START_TEST(create_defaults)
{
	const char	*name = uniq("cs");
	struct resp	*r;

	r = api_f("POST", "/cloud-accounts/", admin_token(), "{\"name\": \"%s\", "
	    "\"provider\": \"cloudstack\", \"endpoint\": "
	    "\"http://cs.example.com:8080/client/api\", \"access_key\": \"k\", "
	    "\"secret\": \"" MARK "x\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	expect_account(r->json, jint(r->json, "id"), name, "CLOUDSTACK",
	    "http://cs.example.com:8080/client/api", "k", "");
	resp_free(r);
}
END_TEST

START_TEST(list_and_filters)
{
	char		 prefix[64], path[256];
	const char	*tag = uniq("lst");
	struct resp	*r;
	long long	 a, b, c;

	snprintf(prefix, sizeof(prefix), "%s", tag);
	snprintf(path, sizeof(path), "%s-a", prefix);
	a = mkaccount(path, "ALIYUN", MARK "1");
	snprintf(path, sizeof(path), "%s-b", prefix);
	b = mkaccount(path, "TENCENT", MARK "2");
	snprintf(path, sizeof(path), "%s-c", prefix);
	c = mkaccount(path, "CLOUDSTACK", MARK "3");
	snprintf(path, sizeof(path), "/cloud-accounts/?name=%s", prefix);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	ck_assert_int_eq(jint(r->json, "results.1.id"), b);
	ck_assert_int_eq(jint(r->json, "results.2.id"), a);
	ck_assert_str_eq(jstr(r->json, "results.0.secret"), "******");
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	/* Upper-case name matches (case-insensitive substring). */
	snprintf(path, sizeof(path), "/cloud-accounts/?name=%s-B", prefix);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	snprintf(path, sizeof(path), "/cloud-accounts/?name=%s&provider="
	    "CLOUDSTACK", prefix);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	expect_account(jpath(r->json, "results.0"), c, jstr(r->json,
	    "results.0.name"), "CLOUDSTACK", "https://ecs.aliyuncs.com",
	    jstr(r->json, "results.0.access_key"), "");
	resp_free(r);
	snprintf(path, sizeof(path), "/cloud-accounts/?name=%s&page_size=2",
	    prefix);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	ck_assert_ptr_nonnull(jstr(r->json, "next"));
	resp_free(r);
	/* % and _ are literal; SQL metacharacters are just text. */
	r = api("GET", "/cloud-accounts/?name=%25", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", "/cloud-accounts/?name=%27%3B%20DROP%20TABLE%20users%3B"
	    "%20--", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", "/cloud-accounts/?provider=AWS", admin_token(),
	    NULL), 400, 10002, "provider");
}
END_TEST

START_TEST(names_round_trip)
{
	const char	*name = uniq(SQLI " " NONASCII);
	struct resp	*r;
	long long	 id;

	id = mkaccount(name, "ALIYUN", MARK "rt");
	r = api("GET", path_of("/cloud-accounts/%lld", id), admin_token(), NULL);
	ck_assert_str_eq(jstr(r->json, "name"), name);
	resp_free(r);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM users WHERE "
	    "username = 'admin'"), 1);
}
END_TEST

START_TEST(duplicate_name_409)
{
	const char	*name = uniq("dup");
	long long	 a, b;
	char		*before;

	a = mkaccount(name, "ALIYUN", MARK "d1");
	before = db_fingerprint(TABLES);
	expect_error(api_f("POST", "/cloud-accounts/", admin_token(),
	    "{\"name\": \"%s\", \"provider\": \"TENCENT\", \"endpoint\": "
	    "\"https://x.example\", \"access_key\": \"k\", \"secret\": "
	    "\"" MARK "d2\"}", name), 409, 10010, NULL);
	unchanged(before);
	b = mkaccount(uniq("dup"), "ALIYUN", MARK "d3");
	before = db_fingerprint(TABLES);
	expect_error(api_f("PATCH", path_of("/cloud-accounts/%lld/", b),
	    admin_token(), "{\"name\": \"%s\"}", name), 409, 10010, NULL);
	unchanged(before);
	ck_assert_int_ne(a, b);
}
END_TEST

/* ---- who may ---------------------------------------------------------- */

START_TEST(anonymous_401_and_user_403)
{
	long long	 uid, id = mkaccount(uniq("perm"), "ALIYUN", MARK "p");
	const char	*tok = user_token(uniq("cau"), 0, &uid);
	const char	*body = "{\"name\": \"x\", \"provider\": \"ALIYUN\", "
	    "\"endpoint\": \"https://e.example\", \"access_key\": \"k\", "
	    "\"secret\": \"" MARK "s\"}";
	char		*before = db_fingerprint(TABLES);
	const char	*one = path_of("/cloud-accounts/%lld/", id);

	expect_error(api("GET", "/cloud-accounts/", NULL, NULL), 401, 10005,
	    NULL);
	expect_error(api("POST", "/cloud-accounts/", NULL, body), 401, 10005,
	    NULL);
	expect_error(api("GET", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("PATCH", one, NULL, "{\"name\": \"y\"}"), 401, 10005,
	    NULL);
	expect_error(api("DELETE", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", "/cloud-accounts/", tok, NULL), 403, 10007,
	    NULL);
	expect_error(api("POST", "/cloud-accounts/", tok, body), 403, 10007,
	    NULL);
	expect_error(api("GET", one, tok, NULL), 403, 10007, NULL);
	expect_error(api("PATCH", one, tok, "{\"name\": \"y\"}"), 403, 10007,
	    NULL);
	expect_error(api("DELETE", one, tok, NULL), 403, 10007, NULL);
	unchanged(before);
}
END_TEST

/* ---- bad input --------------------------------------------------------- */

START_TEST(create_bad_input)
{
	static const struct field_spec	 f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "provider", 1, "string", 0, "AWS" },
		{ "endpoint", 1, "string", 1024, NULL },
		{ "access_key", 1, "string", 256, NULL },
		{ "secret", 1, "string", 4096, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	static const char		*bad_endpoints[] = { "ftp://x.example/",
	    "x.example", "http://", "https:///path", "http://a b.example",
	    "http://" NONASCII ".example", "javascript:alert(1)", "" };
	char				*before;
	size_t				 i;

	bad_input_battery("POST", "/cloud-accounts/", admin_token(),
	    "{\"name\": \"bi\", \"provider\": \"ALIYUN\", \"endpoint\": "
	    "\"https://ecs.aliyuncs.com\", \"access_key\": \"k\", \"secret\": "
	    "\"" MARK "bi\"}", f, sizeof(f) / sizeof(f[0]), TABLES);
	before = db_fingerprint(TABLES);
	for (i = 0; i < sizeof(bad_endpoints) / sizeof(bad_endpoints[0]); i++)
		expect_error(api_f("POST", "/cloud-accounts/", admin_token(),
		    "{\"name\": \"be\", \"provider\": \"ALIYUN\", \"endpoint\": "
		    "\"%s\", \"access_key\": \"k\", \"secret\": \"" MARK "be\"}",
		    bad_endpoints[i]), 400, 10002, "endpoint");
	expect_error(api("POST", "/cloud-accounts/", admin_token(), "{\"name\": "
	    "\"be\", \"provider\": \"ALIYUN\", \"endpoint\": \"https://e.x\", "
	    "\"access_key\": \"k\", \"secret\": \"\"}"), 400, 10002, "secret");
	expect_error(api("POST", "/cloud-accounts/", admin_token(), "{\"name\": "
	    "\"\", \"provider\": \"ALIYUN\", \"endpoint\": \"https://e.x\", "
	    "\"access_key\": \"k\", \"secret\": \"" MARK "s\"}"), 400, 10002,
	    "name");
	expect_error(api("POST", "/cloud-accounts/", admin_token(), "{\"name\": "
	    "\"n\", \"provider\": \"ALIYUN\", \"endpoint\": \"https://e.x\", "
	    "\"access_key\": \"k\\nj\", \"secret\": \"" MARK "s\"}"), 400, 10002,
	    "access_key");
	unchanged(before);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec	 f[] = {
		{ "name", 0, "string", 128, NULL },
		{ "provider", 0, "string", 0, "AZURE" },
		{ "endpoint", 0, "string", 1024, NULL },
		{ "access_key", 0, "string", 256, NULL },
		{ "secret", 0, "string", 4096, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	long long	 id = mkaccount(uniq("pbi"), "ALIYUN", MARK "pbi");
	char		*before;

	bad_input_battery("PATCH", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), "{\"description\": \"d\"}", f,
	    sizeof(f) / sizeof(f[0]), TABLES);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), "{\"endpoint\": \"gopher://x\"}"), 400, 10002,
	    "endpoint");
	expect_error(api("PATCH", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), "{\"secret\": \"\"}"), 400, 10002, "secret");
	expect_error(api("PATCH", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), "{\"name\": null}"), 400, 10002, "name");
	unchanged(before);
}
END_TEST

START_TEST(unknown_ids_404)
{
	const char	*tok = admin_token();	/* its audit row comes first */
	char		*before = db_fingerprint(TABLES);

	expect_error(api("GET", "/cloud-accounts/999999999/", tok,
	    NULL), 404, 10008, NULL);
	expect_error(api("PATCH", "/cloud-accounts/999999999/", tok,
	    "{\"name\": \"z\"}"), 404, 10008, NULL);
	expect_error(api("DELETE", "/cloud-accounts/999999999/", tok,
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", "/cloud-accounts/abc/", tok, NULL),
	    404, 10008, NULL);
	unchanged(before);
}
END_TEST

/* ---- change and delete -------------------------------------------------- */

START_TEST(patch_every_field)
{
	const char	*name = uniq("pf"), *name2 = uniq("pf2");
	long long	 id = mkaccount(name, "ALIYUN", MARK "old");
	struct resp	*r;
	char		*plain, *detail;

	r = api_f("PATCH", path_of("/cloud-accounts/%lld/", id), admin_token(),
	    "{\"name\": \"%s\", \"provider\": \"tencent\", \"endpoint\": "
	    "\"http://127.0.0.1:9/\", \"access_key\": \"AKIDnew\", \"secret\": "
	    "\"" MARK "new\", \"description\": \"" NONASCII "\"}", name2);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_account(r->json, id, name2, "TENCENT", "http://127.0.0.1:9/",
	    "AKIDnew", NONASCII);
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	plain = unseal(id);
	ck_assert_str_eq(plain, MARK "new");
	free(plain);
	detail = audit_of(id, "update");
	ck_assert_ptr_nonnull(strstr(detail, "provider: \"ALIYUN\" -> "
	    "\"TENCENT\""));
	ck_assert_ptr_nonnull(strstr(detail, "access_key: "));
	ck_assert_ptr_nonnull(strstr(detail, "secret replaced"));
	ck_assert_ptr_null(strstr(detail, MARK));
	free(detail);
	/* An empty PATCH changes nothing but is recorded as such. */
	r = api("PATCH", path_of("/cloud-accounts/%lld/", id), admin_token(),
	    "{}");
	ck_assert_int_eq(r->status, 200);
	expect_account(r->json, id, name2, "TENCENT", "http://127.0.0.1:9/",
	    "AKIDnew", NONASCII);
	resp_free(r);
	detail = audit_of(id, "update");
	ck_assert_ptr_nonnull(strstr(detail, "no change"));
	free(detail);
	plain = unseal(id);
	ck_assert_str_eq(plain, MARK "new");
	free(plain);
}
END_TEST

START_TEST(delete_then_gone)
{
	const char	*name = uniq("del");
	long long	 id = mkaccount(name, "CLOUDSTACK", MARK "del");
	struct resp	*r;
	char		*detail;

	r = api("DELETE", path_of("/cloud-accounts/%lld/", id), admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	expect_error(api("GET", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), NULL), 404, 10008, NULL);
	detail = audit_of(id, "delete");
	ck_assert_ptr_nonnull(strstr(detail, name));
	ck_assert_ptr_null(strstr(detail, MARK));
	free(detail);
}
END_TEST

/* A host names it: no delete, no provider change; other edits are fine. */
START_TEST(referenced_account_409)
{
	long long	 id = mkaccount(uniq("ref"), "ALIYUN", MARK "ref");
	char		 sql[256], *before;
	struct resp	*r;

	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type, "
	    "cloud_account_id, cloud_region, cloud_instance_id) VALUES "
	    "('%s', 'ALI_ECS', %lld, 'cn-hangzhou', 'i-1')", uniq("h"), id);
	db_insert(sql);
	before = db_fingerprint(TABLES);
	expect_error(api("DELETE", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), NULL), 409, 10010, NULL);
	expect_error(api("PATCH", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), "{\"provider\": \"TENCENT\"}"), 409, 10010, NULL);
	unchanged(before);
	r = api("PATCH", path_of("/cloud-accounts/%lld/", id), admin_token(),
	    "{\"provider\": \"ALIYUN\", \"description\": \"still used\"}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "description"), "still used");
	resp_free(r);
	snprintf(sql, sizeof(sql), "DELETE FROM hosts WHERE cloud_account_id = "
	    "%lld", id);
	db_exec(sql);
	expect_status(api("DELETE", path_of("/cloud-accounts/%lld/", id),
	    admin_token(), NULL), 200);
}
END_TEST

/* Runs last: no secret sent by this file is in the logs or the audit. */
START_TEST(secret_never_logged)
{
	char		 path[1024], buf[65536];
	const char	*dir = getenv("HANGAR_DIR");
	DIR		*d;
	struct dirent	*e;
	FILE		*f;
	size_t		 n, files = 0;

	mkaccount(uniq("log"), "ALIYUN", MARK "log");
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM audit_log WHERE "
	    "op_detail LIKE '%TOPSECRET-CLOUD-%'"), 0);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM cloud_accounts WHERE "
	    "secret LIKE '%TOPSECRET-CLOUD-%'"), 0);
	snprintf(path, sizeof(path), "%s/log", dir);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/log/%s", dir, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		files++;
		/* Overlap reads so a mark split across two is still seen. */
		while ((n = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
			buf[n] = '\0';
			ck_assert_msg(memmem(buf, n, MARK, strlen(MARK)) == NULL,
			    "secret in %s", path);
			if (n == sizeof(buf) - 1)
				fseek(f, -(long)strlen(MARK), SEEK_CUR);
		}
		fclose(f);
	}
	closedir(d);
	ck_assert_uint_gt(files, 0);
}
END_TEST

static TCase *
tc_accounts(void)
{
	TCase *tc = tcase_create("cloud_accounts");

	tcase_add_test(tc, create_with_every_field);
	tcase_add_test(tc, create_defaults);
	tcase_add_test(tc, list_and_filters);
	tcase_add_test(tc, names_round_trip);
	tcase_add_test(tc, duplicate_name_409);
	tcase_add_test(tc, anonymous_401_and_user_403);
	tcase_add_test(tc, create_bad_input);
	tcase_add_test(tc, patch_bad_input);
	tcase_add_test(tc, unknown_ids_404);
	tcase_add_test(tc, patch_every_field);
	tcase_add_test(tc, delete_then_gone);
	tcase_add_test(tc, referenced_account_409);
	tcase_add_test(tc, secret_never_logged);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_accounts };

	return run_suite("cloud_accounts", cases, 1) ? 1 : 0;
}
