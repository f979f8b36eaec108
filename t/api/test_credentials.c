/*
 * test_credentials.c -- /application/repository-credentials/password/ and
 * .../ssh-key/ (the seed's 登录凭据 section, API.md sections 4 and 6).
 *
 * Secrets are write-only: every read shows "******", the database holds
 * them sealed with the server key (opened here with the stack's key file
 * to prove they round-trip), and no response, audit record or log line
 * carries them.  SSH keys must be keys libssh can load.  A credential a
 * host logs in with cannot be deleted.  Every refusal changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "authlib.h"

#define TABLES	"credentials,audit_log,hosts"
#define PW	"/application/repository-credentials/password/"
#define KEY	"/application/repository-credentials/ssh-key/"
#define SQLI	"'; DROP TABLE users; --"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */
/* Every secret this test sends contains MARK, so logs can be searched. */
#define MARK	"TOPSECRET-CRED-"

static char	*keytext;	/* an unencrypted OpenSSH ed25519 key */
static char	*keyjson;	/* the same as a JSON string body fragment */

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

/* Make a fresh ed25519 key with ssh-keygen; keep its text and JSON form. */
static void
make_key(void)
{
	char	 path[64], cmd[300], *p, *q;
	FILE	*f;
	long	 n;

	if (keytext != NULL)
		return;
	snprintf(path, sizeof(path), "/tmp/hg-cred-key-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -f %s %s.pub; ssh-keygen -q -t ed25519 "
	    "-N '' -C test -f %s", path, path, path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	keytext = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(keytext, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -f %s %s.pub", path, path);
	(void)system(cmd);
	keyjson = q = calloc(1, (size_t)n * 2 + 1);
	for (p = keytext; *p; p++) {
		if (*p == '\n') {
			*q++ = '\\';
			*q++ = 'n';
		} else
			*q++ = *p;
	}
}

/* Every field of a credential object. */
static void
expect_cred(json_object *o, long long id, const char *type, const char *name,
    const char *username, const char *desc)
{
	ck_assert_int_eq(jkeys(o, NULL), 8);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "type"), type);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert_str_eq(jstr(o, "username"), username);
	ck_assert_str_eq(jstr(o, strcmp(type, "PASSWORD") == 0 ? "password" :
	    "private_key"), "******");
	ck_assert_str_eq(jstr(o, "description"), desc);
	ck_assert_str_eq(jstr(o, "creator"), "admin");
	expect_recent(o, "created_time");
}

/* The stored secret of credential id, opened with the stack's key. */
static char *
unseal(long long id)
{
	char	 sql[128], *sealed, *plain;

	snprintf(sql, sizeof(sql), "SELECT secret FROM credentials WHERE "
	    "id = %lld", id);
	sealed = db_str(sql);
	ck_assert_ptr_null(strstr(sealed, MARK));
	ck_assert_ptr_null(strstr(sealed, "PRIVATE KEY"));
	plain = stack_unseal(sealed);
	free(sealed);
	return plain;
}

static long long
mkpw(const char *name, const char *username, const char *password)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", PW, admin_token(), "{\"name\": \"%s\", \"username\": "
	    "\"%s\", \"password\": \"%s\"}", name, username, password);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static long long
mkkey(const char *name)
{
	struct resp	*r;
	long long	 id;

	make_key();
	r = api_f("POST", KEY, admin_token(), "{\"name\": \"%s\", \"username\": "
	    "\"root\", \"private_key\": \"%s\"}", name, keyjson);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static char *
audit_of(long long id, const char *op)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT op_detail FROM audit_log WHERE "
	    "kind = 'credential' AND target_id = %lld AND op_type = '%s' "
	    "ORDER BY id DESC LIMIT 1", id, op);
	return db_str(sql);
}

/* ---- create and read ------------------------------------------------- */

START_TEST(password_every_field)
{
	const char	*name = uniq("cred-" NONASCII " " SQLI);
	struct resp	*r;
	long long	 id;
	char		*plain, *detail;

	r = api_f("POST", PW, admin_token(), "{\"name\": \"%s\", \"username\": "
	    "\"" NONASCII "\", \"password\": \"" MARK "a\\\"b " NONASCII "\", "
	    "\"description\": \"" SQLI "\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	expect_cred(r->json, id, "PASSWORD", name, NONASCII, SQLI);
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	r = api("GET", path_of(PW "%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_cred(r->json, id, "PASSWORD", name, NONASCII, SQLI);
	resp_free(r);
	/* the seed's spelling without the trailing slash and with "s" */
	r = api("GET", path_of("/applications/repository-credentials/password/"
	    "%lld", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "name"), name);
	resp_free(r);
	plain = unseal(id);
	ck_assert_str_eq(plain, MARK "a\"b " NONASCII);
	free(plain);
	detail = audit_of(id, "add");
	ck_assert_ptr_nonnull(strstr(detail, "created password credential"));
	ck_assert_ptr_null(strstr(detail, MARK));
	free(detail);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM users WHERE "
	    "username = 'admin'"), 1);
}
END_TEST

START_TEST(ssh_key_every_field)
{
	const char	*name = uniq("key");
	struct resp	*r;
	long long	 id;
	char		*plain;

	make_key();
	r = api_f("POST", KEY, admin_token(), "{\"name\": \"%s\", \"username\": "
	    "\"deploy\", \"private_key\": \"%s\", \"description\": \"d\"}", name,
	    keyjson);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	expect_cred(r->json, id, "SSH_PRIVATE_KEY", name, "deploy", "d");
	ck_assert_ptr_null(strstr(r->body, "PRIVATE KEY"));
	resp_free(r);
	r = api("GET", path_of(KEY "%lld/", id), admin_token(), NULL);
	expect_cred(r->json, id, "SSH_PRIVATE_KEY", name, "deploy", "d");
	resp_free(r);
	plain = unseal(id);
	ck_assert_str_eq(plain, keytext);
	free(plain);
	/* A password credential is not an SSH key, and the other way round. */
	expect_error(api("GET", path_of(PW "%lld/", id), admin_token(), NULL),
	    404, 10008, NULL);
	id = mkpw(uniq("pwk"), "u", MARK "k");
	expect_error(api("GET", path_of(KEY "%lld/", id), admin_token(), NULL),
	    404, 10008, NULL);
}
END_TEST

START_TEST(ssh_key_must_load)
{
	static const char *bad[] = { "not a key", MARK "x",
	    "-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAA\\n"
	    "-----END OPENSSH PRIVATE KEY-----\\n" };
	const char	*tok = admin_token();	/* its audit row comes first */
	char		*before = db_fingerprint(TABLES);
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(api_f("POST", KEY, tok, "{\"name\": \"%s\", "
		    "\"private_key\": \"%s\"}", uniq("bad"), bad[i]), 400, 10002,
		    "private_key");
	unchanged(before);
}
END_TEST

START_TEST(list_and_filters)
{
	const char	*tag = uniq("lst");
	char		 n[128], path[256];
	struct resp	*r;
	long long	 a, b, k;

	snprintf(n, sizeof(n), "%s-a", tag);
	a = mkpw(n, "alice", MARK "1");
	snprintf(n, sizeof(n), "%s-b", tag);
	b = mkpw(n, "bob_" NONASCII, MARK "2");
	snprintf(n, sizeof(n), "%s-k", tag);
	k = mkkey(n);
	snprintf(path, sizeof(path), PW "?name=%s", tag);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	ck_assert_int_eq(jint(r->json, "results.1.id"), a);
	expect_cred(jpath(r->json, "results.1"), a, "PASSWORD",
	    jstr(r->json, "results.1.name"), "alice", "");
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	snprintf(path, sizeof(path), PW "?name=%s&username=BOB", tag);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	snprintf(path, sizeof(path), KEY "?name=%s", tag);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), k);
	ck_assert_str_eq(jstr(r->json, "results.0.private_key"), "******");
	resp_free(r);
	snprintf(path, sizeof(path), PW "?name=%s&page_size=1", tag);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_ptr_nonnull(jstr(r->json, "next"));
	resp_free(r);
	r = api("GET", PW "?name=%25%5F", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", PW "?username=%27%3B%20DROP%20TABLE%20users%3B%20--",
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", PW "?page_size=1001", admin_token(), NULL), 400,
	    10002, NULL);
}
END_TEST

START_TEST(duplicate_name_409)
{
	const char	*name = uniq("dup");
	long long	 b;
	char		*before;

	mkpw(name, "u", MARK "d1");
	before = db_fingerprint(TABLES);
	expect_error(api_f("POST", PW, admin_token(), "{\"name\": \"%s\", "
	    "\"password\": \"" MARK "d2\"}", name), 409, 10010, NULL);
	unchanged(before);
	b = mkpw(uniq("dup"), "u", MARK "d3");
	before = db_fingerprint(TABLES);
	expect_error(api_f("PATCH", path_of(PW "%lld/", b), admin_token(),
	    "{\"name\": \"%s\"}", name), 409, 10010, NULL);
	unchanged(before);
	/* The same name is free in the other kind. */
	mkkey(name);
}
END_TEST

/* ---- change and delete ----------------------------------------------- */

START_TEST(patch_by_id_and_idless)
{
	const char	*name = uniq("pat"), *name2 = uniq("pat2" NONASCII);
	struct resp	*r;
	long long	 id = mkpw(name, "old", MARK "old"), k;
	char		*plain, *detail, *before;

	r = api_f("PATCH", path_of(PW "%lld/", id), admin_token(),
	    "{\"name\": \"%s\", \"password\": \"" MARK "new\"}", name2);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_cred(r->json, id, "PASSWORD", name2, "old", "");
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	plain = unseal(id);
	ck_assert_str_eq(plain, MARK "new");
	free(plain);
	detail = audit_of(id, "update");
	ck_assert_ptr_nonnull(strstr(detail, "name: \""));
	ck_assert_ptr_nonnull(strstr(detail, "password replaced"));
	ck_assert_ptr_null(strstr(detail, MARK));
	free(detail);
	/* The seed's PATCH on the collection, id in the body. */
	r = api_f("PATCH", PW, admin_token(), "{\"id\": %lld, \"username\": "
	    "\"" NONASCII "\"}", id);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_cred(r->json, id, "PASSWORD", name2, NONASCII, "");
	resp_free(r);
	plain = unseal(id);
	ck_assert_str_eq(plain, MARK "new");	/* untouched */
	free(plain);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", PW, admin_token(),
	    "{\"username\": \"x\"}"), 400, 10002, "id");
	expect_error(api("PATCH", PW, admin_token(), "{\"id\": 999999999, "
	    "\"username\": \"x\"}"), 404, 10008, NULL);
	expect_error(api("PATCH", path_of(PW "%lld/", 999999999), admin_token(),
	    "{\"username\": \"x\"}"), 404, 10008, NULL);
	expect_error(api("PATCH", path_of(PW "%lld/", id), admin_token(),
	    "{\"password\": \"\"}"), 400, 10002, "password");
	unchanged(before);
	/* A new key replaces the old one; a bad one is refused. */
	k = mkkey(uniq("pk"));
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path_of(KEY "%lld/", k), admin_token(),
	    "{\"private_key\": \"" MARK "nope\"}"), 400, 10002, "private_key");
	unchanged(before);
}
END_TEST

START_TEST(delete_and_in_use)
{
	const char	*name = uniq("del");
	long long	 id = mkpw(name, "u", MARK "del"), k, host;
	char		 sql[256], *before, *detail;

	expect_status(api("DELETE", path_of(PW "%lld/", id), admin_token(),
	    NULL), 200);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM credentials WHERE "
	    "id = %lld", id);
	ck_assert_int_eq(db_int(sql), 0);
	detail = audit_of(id, "delete");
	ck_assert_ptr_nonnull(strstr(detail, "deleted password credential"));
	free(detail);
	expect_error(api("DELETE", path_of(PW "%lld/", id), admin_token(),
	    NULL), 404, 10008, NULL);
	/* A host logs in with this key: 409, nothing changes. */
	k = mkkey(uniq("inuse"));
	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type, "
	    "credential_id) VALUES ('%s', 'PHY_HOST', %lld)", uniq("h"), k);
	host = db_insert(sql);
	before = db_fingerprint(TABLES);
	expect_error(api("DELETE", path_of(KEY "%lld/", k), admin_token(), NULL),
	    409, 10010, NULL);
	unchanged(before);
	snprintf(sql, sizeof(sql), "DELETE FROM hosts WHERE id = %lld", host);
	db_exec(sql);
	expect_status(api("DELETE", path_of(KEY "%lld/", k), admin_token(), NULL),
	    200);
}
END_TEST

/* ---- who may ---------------------------------------------------------- */

START_TEST(anonymous_401_and_user_403)
{
	long long	 uid, id = mkpw(uniq("perm"), "u", MARK "p"), k;
	const char	*tok = user_token(uniq("cru"), 0, &uid);
	const char	*body = "{\"name\": \"x\", \"password\": \"" MARK "s\"}";
	const char	*paths[4];
	char		*before;
	int		 i;

	k = mkkey(uniq("permk"));
	paths[0] = PW;
	paths[1] = path_of(PW "%lld/", id);
	paths[2] = KEY;
	paths[3] = path_of(KEY "%lld/", k);
	before = db_fingerprint(TABLES);
	for (i = 0; i < 4; i++) {
		const char *tokens[2] = { NULL, tok };
		int t;

		for (t = 0; t < 2; t++) {
			long http = t == 0 ? 401 : 403;
			int code = t == 0 ? 10005 : 10007;

			expect_error(api("GET", paths[i], tokens[t], NULL), http,
			    code, NULL);
			expect_error(api("PATCH", paths[i], tokens[t],
			    "{\"name\": \"y\"}"), http, code, NULL);
			if (i % 2 == 0)
				expect_error(api("POST", paths[i], tokens[t],
				    body), http, code, NULL);
			else
				expect_error(api("DELETE", paths[i], tokens[t],
				    NULL), http, code, NULL);
		}
	}
	unchanged(before);
}
END_TEST

/* ---- bad input --------------------------------------------------------- */

START_TEST(create_bad_input)
{
	static const struct field_spec pf[] = {
		{ "name", 1, "string", 128, NULL },
		{ "username", 0, "string", 128, NULL },
		{ "password", 1, "string", 4096, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	static const struct field_spec kf[] = {
		{ "name", 1, "string", 128, NULL },
		{ "username", 0, "string", 128, NULL },
		{ "private_key", 1, "string", 0, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	char body[8192];

	bad_input_battery("POST", PW, admin_token(), "{\"name\": \"bi\", "
	    "\"password\": \"" MARK "bi\"}", pf, sizeof(pf) / sizeof(pf[0]),
	    TABLES);
	make_key();
	snprintf(body, sizeof(body), "{\"name\": \"bik\", \"private_key\": "
	    "\"%s\"}", keyjson);
	bad_input_battery("POST", KEY, admin_token(), body, kf,
	    sizeof(kf) / sizeof(kf[0]), TABLES);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec pf[] = {
		{ "name", 0, "string", 128, NULL },
		{ "username", 0, "string", 128, NULL },
		{ "password", 0, "string", 4096, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	long long id = mkpw(uniq("pbi"), "u", MARK "pbi");

	bad_input_battery("PATCH", path_of(PW "%lld/", id), admin_token(),
	    "{\"name\": \"pbi2\"}", pf, sizeof(pf) / sizeof(pf[0]), TABLES);
}
END_TEST

/* Runs last: no secret sent by this file is in the logs or the audit. */
START_TEST(secrets_nowhere)
{
	mkpw(uniq("log"), "u", MARK "log");
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM audit_log WHERE "
	    "op_detail LIKE '%" MARK "%'"), 0);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM audit_log WHERE "
	    "op_detail LIKE '%PRIVATE KEY%'"), 0);
	ck_assert(!in_logs(MARK));
	ck_assert(!in_logs("PRIVATE KEY"));
}
END_TEST

static TCase *
tc_credentials(void)
{
	TCase *tc = tcase_create("credentials");

	tcase_add_test(tc, password_every_field);
	tcase_add_test(tc, ssh_key_every_field);
	tcase_add_test(tc, ssh_key_must_load);
	tcase_add_test(tc, list_and_filters);
	tcase_add_test(tc, duplicate_name_409);
	tcase_add_test(tc, patch_by_id_and_idless);
	tcase_add_test(tc, delete_and_in_use);
	tcase_add_test(tc, anonymous_401_and_user_403);
	tcase_add_test(tc, create_bad_input);
	tcase_add_test(tc, patch_bad_input);
	tcase_add_test(tc, secrets_nowhere);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_credentials };

	return run_suite("credentials", cases, 1) ? 1 : 0;
}
